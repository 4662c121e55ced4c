from dataclasses import replace

from core.planning.engine import plan
from core.planning.types import Assignment, Calendar, SolveParams
from core.planning.validate import violations

from .instances import small_shop

FAST = SolveParams(time_limit_s=0.0)


def _broken(result, key: str, a: Assignment):  # type: ignore[no-untyped-def]
    assignments = dict(result.assignments)
    assignments[key] = a
    return replace(result, assignments=assignments)


def test_dispatch_plan_is_valid() -> None:
    inp = small_shop()
    result = plan(inp, FAST)
    assert result.status == "HEURISTIC"
    assert violations(inp, result) == []


def test_validator_catches_each_kind_of_violation() -> None:
    inp = small_shop({"CUT": Calendar("CUT", ((0, 1000), (1100, 5000)))})
    result = plan(inp, FAST)
    assert violations(inp, result) == []
    cut = result.assignments["WO-1.cut"]
    weld = result.assignments["WO-1.weld"]
    other = result.assignments["WO-2.weld"]
    assert any(
        "before predecessor" in v
        for v in violations(
            inp, _broken(result, "WO-1.weld", Assignment("W1", cut.start, cut.start + 90))
        )
    )
    assert any(
        "overlaps" in v
        for v in violations(
            inp, _broken(result, "WO-2.weld", Assignment("W1", weld.start, weld.start + 40))
        )
    )
    assert any(
        "not an alternative" in v
        for v in violations(
            inp, _broken(result, "WO-2.weld", Assignment("C1", other.start, other.end))
        )
    )
    assert any(
        "calendar" in v
        for v in violations(inp, _broken(result, "WO-1.cut", Assignment("C1", 980, 1040)))
    )
    missing = replace(
        result, assignments={k: a for k, a in result.assignments.items() if k != "WO-3.cut2"}
    )
    assert any("not planned" in v for v in violations(inp, missing))
