"""Products with versioned BOMs and routings.

A version is immutable once an order is released with it: a change that needs
different materials or steps makes a new version, so what was built stays
explainable.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from core.errors import ValidationError


@dataclass(frozen=True, slots=True)
class BomLine:
    item_code: str
    qty_per: float  # per unit of product
    scrap_rate: float = 0.0
    spec_key: str | None = None  # e.g. "color": this line's item follows the order's colour


@dataclass(frozen=True, slots=True)
class BomChange:
    item_code: str
    old_qty_per: float
    new_qty_per: float


@dataclass(slots=True)
class Bom:
    product_code: str
    version: int
    lines: tuple[BomLine, ...]
    locked: bool = False  # an order uses it

    def requirement(self, quantity: float) -> dict[str, float]:
        """Material need for `quantity` units, scrap allowance included."""
        need: dict[str, float] = {}
        for line in self.lines:
            need[line.item_code] = need.get(line.item_code, 0.0) + (
                line.qty_per * quantity * (1 + line.scrap_rate)
            )
        return need

    def revise(self, lines: tuple[BomLine, ...]) -> Bom:
        """A new version with other lines; the old one stays as it was."""
        return Bom(self.product_code, self.version + 1, lines)

    def diff(self, other: Bom) -> list[BomChange]:
        old = {ln.item_code: ln.qty_per for ln in self.lines}
        new = {ln.item_code: ln.qty_per for ln in other.lines}
        return [
            BomChange(code, old.get(code, 0.0), new.get(code, 0.0))
            for code in sorted(old.keys() | new.keys())
            if old.get(code, 0.0) != new.get(code, 0.0)
        ]


@dataclass(frozen=True, slots=True)
class RoutingStep:
    """One operation of a routing.

    An outsourced step (plating, say) has a lead time in days and uses none of
    our capacity.
    """

    seq: int
    name: str
    work_center: str
    setup_minutes: int = 0
    minutes_per_unit: float = 0.0
    outsourced: bool = False
    lead_days: int = 0

    def minutes_for(self, quantity: int) -> int:
        return int(round(self.setup_minutes + self.minutes_per_unit * quantity))


@dataclass(slots=True)
class Routing:
    product_code: str
    version: int
    steps: tuple[RoutingStep, ...]
    locked: bool = False

    def __post_init__(self) -> None:
        seqs = [s.seq for s in self.steps]
        if seqs != sorted(set(seqs)):
            raise ValidationError(
                f"routing {self.product_code} v{self.version}: steps out of order"
            )

    def step_named(self, name: str) -> RoutingStep | None:
        return next((s for s in self.steps if s.name == name), None)

    def with_step_added(
        self,
        step_name: str,
        work_center: str,
        after: str | None,
        setup_minutes: int = 20,
        minutes_per_unit: float = 1.0,
    ) -> Routing:
        steps = list(self.steps)
        pos = len(steps)
        if after is not None:
            idx = next((i for i, s in enumerate(steps) if s.name == after), None)
            if idx is not None:
                pos = idx + 1
        steps.insert(pos, RoutingStep(0, step_name, work_center, setup_minutes, minutes_per_unit))
        return self._renumbered(steps)

    def with_step_removed(self, step_name: str) -> Routing:
        steps = [s for s in self.steps if s.name != step_name]
        if len(steps) == len(self.steps):
            raise ValidationError(f"routing {self.product_code} has no step {step_name}")
        return self._renumbered(steps)

    def _renumbered(self, steps: list[RoutingStep]) -> Routing:
        return Routing(
            self.product_code,
            self.version + 1,
            tuple(replace(s, seq=(i + 1) * 10) for i, s in enumerate(steps)),
        )


@dataclass(slots=True)
class Product:
    code: str
    name: str
    family: str = ""  # "furniture" | "sheet-metal"
    unit_price: float = 0.0
    current_bom: int = 1
    current_routing: int = 1
    spec_options: dict[str, list[str]] = field(default_factory=dict)
