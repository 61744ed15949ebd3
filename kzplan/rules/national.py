"""Conditions national decrees set on the plan as a whole, unit by unit (CN)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd

from kzplan.rules.engine import Context, sentence
from kzplan.rules.registry import Hit, Param, rule
from kzplan.rules.summary import ESTABLISHED, established_at

_PCT = Param((int, float), "a percentage", lambda v: 0 <= v <= 100, "a percentage, 0–100")
_HA = Param((int, float), "an area in ha", lambda v: v >= 0, "an area in ha, ≥ 0")




def _unit_name(ctx: Context, code: str) -> str:
    unit = ctx.plan.definition.unit(code)
    return unit.name if unit is not None else code


def _average_occupancy(existing: pd.DataFrame) -> float | None:
    """The average ``lap_day`` of the unit's established clusters; None when one lacks it."""
    values = pd.to_numeric(existing["lap_day"], errors="coerce")
    if not len(values) or values.isna().any():
        return None
    return float(values.mean())


def _unleased_ha(ctx: Context, existing: pd.DataFrame) -> float | None:
    """The industrial land not leased in the unit's established clusters, measured on the lots;
    None unless every one of them has lots."""
    occ = ctx.lot_occupancy
    if occ is None or not len(occ) or not {"cn_ha", "leased_ha"} <= set(occ.columns):
        return None
    codes = [str(c) for c in existing["ma"]]
    index = {str(c) for c in occ.index}
    if not codes or any(c not in index for c in codes):
        return None
    rows = occ.loc[[c for c in occ.index if str(c) in set(codes)]]
    unleased = (rows["cn_ha"].astype(float) - rows["leased_ha"].astype(float)).clip(lower=0)
    return None if unleased.isna().any() else float(unleased.sum())


@rule("CN08", params={"min_occupancy_pct": _PCT, "max_unleased_ha": _HA},
      placeholders=("name", "detail"))
def new_cluster_condition(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """A new cluster (status ``quy_hoach``) in a unit that already has established clusters only
    where those are on average more than ``min_occupancy_pct`` occupied (``lap_day``) or hold at
    most ``max_unleased_ha`` of unleased industrial land (measured on the lots, when every one of
    them has lots). A planned cluster failing the branches that can be evaluated is a warning; a
    unit where neither can be evaluated gets an info finding: never a silent pass."""
    zones = ctx.zones
    if not len(zones) or "ma_huyen" not in zones:
        return
    ccn = zones[zones["layer"] == "ccn"]
    limit, max_ha = float(p["min_occupancy_pct"]), float(p["max_unleased_ha"])
    for unit in ctx.plan.definition.units:
        here = ccn[ccn["ma_huyen"] == unit.code]
        planned = here[here["trang_thai"] == "quy_hoach"]
        mask = [established_at(r, ctx.as_of, ESTABLISHED) for r in here.itertuples()]
        existing = here[mask] if len(here) else here
        if not len(planned) or not len(existing):  # no established cluster: no condition
            continue
        avg, unleased = _average_occupancy(existing), _unleased_ha(ctx, existing)
        if (avg is not None and avg > limit) or (unleased is not None and unleased <= max_ha):
            continue
        district = _unit_name(ctx, unit.code)
        if avg is None:  # the occupancy branch cannot be evaluated, the other does not hold
            land = (sentence("cn08.unleased", unleased=round(unleased, 2), max_ha=max_ha)
                    if unleased is not None else sentence("cn08.unleased_not_checked", max_ha=max_ha))
            yield Hit(layer="ccn", feature=unit.code, key=f"unchecked:{unit.code}",
                      severity="info", params={"name": district, "detail": sentence(
                          "cn08.not_checked", land=land, count=len(existing), district=district)})
            continue
        land = (sentence("cn08.unleased", unleased=round(unleased, 2), max_ha=max_ha)
                if unleased is not None else sentence("cn08.unleased_not_checked", max_ha=max_ha))
        for row in planned.itertuples():
            code = row.ma if isinstance(row.ma, str) and row.ma else f"#{row.fid}"
            yield Hit(layer="ccn", feature=code, fid=row.fid,
                      geometry=row.geometry, measured=round(avg, 1), expected=limit,
                      params={"name": row.ten, "detail": sentence(
                          "cn08.below", avg=round(avg, 1), limit=limit, count=len(existing),
                          district=district, land=land)})
