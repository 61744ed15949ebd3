"""The bundled plan layers: counts, totals, provenance, files, and placement in real districts."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import CRS

import kzplan
from kzplan import schema

GEODATA = Path(__file__).resolve().parents[1] / "geodata"


@pytest.fixture(scope="module")
def plan() -> kzplan.Plan:
    return kzplan.load_plan(GEODATA)


def test_counts_and_totals_match_the_plan(plan: kzplan.Plan) -> None:
    assert (len(plan["kcn"]), len(plan["ccn"]), len(plan["kkt"]), len(plan["huyen"])) == \
        (4, 33, 1, 10)
    assert plan["kcn"]["dt_qh_ha"].sum() == pytest.approx(575.0, abs=0.01)
    assert plan["ccn"]["dt_qh_ha"].sum() == pytest.approx(1729.72, abs=0.01)
    assert plan["kkt"]["dt_qh_ha"].sum() == pytest.approx(16000.0, abs=0.01)


def test_clusters_per_district_and_size_range(plan: kzplan.Plan) -> None:
    counts = plan["ccn"]["ma_huyen"].value_counts()
    for code, _, _, _, minimum in schema.DISTRICTS:
        assert counts.get(code, 0) >= minimum, code
    assert counts["614"] == 1 and counts["618"] == 1
    assert plan["ccn"]["dt_qh_ha"].between(10, 75).all()


def test_measured_area_within_half_a_percent(plan: kzplan.Plan) -> None:
    for name in schema.PLAN_LAYERS:
        frame = plan[name]
        err = (frame["dt_do_ha"] - frame["dt_qh_ha"]).abs() / frame["dt_qh_ha"]
        assert err.max() < 0.005, (name, err.max())


def test_files_are_utf8_with_a_9216_prj(plan: kzplan.Plan) -> None:
    for name in schema.PLAN_LAYERS:
        assert (GEODATA / f"{name}.cpg").read_text().strip() == "UTF-8"
        assert CRS.from_wkt((GEODATA / f"{name}.prj").read_text()).to_epsg() == 9216
        assert plan.info[name].encoding == "utf-8" and plan.info[name].crs == "EPSG:9216"
    names = list(plan["ccn"]["ten"]) + list(plan["kcn"]["ten"])
    assert "CCN Đắk La" in names and "KCN Hòa Bình (giai đoạn 1 và 2)" in names
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
    info = pyogrio.read_info(GEODATA / "huyen.dbf")
    assert info["features"] == 10 and info["geometry_type"] is None


def test_domains_codes_and_provenance(plan: kzplan.Plan) -> None:
    frames = pd.concat([plan[n] for n in schema.PLAN_LAYERS])
    assert frames["ma"].is_unique
    assert frames["trang_thai"].isin(schema.STATUS).all()
    assert frames["tin_cay"].isin(schema.CONFIDENCE).all()
    assert (frames["hinh_hoc"] == "so_do").all()  # nothing here is surveyed
    assert frames["ma_huyen"].isin(schema.DISTRICT_CODES).all()
    assert frames["nguon"].notna().all()
    for row in frames.itertuples():
        if row.tin_cay == "gia_dinh":
            assert "chưa công bố" in row.ten or "giả định" in (row.ghi_chu or "").lower(), row.ma
        if row.tin_cay == "suy_ra":
            assert row.ghi_chu, row.ma
    groups = {g for v in frames["nganh"].dropna() for g in v.split(";")}
    assert groups <= set(schema.INDUSTRY_GROUPS)


def test_confirmed_facts_are_there(plan: kzplan.Plan) -> None:
    ccn = plan["ccn"].set_index("ten")
    dak_la = ccn.loc["CCN Đắk La"]
    assert (dak_la.dt_qh_ha, dak_la.lap_day, dak_la.xlnt, dak_la.nam_tl, dak_la.trang_thai) == \
        (50.0, 37.7, "co", 2012, "hoat_dong")
    assert ccn.loc["CCN-TTCN phường Ngô Mây và xã Đăk Cấm"].dt_qh_ha == 62.6
    established = plan["ccn"]["trang_thai"].isin(["thanh_lap", "hoat_dong"])
    assert established.sum() == 13 and (plan["ccn"]["trang_thai"] == "hoat_dong").sum() == 8
    assert (plan["ccn"]["xlnt"] == "khong").sum() == 6
    kcn = plan["kcn"].set_index("ten")
    assert kcn.loc["KCN Sao Mai"].dt_qh_ha == 150.0
    assert kcn.loc["KCN Đăk Tô"].dt_qh_ha == 146.76


def test_no_overlaps_and_only_kcn_bo_y_inside_the_kkt(plan: kzplan.Plan) -> None:
    zones = pd.concat([plan["kcn"], plan["ccn"]], ignore_index=True)
    geoms = zones.geometry.values
    left, right = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=300.0)
    assert [(a, b) for a, b in zip(left, right, strict=True) if a < b] == []
    kkt = plan["kkt"].geometry.iloc[0]
    inside = zones[zones.intersects(kkt)]
    assert list(inside["ma"]) == ["KCN-04"]
    assert kkt.contains(inside.geometry.iloc[0])
    gate = gpd.GeoSeries.from_xy([107.562192], [14.705320], crs="EPSG:4326").to_crs(9216)
    assert kkt.distance(gate.iloc[0]) < 2_000  # beside the border gate, east of it


def test_build_is_reproducible() -> None:
    proc = subprocess.run([sys.executable, "tools/build_geodata.py", "--check"],
                          cwd=GEODATA.parent, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.districts
def test_every_feature_lies_in_its_named_district(plan: kzplan.Plan,
                                                  districts_path: Path) -> None:
    districts = gpd.read_file(districts_path).to_crs(plan.crs)
    by_code = dict(zip(districts["district_code"], districts.geometry, strict=True))
    province = shapely.union_all(districts.geometry.values)
    for name in schema.PLAN_LAYERS:
        for row in plan[name].itertuples():
            own = by_code[row.ma_huyen]
            assert own.contains(row.geometry), (row.ma, row.ma_huyen)
            assert own.exterior.distance(row.geometry) > 300 if own.geom_type == "Polygon" \
                else own.boundary.distance(row.geometry) > 300, row.ma
            assert province.contains(row.geometry)


@pytest.mark.districts
def test_bundled_plan_passes_containment_rules(plan: kzplan.Plan, districts_path: Path) -> None:
    with_districts = kzplan.load_plan(GEODATA, districts=districts_path)
    report = kzplan.check(with_districts, select=["DT04", "PV01", "OV01", "OV02"])
    assert report.findings == []
