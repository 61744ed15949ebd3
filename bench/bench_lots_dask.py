"""Scaling of the dask lot engine with workers on this machine (issue 13).

Times the geometric lot checks (validity, overlaps within and across partitions, containment) on
synthetic lots: in memory, then on a local dask cluster of 1, 2, … worker processes; prints
seconds, lots per second and the speed-up, from which a national run is extrapolated.

    python bench/bench_lots_dask.py --lots 300000 --workers 1 2
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import kzplan.lots.measure as measure
from kzplan.lots import distributed

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_lots", HERE / "bench_lots.py")
bench = importlib.util.module_from_spec(_spec)
sys.modules["bench_lots"] = bench
_spec.loader.exec_module(bench)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lots", type=int, default=300_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    _crs, _box, zone = bench.zone_box()
    lots = bench.synthetic_lots(args.lots)
    zones = {bench.ZONE: zone}
    t = time.perf_counter()
    base = measure.geometry_checks(lots, zones)
    memory = time.perf_counter() - t
    print(f"{args.lots:,} lots  memory: {memory:6.2f} s  ({args.lots / memory:,.0f} lots/s)")
    for n in args.workers:
        t = time.perf_counter()
        got = distributed.geometry_checks(lots, zones, workers=n, processes=True)
        secs = time.perf_counter() - t
        same = all((getattr(base, f) == getattr(got, f)).all() for f in
                   ("invalid", "pair_a", "pair_b", "out_row"))
        print(f"{args.lots:,} lots  dask {n} worker(s): {secs:6.2f} s  "
              f"({args.lots / secs:,.0f} lots/s, x{memory / secs:.2f} vs memory, same={same})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
