"""Change control: a change typed in chat becomes an assessed, confirmed, approved and
atomically applied change, and everyone it touches hears about it.

One module per use case: request.py (authorise, assess, open the request; a
what-if stops there), confirm.py (confirm or reject; route to supervisors),
approve.py (decide), apply.py (one commit of order, plan, audit and notices),
with assess.py (the assessment and its cache), fanout.py (who hears what) and
results.py (what happened, as data for the bot to word).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from core.change_control.apply import Polisher, apply_change
from core.change_control.approve import decide
from core.change_control.assess import AssessedPlans, Assessment
from core.change_control.confirm import confirm, reject
from core.change_control.deps import ChangeSettings, Deps
from core.change_control.fanout import Fanout
from core.change_control.request import request_change
from core.commands import CancelOrder, Command, Confirm, Decide, Reject, RequestChange

__all__ = [
    "AssessedPlans",
    "Assessment",
    "ChangeSettings",
    "Deps",
    "Fanout",
    "Polisher",
    "apply_change",
    "command_handlers",
    "confirm",
    "decide",
    "reject",
    "request_change",
]


def command_handlers(deps: Deps) -> dict[type[Command], Callable[[Any], Awaitable[Any]]]:
    """The bus's handler for each change-control command, with `deps` bound."""
    return {
        RequestChange: partial(request_change, deps),
        CancelOrder: partial(request_change, deps),
        Confirm: partial(confirm, deps),
        Reject: partial(reject, deps),
        Decide: partial(decide, deps),
    }
