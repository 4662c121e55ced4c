"""Change-control results as replies in the sender's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.conversation.replies.cards import card, understood_lines
from bot.conversation.replies.texts import CHANGE_TEXTS as T
from bot.conversation.replies.texts import CR_STATUS_TEXT, DIRECTION_WORDS
from core.change_control.results import (
    Applied,
    Blocked,
    Cancelled,
    CardShown,
    Denied,
    DirectionUnclear,
    Refused,
    Result,
    SentForApproval,
    SentToSales,
    Superseded,
    WhatIfShown,
)
from core.i18n import render
from core.impact import impact_card_lines
from core.messages import Reply
from core.services.progress import STATUS_TEXT


def render_result(result: Result, lang: str, tz: str) -> list[Reply]:
    """The sender's replies for what the use case did."""
    if isinstance(result, CardShown):
        title = render(T, "card_title", lang, ref=result.order_ref, cr=result.cr_ref)
        lines = understood_lines(result.understood, lang) + impact_card_lines(result.impact, lang)
        return [card(title, lines, result.cr_ref, lang, "confirm")]
    if isinstance(result, WhatIfShown):
        return [_text(render(T, "what_if_title", lang, ref=result.order_ref),
                      *understood_lines(result.understood, lang),
                      *impact_card_lines(result.impact, lang))]
    if isinstance(result, Blocked):
        return [_text(render(T, "blocked", lang, ref=result.order_ref, cr=result.cr_ref),
                      *understood_lines(result.understood, lang),
                      *impact_card_lines(result.impact, lang))]
    if isinstance(result, Applied):
        text = render(T, "applied", lang, cr=result.cr_ref, ref=result.order_ref,
                      plan=result.plan_version)
        if result.eta is not None:
            text += render(T, "applied_eta", lang, eta=local_time(result.eta, tz))
        return [_text(text)]
    if isinstance(result, Superseded):
        notice = _text(render(T, "superseded", lang, cr=result.cr_ref, ref=result.order_ref))
        then = render_result(result.then, lang, tz) if result.then is not None else []
        return [notice, *then]
    if isinstance(result, SentToSales):
        return [_text(render(T, "sent_to_sales", lang, cr=result.cr_ref, ref=result.order_ref))]
    if isinstance(result, SentForApproval):
        return [_text(render(T, "sent_for_approval", lang, cr=result.cr_ref))]
    if isinstance(result, Cancelled):
        return [_text(render(T, "cancelled", lang, cr=result.cr_ref))]
    if isinstance(result, Denied):
        return [_text(render(T, "denied", lang, cr=result.cr_ref))]
    if isinstance(result, DirectionUnclear):
        return [_text(direction_question(result, lang))]
    return [_text(refusal(result, lang))]


def direction_question(result: DirectionUnclear, lang: str) -> str:
    """"SO-7 现在交期是12-20，提前到12-25其实是推迟了，是要改到12-25吗？" """
    words = DIRECTION_WORDS.get(lang, DIRECTION_WORDS["zh"])
    actual = "later" if result.direction == "earlier" else "earlier"
    return render(T, "direction_unclear", lang, ref=result.order_ref,
                  current=result.current.strftime("%m-%d"), asked=result.asked.strftime("%m-%d"),
                  said=words[result.direction], actual=words[actual])


def refusal(result: Refused, lang: str) -> str:
    """Why nothing happened; an order status code is named in the sender's language."""
    params = dict(result.params)
    if result.reason == "already_closed":
        words = CR_STATUS_TEXT.get(lang, CR_STATUS_TEXT["zh"])
        params["status"] = words.get(params.get("status", ""), params.get("status", ""))
    elif "status" in params:
        params["status"] = STATUS_TEXT.get(lang, STATUS_TEXT["zh"]).get(params["status"],
                                                                        params["status"])
    return render(T, result.reason, lang, **params)


def local_time(at: datetime, tz: str) -> str:
    """A time in the factory's zone, as the cards show it."""
    return at.astimezone(ZoneInfo(tz)).strftime("%m-%d %H:%M")


def _text(*lines: str) -> Reply:
    return Reply("text", "\n".join(lines))
