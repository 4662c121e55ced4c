"""List questions about orders (query_orders) and about the shop's load (query_shop).

"哪些订单会延误", "今天要交哪些", "这周要交的单", "有哪些加急单", "永盛的订单哪些会晚",
"late orders", "what's due this week" ask for a list, filtered one of four
ways (CONTRACT section 4); "瓶颈在哪", "这周产能怎么样", "which work center is
the bottleneck" ask how loaded the shop is. Neither names an order number, so
both are read only when the message names none. The filter is picked by
table, in the order late > due_today > due_this_week > rush, so "今天有哪些订单
会延误" asks for late orders.
"""

from __future__ import annotations

import re

from bot.parsing import synonyms as syn
from bot.parsing.command import Command, Intent
from bot.parsing.specs import Vocabulary

_FILTER_ORDER = ("late", "due_today", "due_this_week", "rush")
#: "永盛的订单", "永盛那边的单": a customer named before its orders.
_CUSTOMER_ZH = re.compile(r"([\u3400-\u9fffA-Za-z0-9&]{2,12}?)(?:家|那边|公司)?的"
                          r"(?:订单|单子|单|货)")
_CUSTOMER_EN = re.compile(r"(?:for|of|from)\s+([A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3})"
                          r"|([A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3})'s\s+orders")
_DUE_VERB = r"(?:交货|交付|交|出货|发货|到期|完工|出)"
_DUE_TODAY = re.compile(r"(?:今天|今日|当天)[^,，。?？]{0,6}?" + _DUE_VERB)
_DUE_THIS_WEEK = re.compile(r"(?:这周|本周|这个?星期|这礼拜|本星期)[^,，。?？]{0,6}?" + _DUE_VERB)
#: Words that stand where a customer would but are not one.
_NOT_CUSTOMER = re.compile(r"^(?:我|我们|咱|咱们|你|你们|他|他们|她|今天|今日|明天|这周|本周|"
                           r"这个星期|所有|全部|哪些|哪几个|加急|急|延误|会晚|我下|我跟|客户|这些|"
                           r"那些|这|那)")


def read_shop_question(masked: str, vocabulary: Vocabulary) -> Command | None:
    """query_orders / query_shop for a message without an order number."""
    filters = {hit.tag for hit in syn.ORDER_FILTER_LEX.finditer(masked)}
    for window, pattern in (("due_today", _DUE_TODAY), ("due_this_week", _DUE_THIS_WEEK)):
        if pattern.search(masked):
            filters.add(window)  # "这周有哪些要出货": the window and the verb apart
    listing = syn.LIST_CUE_LEX.search(masked) is not None
    orderish = syn.ORDERISH_LEX.search(masked) is not None
    if filters and (listing or orderish):
        chosen = next(f for f in _FILTER_ORDER if f in filters)
        return Command(Intent.QUERY_ORDERS, filter=chosen,
                       customer=_customer(masked, vocabulary))
    if syn.SHOP_LOAD_LEX.search(masked) is not None:
        return Command(Intent.QUERY_SHOP)
    return None


def _customer(text: str, vocabulary: Vocabulary) -> str | None:
    """The customer as written: a known one, else the name before 的订单 / after for."""
    known = vocabulary.find("customer", text)
    if known is not None:
        return text[known[0]:known[1]]
    for m in _CUSTOMER_ZH.finditer(text):
        name = m.group(1)
        if not _NOT_CUSTOMER.match(name) and syn.ORDER_FILTER_LEX.search(name) is None:
            return name
    english = _CUSTOMER_EN.search(text)
    if english is not None:
        name = (english.group(1) or english.group(2) or "").strip()
        if name and name.lower() not in ("me", "us", "this", "next", "the"):
            return name
    return None
