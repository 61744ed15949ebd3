"""Lot checks (LT): occupancy declared against the lots, lots against their zones, lot geometry.

The measurements come from :class:`~kzplan.rules.engine.Context` (``lot_geometry``,
``lot_occupancy``), computed once, in memory or on dask; the rules only turn them into hits.
Invalid lots are reported by LT05 and left out of LT02 and LT06 (and of occupancy).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import shapely

from kzplan import messages, schema
from kzplan.rules.engine import Context
from kzplan.rules.registry import Hit, Param, rule

LAYER = "lo_dat"
_M2 = Param((int, float), "tolerance in m²", lambda v: v >= 0, "an area in m², ≥ 0")
_PCT = Param((int, float), "tolerance in %", lambda v: v >= 0, "a percentage, ≥ 0")
_LOCATION = re.compile(r"\[\s*(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)\s*\]")
_KINDS = {
    "missing": messages.both("rules.lots.missing_geometry"),
    "not_polygon": messages.both("rules.lots.not_polygon"),
}


def _labels(ctx: Context) -> np.ndarray:
    """Each lot's name in findings: its code, else ``#row``."""
    lots = ctx.lots
    if "lot_labels" not in ctx.cache:
        codes = lots["ma_lo"].to_numpy(dtype=object)
        rows = np.arange(1, len(lots) + 1)
        ctx.cache["lot_labels"] = np.array(
            [c if isinstance(c, str) and c else f"#{r}" for c, r in zip(codes, rows, strict=True)],
            dtype=object)
    return ctx.cache["lot_labels"]


def _hit(ctx: Context, i: int, **kw: Any) -> Hit:
    return Hit(layer=LAYER, feature=str(_labels(ctx)[i]), fid=int(i) + 1, **kw)


@rule("LT01", params={"tolerance_pp": Param((int, float), "tolerance in percentage points",
                                            lambda v: v >= 0, "percentage points, ≥ 0")},
      placeholders=("name", "declared", "lots_pct", "diff", "lots"))
def declared_occupancy(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """A zone's declared occupancy (lap_day) agrees with the one measured on its lots."""
    occ = ctx.lot_occupancy
    if not len(occ):
        return
    zones = ctx.zones
    for row in zones.itertuples():
        if row.ma not in occ.index or row.lap_day is None or row.lap_day != row.lap_day:
            continue
        measured = occ.at[row.ma, "occupancy_pct"]
        if measured != measured:
            continue
        diff = abs(float(row.lap_day) - float(measured))
        if diff > p["tolerance_pp"]:
            yield Hit(layer=row.layer, feature=row.ma, fid=int(row.fid), geometry=row.geometry,
                      measured=round(float(measured), 1), expected=float(row.lap_day),
                      params={"name": row.ten, "declared": float(row.lap_day),
                              "lots_pct": round(float(measured), 1), "diff": round(diff, 1),
                              "lots": int(occ.at[row.ma, "lots"])})


@rule("LT02", params={"tolerance_m2": _M2}, placeholders=("zone", "outside_ha", "outside_pct"))
def outside_zone(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Every lot lies inside the zone or cluster it names (valid lots only)."""
    geo = ctx.lot_geometry
    if geo is None:
        return
    lots = ctx.lots
    ha = lots["dt_do_ha"].to_numpy()
    codes = lots["ma_khu"].to_numpy(dtype=object)
    geoms = np.asarray(lots.geometry.array, dtype=object)
    for i, out, total in zip(geo.out_row, geo.out_area, geo.out_total, strict=True):
        if out <= p["tolerance_m2"]:
            continue
        share = out / total if total > 0 else 1.0
        zone = ctx.lot_zones[codes[i]]
        yield _hit(ctx, int(i), geometry=shapely.difference(geoms[i], zone),
                   measured=round(float(share * ha[i]), 4), expected=0, key=str(codes[i]),
                   params={"zone": codes[i], "outside_ha": round(float(share * ha[i]), 4),
                           "outside_pct": round(float(share * 100), 1)})


@rule("LT03", placeholders=("zone",))
def unknown_zone(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Every lot names a zone or cluster of the plan (ma_khu)."""
    lots = ctx.lots
    if lots is None:
        return
    known = set(ctx.zones["ma"].dropna()) if len(ctx.zones) else set()
    codes = lots["ma_khu"]
    geoms = np.asarray(lots.geometry.array, dtype=object)
    for i in np.flatnonzero(~codes.isin(known).to_numpy()):
        code = codes.iloc[i]
        yield _hit(ctx, int(i), geometry=geoms[i], measured=code, key=str(code),
                   params={"zone": code if isinstance(code, str) else "-"})


@rule("LT04", params={"tolerance_pct": _PCT}, placeholders=("pct",))
def declared_area(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """A lot's declared area (dt_ha), where given, matches its measured (equal-area) area."""
    lots = ctx.lots
    if lots is None:
        return
    declared = lots["dt_ha"].to_numpy(dtype=float)
    measured = lots["dt_do_ha"].to_numpy(dtype=float)
    ok = ctx.lot_usable
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.abs(measured - declared) / declared * 100
    bad = np.flatnonzero(ok & ~np.isnan(declared) & (declared > 0) & (pct > p["tolerance_pct"]))
    geoms = np.asarray(lots.geometry.array, dtype=object)
    for i in bad:
        yield _hit(ctx, int(i), geometry=geoms[i], measured=round(float(measured[i]), 4),
                   expected=float(declared[i]), params={"pct": round(float(pct[i]), 1)})


@rule("LT05", placeholders=("reason", "x", "y"))
def invalid_lot(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Every lot is a valid polygon (OGC rules as GEOS implements them); the place is shown.
    Invalid lots are left out of the overlap, containment and occupancy steps."""
    geo = ctx.lot_geometry
    if geo is None:
        return
    from kzplan.rules.geometry import _REASONS

    geoms = np.asarray(ctx.lots.geometry.array, dtype=object)
    for i in geo.invalid:
        reason = shapely.is_valid_reason(geoms[i])
        match = _LOCATION.search(reason)
        where = shapely.Point(float(match[1]), float(match[2])) if match else geoms[i]
        text = reason.split("[")[0].strip()
        yield _hit(ctx, int(i), geometry=where, measured=reason, key="invalid",
                   params={"reason": _REASONS.get(text, {"vi": text, "en": text}),
                           "x": f"{where.x:.1f}" if match else "?",
                           "y": f"{where.y:.1f}" if match else "?"})
    types = shapely.get_type_id(geoms[geo.unusable]) if len(geo.unusable) else []
    for i, kind in zip(geo.unusable, types, strict=True):
        missing = shapely.is_missing(geoms[i]) or shapely.is_empty(geoms[i])
        key = "missing" if missing or kind < 0 else "not_polygon"
        yield _hit(ctx, int(i), geometry=None if missing else geoms[i], key=key,
                   measured=None if missing else geoms[i].geom_type,
                   params={"reason": _KINDS[key], "x": "?", "y": "?"})


@rule("LT06", params={"tolerance_m2": _M2}, placeholders=("other", "overlap_m2"))
def lot_overlaps(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """No two lots overlap (interior overlap above the tolerance; valid lots only)."""
    geo = ctx.lot_geometry
    if geo is None:
        return
    labels = _labels(ctx)
    geoms = np.asarray(ctx.lots.geometry.array, dtype=object)
    big = geo.pair_area > p["tolerance_m2"]
    a, b, area = geo.pair_a[big], geo.pair_b[big], geo.pair_area[big]
    inter = shapely.intersection(geoms[a], geoms[b]) if len(a) else []
    for i, j, g, m2 in zip(a, b, inter, area, strict=True):
        yield _hit(ctx, int(i), geometry=g, measured=round(float(m2), 1),
                   expected=p["tolerance_m2"], key=str(labels[j]),
                   params={"other": labels[j], "overlap_m2": round(float(m2), 1)})


@rule("LT07", placeholders=("field", "value", "allowed"))
def lot_domains(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Every lot has a land use (loai_dat) and a lease status (thue) from their lists."""
    lots = ctx.lots
    if lots is None:
        return
    for field in ("loai_dat", "thue"):
        domain = schema.field_map(LAYER)[field].domain or ()
        values = lots[field]
        for i in np.flatnonzero(~values.isin(domain).to_numpy()):
            value = values.iloc[i]
            yield _hit(ctx, int(i), measured=value, key=field,
                       params={"field": field, "value": value if isinstance(value, str) else "-",
                               "allowed": ", ".join(domain)})
