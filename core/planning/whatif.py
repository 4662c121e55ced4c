"""What-if: the impact of a hypothetical change, without committing it.

The change-control feature shows this before a planner approves a change. It
is a replan of the hypothetical input against the current plan plus the diff;
inputs and plans are frozen values, so nothing the shop relies on is touched.
"""

from __future__ import annotations

from collections.abc import Collection

from core.planning.diff import compare
from core.planning.engine import replan
from core.planning.types import PlanDiff, PlanInput, PlanResult, SolveParams


def evaluate(
    inp: PlanInput, current: PlanResult, changed: Collection[str], params: SolveParams
) -> tuple[PlanResult, PlanDiff]:
    hypothetical = replan(inp, current, changed, params)
    return hypothetical, compare(current, hypothetical)
