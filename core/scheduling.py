"""Old name of `core.plan_building`, kept only for `core/services/planning.py`.

Delete this module once that import line reads `from core.plan_building import`;
it is left alone here while core/services is being split.
"""

from __future__ import annotations

from core.plan_building import (
    ShopSnapshot,
    build_input,
    local_epoch,
    open_orders,
    previous_result,
    to_plan_version,
)

__all__ = [
    "ShopSnapshot",
    "build_input",
    "local_epoch",
    "open_orders",
    "previous_result",
    "to_plan_version",
]
