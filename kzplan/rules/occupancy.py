"""Occupancy and wastewater targets for established zones and clusters (OC, WW)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kzplan import messages
from kzplan.rules.engine import Context
from kzplan.rules.registry import Hit, Param, rule
from kzplan.rules.summary import occupancy_target

_STATUSES = Param(list, "statuses the rule applies to",
                  lambda v: set(v) <= {"quy_hoach", "thanh_lap", "hoat_dong"},
                  "a list of quy_hoach / thanh_lap / hoat_dong")

_PROGRESS = messages.raw("occupancy.progress")
_BELOW = messages.raw("occupancy.below")


@rule(
    "OC01",
    params={
        "targets": Param(dict, "occupancy targets {year: percent}",
                         lambda v: all(str(k).isdigit() and 0 <= x <= 100 for k, x in v.items()),
                         "a table such as { 2025 = 60, 2030 = 90 }"),
        "statuses": _STATUSES,
    },
    placeholders=("name", "year", "target", "gap", "status"),
)
def occupancy(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Established zones and clusters reach the occupancy target in force (60 % 2025, 90 % 2030).

    Before the first target year, each one's progress toward it is reported as info.
    """
    year, target, next_year, next_target = occupancy_target(ctx)
    zones = ctx.zones
    for row in zones.itertuples():
        if row.trang_thai not in p["statuses"] or row.lap_day != row.lap_day or row.lap_day is None:
            continue
        occ = float(row.lap_day)
        if target is not None and occ < target:
            yield Hit(layer=row.layer, feature=row.ma or f"#{row.fid}", fid=row.fid,
                      geometry=row.geometry, measured=occ, expected=target,
                      params={"name": row.ten, "year": year, "target": target,
                              "gap": round(target - occ, 1), "status": _BELOW})
        elif target is None and next_target is not None and occ < next_target:
            yield Hit(layer=row.layer, feature=row.ma or f"#{row.fid}", fid=row.fid,
                      geometry=row.geometry, measured=occ, expected=next_target, severity="info",
                      params={"name": row.ten, "year": next_year, "target": next_target,
                              "gap": round(next_target - occ, 1), "status": _PROGRESS})


@rule("OC02", params={"statuses": _STATUSES}, placeholders=("name", "status"))
def occupancy_missing(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Every established zone or cluster has an occupancy figure."""
    for row in ctx.zones.itertuples():
        if row.trang_thai in p["statuses"] and (row.lap_day is None or row.lap_day != row.lap_day):
            yield Hit(layer=row.layer, feature=row.ma or f"#{row.fid}", fid=row.fid,
                      geometry=row.geometry, params={"name": row.ten, "status": row.trang_thai})


def _wastewater(ctx: Context, status: str, values: tuple[Any, ...]) -> Iterator[Hit]:
    for row in ctx.zones.itertuples():
        value = row.xlnt if isinstance(row.xlnt, str) else None
        if row.trang_thai == status and value in values:
            yield Hit(layer=row.layer, feature=row.ma or f"#{row.fid}", fid=row.fid,
                      geometry=row.geometry, measured=value, expected="co",
                      params={"name": row.ten})


@rule("WW01", placeholders=("name",))
def operating_without_plant(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """No zone or cluster operates without a centralised wastewater plant meeting the standard."""
    yield from _wastewater(ctx, "hoat_dong", ("khong",))


@rule("WW02", placeholders=("name",))
def operating_plant_unknown(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """An operating zone or cluster says whether it has a wastewater plant."""
    yield from _wastewater(ctx, "hoat_dong", (None,))


@rule("WW03", placeholders=("name",))
def established_without_plant(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """An established zone or cluster gets its wastewater plant before it starts operating."""
    yield from _wastewater(ctx, "thanh_lap", ("khong", None))

