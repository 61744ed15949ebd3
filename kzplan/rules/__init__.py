"""The rule registry, rule packs and the engine; importing this registers every rule family."""

from __future__ import annotations

from kzplan.rules import (  # noqa: F401 - imported to register the rules
    attributes,
    districts,
    geometry,
    hygiene,
    lots,
    national,
    occupancy,
    targets,
)
from kzplan.rules.engine import check
from kzplan.rules.pack import RuleDef, RulePack, available_packs, load_pack
from kzplan.rules.registry import REGISTRY, Hit, Param, rule

__all__ = ["REGISTRY", "Hit", "Param", "RuleDef", "RulePack", "available_packs", "check",
           "load_pack", "rule"]
