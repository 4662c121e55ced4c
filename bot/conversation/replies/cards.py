"""Card layout: what was understood first, then the impact, then the buttons."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from bot.conversation.replies.texts import CHANGE_TEXTS as T
from bot.conversation.replies.texts import SPEC_NAMES, UNDERSTOOD_TEXTS
from core.i18n import render
from core.messages import Button, Reply
from core.notices import BeforeAfter, Understood


def card(title: str, lines: Sequence[str], cr_ref: str, lang: str, mode: str) -> Reply:
    """A card with confirm/cancel (mode "confirm") or approve/deny (mode "approve") buttons,
    and the typed fallback for channels without buttons."""
    if mode == "approve":
        buttons = (Button(f"approve:{cr_ref}", render(T, "btn_approve", lang), 1),
                   Button(f"deny:{cr_ref}", render(T, "btn_deny", lang), 2))
        fallback = render(T, "fallback_approve", lang, cr=cr_ref)
    else:
        buttons = (Button(f"confirm:{cr_ref}", render(T, "btn_confirm", lang), 1),
                   Button(f"reject:{cr_ref}", render(T, "btn_cancel", lang), 2))
        fallback = render(T, "fallback_confirm", lang, cr=cr_ref)
    body = "\n".join(lines)
    return Reply("card", body, title=title, buttons=buttons,
                 fallback_text=f"{title}\n{body}\n{fallback}", card_id=f"{cr_ref}-{mode}")


def understood_lines(understood: Understood, lang: str) -> list[str]:
    """Each change as before -> after ("数量 8 → 20件", "交期 12-06 → 12-09", "加急")."""
    return [understood_line(item, lang) for item in understood]


def understood_line(item: BeforeAfter, lang: str) -> str:
    if item.field == "priority":
        return render(UNDERSTOOD_TEXTS, f"priority_{item.after}", lang)
    if item.field not in UNDERSTOOD_TEXTS:
        return f"{item.field} {_show(item.before)} → {_show(item.after)}"
    names = SPEC_NAMES.get(lang, SPEC_NAMES["zh"])
    unit = item.unit or ""
    if item.factor is not None and not unit:
        unit = render(UNDERSTOOD_TEXTS, "default_unit", lang)
    if lang == "en" and unit:
        unit = f" {unit}"
    name = names.get(item.key or "", item.key or "")
    line = render(UNDERSTOOD_TEXTS, item.field, lang, before=_show(item.before),
                  after=_show(item.after), unit=unit, name=name)
    if item.factor is not None:
        line += _factor_note(item, lang)
    return line


def _factor_note(item: BeforeAfter, lang: str) -> str:
    """"(×2)" after a multiple; when the product was not whole, how it was rounded."""
    factor = f"{item.factor:g}"
    if isinstance(item.before, int) and isinstance(item.after, int):
        exact = Decimal(item.before) * Decimal(str(item.factor))
        if exact != item.after:
            return render(UNDERSTOOD_TEXTS, "factor_rounded", lang, factor=factor,
                          exact=f"{exact.normalize():f}", after=item.after)
    return render(UNDERSTOOD_TEXTS, "factor", lang, factor=factor)


def stored_card_lines(risk: str, impact: Mapping[str, Any], lang: str) -> list[str]:
    """Approval cards are built from the stored impact snapshot: what the requester saw."""
    lines = [render(T, "risk_line", lang, level=risk)]
    plan = impact.get("plan") or {}
    if plan.get("new_eta"):
        late = plan.get("new_lateness") or 0
        eta = str(plan["new_eta"])[:16].replace("T", " ")
        lines.append(render(T, "eta_line", lang, eta=eta, late=round(late / 60, 1)) if late > 0
                     else render(T, "eta_on_time_line", lang, eta=eta))
    if plan.get("others_slipped"):
        lines.append(render(T, "others_line", lang, n=len(plan["others_slipped"])))
    cost = impact.get("cost") or {}
    if cost:
        lines.append(render(T, "cost_line", lang, total=cost.get("total", 0)))
    reasons = [r.get(lang, r.get("zh", "")) for r in (impact.get("risk") or {}).get("reasons", [])]
    lines += [f"• {r}" for r in reasons[:4]]
    return lines


def _show(value: object) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, date):
        return value.strftime("%m-%d")
    return str(value)
