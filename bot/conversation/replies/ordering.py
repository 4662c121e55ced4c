"""Quotes and new orders worded for people, in Chinese (default) and English."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.conversation.replies.cards import card
from bot.conversation.replies.texts import SPEC_NAMES
from core.i18n import render
from core.messages import Reply
from core.notices import (
    NewOrderPlaced,
    OrderRequestDeclined,
    OrderRequestForSales,
    RequirementsSettled,
    TechConfirmationAsked,
)
from core.ordering.model import Requirement
from core.ordering.results import (
    OrderCancelled,
    OrderCard,
    OrderCreated,
    OrderDenied,
    OrderHeld,
    OrderingResult,
    OrderPassedToSales,
    OrderRefused,
    OrderSentForApproval,
    Pushed,
    Quoted,
    QuoteFacts,
    RequirementSettled,
)

T: dict[str, dict[str, str]] = {
    "quote_title": {
        "zh": "【交期评估】{what}",
        "en": "[Delivery quote] {what}",
    },
    "quote_earliest": {
        "zh": "最早可交：{date}（按当前排产，预计 {eta} 完工）",
        "en": "Earliest we can promise: {date} (the plan finishes it {eta})",
    },
    "quote_for": {
        "zh": "客户：{customer}",
        "en": "Customer: {customer}",
    },
    "quote_push_none": {
        "zh": "不会推迟其他订单。",
        "en": "No other order is pushed.",
    },
    "quote_push": {
        "zh": "会推迟 {n} 张订单：{list}",
        "en": "Pushes {n} other orders: {list}",
    },
    "quote_push_item": {
        "zh": "{ref} 约{hours}小时{late}",
        "en": "{ref} ~{hours} h{late}",
    },
    "quote_push_late": {
        "zh": "（将延误）",
        "en": " (becomes late)",
    },
    "quote_materials_ok": {
        "zh": "物料：库存/在途足够。",
        "en": "Materials: covered by stock and open POs.",
    },
    "quote_materials": {
        "zh": "物料 {date} 到齐：{list}",
        "en": "Materials complete on {date}: {list}",
    },
    "quote_buy": {
        "zh": "需采购 {item} {qty:g}（{date} 到）",
        "en": "buy {item} {qty:g} (arrives {date})",
    },
    "quote_wait": {
        "zh": "等在途 {item} {qty:g}（{date} 到）",
        "en": "await {item} {qty:g} on order ({date})",
    },
    "quote_rush": {
        "zh": "如加急可提前到 {date}，加急费约 ¥{fee:,.0f}。",
        "en": "As a rush order: {date}, rush fee about ¥{fee:,.0f}.",
    },
    "quote_rush_nofee": {
        "zh": "如加急可提前到 {date}（加急费按合同）。",
        "en": "As a rush order: {date} (rush fee per contract).",
    },
    "quote_note": {
        "zh": "此日期已留出安全余量；仅评估，未建单。",
        "en": "This date keeps a safety margin; nothing was ordered.",
    },
    "order_title": {
        "zh": "新订单 {ref}：{order}",
        "en": "New order {ref}: {order}",
    },
    "order_customer": {
        "zh": "客户：{customer}",
        "en": "Customer: {customer}",
    },
    "order_product": {
        "zh": "产品：{product} × {qty}",
        "en": "Product: {product} × {qty}",
    },
    "order_specs": {
        "zh": "规格：{specs}",
        "en": "Specs: {specs}",
    },
    "order_due": {
        "zh": "交期：{date}",
        "en": "Due: {date}",
    },
    "order_on_time": {
        "zh": "按期：预计 {eta} 完工（最早可交 {earliest}）",
        "en": "On time: planned to finish {eta} (earliest possible {earliest})",
    },
    "order_late": {
        "zh": "⚠ 按 {date} 交不了：预计 {eta} 完工，最早可承诺 {earliest}",
        "en": ("⚠ {date} cannot be kept: planned to finish {eta}; "
               "earliest we can promise {earliest}"),
    },
    "order_terms": {
        "zh": ("合同条款：最多变更 {max_changes} 次，变更费 ¥{change_fee}，"
               "加急费率 {rush_fee_rate}，冻结点 {freeze}"),
        "en": ("Contract: at most {max_changes} changes, change fee ¥{change_fee}, "
               "rush fee {rush_fee_rate}, freeze points {freeze}"),
    },
    "order_approval": {
        "zh": "确认后需主管审批。",
        "en": "A supervisor approves it after you confirm.",
    },
    "order_risk": {
        "zh": "风险：{level}",
        "en": "Risk: {level}",
    },
    "order_sent_for_approval": {
        "zh": "新订单 {ref} 已提交主管审批，结果会通知您。",
        "en": "New order {ref} went to a supervisor for approval; you will be told.",
    },
    "order_created": {
        "zh": "新订单 {order} 已建立（{ref}），承诺交期 {date}，计划版本 {plan}。",
        "en": "Order {order} created ({ref}), promised for {date}, plan version {plan}.",
    },
    "order_created_eta": {
        "zh": "预计完工：{eta}。",
        "en": " Planned to finish {eta}.",
    },
    "order_cancelled": {
        "zh": "已取消新订单 {ref}，未建单。",
        "en": "New order {ref} cancelled; nothing was created.",
    },
    "order_denied": {
        "zh": "已驳回新订单 {ref}。",
        "en": "New order {ref} denied.",
    },
    "ask_customer": {
        "zh": ("请问是哪个客户的订单？请连同产品、数量、交期一起发，例如：新单 华兴 L型办公桌 2"
               "0张 胡桃木色 12月30号交"),
        "en": ("Which customer is it for? Send it again with product, quantity and due date, e."
               "g. \"new order for Huaxing: 20 F-DESK-L walnut due 2026-12-30\""),
    },
    "ask_product": {
        "zh": "请问要什么产品？请写产品名称或编号（例如 L型办公桌 / F-DESK-L）再发一次。",
        "en": "Which product? Please send it again with the product name or code (e.g. F-DESK-L).",
    },
    "ask_quantity": {
        "zh": "请问要多少？请写上数量（例如 20张）再发一次。",
        "en": "How many? Please send it again with the quantity (e.g. 20 pcs).",
    },
    "ask_due_date": {
        "zh": ("请问要求哪天交货？请写上交期（例如 12月30号交）再发一次；不确定可以先问“最早什"
               "么时候能交”。"),
        "en": ("When is it due? Please send it again with the due date (e.g. due 2026-12-30), o"
               "r ask \"how soon can we make ...\" first."),
    },
    "unknown_product": {
        "zh": "没有找到产品“{product}”，请核对名称或编号。",
        "en": "No product \"{product}\"; please check the name or code.",
    },
    "unknown_customer": {
        "zh": "没有找到客户“{customer}”，请核对名称或编号。",
        "en": "No customer \"{customer}\"; please check the name or code.",
    },
    "not_your_customer": {
        "zh": "您不能为客户“{customer}”询价或下单，请联系负责的销售。",
        "en": "You cannot quote or order for \"{customer}\"; please ask their salesperson.",
    },
    "role_cannot_order": {
        "zh": "您的角色不能询价或下单，请联系销售。",
        "en": "Your role cannot quote or order; please ask sales.",
    },
    "bad_quantity": {
        "zh": "数量 {quantity} 不对，请写一个正数。",
        "en": "Quantity {quantity} is not valid; please give a positive number.",
    },
    "absurd_quantity": {
        "zh": "数量 {quantity} 超出合理范围（上限 {limit}），请核对后再发。",
        "en": "Quantity {quantity} is beyond a sane order (limit {limit}); please check it.",
    },
    "past_date": {
        "zh": "交期 {date} 已经过去了，请给一个今天或以后的日期。",
        "en": "Due date {date} is in the past; please give today or later.",
    },
    "unknown_spec": {
        "zh": "规格“{spec}”不在该产品的可选项内（可选：{options}），请核对。",
        "en": "Spec \"{spec}\" is not an option of this product (options: {options}).",
    },
    "no_routing": {
        "zh": "产品“{product}”还没有工艺路线，无法评估交期，请联系计划员。",
        "en": "Product \"{product}\" has no routing yet, so no date can be quoted; ask a planner.",
    },
    "nothing_pending": {
        "zh": "没有等待您确认的新订单。",
        "en": "There is no new order waiting for your confirmation.",
    },
    "expired": {
        "zh": "新订单 {ref} 已过期，请重新发起。",
        "en": "New order {ref} has expired; please send it again.",
    },
    "not_yours": {
        "zh": "新订单 {ref} 不是由您确认的。",
        "en": "New order {ref} is not yours to confirm.",
    },
    "already_with_supervisor": {
        "zh": "新订单 {ref} 正在等待主管审批。",
        "en": "New order {ref} is waiting for a supervisor.",
    },
    "only_supervisors": {
        "zh": "只有主管可以审批新订单。",
        "en": "Only supervisors can approve new orders.",
    },
    "no_approval_pending": {
        "zh": "没有待审批的新订单 {ref}。",
        "en": "No new order {ref} is waiting for approval.",
    },
    "notice_purchasing": {
        "zh": "【采购】新订单 {order}（{what}）需采购：{buy}",
        "en": "[Purchasing] new order {order} ({what}) needs: {buy}",
    },
    "notice_purchasing_none": {
        "zh": "【采购】新订单 {order}（{what}）：物料已有库存/在途，无需新采购。",
        "en": "[Purchasing] new order {order} ({what}): stock and open POs cover it.",
    },
    "notice_warehouse": {
        "zh": "【仓库】新订单 {order}（{what}），交期 {date}，请安排备料。",
        "en": "[Warehouse] new order {order} ({what}), due {date}: please prepare the picks.",
    },
    "notice_shop": {
        "zh": "【车间】新订单 {order}（{what}）已排产，预计 {eta} 完工。",
        "en": "[Shop] new order {order} ({what}) is scheduled, planned to finish {eta}.",
    },
    "notice_customer": {
        "zh": "您的订单 {order}（{what}）已确认，承诺交期 {date}。",
        "en": "Your order {order} ({what}) is confirmed for {date}.",
    },
    "needs_tech": {
        "zh": "⚠ 需技术确认：{list}",
        "en": "⚠ Needs technical confirmation: {list}",
    },
    "needs_tech_note": {
        "zh": "这些需求不在产品目录内：确认后订单先建立但不排产，待计划/工程确认需求后再排产。",
        "en": ("These are not catalogue options: once confirmed the order is created but held "
               "out of the plan until a planner or engineer confirms them."),
    },
    "quote_needs_tech": {
        "zh": "⚠ 需技术确认：{list}（日期按目录规格评估，需求确认后为准）",
        "en": "⚠ Needs technical confirmation: {list} (dated as the catalogue item)",
    },
    "order_held": {
        "zh": ("新订单 {order} 已建立（{ref}），要求交期 {date}；"
               "特殊需求待计划/工程确认，确认前不排产：{list}"),
        "en": ("Order {order} created ({ref}), asked for {date}; held out of the plan until a "
               "planner or engineer confirms: {list}"),
    },
    "passed_to_sales": {
        "zh": "您的下单请求 {ref} 已转给您的销售 {sales} 确认，确认后会通知您交期。",
        "en": ("Your order request {ref} went to your salesperson {sales} to confirm; you will "
               "be told the date once it is confirmed."),
    },
    "sales_request_title": {
        "zh": "客户下单请求 {ref}（{who}）：{order}",
        "en": "Customer order request {ref} ({who}): {order}",
    },
    "requirement_settled": {
        "zh": ("订单 {order} 需求说明书 v{version} 已{how}，"
               "订单已排产（计划版本 {plan}），承诺交期 {date}。"),
        "en": ("Order {order}: requirements v{version} {how}; the order is in the plan "
               "(plan version {plan}), promised for {date}."),
    },
    "how_confirmed": {"zh": "技术确认", "en": "confirmed"},
    "how_amended": {"zh": "修改并确认", "en": "amended and confirmed"},
    "ask_requirement": {
        "zh": "请写上修改后的需求，例如：{ref} 需求改为 颜色 胡桃木色, 边角倒圆",
        "en": ("Please write the amended requirements, e.g. "
               "\"{ref} amend requirements: color walnut\""),
    },
    "no_salesperson": {
        "zh": "暂时没有负责您的销售，请直接联系工厂。",
        "en": "No salesperson looks after your account yet; please contact the factory.",
    },
    "unknown_order": {
        "zh": "没有找到订单 {ref}。",
        "en": "No order {ref}.",
    },
    "not_tech_role": {
        "zh": "只有计划员、主管或管理员可以确认或修改订单需求。",
        "en": "Only planners, supervisors or admins can confirm or amend requirements.",
    },
    "no_requirement": {
        "zh": "订单 {ref} 没有待技术确认的需求。",
        "en": "Order {ref} has no requirements awaiting technical confirmation.",
    },
    "already_confirmed": {
        "zh": "订单 {ref} 的需求已经确认过了。",
        "en": "The requirements of order {ref} are already confirmed.",
    },
    "notice_tech": {
        "zh": ("【待技术确认】订单 {order}（{what}，{who} 提交，交期 {date}）暂不排产，"
               "需确认：{list}。"
               "回复“{order} 技术确认”或“{order} 需求改为 …”"),
        "en": ("[Technical confirmation] order {order} ({what}, from {who}, due {date}) is held "
               "out of the plan; to confirm: {list}. Reply \"tech confirm {order}\" or "
               "\"{order} amend requirements: ...\""),
    },
    "notice_settled": {
        "zh": ("订单 {order} 的需求已由 {who} {how}（v{version}：{list}），"
               "已排产{eta}，承诺交期 {date}。"),
        "en": ("Order {order}: {who} {how} its requirements (v{version}: {list}); it is in the "
               "plan{eta}, promised for {date}."),
    },
    "notice_settled_eta": {"zh": "，预计 {eta} 完工", "en": ", planned to finish {eta}"},
    "notice_declined": {
        "zh": "您的下单请求 {ref}（{what}）销售未接受，如有疑问请联系您的销售。",
        "en": "Your order request {ref} ({what}) was not taken; please ask your salesperson.",
    },
}

RISK = {"zh": {"low": "低", "medium": "中", "high": "高"},
        "en": {"low": "low", "medium": "medium", "high": "high"}}


def render_ordering(result: OrderingResult, lang: str, tz: str) -> list[Reply]:
    if isinstance(result, Quoted):
        lines = quote_lines(result.facts, lang, tz)
        if result.requirements:
            lines.insert(-1, render(T, "quote_needs_tech", lang,
                                    list=requirement_list(result.requirements, lang)))
        return [_text(*lines)]
    if isinstance(result, OrderHeld):
        return [_text(render(T, "order_held", lang, order=result.order_ref,
                             ref=result.request_ref, date=_day(result.promised),
                             list=requirement_list(result.requirements, lang)))]
    if isinstance(result, OrderPassedToSales):
        return [_text(render(T, "passed_to_sales", lang, ref=result.request_ref,
                             sales=result.salesperson))]
    if isinstance(result, RequirementSettled):
        how = render(T, "how_amended" if result.amended else "how_confirmed", lang)
        text = render(T, "requirement_settled", lang, order=result.order_ref,
                      version=result.version, how=how, plan=result.plan_version,
                      date=_day(result.promised))
        if result.eta is not None:
            text += render(T, "order_created_eta", lang, eta=_at(result.eta, tz))
        return [_text(text)]
    if isinstance(result, OrderCard):
        return [_order_card(result, lang, tz)]
    if isinstance(result, OrderSentForApproval):
        return [_text(render(T, "order_sent_for_approval", lang, ref=result.request_ref))]
    if isinstance(result, OrderCreated):
        text = render(T, "order_created", lang, order=result.order_ref, ref=result.request_ref,
                      date=_day(result.promised), plan=result.plan_version)
        if result.eta is not None:
            text += render(T, "order_created_eta", lang, eta=_at(result.eta, tz))
        return [_text(text)]
    if isinstance(result, OrderCancelled):
        return [_text(render(T, "order_cancelled", lang, ref=result.request_ref))]
    if isinstance(result, OrderDenied):
        return [_text(render(T, "order_denied", lang, ref=result.request_ref))]
    assert isinstance(result, OrderRefused), result
    return [_text(refusal(result, lang))]


def refusal(result: OrderRefused, lang: str) -> str:
    params = {"ref": "-", **dict(result.params)}
    return render(T, result.reason, lang, **params)


def quote_lines(f: QuoteFacts, lang: str, tz: str) -> list[str]:
    lines = [render(T, "quote_title", lang, what=_what(f.product_name, f.quantity, f.specs, lang))]
    if f.customer_name:
        lines.append(render(T, "quote_for", lang, customer=f.customer_name))
    lines.append(render(T, "quote_earliest", lang, date=_day(f.earliest), eta=_at(f.eta, tz)))
    lines.append(_pushed_line(f.pushed, lang))
    lines.append(_materials_line(f, lang))
    if f.rush_date is not None:
        lines.append(_rush_line(f, lang))
    lines.append(render(T, "quote_note", lang))
    return lines


def _order_card(c: OrderCard, lang: str, tz: str, title: str | None = None) -> Reply:
    f = c.facts
    title = title or render(T, "order_title", lang, ref=c.request_ref, order=c.order_ref)
    lines = [render(T, "order_customer", lang, customer=f.customer_name or "-"),
             render(T, "order_product", lang, product=f"{f.product_name}（{f.product_code}）"
                    if lang == "zh" else f"{f.product_name} ({f.product_code})", qty=f.quantity)]
    if f.specs:
        lines.append(render(T, "order_specs", lang, specs=_specs(f.specs, lang)))
    if c.requirements:
        lines.append(render(T, "needs_tech", lang, list=requirement_list(c.requirements, lang)))
    lines.append(render(T, "order_due", lang, date=_day(c.due_date)))
    if c.on_time:
        lines.append(render(T, "order_on_time", lang, eta=_at(c.eta, tz),
                            earliest=_day(f.earliest)))
    else:
        lines.append(render(T, "order_late", lang, date=_day(c.due_date), eta=_at(c.eta, tz),
                            earliest=_day(f.earliest)))
    lines.append(_pushed_line(c.pushed, lang))
    lines.append(_materials_line(f, lang))
    if f.rush_date is not None and not c.on_time:
        lines.append(_rush_line(f, lang))
    lines.append(render(T, "order_terms", lang, **dict(c.terms)))
    risk = RISK.get(lang, RISK["zh"]).get(c.risk, c.risk)
    lines.append(render(T, "order_risk", lang, level=risk))
    if c.needs_approval:
        lines.append(render(T, "order_approval", lang))
    if c.requirements:
        lines.append(render(T, "needs_tech_note", lang))
    return card(title, lines, c.request_ref, lang, "confirm")


def sales_request_card(n: OrderRequestForSales, lang: str, tz: str) -> Reply:
    """The customer's request as their salesperson's confirm card."""
    title = render(T, "sales_request_title", lang, ref=n.card.request_ref, who=n.asked_by,
                   order=n.card.order_ref)
    return _order_card(n.card, lang, tz, title)


def requirement_list(items: tuple[Requirement, ...], lang: str) -> str:
    """"颜色 粉红色；边角倒圆": each requirement, its spec name first (none for notes)."""
    names = SPEC_NAMES.get(lang, SPEC_NAMES["zh"])
    sep = "；" if lang == "zh" else "; "
    return sep.join(r.value if r.key == "other" else f"{names.get(r.key, r.key)} {r.value}"
                    for r in items) or "-"


def tech_notice_text(n: TechConfirmationAsked | RequirementsSettled | OrderRequestDeclined,
                     lang: str, tz: str) -> str:
    if isinstance(n, TechConfirmationAsked):
        what = f"{n.customer} " + _what(n.product, n.quantity, {}, lang)
        return render(T, "notice_tech", lang, order=n.order_ref, what=what, who=n.requested_by,
                      date=_day(n.due), list=requirement_list(n.requirements, lang))
    if isinstance(n, RequirementsSettled):
        how = render(T, "how_amended" if n.amended else "how_confirmed", lang)
        eta = render(T, "notice_settled_eta", lang, eta=_at(n.eta, tz)) if n.eta else ""
        return render(T, "notice_settled", lang, order=n.order_ref, who=n.by, how=how,
                      version=n.version, list=requirement_list(n.requirements, lang), eta=eta,
                      date=_day(n.due))
    return render(T, "notice_declined", lang, ref=n.request_ref,
                  what=_what(n.product, n.quantity, {}, lang))


def notice_text(n: NewOrderPlaced, lang: str, tz: str) -> str:
    what = f"{n.customer} " + _what(n.product, n.quantity, dict(n.specs), lang)
    if n.audience == "purchasing":
        if not n.to_buy:
            return render(T, "notice_purchasing_none", lang, order=n.order_ref, what=what)
        sep = "；" if lang == "zh" else "; "
        buy = sep.join(render(T, "quote_buy", lang, item=i, qty=q, date=_day(d))
                       for i, q, d in n.to_buy)
        return render(T, "notice_purchasing", lang, order=n.order_ref, what=what, buy=buy)
    if n.audience == "shop":
        return render(T, "notice_shop", lang, order=n.order_ref, what=what,
                      eta=_at(n.eta, tz) if n.eta else "-")
    return render(T, f"notice_{n.audience}", lang, order=n.order_ref, what=what, date=_day(n.due))


def _rush_line(f: QuoteFacts, lang: str) -> str:
    assert f.rush_date is not None
    if f.rush_fee:
        return render(T, "quote_rush", lang, date=_day(f.rush_date), fee=f.rush_fee)
    return render(T, "quote_rush_nofee", lang, date=_day(f.rush_date))


def _pushed_line(pushed: tuple[Pushed, ...], lang: str) -> str:
    if not pushed:
        return render(T, "quote_push_none", lang)
    sep = "、" if lang == "zh" else ", "
    items = sep.join(render(T, "quote_push_item", lang, ref=p.ref, hours=round(p.minutes / 60, 1),
                            late=render(T, "quote_push_late", lang) if p.becomes_late else "")
                     for p in pushed[:5])
    more = "…" if len(pushed) > 5 else ""
    return render(T, "quote_push", lang, n=len(pushed), list=items + more)


def _materials_line(f: QuoteFacts, lang: str) -> str:
    if not f.materials:
        return render(T, "quote_materials_ok", lang)
    sep = "；" if lang == "zh" else "; "
    parts = []
    for m in f.materials[:5]:
        if m.uncovered > 0:
            parts.append(render(T, "quote_buy", lang, item=m.item_name, qty=round(m.uncovered, 2),
                                date=_day(m.available_on)))
        else:
            parts.append(render(T, "quote_wait", lang, item=m.item_name, qty=round(m.missing, 2),
                                date=_day(m.available_on)))
    return render(T, "quote_materials", lang, date=_day(f.materials_ready), list=sep.join(parts))


def _what(product: str, quantity: int, specs: Mapping[str, str], lang: str) -> str:
    text = f"{product} × {quantity}"
    return f"{text} {_specs(specs, lang)}" if specs else text


def _specs(specs: Mapping[str, str], lang: str) -> str:
    names = SPEC_NAMES.get(lang, SPEC_NAMES["zh"])
    return ", ".join(f"{names.get(k, k)} {v}" for k, v in specs.items())


def _day(d: date) -> str:
    return d.isoformat()


def _at(at: datetime, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).strftime("%m-%d %H:%M")


def _text(*lines: str) -> Reply:
    return Reply("text", "\n".join(lines))
