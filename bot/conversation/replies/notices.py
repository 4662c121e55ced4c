"""The wording of notices to people other than the sender: core's `NoticeRenderer`.

Injected into core by the composition root, so change control writes these
rows to the outbox in the same transaction as the change, in each recipient's
language, without knowing any text.
"""

from __future__ import annotations

from bot.conversation.replies.cards import card, stored_card_lines, understood_lines
from bot.conversation.replies.ordering import notice_text, sales_request_card, tech_notice_text
from bot.conversation.replies.results import local_time
from bot.conversation.replies.texts import CHANGE_TEXTS as T
from core.i18n import render
from core.impact import impact_card_lines
from core.messages import Reply
from core.notices import (
    ApprovalAsked,
    ChangeDenied,
    ChangeDone,
    CustomerAsks,
    MaterialsChanged,
    NewEta,
    NewOrderPlaced,
    Notice,
    OrderRequestDeclined,
    OrderRequestForSales,
    OtherOrderSlips,
    RequirementsSettled,
    SpecsChanged,
    TechConfirmationAsked,
)


class NoticeTexts:
    """Renders notices; times in the factory's zone `tz`."""

    def __init__(self, tz: str) -> None:
        self._tz = tz

    def __call__(self, notice: Notice, lang: str) -> Reply:
        if isinstance(notice, CustomerAsks):
            title = render(
                T, "customer_request_title", lang, ref=notice.order_ref, cr=notice.cr_ref
            )
            lines = understood_lines(notice.understood, lang) + impact_card_lines(
                notice.impact, lang
            )
            return card(title, lines, notice.cr_ref, lang, "confirm")
        if isinstance(notice, ApprovalAsked):
            title = render(
                T,
                "approval_title",
                lang,
                ref=notice.order_ref,
                cr=notice.cr_ref,
                who=notice.requested_by,
            )
            lines = understood_lines(notice.understood, lang) + stored_card_lines(
                notice.risk, notice.impact, lang
            )
            return card(title, lines, notice.cr_ref, lang, "approve")
        if isinstance(notice, OrderRequestForSales):
            return sales_request_card(notice, lang, self._tz)
        if isinstance(notice, TechConfirmationAsked | RequirementsSettled | OrderRequestDeclined):
            return Reply("text", tech_notice_text(notice, lang, self._tz))
        return Reply("text", self._text(notice, lang))

    def _text(self, notice: Notice, lang: str) -> str:
        if isinstance(notice, ChangeDenied):
            return render(
                T,
                "denied_notice",
                lang,
                cr=notice.cr_ref,
                ref=notice.order_ref,
                who=notice.denied_by,
            )
        if isinstance(notice, ChangeDone):
            what = ("; " if lang == "en" else "，").join(understood_lines(notice.understood, lang))
            return render(
                T,
                f"notify_{notice.audience}",
                lang,
                cr=notice.cr_ref,
                ref=notice.order_ref,
                what=what,
            )
        if isinstance(notice, MaterialsChanged):
            actions = "; ".join(f"{a.kind} {a.item_code} {a.quantity:g}" for a in notice.actions)
            return render(
                T,
                "notify_purchasing",
                lang,
                cr=notice.cr_ref,
                ref=notice.order_ref,
                actions=actions or "-",
            )
        if isinstance(notice, SpecsChanged):
            specs = ", ".join(f"{k}={v}" for k, v in notice.specs)
            return render(
                T, "notify_qc", lang, cr=notice.cr_ref, ref=notice.order_ref, specs=specs
            )
        if isinstance(notice, OtherOrderSlips):
            return render(
                T,
                "notify_other_slips",
                lang,
                cr=notice.cr_ref,
                ref=notice.order_ref,
                other=notice.other_ref,
                hours=round(notice.minutes / 60, 1),
            )
        if isinstance(notice, NewOrderPlaced):
            return notice_text(notice, lang, self._tz)
        if isinstance(notice, NewEta):
            return render(
                T,
                "notify_customer",
                lang,
                cr=notice.cr_ref,
                ref=notice.order_ref,
                eta=local_time(notice.eta, self._tz),
            )
        raise TypeError(f"no wording for {type(notice).__name__}")
