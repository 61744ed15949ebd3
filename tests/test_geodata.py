"""The bundled plan layers in geodata/: read from the files on disk with GDAL (pyogrio/geopandas).

Counts, totals, domains, provenance, encoding, CRS, measured areas, spacing, the build's
reproducibility, and (with the real district boundaries kept outside the repository) placement.
"""

from __future__ import annotations

import csv
import importlib.util
import itertools
import math
import shutil
import struct
import subprocess
import sys
import unicodedata
from pathlib import Path
from types import ModuleType

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import CRS, Geod, Transformer

from kzplan import schema
from kzplan.plandef import load_plandef

REPO = Path(__file__).resolve().parents[1]
GEODATA = REPO / "geodata"
BUILD = REPO / "tools" / "build_geodata.py"
GATE_LONLAT = (107.562192, 14.705320)  # Bờ Y border gate, Vietnamese side (plan doc §3.2, S21)
MIN_GAP_M = 300.0
EXPECTED_CCN = {"608": 6, "610": 3, "611": 5, "612": 4, "613": 4, "614": 1, "615": 4, "616": 3,
                "617": 2, "618": 1}


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    return {name: gpd.read_file(GEODATA / f"{name}.shp") for name in schema.PLAN_LAYERS}


@pytest.fixture(scope="module")
def zones(layers: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    return pd.concat([layers["kcn"], layers["ccn"]], ignore_index=True)


@pytest.fixture(scope="module")
def everything(layers: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    return pd.concat([layers[n] for n in schema.PLAN_LAYERS], ignore_index=True)


def geodesic_ha(geom: shapely.Geometry, crs: CRS) -> float:
    """Geodesic area on the layer's own ellipsoid (independent of the build's LAEA measure)."""
    to_geog = Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    lonlat = shapely.transform(geom, lambda xy: _stack(to_geog.transform(xy[:, 0], xy[:, 1])))
    ellipsoid = crs.ellipsoid
    geod = Geod(a=ellipsoid.semi_major_metre, rf=ellipsoid.inverse_flattening)
    return abs(geod.geometry_area_perimeter(lonlat)[0]) / 10_000


def _stack(xy: tuple) -> np.ndarray:
    return np.column_stack(xy)


# --- counts and totals --------------------------------------------------------------------


def test_layer_counts(layers: dict[str, gpd.GeoDataFrame]) -> None:
    assert [len(layers[n]) for n in ("kcn", "ccn", "kkt")] == [4, 33, 1]
    huyen = pyogrio.read_dataframe(GEODATA / "huyen.dbf")
    assert len(huyen) == 10


def test_totals_match_the_plan(layers: dict[str, gpd.GeoDataFrame]) -> None:
    assert layers["kcn"]["dt_qh_ha"].sum() == pytest.approx(575.0, abs=0.01)
    assert layers["ccn"]["dt_qh_ha"].sum() == pytest.approx(1729.72, abs=0.01)
    assert layers["kkt"]["dt_qh_ha"].sum() == pytest.approx(16000.0, abs=0.01)


def test_every_cluster_is_10_to_75_ha(layers: dict[str, gpd.GeoDataFrame]) -> None:
    assert layers["ccn"]["dt_qh_ha"].between(10, 75).all()


def test_clusters_per_district(layers: dict[str, gpd.GeoDataFrame]) -> None:
    counts = layers["ccn"]["ma_huyen"].value_counts().to_dict()
    for unit in load_plandef().units:
        assert counts.get(unit.code, 0) >= unit.min_ccn, unit.code
        assert unit.max_ccn is None or counts.get(unit.code, 0) <= unit.max_ccn, unit.code
    assert counts["618"] == 1 and counts["614"] == 1  # Ia H'Drai and Kon Rẫy: exactly 1
    assert counts == EXPECTED_CCN


# --- areas and geometry --------------------------------------------------------------------


def test_measured_area_within_half_a_percent(everything: gpd.GeoDataFrame) -> None:
    crs = everything.crs
    errors = {r.ma: geodesic_ha(r.geometry, crs) / r.dt_qh_ha - 1 for r in everything.itertuples()}
    worst = max(errors, key=lambda k: abs(errors[k]))
    assert abs(errors[worst]) < 0.005, (worst, errors[worst])


def test_geometry_is_valid_and_schematic(everything: gpd.GeoDataFrame,
                                          layers: dict[str, gpd.GeoDataFrame]) -> None:
    assert everything.geometry.is_valid.all()
    assert (everything["hinh_hoc"] == "so_do").all()  # nothing here is surveyed
    hoa_binh = layers["kcn"].set_index("ten").loc["KCN Hòa Bình"]
    assert hoa_binh.geometry.geom_type == "MultiPolygon" and len(hoa_binh.geometry.geoms) == 2
    parts = sorted(geodesic_ha(p, layers["kcn"].crs) for p in hoa_binh.geometry.geoms)
    assert parts == [pytest.approx(60, rel=0.005), pytest.approx(70, rel=0.005)]


def test_no_overlaps_and_gaps_of_300_m(zones: gpd.GeoDataFrame) -> None:
    close = [(a.ma, b.ma) for a, b in itertools.combinations(zones.itertuples(), 2)
             if a.geometry.distance(b.geometry) < MIN_GAP_M]
    assert close == []


def test_only_kcn_bo_y_is_inside_the_kkt(zones: gpd.GeoDataFrame,
                                         layers: dict[str, gpd.GeoDataFrame]) -> None:
    kkt = layers["kkt"].geometry.iloc[0]
    inside = zones[zones.intersects(kkt)]
    assert list(inside["ten"]) == ["KCN Bờ Y"]
    assert kkt.contains(inside.geometry.iloc[0])
    assert kkt.exterior.distance(inside.geometry.iloc[0]) >= MIN_GAP_M


def test_kkt_lies_east_of_the_border_gate(layers: dict[str, gpd.GeoDataFrame]) -> None:
    kkt = layers["kkt"].geometry.iloc[0]
    gate = gpd.GeoSeries.from_xy(*[[v] for v in GATE_LONLAT], crs="EPSG:4326")
    x, y = gate.to_crs(layers["kkt"].crs).iloc[0].coords[0]
    west, south, _east, north = kkt.bounds
    assert west > x  # the gate is on the border: the zone is inside Vietnam, east of it
    assert south < y < north
    assert 300 < west - x < 3_000


def test_inside_the_province_extent(everything: gpd.GeoDataFrame) -> None:
    w, s, e, n = load_plandef().extent
    x0, y0, x1, y1 = everything.to_crs("EPSG:4326").total_bounds
    assert w < x0 and s < y0 and x1 < e and y1 < n


# --- files: CRS, encoding, fields ---------------------------------------------------------


@pytest.mark.parametrize("name", schema.PLAN_LAYERS)
def test_prj_is_epsg_9216_and_cpg_is_utf8(name: str) -> None:
    assert CRS((GEODATA / f"{name}.prj").read_text()).to_epsg() == 9216
    assert (GEODATA / f"{name}.cpg").read_text().strip() == "UTF-8"
    for ext in (".shp", ".shx", ".dbf"):
        assert (GEODATA / f"{name}{ext}").is_file()


def test_huyen_is_a_table_of_the_10_districts() -> None:
    assert (GEODATA / "huyen.cpg").read_text().strip() == "UTF-8"
    assert not (GEODATA / "huyen.shp").exists()
    info = pyogrio.read_info(GEODATA / "huyen.dbf")
    assert info["geometry_type"] is None and info["features"] == 10
    huyen = pyogrio.read_dataframe(GEODATA / "huyen.dbf")
    assert list(huyen.columns) == [f.name for f in schema.HUYEN_FIELDS]
    rows = [tuple(r) for r in huyen.itertuples(index=False)]
    want = sorted(load_plandef().units_records(), key=lambda r: r["ma_huyen"])
    assert rows == [tuple(r[f.name] for f in schema.HUYEN_FIELDS) for r in want]
    assert "min_ccn" not in huyen.columns  # the minimums live only in the plan's units.csv


def _dbf_fields(path: Path) -> dict[str, tuple[str, int]]:
    raw = path.read_bytes()
    out, pos = {}, 32
    while raw[pos] != 0x0D:
        out[raw[pos:pos + 11].split(b"\0", 1)[0].decode()] = (chr(raw[pos + 11]), raw[pos + 16])
        pos += 32
    return out


@pytest.mark.parametrize(("name", "fields"), [("kcn", schema.PLAN_FIELDS),
                                              ("ccn", schema.PLAN_FIELDS),
                                              ("kkt", schema.PLAN_FIELDS),
                                              ("huyen", schema.HUYEN_FIELDS)])
def test_field_types_and_widths_follow_the_schema(name: str, fields: tuple) -> None:
    path = GEODATA / f"{name}.dbf"
    info = pyogrio.read_info(path)
    assert list(info["fields"]) == [f.name for f in fields]
    ogr = {"str": "OFTString", "int": "OFTInteger", "float": "OFTReal"}
    assert list(info["ogr_types"]) == [ogr[f.type] for f in fields]
    raw = _dbf_fields(path)
    for f in fields:
        kind, width = raw[f.name]
        assert kind == {"str": "C", "int": "N", "float": "N"}[f.type], f.name
        if f.width:
            assert width == f.width, f.name


def test_names_with_diacritics_read_back_intact(everything: gpd.GeoDataFrame) -> None:
    with (GEODATA / "source" / "features.csv").open(encoding="utf-8", newline="") as f:
        source = {r["ma"]: r for r in csv.DictReader(f)}
    assert set(everything["ma"]) == set(source)
    for row in everything.itertuples():
        for field in ("ten", "nguon", "ghi_chu"):
            value = getattr(row, field)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                assert source[row.ma][field] == ""
                continue
            assert unicodedata.is_normalized("NFC", value), (row.ma, field)
            assert value == unicodedata.normalize("NFC", source[row.ma][field]), (row.ma, field)
    names = set(everything["ten"])
    assert {"KCN Hòa Bình", "CCN Đắk La", "Khu kinh tế cửa khẩu quốc tế Bờ Y",
            "CCN-TTCN phường Ngô Mây và xã Đăk Cấm", "CCN Ia H'Drai 1 (chưa công bố)"} <= names
    # the bytes in the DBF are UTF-8 (not a legacy code page)
    assert "Hòa Bình".encode() in (GEODATA / "kcn.dbf").read_bytes()
    assert "Huyện Kon Rẫy".encode() in (GEODATA / "huyen.dbf").read_bytes()


# --- attributes: domains, codes, provenance -------------------------------------------------


def test_domains_and_codes(everything: gpd.GeoDataFrame,
                           layers: dict[str, gpd.GeoDataFrame]) -> None:
    assert everything["ma"].is_unique
    for name, prefix in (("kcn", "KCN-"), ("ccn", "CCN-"), ("kkt", "KKT-")):
        assert layers[name]["ma"].str.startswith(prefix).all()
    assert layers["ccn"].apply(lambda r: r.ma.startswith(f"CCN-{r.ma_huyen}-"), axis=1).all()
    for f in schema.PLAN_FIELDS:
        values = everything[f.name]
        if f.required:
            assert values.notna().all() and (values.astype(str).str.len() > 0).all(), f.name
        if f.domain:
            assert values.dropna().isin(f.domain).all(), f.name
    assert everything["ma_huyen"].isin(load_plandef().unit_codes).all()
    groups = {g for v in everything["nganh"].dropna() for g in v.split(";")}
    assert groups <= set(schema.INDUSTRY_GROUPS)
    assert everything["lap_day"].dropna().between(0, 100).all()
    assert everything["nam_tl"].dropna().between(2000, 2030).all()


def test_every_feature_has_provenance(everything: gpd.GeoDataFrame) -> None:
    for row in everything.itertuples():
        assert row.nguon and row.tin_cay and row.hinh_hoc, row.ma
        if row.tin_cay == "gia_dinh":
            assert "chưa công bố" in row.ten or "giả định" in (row.ghi_chu or "").lower(), row.ma
        if row.tin_cay == "suy_ra":
            assert row.ghi_chu, row.ma  # says how it is derived
    # a feature whose name is not published can never be more than a placeholder
    unnamed = everything[everything["ten"].str.contains("chưa công bố")]
    assert (unnamed["tin_cay"] == "gia_dinh").all()


def test_confirmed_facts(layers: dict[str, gpd.GeoDataFrame]) -> None:
    kcn = layers["kcn"].set_index("ten")
    assert kcn.loc["KCN Hòa Bình", "dt_qh_ha"] == 130.0
    assert kcn.loc["KCN Hòa Bình", "nam_tl"] == 2013
    assert pd.isna(kcn.loc["KCN Hòa Bình", "lap_day"])  # 100 % was GĐ1 only
    # "Operating" rests on an aggregator (S10) and a news copy (S4): derived, not confirmed.
    assert (kcn.loc["KCN Sao Mai", "dt_qh_ha"], kcn.loc["KCN Sao Mai", "tin_cay"]) == \
        (150.0, "suy_ra")
    assert kcn.loc["KCN Đắk Tô", "dt_qh_ha"] == 146.76
    assert kcn.loc["KCN Bờ Y", "dt_qh_ha"] == pytest.approx(575 - 426.76)
    assert kcn.loc["KCN Bờ Y", "tin_cay"] == "gia_dinh"
    ccn = layers["ccn"].set_index("ten")
    dak_la = ccn.loc["CCN Đắk La"]
    assert (dak_la.dt_qh_ha, dak_la.trang_thai, dak_la.nam_tl, dak_la.lap_day, dak_la.xlnt,
            dak_la.ma_huyen, dak_la.tin_cay) == (50.0, "hoat_dong", 2012, 37.7, "chua_dat_chuan",
                                                 "615", "xac_nhan")  # plant exists, standard not shown
    ngo_may = ccn.loc["CCN-TTCN phường Ngô Mây và xã Đăk Cấm"]
    assert (ngo_may.dt_qh_ha, ngo_may.trang_thai, ngo_may.nam_tl, ngo_may.ma_huyen) == \
        (62.6, "thanh_lap", 2022, "608")
    assert set(ngo_may.nganh.split(";")) == {"nong_lam", "khac", "duoc_lieu", "det_may"}
    assert ccn.loc["Cụm công nghiệp và Dịch vụ 24/4", "ma_huyen"] == "612"
    assert ccn.loc["CCN Kon Plông", "trang_thai"] == "thanh_lap"
    kkt = layers["kkt"].iloc[0]
    assert (kkt.ma_huyen, kkt.dt_qh_ha, kkt.nam_tl, kkt.tin_cay) == ("611", 16000.0, 2005,
                                                                     "suy_ra")
    assert "70.438" in kkt.ghi_chu


def test_cluster_facts_of_s5_s9_s11(layers: dict[str, gpd.GeoDataFrame]) -> None:
    ccn = layers["ccn"]
    operating = ccn[ccn["trang_thai"] == "hoat_dong"]
    established = ccn[ccn["trang_thai"] == "thanh_lap"]
    assert len(operating) == 8 and len(established) == 5  # 13 established, 8 operating (S11)
    assert operating["dt_qh_ha"].sum() > 300  # "> 300 ha" (S11)
    by_district = operating["ma_huyen"].value_counts().to_dict()
    assert by_district == {"608": 3, "615": 3, "612": 2}  # S11: TP 3; Đắk Hà + Đắk Tô 5
    assert established["ma_huyen"].value_counts().get("608") == 1  # TP: 1 not operating
    # 6 without a wastewater plant (S9): the 5 not operating, and 1 operating one
    assert (established["xlnt"] == "khong").all()
    assert (operating["xlnt"] == "khong").sum() == 1 and (operating["xlnt"] == "co").sum() == 6
    # Đắk La's plant exists but is not shown to meet the standard (S16, S17)
    assert (operating["xlnt"] == "chua_dat_chuan").sum() == 1
    assert (ccn["xlnt"] == "khong").sum() == 6
    # average occupancy of the 8 operating ones is 65 % (S5)
    assert operating["lap_day"].notna().all()
    assert operating["lap_day"].mean() == pytest.approx(65.0, abs=0.05)
    assert ccn[ccn["trang_thai"] != "hoat_dong"]["lap_day"].isna().all()


# --- the build ---------------------------------------------------------------------------


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_build_geodata_under_test", BUILD)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_is_reproducible() -> None:
    proc = subprocess.run([sys.executable, str(BUILD), "--check"], cwd=REPO,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_check_fails_when_a_file_differs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tool = _tool()
    copy = tmp_path / "geodata"
    copy.mkdir()
    for name in tool.OUTPUTS:
        shutil.copy2(GEODATA / name, copy / name)
    monkeypatch.setattr(tool, "GEODATA", copy)
    assert tool.main(["--check"]) == 0
    raw = bytearray((copy / "ccn.dbf").read_bytes())
    header_len = struct.unpack("<H", raw[8:10])[0]
    raw[header_len + 1] = ord("X")  # first byte of the first code
    (copy / "ccn.dbf").write_bytes(bytes(raw))
    assert tool.main(["--check"]) == 1
    (copy / "kkt.cpg").unlink()
    assert tool.main(["--check"]) == 1
    assert sorted(p.name for p in copy.iterdir()) == sorted(set(tool.OUTPUTS) - {"kkt.cpg"})


def test_bad_source_rows_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    tool = _tool()
    source = tmp_path / "source"
    shutil.copytree(GEODATA / "source", source)
    text = (source / "features.csv").read_text(encoding="utf-8")
    (source / "features.csv").write_text(text.replace(",quy_hoach,", ",du_kien,", 1),
                                         encoding="utf-8")
    monkeypatch.setattr(tool, "SOURCE", source)
    assert tool.main(["--check"]) == 2
    assert "trang_thai" in capsys.readouterr().err


def test_readme_documents_every_field_and_code() -> None:
    text = (GEODATA / "README.md").read_text(encoding="utf-8")
    for field in schema.PLAN_FIELDS + schema.HUYEN_FIELDS:
        assert f"`{field.name}`" in text and field.vi in text and field.en in text, field.name
    for code, label in schema.INDUSTRY_GROUPS.items():
        assert f"`{code}`" in text and label["vi"] in text and label["en"] in text, code
    for labels in (schema.CONFIDENCE_LABELS, schema.GEOMETRY_KIND_LABELS, schema.STATUS_LABELS):
        for code, label in labels.items():
            assert f"`{code}`" in text and label["vi"] in text and label["en"] in text, code
    with (GEODATA / "source" / "features.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            assert f"`{row['ma']}`" in text, row["ma"]  # the per-feature provenance table
    assert "schematic" in text and "sơ đồ" in text


# --- placement against the real district boundaries (kept outside the repository) ----------


@pytest.fixture(scope="module")
def districts(districts_path: Path, layers: dict[str, gpd.GeoDataFrame]) -> gpd.GeoSeries:
    frame = gpd.read_file(districts_path).to_crs(layers["ccn"].crs)
    return gpd.GeoSeries(frame.geometry.values, index=frame["district_code"], crs=frame.crs)


@pytest.mark.districts
def test_every_feature_lies_in_its_named_district(everything: gpd.GeoDataFrame,
                                                  districts: gpd.GeoSeries) -> None:
    assert set(districts.index) == set(load_plandef().unit_codes)
    margins = {}
    for row in everything.itertuples():
        own = districts[row.ma_huyen]
        assert own.contains(row.geometry), (row.ma, row.ma_huyen)
        margins[row.ma] = own.boundary.distance(row.geometry)
    worst = min(margins, key=margins.get)
    assert margins[worst] >= MIN_GAP_M, (worst, margins[worst])


@pytest.mark.districts
def test_everything_lies_in_the_province(everything: gpd.GeoDataFrame,
                                         districts: gpd.GeoSeries) -> None:
    province = shapely.union_all(districts.values)
    outside = [r.ma for r in everything.itertuples() if not province.contains(r.geometry)]
    assert outside == []
