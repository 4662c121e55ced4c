"""Questions the bot asks when a message is incomplete or a match uncertain.

A `Question` is data (what is missing, which options) plus its text in the
sender's language; the conversation layer stores it and merges the answer.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.i18n import render

CATALOG: dict[str, dict[str, str]] = {
    "order": {
        "zh": "请问是哪个订单？请发一下单号（例如 SO-12）。",
        "en": "Which order? Please send the order number (e.g. SO-12).",
    },
    "several_orders": {
        "zh": "这条消息提到了多个订单：{options}\n这次改哪一个？请回复序号（一次改一个订单）。",
        "en": "This message names several orders: {options}\nWhich one should change? Reply with "
              "the number (one order at a time).",
    },
    "change": {
        "zh": "{order}要改什么？数量、交期、规格、工序还是加急？",
        "en": "What should change on {order}: quantity, due date, spec, operations or priority?",
    },
    "due_date": {
        "zh": "{order}的交期改到哪天？例如：12月5号、下周三、推迟3天。",
        "en": "What is the new due date for {order}? For example 2026-12-05, or 3 days later.",
    },
    "due_shift_later": {
        "zh": "{order}的交期推迟多少天？例如：推迟3天，或改到12月20号。",
        "en": "How many days later should {order} be due? For example 3 days, or 2026-12-20.",
    },
    "due_shift_earlier": {
        "zh": "{order}的交期提前多少天？例如：提前2天，或改到12月5号。",
        "en": "How many days earlier should {order} be due? For example 2 days, "
              "or 2026-12-05.",
    },
    "due_month_day": {
        "zh": "{order}的交期改到{when}几号？例如：{when}15号。",
        "en": "Which day {when} should {order} be due? For example the 15th.",
    },
    "due_week_day": {
        "zh": "{order}的交期改到{when}几？例如：{when}三。",
        "en": "Which day {when} should {order} be due? For example Wednesday.",
    },
    "quantity_amount": {
        "zh": "{order}的数量加（减）多少？例如：再加100件，或改成500件。",
        "en": "By how much should the quantity of {order} change? For example add 100 pcs, "
              "or make it 500.",
    },
    "quantity": {
        "zh": "{order}的数量改成多少？例如：500件，或再加100件。",
        "en": "What should the quantity of {order} be? For example 500 pcs, or add 100 pcs.",
    },
    "spec_value": {
        "zh": "{order}的{what}改成什么？",
        "en": "What should the {what} of {order} be changed to?",
    },
    "choice": {
        "zh": "“{written}”是指哪一个？{options}\n请回复序号；都不是请回复 0。",
        "en": "Which one do you mean by “{written}”? {options}\n"
              "Reply with the number, or 0 for none.",
    },
    "report_operation": {
        "zh": "请问是哪道工序完成了{quantity}？",
        "en": "Which operation finished {quantity}?",
    },
    "report_quantity": {
        "zh": "{operation}完成了多少？",
        "en": "How many did {operation} finish?",
    },
    "ref": {
        "zh": "请问是哪个变更单？请发编号（例如 CR-12）。",
        "en": "Which change request? Please send its number (e.g. CR-12).",
    },
    "this_order": {"zh": "这个订单", "en": "this order"},
    "key.color": {"zh": "颜色", "en": "colour"},
    "key.material": {"zh": "材质", "en": "material"},
    "key.size": {"zh": "尺寸", "en": "size"},
    "key.finish": {"zh": "表面处理", "en": "finish"},
    "key.packaging": {"zh": "包装", "en": "packaging"},
    "key.other": {"zh": "要求", "en": "requirement"},
    "key.operation": {"zh": "工序", "en": "operation"},
}


class Question(str):
    """What the bot must ask before the command can run.

    It *is* the text to send (a `str`, in the sender's language), so callers
    that only need the words can use it as is; it also carries what it asks:
    kind: order | several_orders | change | due_date | quantity | spec_value |
    choice | report_operation | report_quantity | ref.
    A due date or quantity given too vaguely ("往后推一点", "改到下个月",
    "多做一些") is asked as kind due_date / quantity with `key` naming the
    finer question (due_shift_later, due_shift_earlier, due_month_day,
    due_week_day, quantity_amount), so the answer ("3天", "15号") can be read
    in its light.
    `options` are what a reply number picks (order refs, canonical names);
    for `choice`, `change_index` is the change item the pick fills (-1: the
    report's operation).
    """

    kind: str
    options: tuple[str, ...]
    key: str | None
    change_index: int | None
    written: str | None

    def __new__(cls, kind: str, text: str, options: tuple[str, ...] = (),
                key: str | None = None, change_index: int | None = None,
                written: str | None = None) -> Question:
        self = super().__new__(cls, text)
        self.kind, self.options, self.key = kind, tuple(options), key
        self.change_index, self.written = change_index, written
        return self

    @property
    def text(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"Question({self.kind!r}, {self.text!r}, options={self.options!r})"


def numbered(options: tuple[str, ...]) -> str:
    """'1. 胡桃木色  2. 胡桃色' — short enough for one chat line."""
    return "  ".join(f"{i}. {o}" for i, o in enumerate(options, 1))


def ask(kind: str, lang: str, order: str | None = None, *, key: str | None = None,
        options: Iterable[str] = (), change_index: int | None = None,
        written: str | None = None, **values: object) -> Question:
    """Render a question of `kind` in `lang`, naming the order when known.

    `values` fill the catalog entry's other placeholders ({quantity}, ...).
    """
    label = order or render(CATALOG, "this_order", lang)
    key_name = render(CATALOG, f"key.{key}", lang) if key else ""
    choices = tuple(str(o) for o in options)
    text = render(CATALOG, kind, lang, order=label, what=key_name, options=numbered(choices),
                  written=written or "", **values)
    return Question(kind, text, choices, key, change_index, written)
