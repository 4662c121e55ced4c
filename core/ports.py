"""Ports: what the core needs from the outside world, as Protocols.

`storage` implements the repositories and the unit of work; `bot` implements
senders and clocks. Core code depends only on these shapes.
"""

from __future__ import annotations

import builtins
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import TracebackType
from typing import Any, Protocol

from core.events import Event
from core.idempotency import Source
from core.messages import CardDelivery, Reply
from core.model.capacity import WorkCenter
from core.model.change_request import AuditEntry, ChangeRequest
from core.model.materials import Item, PurchaseOrder
from core.model.parties import Customer, Person, Role
from core.model.plan import OrderEta, PlannedOperation, PlanVersion
from core.model.products import Bom, Product, Routing
from core.model.work_order import WorkOrder
from core.notices import Notice
from core.outbox import OutboxMessage


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware current time; tests pass a controllable clock."""
        ...


class Claim(StrEnum):
    """What `Inbox.claim` found for a message."""

    NEW = "new"  # first delivery: handle it
    RETRY = "retry"  # received before, never handled, its lease ran out (the handler died)
    BUSY = "busy"  # a live handler holds it; its replies go through the outbox
    HANDLED = "handled"  # handled already: answer from the recorded replies, never again


@dataclass(frozen=True, slots=True)
class Unhandled:
    """A message received but not handled, whose handler's lease has run out."""

    channel: str
    key: str
    message: dict[str, Any]


class InboxRecords(Protocol):
    """The inbox inside a unit of work: dedupe keys and the effects each message committed."""

    async def first_seen(self, channel: str, key: str, at: datetime) -> bool:
        """Record (channel, key) as handled; True only the first time."""
        ...

    async def effect(self, channel: str, key: str, kind: str) -> dict[str, Any] | None:
        """What message (channel, key) committed as `kind`, if it did."""
        ...

    async def record_effect(self, channel: str, key: str, kind: str, data: dict[str, Any],
                            at: datetime) -> None:
        """Record in this transaction; the same (channel, key, kind) twice is a WriteConflict."""
        ...


class Inbox(Protocol):
    """Inbound messages: received -> handled, each step its own short transaction.

    A message is claimed (`received`, with a lease) before its handler runs and
    marked `handled` in the transaction that records its replies in the outbox.
    A retry of a handled message is answered from those replies; a retry of a
    message whose handler died (its lease ran out) is handled again, and the
    use cases make that safe (core/idempotency.py).
    """

    async def first_seen(self, channel: str, key: str, at: datetime) -> bool:
        """Record (channel, key) as handled at once (nothing to handle); True the first time."""
        ...

    async def claim(self, channel: str, key: str, message: dict[str, Any], at: datetime,
                    lease_seconds: float) -> Claim:
        """Take the message for handling (NEW or RETRY), or say why not."""
        ...

    async def handled(self, channel: str, key: str, replies: Sequence[OutboxMessage],
                      at: datetime) -> bool:
        """In one transaction: queue (or record as answered) `replies`; mark it handled.

        False, with nothing written, if it was handled already: two runs of one
        message's handler (one past its lease and the recovery sweep's) both
        finish, and only the first one's replies count.
        """
        ...

    async def replies(self, channel: str, key: str) -> list[OutboxMessage]:
        """The replies recorded when the message was handled, in order."""
        ...

    async def claim_unhandled(self, now: datetime, lease_seconds: float,
                              limit: int) -> list[Unhandled]:
        """Take over messages whose handler's lease ran out (the process died)."""
        ...


class CardDeliveries(Protocol):
    """Which copies of a card went to whom, so a decision can close everyone else's copy."""

    async def record(self, delivery: CardDelivery) -> None:
        """Insert or replace the copy for (channel, card_id, recipient) (newest handle wins)."""
        ...

    async def open_copies(self, card_id: str) -> list[CardDelivery]:
        """Copies of `card_id`, on every channel, that are not settled yet."""
        ...

    async def settle(self, channel: str, card_id: str, recipient: str, by: str,
                     at: datetime) -> bool:
        """Mark one copy settled; False if it already was (so it is updated once)."""
        ...

    async def settled(self, card_id: str) -> CardDelivery | None:
        """Any settled copy of `card_id` (who decided, and when), or None."""
        ...

    async def copy(self, channel: str, card_id: str, recipient: str) -> CardDelivery | None:
        """One recipient's copy, settled or not."""
        ...

    async def clicked(self, channel: str, card_id: str, recipient: str, handle: str) -> bool:
        """A click's fresh handle (WeCom's ResponseCode) replaces the copy's; False if no copy.

        WeCom's response_code is single use and a click hands out a new one for
        the copy that was clicked, which is what that copy must be updated with.
        """
        ...

    async def consume(self, channel: str, card_id: str, recipient: str, handle: str) -> bool:
        """Take a single-use handle: clear it if it is still `handle`; False if already taken."""
        ...


class OutboxStore(Protocol):
    async def add(self, messages: Sequence[OutboxMessage]) -> None:
        """Queue messages; a duplicate dedupe_key is silently skipped."""
        ...

    async def claim_due(
        self, now: datetime, limit: int, lease_seconds: float
    ) -> list[OutboxMessage]:
        """Lease pending messages that are due, so that one dispatcher sends each.

        A lease that expires (the dispatcher crashed) makes the message due again.
        """
        ...

    async def mark_sent(self, message_id: int, at: datetime) -> None: ...

    async def mark_retry(self, message_id: int, next_attempt_at: datetime, error: str) -> None: ...

    async def mark_dead(self, message_id: int, error: str) -> None: ...

    async def dead_letters(self, limit: int = 100) -> list[OutboxMessage]: ...


@dataclass(frozen=True, slots=True)
class SavedConversation:
    """What a conversation left waiting: a JSON object, when it was saved, and until when."""

    state: dict[str, Any]
    saved_at: datetime
    expires_at: datetime


class ConversationStore(Protocol):
    """Per (channel, user): the question the bot is waiting on, or the list it last showed.

    Kept outside the process, so that the next message may reach any process
    of the factory's deployment. The state is an opaque JSON object to the
    store; the conversation layer reads and writes it.
    """

    async def save(self, channel: str, user: str, state: Mapping[str, Any],
                   saved_at: datetime, expires_at: datetime) -> None:
        """Replace whatever was waiting for (channel, user)."""
        ...

    async def take(self, channel: str, user: str, *, by: Source | None = None,
                   at: datetime | None = None) -> SavedConversation | None:
        """Remove and return what was waiting, expired or not, in one atomic step.

        Of two callers taking at once exactly one gets the entry, so one
        question is answered once however many processes receive answers.
        With `by` (the message being handled) the take is recorded under the
        message's key (at `at`) in the same step: the same message handled
        again takes what it took the first time (None if nothing was waiting
        then), not what has been waiting since.
        """
        ...

    async def peek(self, channel: str, user: str) -> SavedConversation | None:
        """What is waiting, left in place."""
        ...

    async def discard(self, channel: str, user: str) -> None: ...

    async def purge(self, before: datetime) -> int:
        """Drop entries that expired before `before`; returns how many."""
        ...


# Repositories -----------------------------------------------------------------
# Only the methods the core calls are listed; storage implements them in SQL and
# tests may implement them in memory.




class WorkOrderRepository(Protocol):
    # in this class body `list` names the method below, so the builtin is spelled out
    async def get(self, ref: str) -> WorkOrder | None: ...
    async def all_refs(self) -> builtins.list[str]: ...
    async def open_refs(self, customers: Sequence[str] | None = None) -> builtins.list[str]:
        """The open orders' refs (of `customers` only, if given), as `list` orders them."""
        ...

    async def list(self, *, open_only: bool = False, customers: Sequence[str] | None = None,
                   limit: int | None = None) -> builtins.list[WorkOrder]: ...
    async def add(self, order: WorkOrder) -> None:
        """Insert a new order with its operations; a ref already stored is a WriteConflict."""
        ...

    async def save(self, order: WorkOrder) -> None:
        """Write if the stored version still equals order.version, else VersionConflict."""
        ...


class CatalogRepository(Protocol):
    """Master data. `add_*` inserts (an existing key is a WriteConflict); `save_*` updates."""

    async def items(self) -> dict[str, Item]: ...
    async def add_item(self, item: Item) -> None: ...
    async def save_item(self, item: Item) -> None: ...
    async def purchase_orders(self, open_only: bool = True) -> list[PurchaseOrder]: ...
    async def add_purchase_order(self, po: PurchaseOrder) -> None: ...
    async def work_centers(self) -> dict[str, WorkCenter]: ...
    async def add_work_center(self, wc: WorkCenter) -> None: ...
    async def products(self) -> dict[str, Product]: ...
    async def add_product(self, product: Product) -> None: ...
    async def save_product(self, product: Product) -> None: ...
    async def boms(self) -> dict[tuple[str, int], Bom]: ...
    async def add_bom(self, bom: Bom) -> None: ...
    async def lock_bom(self, product_code: str, version: int) -> None: ...
    async def routings(self) -> dict[tuple[str, int], Routing]: ...
    async def add_routing(self, routing: Routing) -> None: ...
    async def lock_routing(self, product_code: str, version: int) -> None: ...


class PartyRepository(Protocol):
    """Customers and people. `add_*` inserts (an existing key is a WriteConflict); `save_*`
    updates the record with the same code or id."""

    async def customers(self) -> dict[str, Customer]: ...
    async def customer(self, code: str) -> Customer | None: ...
    async def add_customer(self, customer: Customer) -> None: ...
    async def save_customer(self, customer: Customer) -> None: ...
    async def people(self) -> list[Person]: ...
    async def person(self, person_id: str) -> Person | None: ...
    async def add_person(self, person: Person) -> None: ...
    async def save_person(self, person: Person) -> None: ...
    async def person_by_platform(self, channel: str, platform_id: str) -> Person | None:
        """The active person behind a platform id.

        channel "wecom" = WeCom UserID, "dingtalk" = DingTalk staffId, "wecom_kf" = the
        external_userid of a customer contact on WeCom Customer Service; anything else
        (the web chat) looks the person up by id.
        """
        ...

    async def by_role(self, *roles: Role) -> list[Person]: ...


class ChangeRequestRepository(Protocol):
    async def add(self, cr: ChangeRequest) -> ChangeRequest: ...
    async def save(self, cr: ChangeRequest, new_audit: list[AuditEntry]) -> None:
        """Write the request and append `new_audit`; use `save_pending` to pass what is unsaved."""
        ...
    async def get(self, ref: str) -> ChangeRequest | None: ...
    async def open_for(self, person_id: str) -> list[ChangeRequest]: ...
    async def open_all(self) -> list[ChangeRequest]: ...
    async def for_order(self, order_ref: str) -> list[ChangeRequest]: ...
    async def applied_between(self, start: datetime, end: datetime) -> list[ChangeRequest]: ...


class PlanRepository(Protocol):
    async def lock_for_commit(self) -> None:
        """Take the shop's plan-commit lock for the rest of this transaction.

        Call it first in a transaction that checks the latest plan number and
        commits a plan version on it: every process on the database waits here
        for the others' commit or rollback, so the check and the insert are one
        step for all of them, not only for the tasks of one process.
        """
        ...

    async def next_number(self) -> int: ...
    async def add(self, plan: PlanVersion) -> None:
        """Store the plan and set plan.number from the database's sequence."""
        ...

    async def latest(self) -> PlanVersion | None: ...
    async def get(self, number: int) -> PlanVersion | None: ...
    async def history(self, limit: int = 20) -> list[dict[str, Any]]: ...
    async def eta_history(
        self, versions: int, ref: str | None = None
    ) -> list[tuple[int, datetime, OrderEta]]:
        """(plan number, made at, ETA) over the newest `versions` plans, oldest first."""
        ...

    async def latest_number(self) -> int | None: ...
    async def order_view(self, number: int,
                         ref: str) -> tuple[list[PlannedOperation], OrderEta | None]: ...
    async def etas_for(self, number: int, refs: list[str]) -> dict[str, OrderEta]: ...


class StateStore(Protocol):
    async def get(self, key: str) -> Any | None: ...
    async def put(self, key: str, value: Any, at: datetime) -> None: ...
    async def delete(self, key: str) -> None: ...


class UnitOfWork(Protocol):
    """One transaction over every repository; leaving without commit rolls back."""

    # read-only, so that an implementation may hold its own repository classes
    @property
    def orders(self) -> WorkOrderRepository: ...
    @property
    def catalog(self) -> CatalogRepository: ...
    @property
    def parties(self) -> PartyRepository: ...
    @property
    def change_requests(self) -> ChangeRequestRepository: ...
    @property
    def plans(self) -> PlanRepository: ...
    @property
    def outbox(self) -> OutboxStore: ...
    @property
    def inbox(self) -> InboxRecords: ...
    @property
    def state(self) -> StateStore: ...

    async def __aenter__(self) -> UnitOfWork: ...
    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None: ...
    async def commit(self) -> None:
        """Keep the transaction's writes; a store-enforced rule broken is a WriteConflict."""
        ...

    async def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


async def save_pending(repo: ChangeRequestRepository, cr: ChangeRequest) -> None:
    """Save `cr` with exactly the audit entries added since it was loaded or last saved."""
    await repo.save(cr, cr.pending_audit())
    cr.mark_audit_saved()


# Outward ports ------------------------------------------------------------------
# What use cases hand to the outside world after (or while) committing.




class NoticeRenderer(Protocol):
    """Turns a notice into a reply in one language; the bot implements the wording."""

    def __call__(self, notice: Notice, lang: str) -> Reply: ...


class EventPublisher(Protocol):
    """Hands committed events to their handlers (core.messagebus.MessageBus)."""

    async def publish(self, *events: Event) -> None: ...


class Spawner(Protocol):
    """Runs a coroutine in the background on a tracked task, drained at shutdown."""

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> Awaitable[Any]: ...
