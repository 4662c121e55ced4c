"""List and load answers, help by role, and small talk, in Chinese or English.

The core's use cases (core/services/order_lists.py, shop_load.py) return data;
this words it. Times are shown in the factory's zone.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from core.i18n import render
from core.impact.text import duration
from core.model.parties import Role
from core.services.order_lists import ListedOrder, OrderList
from core.services.shop_load import CenterLoad, ShopLoad

QUERY_TEXTS = {
    "list_header_late": {"zh": "预计延误的订单共{total}个（最晚的在前）：",
                         "en": "{total} orders expected late (latest first):"},
    "list_header_due_today": {"zh": "今天到期的订单共{total}个：",
                              "en": "{total} orders due today:"},
    "list_header_due_this_week": {"zh": "本周到期的订单共{total}个：",
                                  "en": "{total} orders due this week:"},
    "list_header_rush": {"zh": "加急订单共{total}个：", "en": "{total} rush orders:"},
    "list_customer": {"zh": "（客户：{customer}）", "en": " (customer: {customer})"},
    "list_none_late": {"zh": "按当前计划，没有会延误的订单 ✅",
                       "en": "By the current plan no order is late ✅"},
    "list_none_due_today": {"zh": "今天没有到期的订单。", "en": "No order is due today."},
    "list_none_due_this_week": {"zh": "本周没有到期的订单。", "en": "No order is due this week."},
    "list_none_rush": {"zh": "目前没有加急订单。", "en": "There are no rush orders."},
    "list_line_late": {"zh": "{i}. {ref} {product}×{qty} 交期{due} 预计{eta}，晚{late} ⚠️",
                       "en": "{i}. {ref} {product}×{qty} due {due}, ETA {eta}, {late} late ⚠️"},
    "list_line": {"zh": "{i}. {ref} {product}×{qty} 交期{due} 预计{eta}{rush}",
                  "en": "{i}. {ref} {product}×{qty} due {due}, ETA {eta}{rush}"},
    "list_rush_mark": {"zh": "（加急）", "en": " (rush)"},
    "list_no_eta": {"zh": "未排", "en": "not planned"},
    "list_more": {"zh": "……另有{rest}个。", "en": "...and {rest} more."},
    "list_pick": {"zh": "回复序号查看详情。", "en": "Reply with a number for details."},
    "no_customer": {"zh": "没有找到您可以查看的客户“{written}”。请核对客户名称。",
                    "en": "No customer “{written}” that you can view. Please check the name."},
    "no_plan": {"zh": "计划尚未排出，稍后再试。", "en": "No plan yet; please try again shortly."},
    "shop_none": {"zh": "未来一周没有排产，暂无瓶颈。",
                  "en": "Nothing is planned for the coming week, so there is no bottleneck."},
    "shop_bottleneck": {"zh": "瓶颈：{name}，未来7天（{start}–{end}）负荷 {load}%"
                              "（排产 {planned} 小时 / 产能 {capacity} 小时）",
                        "en": "Bottleneck: {name}, load over the next 7 days ({start}–{end}) "
                              "{load}% ({planned} h planned / {capacity} h available)"},
    "shop_others": {"zh": "其次：{items}", "en": "Next: {items}"},
    "shop_delays": {"zh": "因它延误的订单共{total}个：",
                    "en": "{total} orders it delays:"},
    "shop_delay_line": {"zh": "• {ref} 预计{eta}，晚{late}",
                        "en": "• {ref} ETA {eta}, {late} late"},
    "shop_no_delays": {"zh": "目前没有因它延误的订单 ✅",
                       "en": "No order is late because of it ✅"},
    "smalltalk_thanks": {"zh": "不客气！还有需要随时说。",
                         "en": "You're welcome! Just ask if you need anything."},
    "smalltalk_greeting_morning": {"zh": "早上好！要查订单或改订单，直接说。",
                                   "en": "Good morning! What can I check or change for you?"},
    "smalltalk_greeting_afternoon": {
        "zh": "下午好！要查订单或改订单，直接说。",
        "en": "Good afternoon! What can I check or change for you?"},
    "smalltalk_greeting_evening": {
        "zh": "晚上好！要查订单或改订单，直接说。",
        "en": "Good evening! What can I check or change for you?"},
    "smalltalk_greeting": {"zh": "您好！要查订单或改订单，直接说。",
                           "en": "Hello! What can I check or change for you?"},
    "smalltalk_ping": {"zh": "在的，请说。", "en": "I'm here, go ahead."},
    "help_intro": {"zh": "可以这样说（点一下或复制）：", "en": "You can say (tap or copy):"},
    "help_more": {"zh": "发送“帮助”可再看一遍。", "en": "Send \"help\" to see this again."},
}

#: Three examples per role, each one a message the bot understands as it stands.
HELP_EXAMPLES: dict[str, dict[str, tuple[str, str, str]]] = {
    "customer": {
        "zh": ("我的订单", "{ref} 进度", "{ref} 交期推迟3天"),
        "en": ("my orders", "where is {ref}", "{ref} due date 3 days later"),
    },
    "sales": {
        "zh": ("{ref} 数量改成500件", "如果{ref}加急会怎样", "哪些订单会延误"),
        "en": ("{ref} qty 500", "what if {ref} is rushed", "late orders"),
    },
    "operator": {
        "zh": ("{ref} 开料 完成50件 报废2", "{ref} 进度", "今天到期的订单"),
        "en": ("{ref} cutting done 50 scrap 2", "where is {ref}", "orders due today"),
    },
    "supervisor": {
        "zh": ("哪些订单会延误", "瓶颈在哪", "批准 CR-12"),
        "en": ("late orders", "where is the bottleneck", "approve CR-12"),
    },
    "staff": {
        "zh": ("{ref} 进度", "哪些订单会延误", "本周到期的订单"),
        "en": ("where is {ref}", "late orders", "orders due this week"),
    },
}
_HELP_GROUP = {Role.CUSTOMER: "customer", Role.SALES: "sales", Role.OPERATOR: "operator",
               Role.SUPERVISOR: "supervisor", Role.PLANNER: "supervisor", Role.ADMIN: "supervisor"}


def help_examples(role: Role, lang: str, ref: str = "SO-31") -> list[str]:
    """The three examples for `role`, naming `ref` (an order the person may see)."""
    group = HELP_EXAMPLES[_HELP_GROUP.get(role, "staff")]
    return [e.format(ref=ref) for e in group.get(lang, group["zh"])]


def help_text(role: Role, lang: str, ref: str = "SO-31") -> str:
    lines = [render(QUERY_TEXTS, "help_intro", lang)]
    lines += [f"• {e}" for e in help_examples(role, lang, ref)]
    return "\n".join(lines)


def smalltalk_text(kind: str, lang: str, now: datetime) -> str:
    """A short friendly answer to chit-chat; a greeting fits the time of day."""
    if kind == "greeting":
        hour = now.hour
        part = "morning" if 5 <= hour < 12 else "afternoon" if 12 <= hour < 18 else "evening"
        return render(QUERY_TEXTS, f"smalltalk_greeting_{part}", lang)
    if kind in ("thanks", "ping"):
        return render(QUERY_TEXTS, f"smalltalk_{kind}", lang)
    return render(QUERY_TEXTS, "smalltalk_greeting", lang)


def order_list_text(answer: OrderList, lang: str, tz: str) -> str:
    """The ranked list, at most a handful of lines, with how to pick one."""
    if answer.customer_unknown:
        return render(QUERY_TEXTS, "no_customer", lang, written=answer.customer_written or "")
    if not answer.orders:
        return render(QUERY_TEXTS, f"list_none_{answer.filter}", lang)
    header = render(QUERY_TEXTS, f"list_header_{answer.filter}", lang, total=answer.total)
    if answer.customer:
        header = header.rstrip("：:") + render(QUERY_TEXTS, "list_customer", lang,
                                               customer=answer.customer)
        header += "：" if lang != "en" else ":"
    lines = [header]
    lines += [_line(i, o, lang, tz) for i, o in enumerate(answer.orders, 1)]
    if answer.total > len(answer.orders):
        rest = answer.total - len(answer.orders)
        lines.append(render(QUERY_TEXTS, "list_more", lang, rest=rest))
    if not answer.planned:
        lines.append(render(QUERY_TEXTS, "no_plan", lang))
    lines.append(render(QUERY_TEXTS, "list_pick", lang))
    return "\n".join(lines)


def _line(i: int, o: ListedOrder, lang: str, tz: str) -> str:
    eta = _time(o.eta, tz) if o.eta else render(QUERY_TEXTS, "list_no_eta", lang)
    due = o.due_date.strftime("%m-%d")
    if o.lateness_minutes > 0:
        return render(QUERY_TEXTS, "list_line_late", lang, i=i, ref=o.ref, product=o.product_code,
                      qty=o.quantity, due=due, eta=eta, late=duration(o.lateness_minutes, lang))
    rush = render(QUERY_TEXTS, "list_rush_mark", lang) if o.rush else ""
    return render(QUERY_TEXTS, "list_line", lang, i=i, ref=o.ref, product=o.product_code,
                  qty=o.quantity, due=due, eta=eta, rush=rush)


def shop_load_text(answer: ShopLoad, lang: str, tz: str) -> str:
    b = answer.bottleneck
    if answer.plan_version is None:
        return render(QUERY_TEXTS, "no_plan", lang)
    if b is None:
        return render(QUERY_TEXTS, "shop_none", lang)
    lines = [render(QUERY_TEXTS, "shop_bottleneck", lang, name=_name(b),
                    start=_time(answer.start, tz), end=_time(answer.end, tz),
                    load=round(b.load * 100),
                    planned=_hours(b.planned_minutes), capacity=_hours(b.capacity_minutes))]
    if answer.busiest:
        sep = "；" if lang != "en" else "; "
        items = sep.join(f"{_name(c)} {round(c.load * 100)}%" for c in answer.busiest)
        lines.append(render(QUERY_TEXTS, "shop_others", lang, items=items))
    if answer.delayed:
        lines.append(render(QUERY_TEXTS, "shop_delays", lang, total=answer.total_delayed))
        lines += [render(QUERY_TEXTS, "shop_delay_line", lang, ref=d.ref, eta=_time(d.eta, tz),
                         late=duration(d.lateness_minutes, lang)) for d in answer.delayed]
        if answer.total_delayed > len(answer.delayed):
            lines.append(render(QUERY_TEXTS, "list_more", lang,
                                rest=answer.total_delayed - len(answer.delayed)))
    else:
        lines.append(render(QUERY_TEXTS, "shop_no_delays", lang))
    return "\n".join(lines)


def _name(c: CenterLoad) -> str:
    return c.name if c.name == c.code else f"{c.name}（{c.code}）"


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f}".removesuffix(".0")


def _time(at: datetime, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).strftime("%m-%d %H:%M")
