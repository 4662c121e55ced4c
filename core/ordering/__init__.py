"""Ordering: quotes (capable-to-promise), new orders from chat, and the promise ledger.

quote.py answers "how soon" from the live plan (ctp.py is the search on the
planner's repair), new_order.py takes an order through card, confirm,
approval and one atomic creation, ledger.py records every date promised.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from core.commands import Command
from core.ordering.commands import ConfirmOrder, DecideOrder, PlaceOrder, QuoteOrder, RejectOrder
from core.ordering.deps import KeptAssessments, OrderingDeps
from core.ordering.new_order import confirm_order, decide_order, reject_order, request_order
from core.ordering.quote import quote

__all__ = ["KeptAssessments", "OrderingDeps", "command_handlers"]


def command_handlers(deps: OrderingDeps) -> dict[type[Command], Callable[[Any], Awaitable[Any]]]:
    """The bus's handler for each ordering command, with `deps` bound."""
    return {
        QuoteOrder: partial(quote, deps),
        PlaceOrder: partial(request_order, deps),
        ConfirmOrder: partial(confirm_order, deps),
        RejectOrder: partial(reject_order, deps),
        DecideOrder: partial(decide_order, deps),
    }
