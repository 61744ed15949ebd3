"""What the lot rules measure, vectorised with shapely 2: which lots are usable geometries, which
pairs overlap (STRtree), how much of each lot lies outside the zone it names, and the occupancy
and land-use shares of each zone from the lots' equal-area areas.

Invalid, empty and non-polygonal lots are reported by the rules and left out of every step that
intersects geometries (GEOS raises ``TopologyException`` on them), so they never stop a run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from kzplan import schema

ENGINES = ("memory", "dask")


@dataclass(frozen=True)
class LotGeometry:
    """The geometric facts the LT rules report, as arrays of row positions in the lot layer."""

    #: Row positions of present, non-empty, polygonal but invalid lots.
    invalid: np.ndarray
    #: Row positions of missing or empty lots, and of lots that are not polygons.
    unusable: np.ndarray
    #: Overlapping pairs (first < second, row positions) and their intersection areas (m²,
    #: in the plan's CRS).
    pair_a: np.ndarray
    pair_b: np.ndarray
    pair_area: np.ndarray
    #: Lots not covered by the zone they name: row position, planar area outside (m²) and the
    #: lot's planar area (m²).
    out_row: np.ndarray
    out_area: np.ndarray
    out_total: np.ndarray


def usable(geoms: np.ndarray) -> np.ndarray:
    """Mask of lots whose geometry is present, non-empty, polygonal and valid."""
    types = shapely.get_type_id(geoms)
    shaped = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms) & ((types == 3) | (types == 6))
    ok = np.zeros(len(geoms), dtype=bool)
    ok[shaped] = shapely.is_valid(geoms[shaped])
    return ok


def overlap_pairs(geoms: np.ndarray, rows: np.ndarray, others: np.ndarray | None = None,
                  other_rows: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of lots whose interiors overlap, as (row a < row b, area m²).

    With ``others``, pairs between ``geoms`` and ``others`` (two partitions); without, pairs
    within ``geoms``. Pairs with no interior overlap have an intersection area of 0 and are kept
    (the rules apply their tolerance); the ones that cannot overlap are dropped first.
    """
    tree_geoms = geoms if others is None else others
    tree_rows = rows if other_rows is None else other_rows
    tree = shapely.STRtree(tree_geoms)
    left, right = tree.query(geoms, predicate="intersects")
    ra, rb = rows[left], tree_rows[right]
    keep = ra < rb if others is None else ra != rb
    left, right, ra, rb = left[keep], right[keep], ra[keep], rb[keep]
    if not len(left):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    # Interiors can only overlap where the bounding boxes overlap with an area: neighbours that
    # share an edge or a corner of their boxes are dropped before any intersection is computed.
    box_a, box_b = shapely.bounds(geoms[left]), shapely.bounds(tree_geoms[right])
    inner = ((np.minimum(box_a[:, 2], box_b[:, 2]) > np.maximum(box_a[:, 0], box_b[:, 0]))
             & (np.minimum(box_a[:, 3], box_b[:, 3]) > np.maximum(box_a[:, 1], box_b[:, 1])))
    a, b = geoms[left[inner]], tree_geoms[right[inner]]
    ra, rb = ra[inner], rb[inner]
    areas = shapely.area(shapely.intersection(a, b))
    keep = areas > 0
    ra, rb, areas = ra[keep], rb[keep], areas[keep]
    first, second = np.minimum(ra, rb), np.maximum(ra, rb)
    return first.astype(np.int64), second.astype(np.int64), areas


def outside_named_zone(geoms: np.ndarray, codes: np.ndarray, rows: np.ndarray,
                       zones: Mapping[str, shapely.Geometry]
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lots not covered by the zone they name: (row, area outside m², lot area m²)."""
    out_rows, out_area, out_total = [], [], []
    for code, zone in zones.items():
        mine = codes == code
        if not mine.any():
            continue
        shapely.prepare(zone)
        g, r = geoms[mine], rows[mine]
        loose = ~shapely.covers(zone, g)
        if not loose.any():
            continue
        g, r = g[loose], r[loose]
        outside = shapely.area(shapely.difference(g, zone))
        out_rows.append(r)
        out_area.append(outside)
        out_total.append(shapely.area(g))
    if not out_rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
    order = np.argsort(np.concatenate(out_rows), kind="stable")
    return (np.concatenate(out_rows)[order].astype(np.int64), np.concatenate(out_area)[order],
            np.concatenate(out_total)[order])


def zone_geometries(zones: pd.DataFrame) -> dict[str, shapely.Geometry]:
    """Zone code -> its (made valid) polygonal outline; codes that appear twice are united."""
    if not len(zones):
        return {}
    geoms = shapely.make_valid(zones.geometry.values)
    codes = zones["ma"].to_numpy()
    out = {}
    for code in dict.fromkeys(c for c in codes if isinstance(c, str)):
        parts = [g for g in geoms[codes == code] if g is not None]
        out[code] = shapely.union_all(parts)
    return out


def geometry_checks(lots: pd.DataFrame, zones: Mapping[str, shapely.Geometry]) -> LotGeometry:
    """Every geometric lot check, in memory."""
    geoms = lots.geometry.values
    arr = np.asarray(geoms, dtype=object) if not isinstance(geoms, np.ndarray) else geoms
    arr = np.asarray(lots.geometry.array, dtype=object)
    types = shapely.get_type_id(arr)
    shaped = ~shapely.is_missing(arr) & ~shapely.is_empty(arr) & ((types == 3) | (types == 6))
    ok = np.zeros(len(arr), dtype=bool)
    ok[shaped] = shapely.is_valid(arr[shaped])
    rows = np.flatnonzero(ok)
    good = arr[rows]
    a, b, area = overlap_pairs(good, rows)
    order = np.lexsort((b, a))
    codes = lots["ma_khu"].to_numpy(dtype=object)[rows]
    out = outside_named_zone(good, codes, rows, zones)
    return LotGeometry(invalid=np.flatnonzero(shaped & ~ok), unusable=np.flatnonzero(~shaped),
                       pair_a=a[order], pair_b=b[order], pair_area=area[order],
                       out_row=out[0], out_area=out[1], out_total=out[2])


def occupancy(lots: pd.DataFrame, ok: np.ndarray, zones: pd.DataFrame) -> pd.DataFrame:
    """Per zone or cluster with lots (index ``ma``): lots counted and left out, areas by land use
    (equal-area ha, from ``dt_do_ha``), leased industrial land, occupancy (%) and land-use shares
    (% of the lots' total area). Only usable lots naming a known zone count."""
    columns = ["layer", "lots", "excluded", "total_ha", "cn_ha", "leased_ha", "occupancy_pct",
               *(f"share_{u}" for u in schema.LAND_USE), "unknown_use_ha"]
    known = set(zones["ma"].dropna()) if len(zones) else set()
    named = lots["ma_khu"].isin(known).to_numpy()
    frame = pd.DataFrame({
        "ma": lots["ma_khu"].to_numpy(dtype=object), "use": lots["loai_dat"].to_numpy(dtype=object),
        "leased": (lots["thue"] == "da_thue").to_numpy(), "ha": lots["dt_do_ha"].to_numpy(),
        "ok": ok,
    })[named]
    if not len(frame):
        return pd.DataFrame(columns=columns, index=pd.Index([], name="ma"))
    counted = frame[frame["ok"]]
    by_use = counted.pivot_table(index="ma", columns="use", values="ha", aggfunc="sum",
                                 fill_value=0.0)
    out = pd.DataFrame(index=pd.Index(sorted(frame["ma"].unique()), name="ma"))
    layer_of = dict(zip(zones["ma"], zones["layer"], strict=False))
    out["layer"] = [layer_of.get(m) for m in out.index]
    out["lots"] = counted.groupby("ma").size().reindex(out.index, fill_value=0)
    out["excluded"] = frame[~frame["ok"]].groupby("ma").size().reindex(out.index, fill_value=0)
    out["total_ha"] = counted.groupby("ma")["ha"].sum().reindex(out.index, fill_value=0.0)
    cn = counted["use"] == "cn"
    out["cn_ha"] = counted[cn].groupby("ma")["ha"].sum().reindex(out.index, fill_value=0.0)
    out["leased_ha"] = counted[cn & counted["leased"]].groupby("ma")["ha"].sum().reindex(
        out.index, fill_value=0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["occupancy_pct"] = np.where(out["cn_ha"] > 0, out["leased_ha"] / out["cn_ha"] * 100,
                                        np.nan)
        for use in schema.LAND_USE:
            area = by_use[use].reindex(out.index, fill_value=0.0) if use in by_use else 0.0
            out[f"share_{use}"] = np.where(out["total_ha"] > 0, area / out["total_ha"] * 100,
                                           np.nan)
    unknown = ~counted["use"].isin(schema.LAND_USE)
    out["unknown_use_ha"] = counted[unknown].groupby("ma")["ha"].sum().reindex(
        out.index, fill_value=0.0)
    return out[columns]
