"""Between the domain and the planning engine: orders in, a plan version out.

The engine works in integer minutes from a plan epoch on plain records; this
module is the only place that knows how work orders, routings, calendars and
material availability become those records, and how a result becomes the
dated plan the bot quotes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.model.capacity import WorkCenter
from core.model.materials import Item, PurchaseOrder
from core.model.parties import Customer, Tier
from core.model.plan import OrderEta, PlannedOperation, PlanVersion
from core.model.products import Bom, Routing, RoutingStep
from core.model.work_order import OperationProgress, Priority, WorkOrder
from core.planning.calendar import OfficialDays, WorkTime
from core.planning.types import (
    Alternative,
    Assignment,
    Calendar,
    Frozen,
    Job,
    JobOutcome,
    Kpis,
    Machine,
    Operation,
    PlanInput,
    PlanResult,
)
from core.supply import Availability

RUSH_FACTOR = 3  # a rush order's lateness weighs three times its tier weight
ALTERNATIVE_SLOWDOWN = 1.25  # work moved to an alternative center runs slower
DUE_TIME = time(17, 0)  # an order is due at the end of the day shift
MIN_HORIZON_DAYS = 120


@dataclass(frozen=True, slots=True)
class ShopSnapshot:
    """Everything the planner needs, loaded in one transaction."""

    orders: tuple[WorkOrder, ...]
    customers: Mapping[str, Customer]
    routings: Mapping[tuple[str, int], Routing]
    work_centers: Mapping[str, WorkCenter]
    availability: Mapping[str, Availability]
    boms: Mapping[tuple[str, int], Bom] = field(default_factory=dict)
    items: Mapping[str, Item] = field(default_factory=dict)
    purchase_orders: tuple[PurchaseOrder, ...] = ()


def op_key(ref: str, seq: int) -> str:
    return f"{ref}/{seq}"


def split_key(key: str) -> tuple[str, int]:
    ref, _, seq = key.rpartition("/")
    return ref, int(seq)


def to_minutes(epoch: datetime, at: datetime) -> int:
    return int((at - epoch).total_seconds() // 60)


def weight_of(order: WorkOrder, customer: Customer | None) -> int:
    tier = customer.tier if customer else Tier.STANDARD
    return tier.weight * (RUSH_FACTOR if order.priority is Priority.RUSH else 1)


def due_minutes(epoch: datetime, due: date) -> int:
    return to_minutes(epoch, datetime.combine(due, DUE_TIME, epoch.tzinfo))


def build_input(snapshot: ShopSnapshot, epoch: datetime,
                official: OfficialDays | None = None) -> PlanInput:
    """A plan input over the open orders; finished operations are left out.

    `official` is the country's holidays and make-up days (GONGDAN_HOLIDAYS).
    """
    last_due = max((o.due_date for o in snapshot.orders), default=epoch.date())
    days = max(MIN_HORIZON_DAYS, (last_due - epoch.date()).days + 60)
    horizon = days * 24 * 60
    calendars = {
        code: Calendar(code, _windows(wc, epoch, horizon, official), wc.can_pause)
        for code, wc in snapshot.work_centers.items()
    }
    machines = tuple(
        Machine(m, code) for code, wc in snapshot.work_centers.items() for m in wc.machines
    )
    jobs = tuple(
        job
        for order in snapshot.orders
        if (job := _job(order, snapshot, epoch, calendars)) is not None
    )
    return PlanInput(jobs, machines, calendars, horizon)


def _windows(wc: WorkCenter, epoch: datetime, horizon: int,
             official: OfficialDays | None = None) -> tuple[tuple[int, int], ...]:
    end = epoch + timedelta(minutes=horizon)
    return tuple(
        (to_minutes(epoch, s), to_minutes(epoch, e))
        for s, e in wc.calendar.windows(epoch, end, official)
    )


def _job(
    order: WorkOrder, snap: ShopSnapshot, epoch: datetime, calendars: Mapping[str, Calendar]
) -> Job | None:
    routing = snap.routings.get((order.product_code, order.routing_version))
    if routing is None:
        return None
    ops: list[Operation] = []
    for progress in order.operations:
        if progress.finished:
            continue
        step = routing.step_named(progress.name) or _step_from_progress(progress)
        ops.append(_operation(order, step, progress, snap, epoch, calendars))
    if not ops:
        return None
    avail = snap.availability.get(order.ref)
    release = 0
    if avail is not None and avail.ready_on > epoch.date():
        release = to_minutes(epoch, datetime.combine(avail.ready_on, time(8), epoch.tzinfo))
    return Job(
        ref=order.ref,
        release=max(0, release),
        due=due_minutes(epoch, order.due_date),
        weight=weight_of(order, snap.customers.get(order.customer_code)),
        ops=tuple(ops),
    )


def _step_from_progress(progress: OperationProgress) -> RoutingStep:
    return RoutingStep(progress.seq, progress.name, progress.work_center)


def _operation(
    order: WorkOrder,
    step: RoutingStep,
    progress: OperationProgress,
    snap: ShopSnapshot,
    epoch: datetime,
    calendars: Mapping[str, Calendar],
) -> Operation:
    key = op_key(order.ref, progress.seq)
    if step.outsourced:
        return Operation(key, (), lead_minutes=max(1, step.lead_days) * 24 * 60, name=step.name)
    remaining = max(0, order.quantity - progress.qty_done)
    wc = snap.work_centers[step.work_center]
    if progress.started:
        minutes = max(1, int(round(step.minutes_per_unit * remaining)))
        machine = progress.machine if progress.machine in wc.machines else wc.machines[0]
        end = WorkTime.of(calendars[wc.code]).end_after(0, minutes)
        return Operation(key, (Alternative(machine, minutes),), frozen=Frozen(machine, 0, end),
                         name=step.name)
    minutes = max(1, step.minutes_for(remaining))
    alts = [Alternative(m, minutes) for m in wc.machines]
    for alt_code in wc.alternatives:
        alt_wc = snap.work_centers.get(alt_code)
        if alt_wc is not None:
            slow = int(round(minutes * ALTERNATIVE_SLOWDOWN))
            alts.extend(Alternative(m, slow) for m in alt_wc.machines)
    return Operation(key, tuple(alts), name=step.name)


def to_plan_version(
    number: int,
    result: PlanResult,
    snapshot: ShopSnapshot,
    epoch: datetime,
    created_at: datetime,
    reason: str,
    diff: dict[str, object],
) -> PlanVersion:
    orders = {o.ref: o for o in snapshot.orders}
    machine_center = {m: code for code, wc in snapshot.work_centers.items() for m in wc.machines}
    ops: list[PlannedOperation] = []
    names = {op_key(o.ref, p.seq): (p.name, p.work_center)
             for o in snapshot.orders for p in o.operations}
    for key, a in result.assignments.items():
        ref, seq = split_key(key)
        name, center = names.get(key, ("", ""))
        ops.append(PlannedOperation(
            ref, seq, name, machine_center.get(a.machine, center), a.machine,
            epoch + timedelta(minutes=a.start), epoch + timedelta(minutes=a.end)))
    etas = {
        ref: OrderEta(ref, epoch + timedelta(minutes=j.end),
                      datetime.combine(orders[ref].due_date, DUE_TIME, epoch.tzinfo), j.lateness)
        for ref, j in result.jobs.items() if ref in orders
    }
    k = result.kpis
    kpis = {
        "orders_late": k.orders_late, "on_time_rate": k.on_time_rate,
        "weighted_tardiness": k.weighted_tardiness, "makespan_minutes": k.makespan,
        "utilization": dict(k.utilization), "bottleneck": k.bottleneck,
        "solve_seconds": round(result.seconds, 3), "orders": len(result.jobs),
    }
    return PlanVersion(number, created_at, epoch, result.status, result.method, result.objective,
                       result.lower_bound, kpis, reason,
                       sorted(ops, key=lambda o: (o.start, o.order_ref)), etas, diff)


def previous_result(plan: PlanVersion, epoch: datetime) -> PlanResult:
    """A stored plan re-expressed against a new epoch, to hint and to diff against."""
    assignments = {
        op_key(o.order_ref, o.seq): Assignment(o.machine, to_minutes(epoch, o.start),
                                               to_minutes(epoch, o.end))
        for o in plan.operations
    }
    jobs = {
        ref: JobOutcome(ref, to_minutes(epoch, e.eta), to_minutes(epoch, e.due),
                        e.lateness_minutes, max(0, e.lateness_minutes), 1)
        for ref, e in plan.etas.items()
    }
    kpis = Kpis(0, 1.0, plan.objective, 0, {}, None)
    return PlanResult(assignments, jobs, plan.status, plan.objective, plan.lower_bound, kpis,
                      plan.method, 0.0)


def local_epoch(now: datetime, tz: str) -> datetime:
    """The plan epoch: now in the factory's zone, to the minute."""
    return now.astimezone(ZoneInfo(tz)).replace(second=0, microsecond=0)


def open_orders(orders: Iterable[WorkOrder]) -> tuple[WorkOrder, ...]:
    """The orders the planner schedules: open, and not held for technical confirmation."""
    return tuple(o for o in orders if o.status.in_plan)
