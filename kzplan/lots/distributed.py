"""The lot checks on a dask cluster (``kzplan check --engine dask``; extra ``kzplan[dask]``).

The lots are partitioned spatially (dask-geopandas' Hilbert ``spatial_shuffle``), so that each
partition is a compact patch of land. Each partition checks its own lots' validity, its overlaps
and whether they lie in their zones; then every pair of partitions whose outlines touch checks the
overlaps between them. A lot lives in exactly one partition, so a pair of lots is seen by exactly
one task (its own partition, or the one task of its two partitions, lower number first): overlaps
across partition edges are found once and only once. The result is the same
:class:`~kzplan.lots.measure.LotGeometry` as the in-memory engine, hence the same findings.

Without an address a local cluster is started: ``KZPLAN_DASK_WORKERS`` workers (default: the
machine's cores), in processes unless ``KZPLAN_DASK_PROCESSES=0``; ``KZPLAN_DASK_PARTITIONS``
fixes the number of partitions (default: about 50,000 lots each, at least two per worker).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping

import numpy as np
import pandas as pd
import shapely

from kzplan.lots.measure import LotGeometry, outside_named_zone, overlap_pairs

LOTS_PER_PARTITION = 50_000


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip().isdigit() else default


@contextlib.contextmanager
def client(address: str | None = None, *, workers: int | None = None,
           processes: bool | None = None) -> Iterator[object]:
    """A dask client: on the cluster at ``address``, or on a local cluster started here."""
    from distributed import Client, LocalCluster

    if address:
        with Client(address) as c:
            yield c
        return
    workers = workers or _env_int("KZPLAN_DASK_WORKERS", os.cpu_count() or 1)
    if processes is None:
        processes = os.environ.get("KZPLAN_DASK_PROCESSES", "1") != "0"
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                      dashboard_address=None) as cluster, Client(cluster) as c:
        yield c


def _prepare(part: pd.DataFrame, zones: Mapping[str, shapely.Geometry]) -> dict[str, object]:
    """One partition: its invalid lots, its valid ones, their overlaps and containment."""
    geoms = np.asarray(part.geometry.array, dtype=object)
    rows = part["_row"].to_numpy(dtype=np.int64)
    ok = shapely.is_valid(geoms)
    good, good_rows = geoms[ok], rows[ok]
    a, b, area = overlap_pairs(good, good_rows)
    codes = part["ma_khu"].to_numpy(dtype=object)[ok]
    out = outside_named_zone(good, codes, good_rows, zones)
    return {"invalid": rows[~ok], "geoms": good, "rows": good_rows, "pairs": (a, b, area),
            "out": out}


def _across(one: dict[str, object], two: dict[str, object]
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Overlaps between the valid lots of two partitions."""
    if not len(one["geoms"]) or not len(two["geoms"]):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    return overlap_pairs(one["geoms"], one["rows"], two["geoms"], two["rows"])


def shaped_frame(lots: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The lots that have a polygonal geometry (with their row as ``_row``), and that mask."""
    arr = np.asarray(lots.geometry.array, dtype=object)
    types = shapely.get_type_id(arr)
    shaped = ~shapely.is_missing(arr) & ~shapely.is_empty(arr) & ((types == 3) | (types == 6))
    frame = lots.loc[shaped, ["ma_khu", "geometry"]].copy()
    frame["_row"] = np.flatnonzero(shaped)
    return frame, shaped


def partitioned(frame: pd.DataFrame, count: int) -> object:
    """``frame`` as a dask-geopandas frame of ``count`` spatially compact partitions."""
    import dask_geopandas

    dgdf = dask_geopandas.from_geopandas(frame, npartitions=count)
    return dgdf.spatial_shuffle(by="hilbert", npartitions=count)


def geometry_checks(lots: pd.DataFrame, zones: Mapping[str, shapely.Geometry], *,
                    address: str | None = None, partitions: int | None = None,
                    workers: int | None = None, processes: bool | None = None) -> LotGeometry:
    """:func:`kzplan.lots.measure.geometry_checks`, partitioned on a dask cluster."""
    import dask

    frame, shaped = shaped_frame(lots)
    with client(address, workers=workers, processes=processes) as c:
        n_workers = max(1, len(c.scheduler_info().get("workers", {})))  # type: ignore[attr-defined]
        count = partitions or _env_int("KZPLAN_DASK_PARTITIONS", 0) or max(
            2 * n_workers, -(-len(frame) // LOTS_PER_PARTITION))
        count = max(1, min(count, len(frame)))
        dgdf = partitioned(frame, count)
        hulls = np.asarray(dgdf.spatial_partitions.array, dtype=object)
        parts = dgdf.to_delayed()
        zones_d = dask.delayed(dict(zones), pure=True)
        prepared = [dask.delayed(_prepare, pure=True)(p, zones_d) for p in parts]
        tree = shapely.STRtree(hulls)
        left, right = tree.query(hulls, predicate="intersects")
        cross = [dask.delayed(_across, pure=True)(prepared[i], prepared[j])
                 for i, j in zip(left, right, strict=True) if i < j]
        summaries = [dask.delayed(_summary)(p) for p in prepared]
        results = dask.compute(summaries, cross)
    done, across = results
    invalid = np.sort(np.concatenate([d["invalid"] for d in done] or [np.zeros(0, np.int64)]))
    pa = np.concatenate([d["pairs"][0] for d in done] + [x[0] for x in across])
    pb = np.concatenate([d["pairs"][1] for d in done] + [x[1] for x in across])
    parea = np.concatenate([d["pairs"][2] for d in done] + [x[2] for x in across])
    order = np.lexsort((pb, pa))
    orow = np.concatenate([d["out"][0] for d in done])
    oarea = np.concatenate([d["out"][1] for d in done])
    ototal = np.concatenate([d["out"][2] for d in done])
    oorder = np.argsort(orow, kind="stable")
    return LotGeometry(invalid=invalid.astype(np.int64), unusable=np.flatnonzero(~shaped),
                       pair_a=pa[order].astype(np.int64), pair_b=pb[order].astype(np.int64),
                       pair_area=parea[order], out_row=orow[oorder].astype(np.int64),
                       out_area=oarea[oorder], out_total=ototal[oorder])


def _summary(prepared: dict[str, object]) -> dict[str, object]:
    """What travels back from a partition (not its geometries)."""
    return {k: prepared[k] for k in ("invalid", "pairs", "out")}
