"""Benchmark the validation path: load + check on synthetic plans of growing size.

Prints wall-clock figures (best of N runs) for loading a shapefile plan and for each rule family,
with and without district boundaries (read from ../shared when present; never copied).

    python bench/bench_check.py            # 33, 1,000 and 10,000 clusters
    python bench/bench_check.py --sizes 33 5000 --repeat 3
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
from shapely import box

import kzplan
from kzplan.rules import load_pack

SHARED = Path(__file__).resolve().parents[2] / "shared" / "geodata" / "kontum_districts.geojson"
CODES = ["608", "610", "611", "612", "613", "614", "615", "616", "617", "618"]


def synthetic_plan(folder: Path, n: int) -> Path:
    """``n`` 40 ha squares on a grid over the province (500 m gaps), plus 4 KCN."""
    rng = np.random.default_rng(7)
    side = (40 * 10_000) ** 0.5
    cols = int(np.ceil(np.sqrt(n)))
    step = side + 500.0
    x0, y0 = 500_000.0, 1_560_000.0
    idx = np.arange(n)
    xs = x0 + (idx % cols) * step
    ys = y0 + (idx // cols) * step
    geoms = box(xs, ys, xs + side, ys + side)
    ccn = gpd.GeoDataFrame({
        "ma": [f"CCN-{i:05d}" for i in idx],
        "ten": [f"Cụm công nghiệp số {i}" for i in idx],
        "ma_huyen": rng.choice(CODES, n),
        "dt_qh_ha": 40.0, "trang_thai": rng.choice(["quy_hoach", "thanh_lap", "hoat_dong"], n),
        "nam_tl": rng.integers(2005, 2025, n), "lap_day": rng.uniform(0, 100, n).round(1),
        "xlnt": rng.choice(["co", "khong"], n), "nganh": "nong_lam;khac", "nguon": "bench",
        "tin_cay": "gia_dinh", "hinh_hoc": "so_do", "ghi_chu": "",
    }, geometry=geoms, crs="EPSG:9216")
    kx = x0 - 10_000.0
    kcn = ccn.iloc[:4].copy()
    kcn["ma"] = [f"KCN-{i}" for i in range(4)]
    kcn = kcn.set_geometry(box(kx, y0 + np.arange(4) * 3000.0, kx + side, y0 + np.arange(4) * 3000.0 + side))
    folder.mkdir(parents=True, exist_ok=True)
    ccn.to_file(folder / "ccn.shp", encoding="UTF-8")
    kcn.to_file(folder / "kcn.shp", encoding="UTF-8")
    return folder


def best(func, repeat: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        func()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[33, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    districts = SHARED if SHARED.exists() else None
    families = sorted({r.id[:2] for r in load_pack().rules})
    print(f"kzplan {kzplan.__version__}; districts: {'yes' if districts else 'no (../shared absent)'}")
    header = f"{'clusters':>9} {'load s':>8} {'check s':>8} " + " ".join(f"{f:>6}" for f in families)
    print(header)
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            folder = synthetic_plan(Path(tmp) / f"p{n}", n)
            load_t = best(lambda: kzplan.load_plan(folder, districts=districts), args.repeat)
            plan = kzplan.load_plan(folder, districts=districts)
            check_t = best(lambda: kzplan.check(plan, as_of=2026), args.repeat)
            per = [best(lambda f=f: kzplan.check(plan, as_of=2026, select=[f]), args.repeat)
                   for f in families]
            print(f"{n:>9} {load_t:>8.3f} {check_t:>8.3f} " + " ".join(f"{t:>6.3f}" for t in per))
    print("(best of", args.repeat, "runs; seconds; per-family columns run that family alone)")


if __name__ == "__main__":
    main()
