"""Geometry validity and overlaps (GM, OV)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import shapely

from kzplan import messages, schema
from kzplan.rules.engine import Context, feature_label, sentence
from kzplan.rules.registry import Hit, Param, rule

_M2 = Param((int, float), "tolerance in m²", lambda v: v >= 0, "an area in m², ≥ 0")
_LOCATION = re.compile(r"\[\s*(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)\s*\]")
_REASONS = {
    "Self-intersection": messages.both("rules.geometry.reasons.Self-intersection"),
    "Ring Self-intersection": messages.both("rules.geometry.reasons.Ring Self-intersection"),
    "Too few points": messages.both("rules.geometry.reasons.Too few points"),
    "Hole lies outside shell": messages.both("rules.geometry.reasons.Hole lies outside shell"),
    "Nested shells": messages.both("rules.geometry.reasons.Nested shells"),
    "Interior is disconnected": messages.both("rules.geometry.reasons.Interior is disconnected"),
    "Invalid Coordinate": messages.both("rules.geometry.reasons.Invalid Coordinate"),
}


@rule("GM01", placeholders=("reason", "x", "y"))
def invalid(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Every geometry is valid (OGC rules as GEOS implements them); the place is shown."""
    for name in (*schema.PLAN_LAYERS, "districts"):
        frame = ctx.layer(name)
        if frame is None or not len(frame):
            continue
        geoms = frame.geometry.values
        bad = np.flatnonzero(~shapely.is_valid(geoms) & ~shapely.is_missing(geoms))
        for i in bad:
            reason = shapely.is_valid_reason(geoms[i])
            match = _LOCATION.search(reason)
            where = shapely.Point(float(match[1]), float(match[2])) if match else geoms[i]
            text = reason.split("[")[0].strip()
            label, fid = feature_label(frame, int(i))
            yield Hit(layer=name, feature=label, fid=fid, geometry=where, measured=reason,
                      params={"reason": _REASONS.get(text, {"vi": text, "en": text}),
                              "x": f"{where.x:.1f}" if match else "?",
                              "y": f"{where.y:.1f}" if match else "?"})


@rule("GM02")
def empty(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Every feature has a geometry."""
    for name in schema.PLAN_LAYERS:
        frame = ctx.layer(name)
        if frame is None:
            continue
        geoms = frame.geometry.values
        for i in np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms)):
            label, fid = feature_label(frame, int(i))
            yield Hit(layer=name, feature=label, fid=fid)


@rule("GM03", placeholders=("geom_type",))
def not_polygonal(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Every feature of a zone layer is a polygon or multipolygon."""
    for name in schema.PLAN_LAYERS:
        frame = ctx.layer(name)
        if frame is None:
            continue
        geoms = frame.geometry.values
        types = shapely.get_type_id(geoms)
        for i in np.flatnonzero((types != 3) & (types != 6) & ~shapely.is_missing(geoms)
                                & ~shapely.is_empty(geoms)):
            label, fid = feature_label(frame, int(i))
            yield Hit(layer=name, feature=label, fid=fid, geometry=geoms[i],
                      measured=geoms[i].geom_type, params={"geom_type": geoms[i].geom_type})


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    fixed = shapely.make_valid(geoms)
    return np.array([
        g if g is None or g.geom_type in ("Polygon", "MultiPolygon")
        else shapely.union_all([x for x in getattr(g, "geoms", [g])
                                if x.geom_type in ("Polygon", "MultiPolygon")])
        for g in fixed
    ], dtype=object)


@rule("OV01", params={"tolerance_m2": _M2},
      placeholders=("other", "other_layer", "overlap_ha", "other_name", "name"))
def overlaps(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """No two zones or clusters overlap (interior overlap above the tolerance, containment too)."""
    zones = ctx.zones
    if len(zones) < 2:
        return
    geoms = _polygonal(zones.geometry.values)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if not len(left):
        return
    inter = shapely.intersection(geoms[left], geoms[right])
    areas = shapely.area(inter)
    codes = [r["ma"] or f"#{r['fid']}" for _, r in zones.iterrows()]
    for a, b, g, area in zip(left, right, inter, areas, strict=True):
        if area <= p["tolerance_m2"]:
            continue
        ra, rb = zones.iloc[int(a)], zones.iloc[int(b)]
        code_a = ra["ma"] or f"#{ra['fid']}"
        code_b = rb["ma"] or f"#{rb['fid']}"
        yield Hit(layer=ra["layer"], feature=code_a, fid=int(ra["fid"]), geometry=g,
                  measured=round(float(area), 1), expected=p["tolerance_m2"],
                  # the other's code, with its layer and row when that code is not unique
                  key=code_b if codes.count(code_b) == 1
                  else f"{code_b}@{rb['layer']}#{rb['fid']}",
                  params={"other": code_b, "other_layer": rb["layer"], "name": ra["ten"],
                          "other_name": rb["ten"], "overlap_ha": round(float(area) / 1e4, 3)})


@rule("OV02", params={"tolerance_m2": _M2, "members": Param(
    list, "codes of the zones/clusters that belong to the KKT",
    lambda v: all(isinstance(x, str) for x in v), "a list of feature codes")},
      placeholders=("name", "overlap_ha", "kkt", "outside_ha", "detail"))
def kkt_overlap(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Zones and clusters stay out of the KKT, except its own members, which lie inside it."""
    kkt = ctx.layer("kkt")
    zones = ctx.zones
    if kkt is None or not len(kkt) or not len(zones):
        return
    area_kkt = shapely.union_all(_polygonal(kkt.geometry.values))
    kkt_name = kkt["ten"].iloc[0]
    geoms = _polygonal(zones.geometry.values)
    inside = shapely.intersection(geoms, area_kkt)
    in_area = shapely.area(inside)
    for i, row in enumerate(zones.itertuples()):
        code = row.ma or f"#{row.fid}"
        if code in p["members"]:
            outside = shapely.difference(geoms[i], area_kkt)
            out_area = float(shapely.area(outside))
            if out_area > p["tolerance_m2"]:
                yield Hit(layer=row.layer, feature=code, fid=row.fid, geometry=outside,
                          measured=round(out_area / 1e4, 3), expected=0, key="member",
                          params={"name": row.ten, "kkt": kkt_name, "overlap_ha": 0,
                                  "outside_ha": round(out_area / 1e4, 3),
                                  "detail": sentence("geometry.kkt_outside", kkt=kkt_name, ha=out_area / 1e4)})
        elif in_area[i] > p["tolerance_m2"]:
            yield Hit(layer=row.layer, feature=code, fid=row.fid, geometry=inside[i],
                      measured=round(float(in_area[i]) / 1e4, 3), expected=0, key="intrusion",
                      params={"name": row.ten, "kkt": kkt_name,
                              "overlap_ha": round(float(in_area[i]) / 1e4, 3), "outside_ha": 0,
                              "detail": sentence("geometry.kkt_inside", kkt=kkt_name, ha=float(in_area[i]) / 1e4)})

