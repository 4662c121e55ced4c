"""The impact card: at most ten short lines that fit a phone screen, in zh or en."""

from __future__ import annotations

from core.i18n import render
from core.impact.catalog import CATALOG
from core.impact.text import duration, money, qty
from core.impact.types import Impact, MaterialImpact, PurchaseAction

MAX_LINES = 10
SHORT_LINES = 2
"""Shortages shown one per line; the rest are counted, purchasing sees the full list."""


def impact_card_lines(impact: Impact, lang: str = "zh") -> list[str]:
    """New ETA vs due, others slipped, shortages, rework, contract and fee, cost, risk."""
    lines = [_eta(impact, lang)]
    if impact.plan is not None:
        lines.append(_others(impact, lang))
    lines += _shortages(impact.materials, lang)
    if impact.rework.operations:
        lines.append(_rework(impact, lang))
    lines.append(_policy(impact, lang))
    lines.append(_cost(impact, lang))
    lines.append(_risk(impact, lang))
    if len(lines) > MAX_LINES:
        lines = lines[: MAX_LINES - 1] + lines[-1:]  # the risk line always stays
    return lines


def _eta(impact: Impact, lang: str) -> str:
    plan = impact.plan
    if "cancel" in impact.kinds:
        return render(CATALOG, "card.cancelled", lang)
    if plan is None or plan.new_eta is None or plan.new_lateness is None:
        return render(CATALOG, "card.eta_unplanned", lang, due=_day(impact.due_date))
    late = plan.new_lateness
    if late > 0:
        state = render(CATALOG, "card.late", lang, d=duration(late, lang))
    elif late < 0:
        state = render(CATALOG, "card.early", lang, d=duration(late, lang))
    else:
        state = render(CATALOG, "card.on_time", lang)
    return render(
        CATALOG,
        "card.eta",
        lang,
        due=plan.new_due.strftime("%m-%d"),
        eta=plan.new_eta.strftime("%m-%d %H:%M"),
        state=state,
    )


def _others(impact: Impact, lang: str) -> str:
    plan = impact.plan
    assert plan is not None
    if not plan.others_slipped:
        return render(CATALOG, "card.others_none", lang, moved=plan.operations_moved)
    worst = max(plan.others_slipped, key=lambda s: s.minutes)
    return render(
        CATALOG,
        "card.others",
        lang,
        n=len(plan.others_slipped),
        worst=duration(worst.minutes, lang),
        ref=worst.ref,
        moved=plan.operations_moved,
    )


def _shortages(materials: MaterialImpact, lang: str) -> list[str]:
    short = materials.shortages
    out = []
    for line in short[:SHORT_LINES]:
        acts = [a for a in materials.actions if a.item_code == line.item_code]
        when = (
            _sep(lang).join(_action(a, lang) for a in acts)
            if acts
            else render(CATALOG, "card.arrives", lang, date=_day(line.available_on))
        )
        out.append(
            render(
                CATALOG,
                "card.short",
                lang,
                name=line.name,
                qty=qty(line.short),
                unit=line.unit,
                when=when,
            )
        )
    if len(short) > SHORT_LINES:
        out.append(render(CATALOG, "card.short_more", lang, n=len(short) - SHORT_LINES))
    return out


def _action(action: PurchaseAction, lang: str) -> str:
    return render(
        CATALOG,
        f"card.po_{action.kind}",
        lang,
        po=action.po_ref or "",
        qty=qty(action.quantity),
        date=_day(action.arrives),
    )


def _rework(impact: Impact, lang: str) -> str:
    ops = "、".join(op.name for op in impact.rework.operations)
    return render(CATALOG, "card.rework", lang, ops=ops, scrap=impact.rework.scrap_quantity)


def _policy(impact: Impact, lang: str) -> str:
    pol = impact.policy
    frozen = "".join(
        render(CATALOG, "card.frozen", lang, op=h.after_operation) for h in pol.frozen
    )
    return render(
        CATALOG,
        "card.policy",
        lang,
        used=pol.changes_used,
        max=pol.changes_max,
        frozen=frozen,
        fee=money(pol.fee),
    )


def _cost(impact: Impact, lang: str) -> str:
    c = impact.cost
    return render(
        CATALOG,
        "card.cost",
        lang,
        total=money(c.total),
        material=money(c.material_delta),
        rework=money(c.rework),
        rush=money(c.expediting),
        fee=money(c.fee),
    )


def _risk(impact: Impact, lang: str) -> str:
    level = render(CATALOG, f"level.{impact.risk.level}", lang)
    texts = [r.en if lang == "en" else r.zh for r in impact.risk.reasons[:2]]
    return render(CATALOG, "card.risk", lang, level=level, reasons=_sep(lang).join(texts))


def _sep(lang: str) -> str:
    return "; " if lang == "en" else "；"


def _day(value: object) -> str:
    return value.strftime("%m-%d") if hasattr(value, "strftime") else "-"
