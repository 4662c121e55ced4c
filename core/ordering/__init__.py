"""Ordering: quotes (capable-to-promise), new orders from chat, and the promise ledger.

quote.py answers "how soon" from the live plan (ctp.py is the search on the
planner's repair), new_order.py takes an order through card, confirm,
approval and one atomic creation, ledger.py records every date promised;
requirements.py and tech.py hold an order whose requirements the catalogue does
not know out of the plan until a planner confirms or amends them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from core.commands import AmendRequirement, Command, ConfirmRequirement
from core.ordering.commands import ConfirmOrder, DecideOrder, PlaceOrder, QuoteOrder, RejectOrder
from core.ordering.deps import KeptAssessments, OrderingDeps
from core.ordering.new_order import confirm_order, decide_order, reject_order, request_order
from core.ordering.quote import quote
from core.ordering.tech import amend_requirement, confirm_requirement

__all__ = ["KeptAssessments", "OrderingDeps", "command_handlers"]


def command_handlers(deps: OrderingDeps) -> dict[type[Command], Callable[[Any], Awaitable[Any]]]:
    """The bus's handler for each ordering command, with `deps` bound."""
    return {
        QuoteOrder: partial(quote, deps),
        PlaceOrder: partial(request_order, deps),
        ConfirmOrder: partial(confirm_order, deps),
        RejectOrder: partial(reject_order, deps),
        DecideOrder: partial(decide_order, deps),
        ConfirmRequirement: partial(confirm_requirement, deps),
        AmendRequirement: partial(amend_requirement, deps),
    }
