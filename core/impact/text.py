"""Small formatting helpers shared by the risk reasons and the impact card."""

from __future__ import annotations

from core.i18n import render
from core.impact.catalog import CATALOG, KIND_NAMES


def duration(minutes: int, lang: str) -> str:
    """Calendar minutes as days and hours, the way a salesperson says it: 1天3小时 / 1d 3h."""
    minutes = abs(minutes)
    d, rest = divmod(minutes, 24 * 60)
    h = round(rest / 60)
    if h == 24:
        d, h = d + 1, 0
    if d and h:
        return render(CATALOG, "dur.days_hours", lang, d=d, h=h)
    if d:
        return render(CATALOG, "dur.days", lang, d=d)
    if h:
        return render(CATALOG, "dur.hours", lang, h=h)
    return render(CATALOG, "dur.minutes", lang, m=minutes)


def kind_name(kind: str, lang: str) -> str:
    names = KIND_NAMES.get(kind)
    return (names.get(lang) or names["zh"]) if names else kind


def money(value: float) -> str:
    return f"{value:,.0f}"


def qty(value: float) -> str:
    return f"{value:,.0f}" if abs(value - round(value)) < 1e-6 else f"{value:,.1f}"
