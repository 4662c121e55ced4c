"""Quotes and new orders from chat: product, quantity, specs, customer, due date.

"L型办公桌 300张最早什么时候能交", "华兴要100个F-CAB-2 胡桃木色 多久能做好",
"新单 华兴 L型办公桌 20张 胡桃木色 12月30号交", "new order for Huaxing: 20
F-DESK-L walnut due 2026-12-30". Names are free text, so each piece is found
by what it is rather than by a list of this factory's names:

- the quantity is a count with its unit (or the count before a product code);
- the product is a code shaped like F-DESK-L (a hyphenated segment of letters,
  which no order number has), else a product the vocabulary knows, else the
  words written right before (or after) the quantity;
- specs are spec words (胡桃木色, walnut, 不锈钢) or "key value" pairs;
- the customer is one the vocabulary knows, else the name after 客户/给/for,
  else what is left once everything else is read;
- in a new order, words still left after that ("边角倒圆", "加一道钝化") are
  kept as notes (spec key "other"): the order holds them for technical
  confirmation rather than dropping them.

Missing pieces stay None: the service asks for them.
"""

from __future__ import annotations

import re
from datetime import datetime

from bot.parsing import synonyms as syn
from bot.parsing.command import Change, Command, Intent
from bot.parsing.fieldkit import clean_value
from bot.parsing.lexicon import Lexicon
from bot.parsing.orders import RefMention
from bot.parsing.scan import BLANK, Scan
from bot.parsing.spec_field import spec_kind
from bot.parsing.specs import Vocabulary
from core.i18n import Lang

#: A product code: letters, then at least one hyphenated segment of 2+ letters.
PRODUCT_CODE = re.compile(r"(?<![A-Za-z0-9-])[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-[A-Z]{2,}[A-Z0-9]*"
                          r"(?:-[A-Z0-9]+)*(?![A-Za-z0-9-])")
_ISO = re.compile(r"(?<![0-9])20[0-9]{2}-[0-9]{1,2}-[0-9]{1,2}(?![0-9])")
_DUE_TAIL = re.compile(r"\s*(?:之前|以前|前)?\s*(?:交货|交付|交|到货|发货|出货|要货|要)?")
_DUE_HEAD = re.compile(r"(?:交期|交货期|交货日期|due(?:\s+date)?|deliver(?:y|ed)?\s*(?:by|on)?"
                       r"|by|before)\s*[:：]?\s*$", re.IGNORECASE)
_CUSTOMER_MARK = re.compile(r"(?:客户|客人|customer|client)\s*[:：是]?\s*"
                            r"|(?<![A-Za-z])(?:for|from)\s+|(?<=[\s#~])给|^给", re.IGNORECASE)
_TOKEN = re.compile(r"[\u3400-\u9fffA-Za-z0-9][\u3400-\u9fffA-Za-z0-9._&-]*")
_STOP = Lexicon(["要", "需要", "想要", "想订", "订", "定", "做", "的", "个", "帮", "帮忙", "我",
                 "我们",
                 "一下", "交", "交货", "能", "吗", "呢", "吧", "啊", "了", "和", "请", "麻烦",
                 "客户", "给", "下", "有", "多久", "最早", "什么时候", "最快", "几天", "大概",
                 "can", "we", "you", "make", "for", "of", "a", "an", "the", "new", "order",
                 "due", "by", "how", "soon", "wants", "want", "needs", "need", "please", "pls",
                 "to", "is", "it", "with", "and", "in", "on", "get", "could", "would", "deliver",
                 "earliest", "date", "units", "pcs", "from", "customer", "client", "hi"])


def product_codes(norm: str) -> list[RefMention]:
    """Product codes in the message; they are never order numbers."""
    return [RefMention(m.start(), m.end(), m.group(), m.group().upper())
            for m in PRODUCT_CODE.finditer(norm)]


def read_order_request(norm: str, masked: str, lang: Lang, now: datetime,
                       vocabulary: Vocabulary) -> Command | None:
    """quote / new_order when the message has their cue; None otherwise."""
    new = syn.NEW_ORDER_LEX.search(masked)
    quote = syn.QUOTE_LEX.search(masked)
    if new is None and quote is None:
        return None
    scan = Scan.build(norm, masked, lang, now, vocabulary, None)
    for lex in (syn.NEW_ORDER_LEX, syn.QUOTE_LEX):
        for hit in lex.finditer(scan.work):
            scan.blank(hit.start, hit.end)
    due = _due_date(scan) if new is not None else None
    product, product_at = _product_code(scan, norm, vocabulary)
    quantity, count_span = _quantity(scan, product_at)
    specs = _specs(scan)
    customer = _marked_customer(scan, norm, vocabulary)
    tokens = _tokens(scan, norm)
    if product is None:
        product = _product_near(tokens, count_span)
        tokens = [t for t in tokens if t[2] != product]
    if customer is None and tokens:
        customer = tokens[0][2]
        tokens = tokens[1:]
    intent = Intent.NEW_ORDER if new is not None else Intent.QUOTE
    if intent is Intent.NEW_ORDER:  # "边角倒圆", "加一道钝化": kept as notes to confirm
        specs += [Change("spec", t[2], key="other") for t in tokens if _is_note(t[2])]
    return Command(intent, quantity=quantity, product=product, customer=customer,
                   specs=tuple(specs), due_date=due)


def _is_note(text: str) -> bool:
    """A leftover worth keeping as a requirement: words, not a stray particle or a greeting."""
    if len(text) < 2 or syn.SMALLTALK_LEX.search(text) is not None:
        return False
    return any("\u3400" <= ch <= "\u9fff" for ch in text) or len(text) >= 4


def _due_date(scan: Scan) -> str | None:
    for mention in scan.dates:
        if mention.date is None or BLANK in scan.work[mention.start:mention.end]:
            continue
        tail = _DUE_TAIL.match(scan.work, mention.end)
        head = _DUE_HEAD.search(scan.work, 0, mention.start)
        scan.blank(head.start() if head else mention.start, tail.end() if tail else mention.end)
        return mention.date.isoformat()
    iso = _ISO.search(scan.work)
    if iso is None:
        return None
    head = _DUE_HEAD.search(scan.work, 0, iso.start())
    try:
        value = datetime.strptime(iso.group(), "%Y-%m-%d").date().isoformat()
    except ValueError:
        return None
    scan.blank(head.start() if head else iso.start(), iso.end())
    return value


def _product_code(scan: Scan, norm: str,
                  vocabulary: Vocabulary) -> tuple[str | None, int | None]:
    """A product code, else a product the vocabulary knows: (as written, where)."""
    code = PRODUCT_CODE.search(norm)
    if code is not None:
        scan.blank(code.start(), code.end())
        return code.group(), code.start()
    known = vocabulary.find("product", scan.work)
    if known is not None:
        scan.blank(known[0], known[1])
        return norm[known[0]:known[1]], known[0]
    return None, None


def _quantity(scan: Scan, product_at: int | None) -> tuple[int | None, tuple[int, int] | None]:
    """The count with a unit; else the count right before the product code."""
    fallback = None
    for number in scan.numbers:
        if BLANK in scan.work[number.start:number.end] or number.value != int(number.value):
            continue
        unit = syn.UNIT_LEX.search(scan.work, number.end, min(len(scan.work), number.end + 4))
        if unit is not None and not scan.work[number.end:unit.start].strip():
            scan.blank(number.start, unit.end)
            return int(number.value), (number.start, unit.end)
        gap = scan.work[number.end:product_at] if product_at is not None else None
        if fallback is None and (gap is not None and not gap.replace(BLANK, "").strip()
                                 or product_at is None):
            fallback = number
    if fallback is None:
        return None, None
    scan.blank(fallback.start, fallback.end)
    return int(fallback.value), (fallback.start, fallback.end)


def _specs(scan: Scan) -> list[Change]:
    """"胡桃木色", "walnut", "颜色 白色", "包装木箱": spec words anywhere."""
    found: list[Change] = []
    for key in list(syn.SPEC_KEY_LEX.finditer(scan.work)):
        if key.text == "色" or BLANK in scan.work[key.start:key.end]:
            continue
        token = _TOKEN.match(scan.work, key.end + len(scan.work[key.end:]) -
                             len(scan.work[key.end:].lstrip(" :：")))
        if token is None:
            continue
        value = clean_value(scan.norm[token.start():token.end()])
        if value:
            found.append(Change("spec", value, key=key.tag))
            scan.blank(key.start, token.end())
    for token in list(_TOKEN.finditer(scan.work)):
        value = clean_value(scan.norm[token.start():token.end()])
        kind = spec_kind(scan, value) if value else None
        if kind is not None:
            found.append(Change("spec", value, key=kind[0], canonical=kind[1]))
            scan.blank(token.start(), token.end())
    return found


def _marked_customer(scan: Scan, norm: str, vocabulary: Vocabulary) -> str | None:
    known = vocabulary.find("customer", scan.work)
    if known is not None:
        scan.blank(known[0], known[1])
        return norm[known[0]:known[1]]
    mark = _CUSTOMER_MARK.search(scan.work)
    if mark is None:
        return None
    token = _TOKEN.match(scan.work, mark.end())
    if token is None:
        return None
    name = _strip_stop(scan.norm[token.start():token.end()])
    if not name:
        return None
    scan.blank(mark.start(), token.end())
    return name


def _strip_stop(text: str) -> str:
    """"华兴要" -> "华兴": function words glued to a name are not part of it."""
    return _STOP.sub(text, " ").split(" ")[0].strip(" .-") if text else ""


def _tokens(scan: Scan, norm: str) -> list[tuple[int, int, str]]:
    """What is left once cues, dates, counts, codes and specs are read."""
    work = _blank_stop_words(scan.work)
    out: list[tuple[int, int, str]] = []
    for token in _TOKEN.finditer(work):
        text = norm[token.start():token.end()].strip(" .-")
        if text and not text.isdigit():
            out.append((token.start(), token.end(), text))
    return out


def _blank_stop_words(work: str) -> str:
    """Function words blanked to spaces, same length, so offsets hold."""
    chars = list(work)
    for hit in _STOP.finditer(work):
        chars[hit.start:hit.end] = " " * (hit.end - hit.start)
    return "".join(chars)


def _product_near(tokens: list[tuple[int, int, str]],
                  count: tuple[int, int] | None) -> str | None:
    """The name written right before the count ("L型办公桌 300张"), else right after."""
    if not tokens:
        return None
    if count is None:
        return tokens[-1][2]
    before = [t for t in tokens if t[1] <= count[0]]
    after = [t for t in tokens if t[0] >= count[1]]
    if before and (len(tokens) > 1 or not after):
        return before[-1][2]
    return after[0][2] if after else before[-1][2]
