"""From what was written to a checked order draft: customer, product, quantity, specs, scope.

Names are matched against the catalogue (codes exactly, names fuzzily), the
customer among those the sender may order for. Anything wrong or missing is a
`Problem` with a reason code the bot words; nothing is saved here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz, process

from core.model.parties import Customer, Person, Role
from core.model.products import Product, Routing
from core.model.work_order import SPEC_KEYS, OperationProgress, Priority, WorkOrder
from core.ordering.model import Requirement
from core.ordering.requirements import OTHER, known_key, option_of
from core.variants import normalise_spec

MAX_QUANTITY = 100_000
SANE_MULTIPLE = 20  # a quantity beyond this many times the largest order of the shop is a typo
FUZZY_CUTOFF = 70
ORDERING_ROLES = (Role.SALES, Role.CUSTOMER, Role.SUPERVISOR, Role.PLANNER, Role.ADMIN)


@dataclass(frozen=True, slots=True)
class Problem:
    """Why the draft cannot be quoted or ordered; `reason` is a text key of the bot's."""

    reason: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Draft:
    """A checked order: everything a quote or a new order needs."""

    customer: Customer | None
    product: Product
    routing: Routing
    quantity: int
    specs: dict[str, str]
    due_date: date | None = None
    #: What was asked beyond the product's options: needs technical confirmation.
    requirements: tuple[Requirement, ...] = ()

    def work_order(self, ref: str, due: date, priority: Priority = Priority.NORMAL) -> WorkOrder:
        """The order as it would be created: the product's current routing and BOM."""
        return WorkOrder(
            ref=ref, customer_code=self.customer.code if self.customer else "",
            product_code=self.product.code, quantity=self.quantity, due_date=due,
            priority=priority, specs=dict(self.specs), bom_version=self.product.current_bom,
            routing_version=self.routing.version,
            operations=[OperationProgress(s.seq, s.name, s.work_center)
                        for s in self.routing.steps])


def find_product(written: str | None, products: Mapping[str, Product]) -> Product | None:
    """By code (any case), else by name: exact, then the closest name above the cutoff."""
    if not written:
        return None
    text = written.strip()
    by_code = {code.upper(): p for code, p in products.items()}
    if text.upper() in by_code:
        return by_code[text.upper()]
    names = {p.name: p for p in products.values()}
    if text in names:
        return names[text]
    hit = process.extractOne(text, list(names), scorer=fuzz.WRatio, score_cutoff=FUZZY_CUTOFF)
    return names[hit[0]] if hit else None


def find_customer(written: str | None, customers: Sequence[Customer]) -> Customer | None:
    if not written:
        return None
    text = written.strip()
    for c in customers:
        if text.upper() == c.code.upper() or text == c.name:
            return c
    contains = [c for c in customers if text in c.name or (len(c.name) >= 2 and c.name in text)]
    if len(contains) == 1:
        return contains[0]
    names = {c.name: c for c in customers}
    hit = process.extractOne(text, list(names), scorer=fuzz.WRatio, score_cutoff=FUZZY_CUTOFF)
    return names[hit[0]] if hit else None


def customers_for(person: Person, customers: Mapping[str, Customer]) -> list[Customer]:
    """The customers `person` may quote or order for."""
    if person.role in (Role.CUSTOMER, Role.SALES):
        return [customers[c] for c in person.customers if c in customers]
    return list(customers.values())


def match_specs(product: Product, written: Sequence[tuple[str, str]]
                ) -> tuple[dict[str, str], tuple[Requirement, ...]]:
    """Each written spec as the product's own option value (胡桃木 -> 胡桃木色).

    What matches no option (a colour the catalogue lacks, a free-text note) is not
    refused: it comes back as a requirement that needs technical confirmation.
    """
    out: dict[str, str] = {}
    unmatched: list[Requirement] = []
    for key, value in written:
        if key not in SPEC_KEYS:
            unmatched.append(Requirement(OTHER, f"{key} {value}".strip()))
            continue
        if key == OTHER:
            option = option_of(product, OTHER, value)
            if option is not None:
                out[known_key(product, option) or key] = option
            else:
                unmatched.append(Requirement(OTHER, value))
            continue
        options = product.spec_options.get(key)
        if not options:
            out[key] = value
            continue
        found = next((o for o in options if normalise_spec(o) == normalise_spec(value)), None)
        if found is None:
            hit = process.extractOne(value, options, scorer=fuzz.WRatio, score_cutoff=85)
            found = hit[0] if hit else None
        if found is None:
            unmatched.append(Requirement(key, value))
        else:
            out[key] = found
    return out, tuple(unmatched)


def check_quantity(quantity: int | None, largest: int) -> Problem | None:
    if quantity is None:
        return Problem("ask_quantity")
    if quantity <= 0:
        return Problem("bad_quantity", {"quantity": str(quantity)})
    limit = min(MAX_QUANTITY, max(largest, 1) * SANE_MULTIPLE)
    if quantity > limit:
        return Problem("absurd_quantity", {"quantity": str(quantity), "limit": str(limit)})
    return None


def scope_customer(person: Person, written: str | None, customers: Mapping[str, Customer],
                   required: bool) -> Customer | None | Problem:
    """The customer the sender orders for: theirs to name, one they may act for.

    A customer contact is always their own customer; naming another is refused
    without saying whether it exists.
    """
    if person.role not in ORDERING_ROLES:
        return Problem("role_cannot_order")
    allowed = customers_for(person, customers)
    if person.role is Role.CUSTOMER:
        own = allowed[0] if allowed else None
        if own is None:
            return Problem("role_cannot_order")
        if written and find_customer(written, [own]) is None:
            return Problem("not_your_customer", {"customer": written})
        return own
    if not written:
        return Problem("ask_customer") if required else None
    found = find_customer(written, allowed)
    if found is not None:
        return found
    if find_customer(written, list(customers.values())) is not None:
        return Problem("not_your_customer", {"customer": written})
    return Problem("unknown_customer", {"customer": written})
