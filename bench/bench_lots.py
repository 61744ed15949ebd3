"""Benchmark the lot checks (issue 13): kzplan against the floor and QGIS, on synthetic lots.

Makes ``n`` lots on a grid inside one zone of the bundled plan (GeoPackage and GeoParquet), with
planted defects (invalid bowties, overlapping, outside the zone, unknown zone, wrong declared area,
bad land use: n/1000 of each), then times as separate processes, with /usr/bin/time -v for peak
memory:

(a) ``kzplan check geodata/ lo_dat=FILE --select LT -f json -o DIR`` (whole process, to a
    written JSON report);
(b) the floor: Arrow read with pyogrio, shapely.is_valid, an STRtree overlap query with
    intersection areas, equal-area areas;
(c) ``qgis_process.bin run native:checkvalidity`` (QGIS's validity check alone) on the same file.

    python bench/bench_lots.py                     # 100k and 1M lots
    python bench/bench_lots.py --sizes 100000 300000 --formats gpkg
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

REPO = Path(__file__).resolve().parents[1]
GEODATA = REPO / "geodata"
ZONE = "KCN-01"


def zone_box(code: str = ZONE) -> tuple[str, tuple[float, float, float, float], object]:
    """The plan's CRS, a box inside zone ``code`` and the zone's outline."""
    kcn = gpd.read_file(GEODATA / "kcn.shp")
    geom = kcn.loc[kcn["ma"] == code, "geometry"].iloc[0]
    parts = list(getattr(geom, "geoms", [geom]))
    part = max(parts, key=lambda g: g.area)
    x0, y0, x1, y1 = part.bounds
    dx, dy = (x1 - x0) * 0.01, (y1 - y0) * 0.01
    return kcn.crs, (x0 + dx, y0 + dy, x1 - dx, y1 - dy), geom


def synthetic_lots(n: int, *, seed: int = 13, defects: bool = True,
                   bbox: tuple[float, float, float, float] | None = None, crs: object = None,
                   zone: str = ZONE) -> gpd.GeoDataFrame:
    """``n`` lots on a grid filling ``bbox`` (default: inside the bundled zone), with defects."""
    if bbox is None:
        crs, bbox, _ = zone_box(zone)
    x0, y0, x1, y1 = bbox
    cols = int(np.ceil(np.sqrt(n * (x1 - x0) / (y1 - y0))))
    rows = int(np.ceil(n / cols))
    w, h = (x1 - x0) / cols, (y1 - y0) / rows
    idx = np.arange(n)
    xs, ys = x0 + (idx % cols) * w, y0 + (idx // cols) * h
    geoms = shapely.box(xs, ys, xs + w, ys + h)
    rng = np.random.default_rng(seed)
    use = rng.choice(["cn", "cn", "cn", "cn", "gt", "cx", "ht", "dv", "khac"], n)
    lease = np.where(rng.random(n) < 0.6, "da_thue", "con_trong")
    declared = np.full(n, w * h / 1e4)
    codes = np.full(n, zone, dtype=object)
    if defects:
        k = max(1, n // 1000)
        picks = rng.permutation(n)[: 6 * k].reshape(6, k)
        bad, over, out, unknown, area, dom = picks
        # bowties: self-intersecting rings
        geoms[bad] = [shapely.Polygon([(x, y), (x + w, y + h), (x + w, y), (x, y + h)])
                      for x, y in zip(xs[bad], ys[bad], strict=True)]
        geoms[over] = shapely.box(xs[over] + w / 2, ys[over], xs[over] + 1.5 * w, ys[over] + h)
        geoms[out] = shapely.box(xs[out] + (x1 - x0) * 3, ys[out], xs[out] + (x1 - x0) * 3 + w,
                                 ys[out] + h)
        codes[unknown] = "KCN-99"
        declared[area] *= 2
        use[dom] = "xyz"
    return gpd.GeoDataFrame({
        "ma_lo": [f"L{i:07d}" for i in idx], "ma_khu": codes, "loai_dat": use, "thue": lease,
        "dt_ha": declared, "geometry": geoms}, crs=crs)


def write(frame: gpd.GeoDataFrame, path: Path) -> None:
    if path.suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_file(path, layer="lo_dat", driver="GPKG", engine="pyogrio")


FLOOR = r"""
import sys, time
import numpy as np, pyogrio, shapely, pyproj
t = time.perf_counter()
path = sys.argv[1]
if path.endswith(".parquet"):
    import pyarrow.parquet as pq
    table = pq.read_table(path)
    geoms = shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False))
    crs = "EPSG:9216"
else:
    meta, table = pyogrio.read_arrow(path)
    geoms = shapely.from_wkb(table.column(meta["geometry_name"] or "wkb_geometry").to_numpy(zero_copy_only=False))
    crs = meta["crs"]
valid = shapely.is_valid(geoms)
g = geoms[valid]
tree = shapely.STRtree(g)
a, b = tree.query(g, predicate="intersects")
keep = a < b
a, b = a[keep], b[keep]
ba, bb = shapely.bounds(g[a]), shapely.bounds(g[b])  # boxes that only touch cannot overlap
inner = ((np.minimum(ba[:, 2], bb[:, 2]) > np.maximum(ba[:, 0], bb[:, 0]))
         & (np.minimum(ba[:, 3], bb[:, 3]) > np.maximum(ba[:, 1], bb[:, 1])))
a, b = a[inner], b[inner]
inter = shapely.area(shapely.intersection(g[a], g[b]))
overlaps = int((inter > 1.0).sum())
ea = pyproj.Transformer.from_crs(crs, "+proj=cea +lon_0=107.5 +ellps=WGS84", always_xy=True)
xy = shapely.get_coordinates(geoms)
x, y = ea.transform(xy[:, 0], xy[:, 1])
areas = shapely.area(shapely.set_coordinates(geoms.copy(), np.column_stack([x, y])))
print(f"floor: {len(geoms)} lots, {int((~valid).sum())} invalid, {overlaps} overlaps, "
      f"{areas.sum() / 1e4:.1f} ha in {time.perf_counter() - t:.2f} s")
"""


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(seconds, peak MB, output) of a process, by /usr/bin/time -v."""
    t = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True,
                          env=env, cwd=REPO, check=False)
    secs = time.perf_counter() - t
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    mb = int(peak[1]) / 1024 if peak else float("nan")
    out = (proc.stdout + proc.stderr).strip().splitlines()
    tail = [ln for ln in out if "Command being timed" not in ln and not ln.startswith("\t")]
    return secs, mb, " | ".join(tail[-2:])[:200] if proc.returncode not in (0, 1) else \
        (proc.stdout.strip().splitlines() or [""])[-1][:200]


def qgis_binary() -> str | None:
    for cand in ("/usr/bin/qgis_process.bin", "/usr/lib/qgis/qgis_process.bin", "/usr/lib/x86_64-linux-gnu/qgis/qgis_process.bin",
                 shutil.which("qgis_process.bin") or ""):
        if cand and Path(cand).exists():
            return cand
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--formats", nargs="+", default=["gpkg", "parquet"])
    parser.add_argument("--no-qgis", action="store_true")
    parser.add_argument("--engine", default="memory")
    args = parser.parse_args(argv)
    qgis = None if args.no_qgis else qgis_binary()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    # QGIS's embedded Python finds its standard library through the first python3 on PATH
    qenv = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    qenv["PATH"] = os.pathsep.join(p for p in qenv.get("PATH", "").split(os.pathsep)
                                   if p in ("/usr/bin", "/bin") or not (Path(p) / "python3").exists())
    qenv["QT_QPA_PLATFORM"] = "offscreen"
    results: dict[tuple[int, str], dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="kzplan-bench-lots-") as tmp:
        root = Path(tmp)
        for n in args.sizes:
            t = time.perf_counter()
            frame = synthetic_lots(n)
            print(f"\n== {n:,} lots (made in {time.perf_counter() - t:.1f} s)")
            for fmt in args.formats:
                path = root / f"lo_dat_{n}.{fmt}"
                write(frame, path)
                size = path.stat().st_size / 1e6
                out = root / f"out_{n}_{fmt}"
                row: dict[str, float] = {}
                row["kzplan"], row["kzplan_mb"], msg = timed(
                    [sys.executable, "-m", "kzplan", "check", str(GEODATA), f"lo_dat={path}",
                     "--select", "LT", "--as-of", "2030", "--engine", args.engine,
                     "-f", "json", "-o", str(out)], env)
                print(f"  {fmt:8s} {size:7.1f} MB  kzplan check: {row['kzplan']:7.2f} s "
                      f"{row['kzplan_mb']:7.0f} MB  {msg}")
                row["floor"], row["floor_mb"], msg = timed([sys.executable, "-c", FLOOR,
                                                            str(path)], env)
                print(f"  {'':8s} {'':10s} floor:        {row['floor']:7.2f} s "
                      f"{row['floor_mb']:7.0f} MB  {msg}")
                if qgis and fmt == "gpkg":
                    row["qgis"], row["qgis_mb"], msg = timed(
                        [qgis, "run", "qgis:checkvalidity", f"--INPUT_LAYER={path}|layername=lo_dat",
                         "--METHOD=2", f"--VALID_OUTPUT={root}/v.gpkg",
                         f"--INVALID_OUTPUT={root}/i.gpkg", f"--ERROR_OUTPUT={root}/e.gpkg"], qenv)
                    print(f"  {'':8s} {'':10s} QGIS validity:{row['qgis']:7.2f} s "
                          f"{row['qgis_mb']:7.0f} MB  {msg}")
                print(f"  {'':8s} {'':10s} ratio kzplan/floor = {row['kzplan'] / row['floor']:.2f}"
                      + (f", kzplan/QGIS = {row['kzplan'] / row['qgis']:.2f}" if "qgis" in row
                         else ""))
                results[(n, fmt)] = row
                path.unlink()
    sizes = sorted({n for n, _ in results})
    if len(sizes) > 1:
        small, big = sizes[0], sizes[-1]
        for fmt in args.formats:
            if (small, fmt) in results and (big, fmt) in results:
                ratio = results[(big, fmt)]["kzplan"] / results[(small, fmt)]["kzplan"]
                print(f"\nscaling {fmt}: {big / small:.0f}x the lots -> {ratio:.2f}x the time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
