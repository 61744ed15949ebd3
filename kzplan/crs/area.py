"""The fit of a layer to the plan's area: does it fall inside the plan's extent, and how far out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kzplan.crs._common import Bounds, _geodesic_km
from kzplan.plandef import load_plandef

if TYPE_CHECKING:
    from kzplan.plandef import PlanDef


def plan_or_default(plan: PlanDef | None) -> PlanDef:
    """``plan``, or the default plan's definition."""
    return plan if plan is not None else load_plandef()


def fits(lonlat: Bounds | None, plan: PlanDef) -> bool:
    """True when ``lonlat`` lies inside the plan's extent widened by its margin."""
    if lonlat is None:
        return False
    w, s, e, n = plan.extent
    m = plan.margin_deg
    return lonlat[0] >= w - m and lonlat[2] <= e + m and lonlat[1] >= s - m and lonlat[3] <= n + m


def beyond_km(lonlat: Bounds, plan: PlanDef) -> float:
    """How far the corners of ``lonlat`` reach beyond the plan's extent, at most (km)."""
    w, s, e, n = plan.extent
    worst = 0.0
    for lon in (lonlat[0], lonlat[2]):
        for lat in (lonlat[1], lonlat[3]):
            inside = (min(max(lon, w), e), min(max(lat, s), n))
            worst = max(worst, _geodesic_km(inside, (lon, lat))[0])
    return worst


def province(plan: PlanDef) -> dict[str, str]:
    """The plan's province name in both languages (for messages)."""
    return dict(plan.province)
