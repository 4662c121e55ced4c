"""Multi-turn reading of chat messages: ask for what is missing, merge the answer.

Channel-neutral and storage-free: the clock is the `now` passed in, and orders
are looked up through the `OrderDirectory` protocol (the service layer adapts
its repository; tests use an in-memory fake). Pending questions, and the last
order list shown, are kept per (channel, user) in a `ConversationStore`
(core.ports; the database in the server, so any process can continue any
conversation) and expire after `ttl`, so a stray "1" an hour later is read as
a fresh message, not as the answer to a forgotten question.

Flow of `Conversations.interpret`:
  1. a pending, unexpired question? take it from the store (atomically: of two
     answers arriving at once only one gets it) and try to read the message
     as its answer (an option number, a date, a quantity, an order number ...);
  2. otherwise parse the message afresh (a new full command replaces the
     pending one; "取消"/"no" drops it);
  3. resolve the order through the directory: exact, normalised, then the
     sender's recent orders; several candidates are listed and asked;
  4. "我的订单" (no order named) lists the sender's riskiest orders, briefly.

Behind any question the store also keeps the last confirm card the person was
shown (`show_card`, called by the service): a bare "确认", "好的" or "1" with no
question open, or after one was answered, is read as an answer to that card,
so it never lands on an older pending request. The service asks back through
`ask_back` (a due date against its verb, a list of orders to pick from).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal, NamedTuple, Protocol

from bot.conversation.state import (
    MemoryConversationStore,
    Pending,
    pending_from_json,
    pending_to_json,
)
from bot.parsing import Command, Intent, ParseResult, Question, Vocabulary, parse_text
from bot.parsing.command import ORDER_INTENTS
from bot.parsing.questions import ask, numbered
from core import idempotency
from core.i18n import Lang, render
from core.ports import Clock, ConversationStore

CATALOG: dict[str, dict[str, str]] = {
    "orders_header": {
        "zh": "您共有{count}个订单，按风险排序：",
        "en": "You have {count} orders, riskiest first:",
    },
    "order_line": {
        "zh": "{i}. {ref} {product} 交期{due} 预计{eta} {status}",
        "en": "{i}. {ref} {product} due {due}, ETA {eta} {status}",
    },
    "orders_more": {
        "zh": "……另有{rest}个风险较低的订单。",
        "en": "...and {rest} more at lower risk.",
    },
    "orders_pick": {
        "zh": "回复序号或单号查看详情。",
        "en": "Reply with a number or an order number for details.",
    },
    "no_orders": {"zh": "您名下目前没有订单。", "en": "You have no open orders."},
    "order_not_found": {
        "zh": "没有找到订单“{written}”，请核对单号。",
        "en": "No order “{written}” was found; please check the number.",
    },
    "which_order": {
        "zh": "“{written}”对应多个订单，是哪一个？{options}\n请回复序号。",
        "en": "“{written}” matches several orders. Which one? {options}\nReply with the number.",
    },
    "pick_order": {
        "zh": "请问是哪个订单？{options}\n请回复序号或单号。",
        "en": "Which order? {options}\nReply with the number or the order number.",
    },
    "dropped": {"zh": "好的，这次修改不做了。", "en": "OK, dropped."},
    "unknown_date": {"zh": "未定", "en": "n/a"},
}

Kind = Literal["command", "question", "orders", "dropped", "unknown"]
_SHORT_ANSWERS = frozenset({Intent.CONFIRM, Intent.REJECT, Intent.UNKNOWN})
_DIGITS = re.compile(r"^\s*([0-9]{1,2})\s*[.。!！]?\s*$")
_SPEC_WORD = {"color": "颜色", "material": "材质", "size": "尺寸", "finish": "表面处理",
              "packaging": "包装", "other": "说明书"}
_SPEC_WORD_EN = {"color": "color", "material": "material", "size": "size", "finish": "finish",
                 "packaging": "packaging", "other": "label"}
_ANSWER_PREFIX = {
    "zh": {"due_date": "交期改到", "quantity": "数量改成", "change": ""},
    "en": {"due_date": "due date to ", "quantity": "qty ", "change": ""},
}
#: A number with at most its unit ("3", "3天", "15号", "100件", "3 days", "15th").
_BARE_NUMBER = re.compile(r"^\s*(\d{1,6})\s*([^\W\d]{0,6})\s*$")
_DAY_NUMBER = re.compile(r"(\d{1,2})")
#: A vague amount's finer question (Question.key) -> the sentence its answer completes:
#: (for a bare number, for any other answer). "3" to "推迟多少天？" is "交期推迟3天".
_KEY_SENTENCE = {
    "zh": {
        "due_shift_later": ("交期推迟{n}天", "交期推迟{a}"),
        "due_shift_earlier": ("交期提前{n}天", "交期提前{a}"),
        "due_month_day": ("交期改到下个月{n}号", "交期改到下个月{a}"),
        "due_week_day": ("交期改到下周{a}", "交期改到下周{a}"),
        "quantity_amount": ("数量再加{a}", "数量{a}"),
    },
    "en": {
        "due_shift_later": ("due date {n} days later", "due date {a} later"),
        "due_shift_earlier": ("due date {n} days earlier", "due date {a} earlier"),
        "due_month_day": ("due date to {next_month_day}", "due date to {next_month_day}"),
        "due_week_day": ("due date to next {a}", "due date to next {a}"),
        "quantity_amount": ("qty add {a}", "qty {a}"),
    },
}
_CONFIRM_OR_REJECT = (Intent.CONFIRM, Intent.REJECT)


@dataclass(frozen=True, slots=True)
class OrderBrief:
    """One line of an order list; higher `risk` lists first (e.g. days late)."""

    ref: str
    product: str = ""
    due_date: date | None = None
    eta: date | None = None
    status: str = ""
    risk: float = 0.0


class OrderDirectory(Protocol):
    async def resolve(self, written: str, person_id: str) -> list[str]:
        """Order refs matching `written`: the exact ref if it exists; else
        normalised matches (SO077 -> SO-77); else matches among the sender's
        own recent orders. Empty when nothing matches."""
        ...

    async def recent_orders(self, person_id: str, limit: int) -> list[OrderBrief]:
        """The sender's open orders (as salesperson, customer or operator)."""
        ...


@dataclass(frozen=True, slots=True)
class Interpretation:
    """What to do with a message.

    kind "command": `command` is complete, hand it to the service layer.
    kind "question": send `text` and wait; `options` are what a number picks.
    kind "orders": send `text`, the sender's orders riskiest first (`orders`).
    kind "dropped": the pending command was abandoned; send `text`.
    kind "unknown": nothing actionable; `command` is the unknown command.
    `expired` tells the caller a pending question had timed out before this.
    """

    kind: Kind
    lang: Lang
    command: Command | None = None
    text: str | None = None
    options: tuple[str, ...] = ()
    orders: tuple[OrderBrief, ...] = ()
    expired: bool = False


PURGE_EVERY = timedelta(minutes=10)


class _Key(NamedTuple):
    """Whose conversation, and the last card shown to them (kept behind any new question)."""

    channel: str
    user: str
    card: str | None = None


class Conversations:
    """Pending questions per (channel, user), merged with the next answer."""

    def __init__(self, directory: OrderDirectory, store: ConversationStore | None = None, *,
                 clock: Clock | None = None, ttl: timedelta = timedelta(minutes=15),
                 list_limit: int = 5, tz: str = "Asia/Shanghai",
                 vocabulary: Vocabulary | None = None, order_pattern: str | None = None,
                 card_ttl: timedelta = timedelta(minutes=30)) -> None:
        """`store` keeps what each conversation waits for (in memory when not given);
        `clock` gives the time when `interpret` is called without `now` (tests inject
        a fake one); `ttl` is how long a question stays open, `card_ttl` how long a
        bare "确认" still answers the last card shown."""
        self._directory = directory
        self._store: ConversationStore = store if store is not None else MemoryConversationStore()
        self._clock = clock
        self._ttl = ttl
        self._list_limit = list_limit
        self._tz = tz
        self._vocabulary = vocabulary
        self._pattern = order_pattern
        self._card_ttl = card_ttl
        self._purged_at: datetime | None = None

    def _parse(self, text: str, now: datetime) -> ParseResult:
        return parse_text(text, now, self._tz, self._vocabulary, self._pattern)

    def _now(self, now: datetime | None) -> datetime:
        if now is not None:
            return now
        if self._clock is None:
            raise ValueError("Conversations needs `now` or a clock")
        return self._clock.now()

    async def pending(self, channel: str, user: str,
                      now: datetime | None = None) -> Question | None:
        """The question still waiting for (channel, user), if not expired."""
        now = self._now(now)
        saved = await self._store.peek(channel, user)
        if saved is None or now > saved.expires_at:
            return None
        entry = pending_from_json(saved.state, saved.saved_at)
        return entry.question if entry is not None and entry.question.kind != "card" else None

    async def show_card(self, channel: str, user: str, cr_ref: str, lang: Lang,
                        now: datetime | None = None) -> None:
        """Remember the confirm card just shown: the next bare "确认"/"1" answers it."""
        now = self._now(now)
        await self._store.save(channel, user, pending_to_json(_card_entry(cr_ref, lang, now)),
                               now, now + self._card_ttl)

    async def ask_back(self, channel: str, user: str, command: Command, question: Question,
                       lang: Lang, now: datetime | None = None) -> None:
        """Wait for the answer to a question the service asked (a list to pick from,
        a yes/no); `command` is what the answer completes. The last card stays known."""
        now = self._now(now)
        saved = await self._store.peek(channel, user)
        card = None
        if saved is not None and now <= saved.expires_at:
            behind = pending_from_json(saved.state, saved.saved_at)
            card = behind.card if behind is not None else None
        await self._save(_Key(channel, user, card), Pending(command, question, lang, now))

    async def forget(self, channel: str, user: str) -> None:
        """Drop the pending question (e.g. the service layer handled it otherwise)."""
        await self._store.discard(channel, user)

    async def interpret(self, channel: str, user: str, text: str,
                        now: datetime | None = None) -> Interpretation:
        """Read one message of (channel, user); see the module docstring."""
        now = self._now(now)
        # a message handled again answers what it answered the first time
        saved = await self._store.take(channel, user, by=idempotency.current(), at=now)
        expired = saved is not None and now > saved.expires_at
        entry = None if saved is None or expired else pending_from_json(saved.state,
                                                                         saved.saved_at)
        key = _Key(channel, user, entry.card if entry is not None else None)
        if entry is not None and entry.question.kind == "card":
            entry, expired = None, False  # only a card behind: the message is read afresh
        outcome = await self._interpret(key, entry, text, user, now)
        outcome = replace(outcome, expired=expired)
        if key.card is not None:
            outcome = await self._behind_card(key, outcome, now)
        return outcome

    async def _behind_card(self, key: _Key, outcome: Interpretation,
                           now: datetime) -> Interpretation:
        """A bare confirm/reject answers the last card; the card stays known for the next
        message unless a new question (which carries it) was saved."""
        assert key.card is not None
        command = outcome.command
        if (outcome.kind == "command" and command is not None
                and command.intent in _CONFIRM_OR_REJECT and command.ref is None):
            outcome = replace(outcome, command=replace(command, ref=key.card))
        saved = outcome.kind == "question" or outcome.kind == "orders" and bool(outcome.options)
        if not saved:
            await self._store.save(key.channel, key.user,
                                   pending_to_json(_card_entry(key.card, outcome.lang, now)),
                                   now, now + self._card_ttl)
        return outcome

    async def _interpret(self, key: _Key, entry: Pending | None, text: str, user: str,
                         now: datetime) -> Interpretation:
        await self._purge(now)
        result = self._parse(text, now)
        lang: Lang = result.lang
        if entry is not None and not _has_cjk(text) and (
                lang == "zh" or result.command.intent in _SHORT_ANSWERS):
            # "1", "SO-12", "ok": too short to tell; keep the conversation's language
            lang = entry.lang
        if entry is not None:
            merged = self._merge(entry, text, result, now)
            if merged is not None:
                return await self._complete(key, merged, lang, user, now)
            if result.command.intent is Intent.REJECT:
                return Interpretation("dropped", lang, result.command,
                                      render(CATALOG, "dropped", lang))
            if result.command.intent is Intent.UNKNOWN:
                # Noise ("🤔") is no answer; keep waiting and repeat the question.
                await self._save(key, entry)
                return Interpretation("question", entry.lang, entry.command,
                                      entry.question.text, entry.question.options)
        return await self._fresh(key, result, lang, user, now)

    # --- fresh messages -------------------------------------------------------------------

    async def _fresh(self, key: _Key, result: ParseResult, lang: Lang, user: str,
                     now: datetime) -> Interpretation:
        command = result.command
        if command.intent is Intent.QUERY_PROGRESS and command.order is None:
            return await self._my_orders(key, user, lang, command, now)
        if command.intent is Intent.UNKNOWN:
            return Interpretation("unknown", lang, command)
        if result.question is not None and (result.question.kind != "order"
                                             or result.question.options):
            return await self._ask(key, command, result.question, lang, now)
        return await self._complete(key, command, lang, user, now)

    async def _my_orders(self, key: _Key, user: str, lang: Lang, command: Command,
                         now: datetime) -> Interpretation:
        """The sender's riskiest orders, one short message; a number picks one."""
        orders = sorted(await self._directory.recent_orders(user, 200), key=lambda o: -o.risk)
        if not orders:
            return Interpretation("orders", lang, command, render(CATALOG, "no_orders", lang))
        shown = orders[: self._list_limit]
        lines = [render(CATALOG, "orders_header", lang, count=len(orders))]
        lines += [self._line(i, o, lang) for i, o in enumerate(shown, 1)]
        if len(orders) > len(shown):
            lines.append(render(CATALOG, "orders_more", lang, rest=len(orders) - len(shown)))
        lines.append(render(CATALOG, "orders_pick", lang))
        text, refs = "\n".join(lines), tuple(o.ref for o in shown)
        # the list is remembered like a question: "2" picks its second order
        await self._save(key, Pending(command, Question("order", text, refs), lang, now))
        return Interpretation("orders", lang, command, text, refs, tuple(shown))

    @staticmethod
    def _line(i: int, order: OrderBrief, lang: Lang) -> str:
        none = render(CATALOG, "unknown_date", lang)
        return render(CATALOG, "order_line", lang, i=i, ref=order.ref, product=order.product,
                      due=order.due_date.isoformat() if order.due_date else none,
                      eta=order.eta.isoformat() if order.eta else none,
                      status=order.status).replace("  ", " ").strip()

    # --- completing a command ---------------------------------------------------------------

    async def _complete(self, key: _Key, command: Command, lang: Lang, user: str,
                        now: datetime) -> Interpretation:
        """Resolve the order, then ask for whatever is still missing.

        Reports name work orders (WO-15) that the order directory need not
        know; they pass through as written.
        """
        if command.order is not None and command.intent is not Intent.REPORT:
            candidates = await self._directory.resolve(command.order, user)
            if len(candidates) == 1:
                command = command.with_order(candidates[0])
            elif candidates:
                options = tuple(candidates[: self._list_limit * 2])
                text = render(CATALOG, "which_order", lang, written=command.order,
                              options=numbered(options))
                return await self._ask(key, command.with_order(None),
                                       Question("order", text, options), lang, now,
                                       written=command.order)
            else:
                return await self._ask_order(key, command.with_order(None), lang, user, now,
                                             render(CATALOG, "order_not_found", lang,
                                                    written=command.order))
        elif command.intent in ORDER_INTENTS:
            return await self._ask_order(key, command, lang, user, now)
        missing = _still_missing(command, lang)
        if missing is not None:
            return await self._ask(key, command, missing, lang, now)
        return Interpretation("command", lang, command)

    async def _ask_order(self, key: _Key, command: Command, lang: Lang, user: str,
                         now: datetime, prefix: str = "") -> Interpretation:
        recent = sorted(await self._directory.recent_orders(user, self._list_limit),
                        key=lambda o: -o.risk)[: self._list_limit]
        options = tuple(o.ref for o in recent)
        if options:
            text = render(CATALOG, "pick_order", lang, options=numbered(options))
        else:
            text = ask("order", lang).text
        question = Question("order", f"{prefix}\n{text}".strip(), options)
        return await self._ask(key, command, question, lang, now)

    async def _ask(self, key: _Key, command: Command, question: Question,
                   lang: Lang, now: datetime, written: str | None = None) -> Interpretation:
        await self._save(key, Pending(command, question, lang, now, written))
        return Interpretation("question", lang, command, question.text, question.options)

    async def _save(self, key: _Key, entry: Pending) -> None:
        """Store what (channel, user) now waits for; it expires `ttl` after it was asked."""
        if entry.card is None and key.card is not None:
            entry = replace(entry, card=key.card)
        await self._store.save(key.channel, key.user, pending_to_json(entry), entry.asked_at,
                               entry.asked_at + self._ttl)

    async def _purge(self, now: datetime) -> None:
        """Now and then, drop what expired unanswered (every process does, harmlessly)."""
        if self._purged_at is not None and now - self._purged_at < PURGE_EVERY:
            return
        self._purged_at = now
        await self._store.purge(now)

    # --- reading an answer ------------------------------------------------------------------

    def _merge(self, entry: Pending, text: str, result: ParseResult,
               now: datetime) -> Command | None:
        """The pending command completed by `text`, or None if it is no answer."""
        command, question = entry.command, entry.question
        picked = _pick(text, question.options)
        kind = question.kind
        if kind == "order":
            if picked is not None:
                return command.with_order(picked)
            if result.command.order is not None and not _is_new_command(result):
                return command.with_order(result.command.order)
            return None
        if kind == "choice":
            return _choose(command, question, text, picked)
        if kind == "ref":
            return replace(command, ref=result.command.ref) if result.command.ref else None
        if kind == "yes_no":  # asked back ("提前到12-25是推迟了，是要改到12-25吗？")
            return command if result.command.intent is Intent.CONFIRM else None
        if kind in ("report_quantity", "report_operation"):
            return _merge_report(command, kind, text, result)
        if _is_new_command(result) and result.command.order is not None:
            return None
        # The answer is read as the rest of a sentence naming the field, in the
        # answer's own language ("下周三" -> "交期改到下周三", "next friday" ->
        # "due date to next friday").
        english = result.lang == "en"
        words = _ANSWER_PREFIX["en" if english else "zh"]
        prefix = words.get(kind)
        if kind == "spec_value":
            spec_word = (_SPEC_WORD_EN if english else _SPEC_WORD).get(question.key or "other")
            prefix = (f"{spec_word} to " if english else f"{spec_word}改成") if spec_word else None
        if prefix is None:
            return None
        sentences = _keyed_sentences(question.key, text, english, now)
        sentences.append(f"{prefix}{text}")
        if kind == "change":
            sentences.append(f"{words['due_date']}{text}")  # a bare date
        for sentence in sentences:
            answer = self._parse(sentence, now).command
            if answer.changes or answer.relative:
                return replace(command, changes=command.changes + answer.changes,
                               relative=command.relative + answer.relative)
        return None


def _card_entry(cr_ref: str, lang: Lang, now: datetime) -> Pending:
    """What is kept after a confirm card: "确认" without a ref means this request."""
    return Pending(Command(Intent.CONFIRM, ref=cr_ref), Question("card", "", (cr_ref,)), lang,
                   now, card=cr_ref)


def _keyed_sentences(key: str | None, text: str, english: bool, now: datetime) -> list[str]:
    """The answer to a vague amount's finer question as the sentence it completes."""
    forms = _KEY_SENTENCE["en" if english else "zh"].get(key or "")
    if forms is None:
        return []
    answer = text.strip(" ，,。.!！")
    bare = _BARE_NUMBER.match(answer)
    number = bare.group(1) if bare else ""
    next_month_day = ""
    if "{next_month_day}" in forms[0]:
        day = _DAY_NUMBER.search(answer)
        if day is None:
            return []
        first = (now.date().replace(day=1) + timedelta(days=32)).replace(day=1)
        try:
            next_month_day = first.replace(day=int(day.group(1))).isoformat()
        except ValueError:
            return []
    form = forms[0] if bare else forms[1]
    return [form.format(n=number, a=answer, next_month_day=next_month_day)]


def _has_cjk(text: str) -> bool:
    return re.search(r"[\u3400-\u9fff]", text) is not None


def _is_new_command(result: ParseResult) -> bool:
    return result.command.intent in (Intent.CHANGE, Intent.WHAT_IF, Intent.CANCEL,
                                     Intent.REPORT, Intent.QUERY_PROGRESS, Intent.HELP) and (
        result.command.order is not None
        and bool(result.command.changes or result.command.relative)
        or result.command.intent in (Intent.CANCEL, Intent.REPORT, Intent.HELP))


def _pick(text: str, options: tuple[str, ...]) -> str | None:
    """"2" -> the second option; the option's own name also picks it."""
    m = _DIGITS.match(text)
    if m and options and 1 <= int(m.group(1)) <= len(options):
        return options[int(m.group(1)) - 1]
    stripped = text.strip().upper().replace(" ", "")
    for option in options:
        if stripped == option.upper().replace(" ", ""):
            return option
    return None


def _choose(command: Command, question: Question, text: str, picked: str | None) -> Command | None:
    """Fill the canonical of an uncertain match; "0" keeps the value as written."""
    digits = _DIGITS.match(text)
    canonical: str | None
    if picked is not None:
        canonical = picked
    elif digits is not None and int(digits.group(1)) == 0:
        canonical = None
    else:
        return None
    index = question.change_index
    if index is None or index < 0:
        return replace(command, operation_canonical=canonical)
    changes = list(command.changes)
    if 0 <= index < len(changes):
        changes[index] = replace(changes[index], canonical=canonical)
    return replace(command, changes=tuple(changes))


def _merge_report(command: Command, kind: str, text: str, result: ParseResult) -> Command | None:
    if kind == "report_quantity":
        from bot.parsing.numerals import find_numbers

        numbers = [n for n in find_numbers(text) if n.value == int(n.value)]
        return replace(command, quantity=int(numbers[0].value)) if numbers else None
    name = text.strip(" ，,。.!！")
    return replace(command, operation=name) if name and len(name) <= 20 else None


def _still_missing(command: Command, lang: Lang) -> Question | None:
    """Pieces a complete command of this intent cannot lack."""
    if command.intent in (Intent.CHANGE, Intent.WHAT_IF) and not (command.changes
                                                                  or command.relative):
        return ask("change", lang, command.order)
    if command.intent is Intent.REPORT:
        if command.operation is None:
            return ask("report_operation", lang, command.order, quantity=command.quantity or "")
        if command.quantity is None:
            return ask("report_quantity", lang, command.order, operation=command.operation)
    if command.intent in (Intent.APPROVE, Intent.DENY) and command.ref is None:
        return ask("ref", lang)
    return None
