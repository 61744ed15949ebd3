"""Per-district allocation and containment (DT, PV)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from kzplan import messages, schema
from kzplan._format import fmt_number
from kzplan.rules.engine import Context, feature_label
from kzplan.rules.registry import Hit, Param, rule
from kzplan.rules.summary import district_minimums

_M2 = Param((int, float), "tolerance in m²", lambda v: v >= 0, "an area in m², ≥ 0")


def _district_geom(ctx: Context, code: str) -> shapely.Geometry | None:
    return ctx.district_geoms.get(code)


def _name(ctx: Context, code: str) -> str:
    t = ctx.districts_table
    sel = t[t["ma_huyen"] == code]
    return str(sel["ten"].iloc[0]) if len(sel) else code


@rule("DT01", placeholders=("district", "code"))
def min_clusters(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Every unit has at least the plan's minimum number of clusters (``min_ccn`` in the plan's
    units.csv)."""
    ccn = ctx.layer("ccn")
    counts = ccn["ma_huyen"].value_counts().to_dict() if ccn is not None else {}
    for code, minimum in district_minimums(ctx).items():
        n = int(counts.get(code, 0))
        if n < minimum:
            yield Hit(layer="ccn", feature=code, measured=n, expected=minimum, key=code,
                      geometry=_district_geom(ctx, code),
                      params={"district": _name(ctx, code), "code": code})


@rule("DT02", placeholders=("district", "code"))
def exact_allocation(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Units the plan allocates at most ``max_ccn`` clusters (the plan's units.csv) have no more."""
    ccn = ctx.layer("ccn")
    counts = ccn["ma_huyen"].value_counts().to_dict() if ccn is not None else {}
    for unit in ctx.plan.definition.units:
        n = int(counts.get(unit.code, 0))
        code = unit.code
        if unit.max_ccn is not None and n > unit.max_ccn:
            yield Hit(layer="ccn", feature=code, measured=n, expected=unit.max_ccn, key=code,
                      geometry=_district_geom(ctx, code),
                      params={"district": _name(ctx, code), "code": code})


def communes_basis(ctx: Context) -> str:
    """The resolution that arranged the commune-level units (plan.toml
    ``[province.successor] communes_basis``), or ""."""
    import tomllib

    data = tomllib.loads((ctx.plan.definition.folder / "plan.toml").read_text("utf-8"))
    return str(data.get("province", {}).get("successor", {}).get("communes_basis", ""))


def commune_lookup(ctx: Context) -> dict[str, tuple[str, str]]:
    """The plan's lookup from the commune-level units in force since 1 July 2025 to the pre-2025
    district-level unit each was formed from (``communes_2025.csv`` in the plan's folder, when
    the plan ships one): ``{code or name: (name, district code)}``."""
    import csv

    path = ctx.plan.definition.folder / "communes_2025.csv"
    if not path.is_file():
        return {}
    out: dict[str, tuple[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            entry = (row["ten_xa"], row["ma_huyen"])
            out[row["ma_xa"]] = entry
            out[row["ten_xa"].casefold()] = entry
    return out


@rule("DT03", placeholders=("code", "known", "hint"))
def unknown_district(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Every zone, cluster and the KKT names a district-level unit of the province; a code or
    name of a post-2025 commune-level unit is pointed to the old district it was formed from."""
    known = set(ctx.districts_table["ma_huyen"].astype(str))
    lookup = commune_lookup(ctx)
    for name in schema.PLAN_LAYERS:
        frame = ctx.layer(name)
        if frame is None:
            continue
        for i, code in enumerate(frame["ma_huyen"]):
            if code not in known:
                label, fid = feature_label(frame, i)
                yield Hit(layer=name, feature=label, fid=fid, geometry=frame.geometry.iloc[i],
                          measured=code, expected=sorted(known),
                          params={"code": code, "known": ", ".join(sorted(known)),
                                  "hint": _commune_hint(ctx, lookup, code)})


def _commune_hint(ctx: Context, lookup: Mapping[str, tuple[str, str]], code: Any
                  ) -> dict[str, str]:
    entry = lookup.get(str(code).strip()) or lookup.get(str(code).strip().casefold())
    if entry is None:
        return {"vi": "", "en": ""}
    name, district = entry
    return messages.both("rules.districts.commune_hint", commune=name,
                         district=_name(ctx, district), code=district, basis=communes_basis(ctx))


@rule("DT04", params={"tolerance_m2": _M2},
      placeholders=("district", "code", "outside_ha", "sides", "where"))
def district_containment(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Each zone and cluster lies inside the district it names (needs district boundaries)."""
    bounds = ctx.boundaries
    if bounds is None:
        # Not checked, and every report says so with what to supply (a plan-level notice).
        yield Hit(severity="info", key="not_checked", params={
            "notice": messages.both("rules.not_checked.no_boundaries"),
            "notice_fix": messages.both("rules.not_checked.no_boundaries_fix")})
        return
    names = {str(r.ma_huyen): str(r.ten or r.ma_huyen) for r in bounds.itertuples()}
    bgeoms = shapely.make_valid(bounds.geometry.values)
    bcodes = bounds["ma_huyen"].astype(str).to_numpy()
    tree = shapely.STRtree(bgeoms)
    for name in schema.PLAN_LAYERS:
        frame = ctx.layer(name)
        if frame is None or not len(frame):
            continue
        geoms = shapely.make_valid(frame.geometry.values)
        own = frame["ma_huyen"].astype(str).to_numpy()
        left, right = tree.query(geoms, predicate="intersects")
        inter = shapely.area(shapely.intersection(geoms[left], bgeoms[right]))
        inside = np.zeros(len(frame))
        np.add.at(inside, left, np.where(bcodes[right] == own[left], inter, 0.0))
        outside = shapely.area(geoms) - inside
        flagged = np.flatnonzero((outside > p["tolerance_m2"]) & np.isin(own, list(names)))
        if not len(flagged):
            continue
        own_geoms = np.array([ctx.district_geoms[c] for c in own[flagged]], dtype=object)
        wheres = shapely.difference(geoms[flagged], own_geoms)
        for i, where in zip(flagged, wheres, strict=True):
            sel = left == i
            sides: dict[str, float] = {}
            for code, a in zip(bcodes[right[sel]], inter[sel], strict=True):
                sides[code] = sides.get(code, 0.0) + float(a)
            label, fid = feature_label(frame, int(i))
            code = own[i]
            # Each side's area written each language's way (1.234,50 ha in Vietnamese).
            sides_txt = {lang: "; ".join(f"{names.get(c, c)}: {fmt_number(v / 10_000, lang, 2)} ha"
                                         for c, v in sorted(sides.items(), key=lambda kv: -kv[1]))
                         for lang in messages.LANGS}
            others = [c for c in sides if c != code and sides[c] > p["tolerance_m2"]]
            yield Hit(
                layer=name, feature=label, fid=fid, geometry=where,
                measured={c: round(v / 10_000, 4) for c, v in sides.items()}, expected=code,
                key=",".join(sorted(others)),
                params={"district": names.get(code, code), "code": code,
                        "outside_ha": round(float(outside[i]) / 10_000, 2),
                        "sides": {lang: t or "-" for lang, t in sides_txt.items()},
                        "where": ", ".join(names.get(c, c) for c in others) or "-"},
            )


@rule("PV01", params={"tolerance_m2": _M2, "margin_deg": Param(
    (int, float), "margin around the province's bounding box in degrees", lambda v: v >= 0,
    "≥ 0")}, placeholders=("outside_ha",))
def province_containment(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Everything lies inside the province (boundaries when configured, else its bounding box)."""
    province = ctx.province
    for name in schema.PLAN_LAYERS:
        frame = ctx.layer(name)
        if frame is None or not len(frame):
            continue
        geoms = shapely.make_valid(frame.geometry.values)
        if province is not None:
            area = province
        else:
            w, s, e, n = ctx.plan.definition.extent
            m = p["margin_deg"]
            box = gpd.GeoSeries([shapely.box(w - m, s - m, e + m, n + m)], crs="EPSG:4326")
            area = box.to_crs(frame.crs).iloc[0]
        shapely.prepare(area)
        # Only features not wholly covered need the (costly) difference.
        outside = np.full(len(geoms), None, dtype=object)
        todo = np.flatnonzero(~shapely.covers(area, geoms) & ~shapely.is_missing(geoms))
        outside[todo] = shapely.difference(geoms[todo], area)
        areas = np.zeros(len(geoms))
        areas[todo] = shapely.area(outside[todo])
        for i in np.flatnonzero(areas > p["tolerance_m2"]):
            label, fid = feature_label(frame, int(i))
            yield Hit(layer=name, feature=label, fid=fid, geometry=outside[i],
                      measured=round(float(areas[i]) / 10_000, 2), expected=0,
                      params={"outside_ha": round(float(areas[i]) / 10_000, 2)})
