"""The CP-SAT makespan model, in OR-Tools' order: data, vars, constraints, objective.

Solving and extraction live in `cpsat.py`; this module only states the
problem, so the full solve and the LNS sub-solves share one formulation.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from bench.makespan.instance import ShopInstance
from bench.makespan.schedule import Schedule


@dataclass(frozen=True)
class ModelOptions:
    """Redundant constraints: each one is switchable so its worth can be measured."""

    job_tails: bool = True
    machine_cumulative: bool = True


@dataclass(frozen=True)
class AltVars:
    """One alternative of a flexible operation: presence decides the machine."""

    machine: int
    duration: int
    presence: cp_model.IntVar
    interval: cp_model.IntervalVar


@dataclass(frozen=True)
class OpVars:
    """Variables of one operation; `alts` is empty when only one machine fits."""

    start: cp_model.IntVar
    end: cp_model.IntVar
    interval: cp_model.IntervalVar
    machine: int
    alts: tuple[AltVars, ...]
    size: cp_model.IntVar | None = None


@dataclass(frozen=True)
class MakespanModel:
    """A built model and the handles that extraction and hints need."""

    model: cp_model.CpModel
    ops: tuple[tuple[OpVars, ...], ...]
    makespan: cp_model.IntVar


def _head_tail(instance: ShopInstance) -> tuple[list[list[int]], list[list[int]]]:
    """Shortest work before and after each operation of its job."""
    heads: list[list[int]] = []
    tails: list[list[int]] = []
    for job in instance.jobs:
        durations = [op.min_duration for op in job]
        head = [sum(durations[:i]) for i in range(len(job))]
        tail = [sum(durations[i + 1 :]) for i in range(len(job))]
        heads.append(head)
        tails.append(tail)
    return heads, tails


def _new_op_vars(
    model: cp_model.CpModel, instance: ShopInstance, horizon: int
) -> tuple[tuple[OpVars, ...], ...]:
    """Start domains are cut by job heads and tails: cheap and it tightens presolve."""
    heads, tails = _head_tail(instance)
    all_ops: list[tuple[OpVars, ...]] = []
    for j, job in enumerate(instance.jobs):
        job_vars: list[OpVars] = []
        for i, op in enumerate(job):
            suffix = f"_{j}_{i}"
            lo, hi = heads[j][i], horizon - tails[j][i]
            start = model.new_int_var(lo, hi - op.min_duration, "s" + suffix)
            end = model.new_int_var(lo + op.min_duration, hi, "e" + suffix)
            if len(op.alternatives) == 1:
                alt = op.alternatives[0]
                interval = model.new_interval_var(start, alt.duration, end, "i" + suffix)
                job_vars.append(OpVars(start, end, interval, alt.machine, ()))
                continue
            size = model.new_int_var(op.min_duration, op.max_duration, "d" + suffix)
            interval = model.new_interval_var(start, size, end, "i" + suffix)
            alts: list[AltVars] = []
            for alt in op.alternatives:
                presence = model.new_bool_var(f"p{suffix}_{alt.machine}")
                alt_interval = model.new_optional_interval_var(
                    start, alt.duration, end, presence, f"i{suffix}_{alt.machine}"
                )
                model.add(size == alt.duration).only_enforce_if(presence)
                alts.append(AltVars(alt.machine, alt.duration, presence, alt_interval))
            model.add_exactly_one(a.presence for a in alts)
            job_vars.append(OpVars(start, end, interval, -1, tuple(alts), size))
        all_ops.append(tuple(job_vars))
    return tuple(all_ops)


def _machine_intervals(
    ops: Iterable[tuple[OpVars, ...]], num_machines: int
) -> list[list[cp_model.IntervalVar]]:
    per_machine: list[list[cp_model.IntervalVar]] = [[] for _ in range(num_machines)]
    for job in ops:
        for op in job:
            if not op.alts:
                per_machine[op.machine].append(op.interval)
            for alt in op.alts:
                per_machine[alt.machine].append(alt.interval)
    return per_machine


def _add_machine_groups(
    model: cp_model.CpModel, instance: ShopInstance, ops: tuple[tuple[OpVars, ...], ...]
) -> None:
    """A cumulative per set of interchangeable machines over the operations that
    can only run inside that set.

    The optional intervals of a flexible operation propagate weakly; seen as
    one task on a pool of k machines its energy counts in every case.
    """
    groups: dict[frozenset[int], list[cp_model.IntervalVar]] = {}
    for job, job_vars in zip(instance.jobs, ops, strict=False):
        for op, _op_vars in zip(job, job_vars, strict=False):
            if len(op.alternatives) > 1:
                key = frozenset(a.machine for a in op.alternatives)
                groups.setdefault(key, [])
    for key, members in groups.items():
        for job, job_vars in zip(instance.jobs, ops, strict=False):
            for op, op_vars in zip(job, job_vars, strict=False):
                if {a.machine for a in op.alternatives} <= key:
                    members.append(op_vars.interval)
    for key, intervals in groups.items():
        if len(intervals) > len(key):
            model.add_cumulative(intervals, [1] * len(intervals), len(key))


def build_model(
    instance: ShopInstance, horizon: int, options: ModelOptions = ModelOptions()
) -> MakespanModel:
    """Interval model: precedence in each job, no overlap on each machine."""
    model = cp_model.CpModel()
    ops = _new_op_vars(model, instance, horizon)
    makespan = model.new_int_var(instance.trivial_lower_bound(), horizon, "makespan")

    for job_vars in ops:
        for before, after in itertools.pairwise(job_vars):
            model.add(after.start >= before.end)
    for intervals in _machine_intervals(ops, instance.num_machines):
        if len(intervals) > 1:
            model.add_no_overlap(intervals)
    if options.machine_cumulative and instance.is_flexible:
        _add_machine_groups(model, instance, ops)

    _, tails = _head_tail(instance)
    for j, job_vars in enumerate(ops):
        if not job_vars:
            continue
        model.add(makespan >= job_vars[-1].end)
        if options.job_tails:
            for i, op in enumerate(job_vars[:-1]):
                model.add(makespan >= op.end + tails[j][i])

    model.minimize(makespan)
    return MakespanModel(model, ops, makespan)


def add_schedule_hint(built: MakespanModel, schedule: Schedule) -> None:
    """Hint every variable, since CP-SAT repairs a complete hint far better than a partial one."""
    model = built.model
    model.clear_hints()
    for job_vars, job_ops in zip(built.ops, schedule.ops, strict=False):
        for var, op in zip(job_vars, job_ops, strict=False):
            model.add_hint(var.start, op.start)
            model.add_hint(var.end, op.end)
            for alt in var.alts:
                model.add_hint(alt.presence, alt.machine == op.machine)
            if var.size is not None:
                model.add_hint(var.size, op.duration)
    model.add_hint(built.makespan, schedule.makespan)
