"""Impact of a change request: plan, materials, rework, contract, cost and risk.

Pure functions over plain inputs; nothing is stored, sent or solved here.
"""

from core.impact.assess import assess
from core.impact.card import impact_card_lines
from core.impact.catalog import CATALOG
from core.impact.materials import SupplyContext
from core.impact.plan import PlanContext
from core.impact.types import Impact

__all__ = ["CATALOG", "Impact", "PlanContext", "SupplyContext", "assess", "impact_card_lines"]
