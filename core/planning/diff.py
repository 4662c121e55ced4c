"""What changed between two plans, in the terms the change-control feature shows.

Besides time shifts (`moved`) the diff lists `reordered` operations: those that
changed machine or their order relative to the other operations on their
machine. Nearly every unstarted operation shifts a little after a rush order;
a changed queue order is what the shop floor actually notices.
"""

from __future__ import annotations

from bisect import bisect_left

from core.planning.types import OpMove, PlanDiff, PlanResult, Slip


def compare(old: PlanResult, new: PlanResult) -> PlanDiff:
    moved = tuple(
        OpMove(k, a, new.assignments[k])
        for k, a in old.assignments.items()
        if k in new.assignments and new.assignments[k] != a
    )
    slipped: list[Slip] = []
    improved: list[Slip] = []
    for ref, o in old.jobs.items():
        n = new.jobs.get(ref)
        if n is None or n.end == o.end:
            continue
        slip = Slip(ref, o.end, n.end, n.end - o.end)
        (slipped if slip.delta > 0 else improved).append(slip)
    slipped.sort(key=lambda s: (-s.delta, s.ref))
    improved.sort(key=lambda s: (s.delta, s.ref))
    return PlanDiff(
        tuple(moved),
        tuple(slipped),
        tuple(improved),
        slipped[0] if slipped else None,
        tuple(reordered(old, new)),
    )


def reordered(old: PlanResult, new: PlanResult) -> list[str]:
    """Ops present in both plans that changed machine or left their machine's queue order.

    Per machine, the ops kept in order are a longest increasing subsequence of
    their old positions in the new order; every other op counts as reordered.
    """
    out: list[str] = []
    common = [k for k, a in old.assignments.items() if k in new.assignments and a.machine]
    by_machine: dict[str, list[str]] = {}
    for k in common:
        a, b = old.assignments[k], new.assignments[k]
        if a.machine != b.machine:
            out.append(k)
        else:
            by_machine.setdefault(a.machine, []).append(k)
    for keys in by_machine.values():
        old_pos = {
            k: r for r, k in enumerate(sorted(keys, key=lambda k: (old.assignments[k].start, k)))
        }
        seq = [old_pos[k] for k in sorted(keys, key=lambda k: (new.assignments[k].start, k))]
        keep = _lis(seq)
        out.extend(k for k in keys if old_pos[k] not in keep)
    return sorted(out)


def _lis(seq: list[int]) -> set[int]:
    """Values of one longest increasing subsequence (patience sorting, O(n log n))."""
    tails: list[int] = []
    tail_idx: list[int] = []
    parent = [-1] * len(seq)
    for i, v in enumerate(seq):
        p = bisect_left(tails, v)
        if p == len(tails):
            tails.append(v)
            tail_idx.append(i)
        else:
            tails[p] = v
            tail_idx[p] = i
        parent[i] = tail_idx[p - 1] if p > 0 else -1
    out: set[int] = set()
    i = tail_idx[-1] if tail_idx else -1
    while i >= 0:
        out.add(seq[i])
        i = parent[i]
    return out
