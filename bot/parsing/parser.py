"""parse_text: one chat message -> ParseResult (command, language, question).

Order of reading: normalise; find change-request and order references and
mask them; then whole-message answers, decisions, help; then reports, change
items, cancellation and progress queries, each from its synonym table. When a
piece is missing or a vocabulary match is uncertain, the command is still
returned (as far as it was read) together with the question to ask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any, cast
from zoneinfo import ZoneInfo

from bot.parsing import intents
from bot.parsing import synonyms as syn
from bot.parsing.command import ORDER_INTENTS, UNKNOWN, Command, Intent
from bot.parsing.fieldkit import FieldResult
from bot.parsing.fields import extract_changes
from bot.parsing.kf_link import read_kf_link
from bot.parsing.normalize import detect_lang, mask, normalize
from bot.parsing.order_request import product_codes, read_order_request
from bot.parsing.orders import (
    RefMention,
    choose_order,
    find_change_requests,
    find_orders,
    is_compact_date,
)
from bot.parsing.questions import Question, ask
from bot.parsing.report import extract_report, looks_like_report
from bot.parsing.requirements import read_requirement
from bot.parsing.scan import Scan
from bot.parsing.shop_queries import read_shop_question
from bot.parsing.spec_field import infer_spec
from bot.parsing.specs import DEFAULT_VOCABULARY, Vocabulary
from core.i18n import Lang

_PREFIX = re.compile(r"[A-Z]*")
#: Answers and help requests are short; longer messages skip those tables.
SHORT_FORM_CHARS = 40
_LEADING_IF = re.compile(r"\s*(?:if|and if|so if)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What a message says.

    `command` is complete unless `question` is set (a `Question`: the text
    to send, which also names what it asks for); `lang` is the message's
    language ("zh" unless it was English); `issues` are machine-readable notes
    ("order_missing", "field_inferred", "uncertain_match", ...).
    """

    command: Command
    lang: Lang = "zh"
    question: Question | None = None
    issues: tuple[str, ...] = field(default=())

    def to_contract_dict(self) -> dict[str, Any]:
        """CONTRACT section 3; a pending question rides along as an extra key."""
        out = self.command.to_contract_dict()
        if self.question is not None:
            out["question"] = self.question.text
            if self.question.options:
                out["options"] = list(self.question.options)
        return out


@lru_cache(maxsize=8)
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def _local(now: datetime, tz: str) -> datetime:
    try:
        zone = _zone(tz)
    except (KeyError, ValueError, OSError):
        zone = _zone("Asia/Shanghai")
    return now.astimezone(zone) if now.tzinfo else now.replace(tzinfo=zone)


def parse_text(text: str, now: datetime, tz: str = "Asia/Shanghai",
               vocabulary: Vocabulary | None = None,
               order_pattern: str | None = None) -> ParseResult:
    """Read one message; never raises on user input."""
    norm = normalize(text if isinstance(text, str) else "")
    if not norm:
        return ParseResult(UNKNOWN)
    linked = read_kf_link(norm)  # before refs: a customer code (C01) looks like an order
    if linked is not None:
        return ParseResult(linked, detect_lang(norm))
    crs = find_change_requests(norm)
    codes = product_codes(norm)  # F-CAB-2 is a product, not order CAB-2
    orders = find_orders(norm, order_pattern, exclude=[*crs, *codes])
    order = choose_order(norm, orders)
    # A compact date (20261208) next to a real order is left for the date reader.
    masked_orders = [o for o in orders if o is order or not is_compact_date(o.written)]
    spans = [(r.start, r.end) for r in (*crs, *masked_orders)]
    masked = mask(norm, spans)
    lang = detect_lang(masked)  # "SO-12" alone is not English
    ref = crs[0].ref if crs else None
    if order is not None and ref is None:
        settled = read_requirement(masked, order.ref)
        if settled is not None:  # "SO-31 技术确认": before "确认" is read as an answer
            return ParseResult(settled, lang)
    head = _short_forms(masked, ref, lang, order.ref if order else None)
    if head is not None:
        return head
    if order is None and ref is None:
        vocab = vocabulary or DEFAULT_VOCABULARY
        listed = read_shop_question(masked, vocab) or read_order_request(
            norm, mask(masked, [(c.start, c.end) for c in codes]), lang, _local(now, tz), vocab)
        if listed is not None:
            return ParseResult(listed, lang)
    result = _read(norm, masked, lang, now, tz, vocabulary, order, ref)
    several = _other_orders(order, masked_orders)
    if several and result.command.intent in ORDER_INTENTS:
        options = (result.command.order or "", *several)
        question = Question("order", ask("several_orders", lang, None,
                                         options=options).text, options)
        return replace(result, question=question, issues=(*result.issues, "several_orders"))
    return result


def _other_orders(order: RefMention | None, orders: list[RefMention]) -> tuple[str, ...]:
    """Further orders named alongside the chosen one ("SO-12 和 SO-13 加急").

    Only tokens shaped like the chosen order count (same letter prefix), so a
    colour code such as RAL7035 in "A-1020 颜色改为RAL7035" is not an order.
    """
    if order is None:
        return ()
    prefix = _PREFIX.match(order.ref)
    head = prefix.group() if prefix else ""
    seen: list[str] = []
    for other in orders:
        other_prefix = _PREFIX.match(other.ref)
        if other.ref != order.ref and other.ref not in seen and head == (
                other_prefix.group() if other_prefix else ""):
            seen.append(other.ref)
    return tuple(seen)


def _read(norm: str, masked: str, lang: Lang, now: datetime, tz: str,
          vocabulary: Vocabulary | None, order: RefMention | None,
          ref: str | None) -> ParseResult:
    """Everything after the whole-message forms: reports, changes, cancel, query."""
    order_ref = order.ref if order else None
    scan = Scan.build(norm, masked, lang, _local(now, tz), vocabulary or DEFAULT_VOCABULARY, order)
    cues = syn.WHAT_IF_LEX.tags(masked)
    what_if = bool(cues) or _LEADING_IF.match(masked) is not None
    if not what_if and looks_like_report(scan):
        return _report(scan, order_ref, lang)
    fields = extract_changes(scan)
    if cues == {"feasibility"} and not fields.changes and not fields.missing and order_ref:
        # "SO-12 来得及吗" names no change: it asks how the order stands.
        return ParseResult(Command(Intent.QUERY_PROGRESS, order_ref), lang)
    if fields.changes or fields.relative or what_if:
        intent = Intent.WHAT_IF if what_if else Intent.CHANGE
        return _change(Command(intent, order_ref, tuple(fields.changes),
                               relative=tuple(fields.relative)), fields, lang)
    names_order = order_ref or "订单" in masked or "order" in masked.lower()
    if intents.has(syn.CANCEL_LEX, masked) and names_order:
        return _needs_order(Command(Intent.CANCEL, order_ref), lang)
    if fields.missing:
        return _change(Command(Intent.CHANGE, order_ref), fields, lang)
    if ((intents.has(syn.QUERY_LEX, masked)
         and (order_ref or intents.has(syn.ORDERISH_LEX, masked)))
            or intents.has(syn.MY_ORDERS_LEX, masked)
            or (order_ref and not scan.work.replace("#", "").strip(" ~?？!！.,，"))):
        return ParseResult(Command(Intent.QUERY_PROGRESS, order_ref), lang)
    if order_ref and intents.has(syn.CHANGE_VERB_LEX, scan.work):
        inferred = infer_spec(scan)
        changes = (inferred,) if inferred else ()
        return _change(Command(Intent.CHANGE, order_ref, changes), fields, lang)
    return ParseResult(Command(Intent.UNKNOWN, order_ref, ref=ref), lang)


def _short_forms(masked: str, ref: str | None, lang: Lang,
                 order: str | None) -> ParseResult | None:
    """Help, answers and supervisor decisions: whole-message forms.

    With an order named, an answer keeps it ("SO-12 取消修改" rejects the
    change to SO-12) -- except a bare 取消/cancel, which cancels the order.
    """
    decided = intents.decision(masked) if ref is not None else None
    if decided is not None:
        return ParseResult(Command(decided, order, ref=ref), lang)
    if len(masked) > SHORT_FORM_CHARS:
        return None
    if order is None and intents.is_help(masked):
        return ParseResult(Command(Intent.HELP), lang)
    if ref is None and order is None and intents.only_supervisor_deny(masked):
        return ParseResult(Command(Intent.DENY), lang, ask("ref", lang), ("ref_missing",))
    answered = intents.answer(masked)
    if answered is not None and not (order and intents.only_cancel_words(masked)):
        return ParseResult(Command(answered, order, ref=ref), lang)
    chat = intents.smalltalk(masked) if order is None and ref is None else None
    if chat is not None:
        return ParseResult(Command(Intent.UNKNOWN, smalltalk=chat), lang)
    if ref is None and order is None and intents.only_decision(masked):
        decided = intents.decision(masked)
        assert decided is not None
        return ParseResult(Command(decided), lang, ask("ref", lang), ("ref_missing",))
    return None


def _needs_order(command: Command, lang: Lang, issues: tuple[str, ...] = ()) -> ParseResult:
    if command.order is None and command.intent in ORDER_INTENTS:
        return ParseResult(command, lang, ask("order", lang), (*issues, "order_missing"))
    return ParseResult(command, lang, None, issues)


def _change(command: Command, fields: FieldResult, lang: Lang) -> ParseResult:
    issues: list[str] = ["field_inferred"] if fields.inferred else []
    order = command.order
    if fields.uncertain:
        index, kind, match = fields.uncertain[0]
        question = ask("choice", lang, order, written=match.written, options=match.candidates,
                       change_index=index, key=kind)
        return ParseResult(command, lang, question, (*issues, "uncertain_match"))
    if fields.missing:
        kind = "spec_value" if fields.missing == "spec" else fields.missing
        if fields.ask_kind is not None:
            # "往后推一点", "改到下个月": ask the finer question, kept as the
            # field's kind so the answer completes that field.
            finer = ask(fields.ask_kind, lang, order, **cast(dict[str, Any], fields.ask_values))
            question = Question(kind, finer.text, key=fields.ask_kind)
            vague = (*issues, f"{fields.missing}_missing", f"{fields.missing}_vague")
            return ParseResult(command, lang, question, vague)
        question = ask(kind, lang, order, key=fields.missing_key)
        return ParseResult(command, lang, question, (*issues, f"{fields.missing}_missing"))
    if command.relative and not command.changes:
        return _needs_order(command, lang, (*issues, "relative"))
    if not command.changes:
        return ParseResult(command, lang, ask("change", lang, order), (*issues, "change_missing"))
    return _needs_order(command, lang, tuple(issues))


def _report(scan: Scan, order_ref: str | None, lang: Lang) -> ParseResult:
    found = extract_report(scan)
    command = Command(Intent.REPORT, order_ref, operation=found.operation,
                      quantity=found.quantity, scrap=found.scrap,
                      operation_canonical=found.canonical)
    if found.uncertain is not None:
        question = ask("choice", lang, order_ref, written=found.uncertain.written,
                       options=found.uncertain.candidates, change_index=-1, key="operation")
        return ParseResult(command, lang, question, ("uncertain_match",))
    if found.operation is None:
        question = ask("report_operation", lang, order_ref, quantity=found.quantity)
        return ParseResult(command, lang, question, ("operation_missing",))
    if found.quantity is None:
        question = ask("report_quantity", lang, order_ref, operation=found.operation)
        return ParseResult(command, lang, question, ("quantity_missing",))
    return ParseResult(command, lang)
