"""Small hand-made instances shared by the planning tests."""

from __future__ import annotations

from core.planning.types import Alternative, Calendar, Job, Machine, Operation, PlanInput


def op(key: str, *alts: tuple[str, int], **kw: object) -> Operation:
    return Operation(key, tuple(Alternative(m, p) for m, p in alts), **kw)  # type: ignore[arg-type]


def single_machine(jobs: list[tuple[str, int, int, int]]) -> PlanInput:
    """(ref, minutes, due, weight) on machine A, all released at 0."""
    return PlanInput(
        tuple(Job(ref, 0, due, w, (op(f"{ref}.0", ("A", p)),)) for ref, p, due, w in jobs),
        (Machine("A", "WC1"),),
        {},
        1000,
    )


def small_shop(calendars: dict[str, Calendar] | None = None) -> PlanInput:
    """Three orders over a cutting center (two machines) and a welding center."""
    jobs = (
        Job(
            "WO-1",
            0,
            300,
            2,
            (op("WO-1.cut", ("C1", 60), ("C2", 80)), op("WO-1.weld", ("W1", 90))),
        ),
        Job("WO-2", 30, 200, 1, (op("WO-2.cut", ("C1", 50)), op("WO-2.weld", ("W1", 40)))),
        Job(
            "WO-3",
            0,
            250,
            3,
            (
                op("WO-3.cut", ("C2", 70), ("C1", 70)),
                op("WO-3.weld", ("W1", 60)),
                op("WO-3.cut2", ("C1", 30), ("C2", 30)),
            ),
        ),
    )
    machines = (Machine("C1", "CUT"), Machine("C2", "CUT"), Machine("W1", "WELD"))
    return PlanInput(jobs, machines, calendars or {}, 5000)


def generated(orders: int, seed: int) -> PlanInput:
    from bench.shop import generate

    return generate(orders, seed)
