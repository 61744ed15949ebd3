"""The lot layer (lo_dat): reading, occupancy measured on lots, the LT rules, the dask engine."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
import shapely.affinity
from typer.testing import CliRunner

from kzplan import check, load_plan
from kzplan._errors import LayerError
from kzplan.cli import app

REPO = Path(__file__).resolve().parents[1]
GEODATA = REPO / "geodata"


def _bench():
    spec = importlib.util.spec_from_file_location("_bench_lots", REPO / "bench" / "bench_lots.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


BENCH = _bench()


@pytest.fixture(scope="module")
def lots_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lots") / "lo_dat.gpkg"
    BENCH.write(BENCH.synthetic_lots(3000, seed=5), path)
    return path


def _run(path: Path, **kw):
    plan = load_plan([GEODATA, f"lo_dat={path}"])
    return plan, check(plan, as_of=2030, select=["LT"], **kw)


def test_planted_defects_are_found_by_their_rules(lots_file: Path) -> None:
    _, report = _run(lots_file)
    counts = Counter(f.rule_id for f in report.findings)
    k = 3  # n/1000 of each defect
    assert counts["LT05"] == k  # bowties
    assert counts["LT03"] == k  # unknown zone
    assert counts["LT07"] == k  # bad land use
    assert counts["LT04"] >= k  # doubled declared area (overlapping lots keep theirs)
    assert counts["LT06"] >= k  # each shifted lot overlaps its neighbour
    assert counts["LT02"] >= k  # moved outside the zone
    assert all(f.layer == "lo_dat" for f in report.findings)


def test_geoparquet_and_geopackage_give_the_same_findings(lots_file: Path, tmp_path: Path) -> None:
    frame = gpd.read_file(lots_file)
    parquet = tmp_path / "lo_dat.parquet"
    frame.to_parquet(parquet)
    _, a = _run(lots_file)
    _, b = _run(parquet)
    assert [f.fingerprint for f in a.findings] == [f.fingerprint for f in b.findings]


def test_occupancy_is_leased_industrial_over_industrial_measured(tmp_path: Path) -> None:
    crs, (x0, y0, x1, y1), _ = BENCH.zone_box()
    w = (x1 - x0) / 4
    geoms = [shapely.box(x0 + i * w, y0, x0 + (i + 1) * w, y0 + (y1 - y0) * (i + 1) / 4)
             for i in range(4)]
    frame = gpd.GeoDataFrame({"ma_lo": ["A", "B", "C", "D"], "ma_khu": ["KCN-01"] * 4,
                              "loai_dat": ["cn", "cn", "cx", "cn"],
                              "thue": ["da_thue", "con_trong", "da_thue", "da_thue"]},
                             geometry=geoms, crs=crs)
    path = tmp_path / "lo_dat.gpkg"
    BENCH.write(frame, path)
    plan, report = _run(path)
    lots = plan["lo_dat"]
    ha = dict(zip(lots["ma_lo"], lots["dt_do_ha"], strict=True))
    want = (ha["A"] + ha["D"]) / (ha["A"] + ha["B"] + ha["D"]) * 100
    row = next(r for r in report.indicators["lots"] if r["ma"] == "KCN-01")
    assert row["occupancy_pct"] == pytest.approx(want, abs=1e-3)
    assert row["share_cx"] == pytest.approx(ha["C"] / sum(ha.values()) * 100, abs=1e-3)
    assert not report.findings


def test_declared_occupancy_against_lots(tmp_path: Path) -> None:
    frame = BENCH.synthetic_lots(400, defects=False, zone="CCN-615-01",
                                 bbox=_inner("CCN-615-01"), crs="EPSG:9216")
    frame["thue"] = "con_trong"  # nothing let, the plan declares 37.7 %
    path = tmp_path / "lo_dat.parquet"
    frame.to_parquet(path)
    _, report = _run(path)
    hits = [f for f in report.findings if f.rule_id == "LT01"]
    assert [f.feature for f in hits] == ["CCN-615-01"]
    assert hits[0].measured == 0


def _inner(code: str) -> tuple[float, float, float, float]:
    plan = load_plan()
    geom = plan["ccn"].set_index("ma").loc[code, "geometry"]
    x0, y0, x1, y1 = geom.bounds
    c = shapely.centroid(geom)
    s = min(x1 - x0, y1 - y0) * 0.2
    return (c.x - s, c.y - s, c.x + s, c.y + s)


def test_invalid_lot_overlapping_others_never_stops_the_run(tmp_path: Path) -> None:
    crs, (x0, y0, x1, y1), _ = BENCH.zone_box()
    bowtie = shapely.Polygon([(x0, y0), (x0 + 50, y0 + 50), (x0 + 50, y0), (x0, y0 + 50)])
    spike = shapely.Polygon([(x0, y0), (x0 + 60, y0), (x0 + 30, y0 + 30), (x0 + 30, y0 + 60),
                             (x0 + 30, y0 + 30), (x0, y0 + 60)])
    frame = gpd.GeoDataFrame({"ma_lo": ["X", "Y", "Z", "E"], "ma_khu": ["KCN-01"] * 4,
                              "loai_dat": ["cn"] * 4, "thue": ["da_thue"] * 4},
                             geometry=[bowtie, spike, shapely.box(x0, y0, x0 + 40, y0 + 40),
                                       None], crs=crs)
    path = tmp_path / "lo_dat.gpkg"
    BENCH.write(frame, path)
    _, report = _run(path)
    got = sorted((f.rule_id, f.feature) for f in report.findings)
    assert ("LT05", "X") in got and ("LT05", "E") in got
    assert not [f for f in report.findings if f.rule_id == "LT06"]


def test_a_lot_without_its_required_field_is_refused(tmp_path: Path) -> None:
    frame = BENCH.synthetic_lots(10, defects=False).drop(columns="thue")
    path = tmp_path / "lo_dat.gpkg"
    BENCH.write(frame, path)
    with pytest.raises(LayerError, match="thue"):
        load_plan([GEODATA, f"lo_dat={path}"])


def test_dask_engine_gives_the_same_findings_across_partition_edges(
        lots_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("dask_geopandas")
    frame = gpd.read_file(lots_file)
    every = np.arange(0, len(frame), 7)  # many overlaps, so that some straddle partition edges
    frame.loc[every, "geometry"] = [
        shapely.affinity.translate(g, xoff=(g.bounds[2] - g.bounds[0]) / 2)
        for g in frame.geometry.iloc[every]]
    lots_file = tmp_path / "lo_dat.gpkg"
    BENCH.write(frame, lots_file)
    from kzplan.lots import distributed

    monkeypatch.setenv("KZPLAN_DASK_PROCESSES", "0")
    monkeypatch.setenv("KZPLAN_DASK_WORKERS", "2")
    monkeypatch.setenv("KZPLAN_DASK_PARTITIONS", "6")
    plan, memory = _run(lots_file)
    _, dask = _run(lots_file, engine="dask")
    # some overlaps lie across partition edges: the partition of each lot, as the engine cuts them
    frame, _ = distributed.shaped_frame(plan["lo_dat"])
    parts = distributed.partitioned(frame, 6).to_delayed()
    where = {int(r): k for k, p in enumerate(parts) for r in p.compute()["_row"]}
    rows = {c: i for i, c in enumerate(plan["lo_dat"]["ma_lo"])}
    pairs = [(rows[f.feature], rows[f.key]) for f in memory.findings if f.rule_id == "LT06"]
    assert any(where[a] != where[b] for a, b in pairs)
    assert [f.fingerprint for f in dask.findings] == [f.fingerprint for f in memory.findings]
    assert len({f.fingerprint for f in dask.findings}) == len(dask.findings)  # once only
    assert dask.indicators["lots"] == memory.indicators["lots"]


def test_cli_engine_options(lots_file: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["check", str(GEODATA), "--engine", "spark"])
    assert bad.exit_code == 2
    out = tmp_path / "out"
    ok = runner.invoke(app, ["check", str(GEODATA), f"lo_dat={lots_file}", "--select", "LT",
                             "-f", "json", "-o", str(out)])
    assert ok.exit_code == 1, ok.output
    assert np.any([p.suffix == ".json" for p in out.iterdir()])
