"""The requirement specification of an order (需求说明书): versions and their rules.

A new order may ask for things the catalogue does not know: a colour that is
not one of the product's options, an extra treatment, a free-text note ("边角
倒圆"). Such an order is not refused: its card flags them "needs technical
confirmation", and once confirmed the order is created held out of the plan
with version 1 of its requirement specification, pending. A planner,
supervisor or admin then either confirms the latest version or amends it
(version n+1, written and confirmed by them: an amendment is their technical
decision); either releases the order to the plan. Every version is kept.

The functions here are pure: they decide, the use cases (tech.py) store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from core.model.parties import Person, Role
from core.model.products import Product
from core.model.work_order import SPEC_KEYS
from core.ordering.model import Requirement, RequirementStatus, RequirementVersion
from core.variants import normalise_spec

#: Who may confirm or amend requirements: planners and engineers (supervisors), admins.
TECH_ROLES = (Role.PLANNER, Role.SUPERVISOR, Role.ADMIN)
OTHER = "other"


def may_settle(person: Person | None) -> bool:
    return person is not None and person.role in TECH_ROLES


def option_of(product: Product, key: str, value: str) -> str | None:
    """The product's own option for `value` under `key` (any key for "other"), else None."""
    keys = list(product.spec_options) if key == OTHER else [key]
    for k in keys:
        for option in product.spec_options.get(k, ()):
            if normalise_spec(option) == normalise_spec(value):
                return option
    return None


def known_key(product: Product, value: str) -> str | None:
    """The spec key whose options hold `value` (for an "other" item naming an option)."""
    for key, options in product.spec_options.items():
        if any(normalise_spec(o) == normalise_spec(value) for o in options):
            return key
    return None


def classify(product: Product, items: Sequence[tuple[str, str]]) -> tuple[Requirement, ...]:
    """Each written item as a requirement, `known` when it is one of the product's options.

    A key outside the spec keys becomes an "other" note with its key written in.
    """
    out: list[Requirement] = []
    for key, value in items:
        value = value.strip()
        if not value:
            continue
        if key not in SPEC_KEYS:
            out.append(Requirement(OTHER, f"{key} {value}".strip()))
            continue
        option = option_of(product, key, value)
        if option is not None:
            out.append(Requirement(known_key(product, option) or key, option, known=True))
        elif key != OTHER and not product.spec_options.get(key):
            out.append(Requirement(key, value, known=True))  # a key the product leaves open
        else:
            out.append(Requirement(key, value))
    return tuple(out)


def first_version(order_ref: str, items: Sequence[Requirement], by: str, at: datetime,
                  request_ref: str | None, text: str = "") -> RequirementVersion:
    return RequirementVersion(order_ref, 1, tuple(items), by, at, RequirementStatus.PENDING,
                              request_ref, text)


def latest(versions: Sequence[RequirementVersion]) -> RequirementVersion | None:
    return max(versions, key=lambda v: v.version) if versions else None


def refusal(versions: Sequence[RequirementVersion]) -> str | None:
    """Why the requirements cannot be confirmed or amended now; None if they can."""
    last = latest(versions)
    if last is None:
        return "no_requirement"
    if last.status is not RequirementStatus.PENDING:
        return "already_confirmed"
    return None


def confirm(versions: Sequence[RequirementVersion], by: str,
            at: datetime) -> RequirementVersion:
    """The latest version, confirmed by `by` (the caller checked `refusal` first)."""
    last = latest(versions)
    assert last is not None and last.status is RequirementStatus.PENDING
    return replace(last, status=RequirementStatus.CONFIRMED, decided_by=by, decided_at=at)


def amend(versions: Sequence[RequirementVersion], items: Sequence[Requirement], by: str,
          at: datetime, text: str = "") -> tuple[RequirementVersion, RequirementVersion]:
    """(the latest version superseded, version n+1 written and confirmed by `by`)."""
    last = latest(versions)
    assert last is not None and last.status is RequirementStatus.PENDING
    old = replace(last, status=RequirementStatus.SUPERSEDED, decided_by=by, decided_at=at)
    new = RequirementVersion(last.order_ref, last.version + 1, tuple(items), by, at,
                             RequirementStatus.CONFIRMED, last.request_ref, text, by, at)
    return old, new


def specs_and_note(items: Sequence[Requirement]) -> tuple[dict[str, str], str]:
    """What a settled version puts on the order: known options as specs, the rest as a note."""
    specs = {r.key: r.value for r in items if r.known and r.key in SPEC_KEYS and r.key != OTHER}
    note = "; ".join(r.value if r.key == OTHER else f"{r.key}={r.value}"
                     for r in items if not (r.known and r.key in specs))
    return specs, note
