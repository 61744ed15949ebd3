"""Tests that kill surviving mutants in the rule families (kzplan/rules/*.py) and cover the known
gaps: WW03 with an unknown wastewater status, invalid polygons other than bow-ties, validity of the
district layer, a feature near the edge of the plan's extent, and fingerprints of several hits of
one rule on one feature.

Plans are small files written into ``tmp_path`` (shapefiles, or a GeoPackage where a shapefile
cannot hold the geometry) and loaded through :func:`kzplan.load_plan`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import factory as fx
import geopandas as gpd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

import kzplan
from kzplan.plandef import load_plandef
from kzplan import schema
from kzplan.crs import to_lonlat_bounds

LON, LAT = fx.ANCHORS["608"]
X, Y = fx.xy(LON, LAT)


def _load(folder: Path, **layers: gpd.GeoDataFrame) -> kzplan.Plan:
    return kzplan.load_plan(fx.write(folder, **layers))


def _gpkg(path: Path, **layers: gpd.GeoDataFrame) -> kzplan.Plan:
    """A GeoPackage keeps a geometry's rings as they are (a shapefile reader re-organises them)."""
    for name, frame in layers.items():
        frame.to_file(path, layer=name)
    return kzplan.load_plan(path)


def _run(plan: kzplan.Plan, rule: str, *, as_of: int = 2026, **params: Any) -> kzplan.Report:
    return kzplan.check(plan, as_of=as_of, select=[rule], params={rule: params} if params else None,
                        summarise=False)  # one rule's own findings, not the per-layer summary


def _ring(x0: float, y0: float, side: float) -> list[tuple[float, float]]:
    return [(x0, y0), (x0 + side, y0), (x0 + side, y0 + side), (x0, y0 + side)]


def _ccn(codes_and_kw: list[tuple[str | None, dict[str, Any]]], *, spacing: float = 2000.0,
         ha: float = 40.0) -> gpd.GeoDataFrame:
    rows = [fx.feature(code, dt=ha, **kw) for code, kw in codes_and_kw]
    geoms = [fx.square(LON, LAT, ha, dx=spacing * (i + 1)) for i in range(len(rows))]
    return fx.frame(rows, geoms)


# --- WW: wastewater ----------------------------------------------------------------------------


def test_ww03_flags_an_established_cluster_whose_wastewater_status_is_unknown(
        tmp_path: Path) -> None:
    ccn = _ccn([
        ("EST_UNK", {"trang_thai": "thanh_lap", "nam_tl": 2022}),
        ("EST_NO", {"trang_thai": "thanh_lap", "nam_tl": 2022, "xlnt": "khong"}),
        ("EST_YES", {"trang_thai": "thanh_lap", "nam_tl": 2022, "xlnt": "co"}),
        ("OP_UNK", {"trang_thai": "hoat_dong", "nam_tl": 2010, "lap_day": 95}),
        ("PLAN_UNK", {}),
    ])
    plan = _load(tmp_path, ccn=ccn)
    ww03 = _run(plan, "WW03")
    assert sorted(ww03.flatten(["rule_id", "feature"])) == [["WW03", "EST_NO"],
                                                            ["WW03", "EST_UNK"]]
    by_code = {f.feature: f for f in ww03.findings}
    assert by_code["EST_UNK"].measured is None and by_code["EST_NO"].measured == "khong"
    assert {f.expected for f in ww03.findings} == {"co"}
    assert {f.layer for f in ww03.findings} == {"ccn"}
    assert all(f.fid is not None and f.geometry is not None for f in ww03.findings)
    assert by_code["EST_UNK"].fid == 1 and by_code["EST_NO"].fid == 2
    # An unknown status on an *operating* cluster is WW02's business, not WW03's or WW01's.
    assert _run(plan, "WW02").flatten() == [["WW02", "OP_UNK"]]
    assert _run(plan, "WW01").flatten() == []


def test_wastewater_rules_use_the_row_number_when_a_feature_has_no_code(tmp_path: Path) -> None:
    ccn = _ccn([(None, {"trang_thai": "thanh_lap", "nam_tl": 2022})])
    report = _run(_load(tmp_path, ccn=ccn), "WW03")
    assert report.flatten(["feature", "fid"]) == [["#1", 1]]


# --- GM01: invalid geometries beyond the bow-tie -----------------------------------------------


def test_gm01_hole_outside_its_shell_and_nested_shells(tmp_path: Path) -> None:
    hole_outside = Polygon(_ring(X, Y, 700), [_ring(X + 900, Y + 100, 100)])
    nested = MultiPolygon([Polygon(_ring(X + 3000, Y, 700)),
                           Polygon(_ring(X + 3100, Y + 100, 100))])
    ok = fx.square(LON, LAT, 40, dx=6000)
    ccn = fx.frame([fx.feature("HOLE", dt=49), fx.feature("NEST", dt=49),
                    fx.feature("OK", dt=40)], [hole_outside, nested, ok])
    report = _run(_gpkg(tmp_path / "plan.gpkg", ccn=ccn), "GM01")
    assert report.flatten(["rule_id", "layer", "feature", "fid", "severity"]) == [
        ["GM01", "ccn", "HOLE", 1, "error"], ["GM01", "ccn", "NEST", 2, "error"]]
    hole, nest = report.findings
    # The finding points at the place GEOS names: a vertex of the stray hole / the inner shell.
    assert hole.geometry.geom_type == "Point" and nest.geometry.geom_type == "Point"
    assert (hole.geometry.x, hole.geometry.y) in [pytest.approx(c) for c in
                                                 _ring(X + 900, Y + 100, 100)]
    assert (nest.geometry.x, nest.geometry.y) in [pytest.approx(c) for c in
                                                 _ring(X + 3100, Y + 100, 100)]
    assert hole.measured.startswith("Hole lies outside shell")
    assert nest.measured.startswith("Nested shells")
    # The reason is translated (not the raw GEOS text) and the coordinates are in the message.
    assert "lỗ nằm ngoài vỏ" in hole.message_vi and "vỏ lồng nhau" in nest.message_vi
    assert f"{hole.geometry.x:.1f}" in hole.message_en and f"{hole.geometry.y:.1f}" in \
        hole.message_en
    assert hole.fingerprint != nest.fingerprint


def test_gm01_without_a_location_shows_the_geometry_itself(tmp_path: Path) -> None:
    # A ring that is only a line back and forth: invalid, and the finding keeps GEOS's reason.
    geom = shapely.from_wkt(f"POLYGON(({X} {Y}, {X + 500} {Y}, {X + 500} {Y}, {X} {Y}))")
    ccn = fx.frame([fx.feature("FLAT", dt=1)], [geom])
    report = _run(_gpkg(tmp_path / "p.gpkg", ccn=ccn), "GM01")
    assert report.flatten() == [["GM01", "FLAT"]]
    f = report.findings[0]
    assert not shapely.is_valid(geom)
    assert f.measured == shapely.is_valid_reason(geom)


def test_gm01_checks_the_district_layer_too(tmp_path: Path) -> None:
    bow = Polygon([(X - 5000, Y - 5000), (X + 20000, Y + 20000), (X + 20000, Y - 5000),
                   (X - 5000, Y + 20000)])
    good = box(X + 30000, Y - 5000, X + 50000, Y + 20000)
    districts = gpd.GeoDataFrame({"ma_huyen": ["608", "615"], "ten": ["TP Kon Tum", "Đắk Hà"]},
                                 geometry=[bow, good], crs="EPSG:9216")
    districts.to_file(tmp_path / "districts.gpkg")
    plan_dir = fx.small_plan(tmp_path / "plan")
    plan = kzplan.load_plan(plan_dir, districts=tmp_path / "districts.gpkg")
    assert "districts" in plan.layers
    report = _run(plan, "GM01")
    assert report.flatten(["rule_id", "layer", "fid"]) == [["GM01", "districts", 1]]
    point = report.findings[0].geometry
    assert point.geom_type == "Point"
    assert point.x == pytest.approx(X + 7500) and point.y == pytest.approx(Y + 7500)
    # A plan without a district layer has nothing of the kind to report.
    assert _run(kzplan.load_plan(plan_dir), "GM01").findings == []


def test_gm02_and_gm03_check_every_plan_layer(tmp_path: Path) -> None:
    kcn = fx.frame([fx.feature("KCN-1", dt=100.0)], [fx.square(LON, LAT, 100.0)])
    ccn = fx.frame([fx.feature("LINE", dt=40.0), fx.feature("OK", dt=40.0)],
                   [shapely.LineString([(X + 3000, Y), (X + 3500, Y + 500)]),
                    fx.square(LON, LAT, 40, dx=6000)])
    report = _run(_gpkg(tmp_path / "p.gpkg", kcn=kcn, ccn=ccn), "GM03")
    assert report.flatten(["rule_id", "layer", "feature", "measured"]) == [
        ["GM03", "ccn", "LINE", "LineString"]]


# --- PV01: near the edge of the extent ---------------------------------------------------------


def _edge_plan(folder: Path, east_lon: float) -> kzplan.Plan:
    """One cluster whose east edge lies at longitude ``east_lon`` (south of the anchor)."""
    lat = 14.36
    x1, y0 = fx.xy(east_lon, lat)
    geom = box(x1 - 500.0, y0, x1, y0 + 500.0)
    ccn = fx.frame([fx.feature("EDGE", dt=25.0)], [geom])
    return _load(folder, ccn=ccn)


@pytest.mark.parametrize(("inside_by_deg", "flagged"), [(0.005, False), (-0.005, True)])
def test_pv01_a_feature_near_the_edge_of_the_province_box(tmp_path: Path, inside_by_deg: float,
                                                          flagged: bool) -> None:
    east = load_plandef().extent[2]
    margin = 0.02  # the pack's margin_deg
    plan = _edge_plan(tmp_path, east + margin - inside_by_deg)
    report = _run(plan, "PV01")
    assert (report.flatten() == [["PV01", "EDGE"]]) is flagged
    if flagged:
        f = report.findings[0]
        # The part outside is the strip east of the margin: ~0.005° (≈ 540 m) × 500 m ≈ 27 ha,
        # capped by the 25 ha square.
        assert 10.0 < f.measured <= 25.0 and f.expected == 0
        w, *_ = to_lonlat_bounds("EPSG:9216", f.geometry.bounds)
        assert w == pytest.approx(east + margin, abs=1e-3)
    # With the margin widened the feature is inside again; with none it is out either way.
    assert _run(plan, "PV01", margin_deg=0.1).findings == []
    assert _run(plan, "PV01", margin_deg=0.0).flatten() == [["PV01", "EDGE"]]


def test_pv01_tolerance_is_an_area_in_m2(tmp_path: Path) -> None:
    east = load_plandef().extent[2]
    plan = _edge_plan(tmp_path, east + 0.02 + 0.0001)  # ~11 m beyond: about a hectare outside
    outside_m2 = _run(plan, "PV01", tolerance_m2=0.0).findings[0].measured * 10_000
    assert 2_000 < outside_m2 < 20_000
    assert _run(plan, "PV01", tolerance_m2=outside_m2 + 200).findings == []
    assert _run(plan, "PV01", tolerance_m2=outside_m2 - 200).flatten() == [["PV01", "EDGE"]]


# --- fingerprints of several hits of one rule on one feature ------------------------------------


def test_hy01_two_coerced_fields_of_one_layer_get_distinct_fingerprints(tmp_path: Path) -> None:
    ccn = _ccn([("A", {"lap_day": "10", "trang_thai": "thanh_lap",
                       "nam_tl": 2020})])
    ccn["dt_qh_ha"] = ["40"]
    report = _run(_load(tmp_path, ccn=ccn), "HY01")
    coerced = [f for f in report.findings if f.key.startswith("note.value_coerced")]
    assert sorted(f.measured["field"] for f in coerced) == ["dt_qh_ha", "lap_day"]
    assert len({f.fingerprint for f in report.findings}) == len(report.findings)


def test_ov01_one_feature_overlapping_two_features_of_one_code(tmp_path: Path) -> None:
    big = box(X, Y, X + 2000, Y + 1000)
    kcn = fx.frame([fx.feature("KCN-A", dt=200.0)], [big])
    ccn = fx.frame([fx.feature("DUP", dt=25.0), fx.feature("DUP", dt=25.0)],
                   [box(X + 100, Y + 100, X + 600, Y + 600),
                    box(X + 1100, Y + 100, X + 1600, Y + 600)])
    report = _run(_load(tmp_path, kcn=kcn, ccn=ccn), "OV01")
    assert report.flatten(["feature", "layer"]) == [["KCN-A", "kcn"], ["KCN-A", "kcn"]]
    assert len({f.fingerprint for f in report.findings}) == 2
    assert all(f.measured == pytest.approx(250_000.0, rel=1e-6) for f in report.findings)


def test_fingerprints_stay_unique_for_two_features_of_one_code(tmp_path: Path) -> None:
    ccn = _ccn([("SAME", {"trang_thai": "nope"}), ("SAME", {"trang_thai": "nope"})])
    plan = _load(tmp_path / "a", ccn=ccn)
    report = _run(plan, "AT02")
    assert report.flatten(["feature", "fid"]) == [["SAME", 1], ["SAME", 2]]
    assert len({f.fingerprint for f in report.findings}) == 2
    # ... and they are the same on a second run (stable ids).
    assert [f.fingerprint for f in _run(plan, "AT02").findings] == \
        [f.fingerprint for f in report.findings]
    # A plan without the duplicate keeps the fingerprint it always had.
    single = _run(_load(tmp_path / "b", ccn=_ccn([("SAME", {"trang_thai": "nope"})])), "AT02")
    assert single.findings[0].fingerprint == report.findings[0].fingerprint


# --- OV02: the KKT ------------------------------------------------------------------------------


def _kkt_plan(folder: Path, member_dx: float) -> kzplan.Plan:
    kkt = fx.frame([fx.feature("KKT-1", dt=10_000.0, ten="KKT Bờ Y")],
                   [box(X, Y, X + 10_000, Y + 10_000)])
    kcn = fx.frame([fx.feature("MEMBER", dt=100.0), fx.feature("INTRUDER", dt=100.0),
                    fx.feature("AWAY", dt=100.0)],
                   [box(X + member_dx, Y + 1000, X + member_dx + 1000, Y + 2000),
                    box(X + 9_500, Y + 5000, X + 10_500, Y + 6000),  # half inside: 50 ha
                    box(X + 20_000, Y, X + 21_000, Y + 1000)])
    return _load(folder, kkt=kkt, kcn=kcn)


def test_ov02_member_sticking_out_and_intruder_values(tmp_path: Path) -> None:
    plan = _kkt_plan(tmp_path, member_dx=-250.0)  # 25 ha of the member lie west of the KKT
    report = _run(plan, "OV02", members=["MEMBER"])
    by = {f.feature: f for f in report.findings}
    assert sorted(by) == ["INTRUDER", "MEMBER"]
    member, intruder = by["MEMBER"], by["INTRUDER"]
    assert (member.layer, member.fid, member.key, member.expected) == ("kcn", 1, "member", 0)
    assert (intruder.layer, intruder.fid, intruder.key, intruder.expected) == (
        "kcn", 2, "intrusion", 0)
    assert member.measured == pytest.approx(25.0, abs=1e-3)
    assert intruder.measured == pytest.approx(50.0, abs=1e-3)
    assert member.geometry.area == pytest.approx(250_000.0, rel=1e-6)
    assert intruder.geometry.area == pytest.approx(500_000.0, rel=1e-6)
    assert member.geometry.bounds[2] == pytest.approx(X)  # the part outside, west of the KKT
    assert intruder.geometry.bounds[0] == pytest.approx(X + 9_500)  # the part inside
    assert "25" in member.message_en and "50" in intruder.message_en
    assert member.fingerprint != intruder.fingerprint


def test_ov02_tolerance_boundaries(tmp_path: Path) -> None:
    plan = _kkt_plan(tmp_path, member_dx=-250.0)
    # The intrusion is 500 000 m², the member's outside part 250 000 m² (exact boxes).
    at = _run(plan, "OV02", members=["MEMBER"], tolerance_m2=250_000.0)
    assert at.flatten() == [["OV02", "INTRUDER"]]  # equal to the tolerance: not reported
    assert _run(plan, "OV02", members=["MEMBER"], tolerance_m2=500_000.0).findings == []
    assert sorted(_run(plan, "OV02", members=["MEMBER"], tolerance_m2=249_000.0).flatten()) \
        == [["OV02", "INTRUDER"], ["OV02", "MEMBER"]]


def test_ov02_member_inside_and_no_kkt(tmp_path: Path) -> None:
    inside = _kkt_plan(tmp_path / "a", member_dx=1000.0)
    assert _run(inside, "OV02", members=["MEMBER"]).flatten() == [["OV02", "INTRUDER"]]
    # Without members, the member is one more intruder.
    assert sorted(_run(inside, "OV02", members=[]).flatten()) == [["OV02", "INTRUDER"],
                                                                 ["OV02", "MEMBER"]]
    no_kkt = _load(tmp_path / "b", kcn=fx.frame([fx.feature("K", dt=100.0)],
                                                [box(X, Y, X + 1000, Y + 1000)]))
    assert _run(no_kkt, "OV02").findings == []


# --- OV01 ---------------------------------------------------------------------------------------


def test_ov01_values_tolerance_and_invalid_inputs(tmp_path: Path) -> None:
    bow = Polygon([(X + 5000, Y), (X + 6000, Y + 1000), (X + 6000, Y), (X + 5000, Y + 1000)])
    kcn = fx.frame([fx.feature("K", dt=100.0), fx.feature("BOW", dt=50.0)],
                   [box(X, Y, X + 1000, Y + 1000), bow])
    ccn = fx.frame([fx.feature("C", dt=25.0), fx.feature("D", dt=25.0)],
                   [box(X + 900, Y, X + 1400, Y + 500),  # 100 × 500 m = 5 ha overlap with K
                    box(X + 5600, Y + 200, X + 6100, Y + 300)])  # crosses the bow-tie's east lobe
    plan = _gpkg(tmp_path / "p.gpkg", kcn=kcn, ccn=ccn)
    report = _run(plan, "OV01")
    by = {(f.feature, f.key): f for f in report.findings}
    assert set(by) == {("K", "C"), ("BOW", "D")}
    kc = by["K", "C"]
    assert (kc.layer, kc.fid, kc.expected) == ("kcn", 1, 100.0)
    assert kc.measured == pytest.approx(50_000.0)
    assert kc.geometry.area == pytest.approx(50_000.0)
    assert by["BOW", "D"].fid == 2 and by["BOW", "D"].measured > 100.0
    assert _run(plan, "OV01", tolerance_m2=50_000.0).flatten(["feature"]) in ([["BOW"]], [])
    assert ["K"] not in _run(plan, "OV01", tolerance_m2=50_000.0).flatten(["feature"])
    assert ["K"] in _run(plan, "OV01", tolerance_m2=49_999.0).flatten(["feature"])


def test_ov01_needs_two_zones_and_an_overlap(tmp_path: Path) -> None:
    one = _load(tmp_path / "a", kcn=fx.frame([fx.feature("K", dt=100.0)],
                                             [box(X, Y, X + 1000, Y + 1000)]))
    assert _run(one, "OV01").findings == []
    apart = fx.small_plan(tmp_path / "b")
    assert _run(kzplan.load_plan(apart), "OV01").findings == []


# --- DT -----------------------------------------------------------------------------------------


def _two_districts(folder: Path) -> Path:
    districts = gpd.GeoDataFrame(
        {"ma_huyen": ["608", "615"], "ten": ["Thành phố Kon Tum", "Huyện Đắk Hà"]},
        geometry=[box(X - 20_000, Y - 20_000, X + 5_000, Y + 20_000),
                  box(X + 5_000, Y - 20_000, X + 30_000, Y + 20_000)], crs="EPSG:9216")
    path = folder / "districts.gpkg"
    folder.mkdir(parents=True, exist_ok=True)
    districts.to_file(path)
    return path


def test_dt04_values_of_a_straddling_cluster(tmp_path: Path) -> None:
    ccn = fx.frame([fx.feature("IN", dt=40.0), fx.feature("STRADDLE", dt=40.0),
                    fx.feature("MOVED", dt=40.0), fx.feature("UNKNOWN", "999", dt=40.0)],
                   [box(X, Y, X + 500, Y + 500),
                    box(X + 4_700, Y, X + 5_100, Y + 1000),  # 30 ha in 608, 10 ha in 615
                    box(X + 10_000, Y, X + 10_500, Y + 500),
                    box(X + 12_000, Y, X + 12_500, Y + 500)])
    plan = kzplan.load_plan(fx.write(tmp_path / "plan", ccn=ccn),
                            districts=_two_districts(tmp_path))
    report = _run(plan, "DT04")
    by = {f.feature: f for f in report.findings}
    assert sorted(by) == ["MOVED", "STRADDLE"]  # an unknown district is DT03's business
    s = by["STRADDLE"]
    assert (s.layer, s.fid, s.expected, s.key) == ("ccn", 2, "608", "615")
    assert s.measured == {"608": pytest.approx(30.0), "615": pytest.approx(10.0)}
    assert s.geometry.area == pytest.approx(100_000.0)
    m = by["MOVED"]
    assert (m.fid, m.key) == (3, "615") and m.measured == {"615": pytest.approx(25.0)}
    assert "Huyện Đắk Hà" in m.message_vi and "Thành phố Kon Tum" in m.message_vi
    # The tolerance is in m²: 10 ha outside is 100 000 m².
    assert [f.feature for f in _run(plan, "DT04", tolerance_m2=100_000.0).findings] == ["MOVED"]
    assert "STRADDLE" in [f.feature for f in _run(plan, "DT04", tolerance_m2=99_000.0).findings]


def test_dt04_a_neighbour_below_the_tolerance_is_not_named(tmp_path: Path) -> None:
    ccn = fx.frame([fx.feature("EDGE", dt=40.0)],
                   [box(X + 4_999, Y, X + 5_400, Y + 1000)])  # 0.1 ha in 608, 40 ha in 615
    plan = kzplan.load_plan(fx.write(tmp_path / "plan", ccn=ccn),
                            districts=_two_districts(tmp_path))
    f = _run(plan, "DT04", tolerance_m2=2_000.0).findings[0]
    assert f.key == "615" and f.measured["608"] == pytest.approx(0.1)
    f = _run(plan, "DT04", tolerance_m2=1_000.0).findings[0]
    assert f.key == "615"  # 608 is its own district, never "elsewhere"


def test_dt02_and_dt03_values(tmp_path: Path) -> None:
    ccn = _ccn([("A", {"ma_huyen": "618"}), ("B", {"ma_huyen": "618"}),
                ("C", {"ma_huyen": "999"})])
    plan = _load(tmp_path, ccn=ccn)
    dt02 = _run(plan, "DT02")
    assert dt02.flatten(["feature", "layer", "measured", "expected", "key"]) == [
        ["618", "ccn", 2, 1, "618"]]
    # only units with max_ccn in the plan's units.csv are capped (618 and 614 here): 999 is none
    assert load_plandef().unit("618").max_ccn == 1 and load_plandef().unit("999") is None
    dt03 = _run(plan, "DT03")
    assert dt03.flatten(["feature", "layer", "fid", "measured"]) == [["C", "ccn", 3, "999"]]
    assert "608" in dt03.findings[0].expected and "999" not in dt03.findings[0].expected
    assert dt03.findings[0].expected == sorted(dt03.findings[0].expected)


# --- AT -----------------------------------------------------------------------------------------


def test_at01_values(tmp_path: Path) -> None:
    kcn = fx.frame([fx.feature("X", dt=100.0)], [box(X, Y, X + 1000, Y + 1000)])
    ccn = _ccn([("Y", {}), ("X", {}), ("X", {})])
    report = _run(_load(tmp_path, kcn=kcn, ccn=ccn), "AT01")
    got = sorted(report.flatten(["layer", "fid", "feature", "measured", "expected", "key"]))
    assert got == [["ccn", 2, "X", 3, 1, "ccn#2"], ["ccn", 3, "X", 3, 1, "ccn#3"],
                   ["kcn", 1, "X", 3, 1, "kcn#1"]]
    kcn_hit = next(f for f in report.findings if f.layer == "kcn")
    assert kcn_hit.geometry.area == pytest.approx(1_000_000.0)
    assert "ccn #2" in kcn_hit.message_en and "ccn #3" in kcn_hit.message_en
    assert "kcn #1" not in kcn_hit.message_en


def test_at03_ranges_values_and_limits(tmp_path: Path) -> None:
    ccn = _ccn([("OLD", {"trang_thai": "thanh_lap", "nam_tl": 1950}),
                ("NEW", {"trang_thai": "thanh_lap", "nam_tl": 2027}),
                ("EDGE", {"trang_thai": "hoat_dong", "nam_tl": 2026, "lap_day": 0.0}),
                ("FULL", {"trang_thai": "hoat_dong", "nam_tl": 1960, "lap_day": 100.0}),
                ("NEG", {"trang_thai": "hoat_dong", "nam_tl": 2000, "lap_day": -1.0}),
                ("TINY", {})])
    ccn.loc[5, "dt_qh_ha"] = 0.00001
    plan = _load(tmp_path, ccn=ccn)
    report = _run(plan, "AT03", min_year=1960)
    # the plausible years do not depend on the as-of year (a 2027 cluster is not implausible)
    assert report.flatten(["feature", "key", "measured"]) == [
        ["OLD", "nam_tl", 1950.0], ["NEG", "lap_day", -1.0], ["TINY", "dt_qh_ha", 1e-05]]
    by = {f.feature: f for f in report.findings}
    assert by["OLD"].expected == [1960, 2050] and by["NEG"].expected == [0, 100]
    assert by["TINY"].expected == [0.0001, float("inf")]
    assert by["OLD"].fid == 1 and by["TINY"].fid == 6 and by["OLD"].geometry is not None
    assert "1950" in by["OLD"].message_en and "1950.0" not in by["OLD"].message_en
    assert "∞" in by["TINY"].message_en
    assert _run(plan, "AT03", as_of=2027, min_year=1950).flatten(["feature"]) == [
        ["NEG"], ["TINY"]]


def test_at04_values(tmp_path: Path) -> None:
    ccn = _ccn([("NOYEAR", {"trang_thai": "thanh_lap"}),
                ("PLANOCC", {"lap_day": 0.0}), ("PLANOCC2", {"lap_day": 5.0}),
                ("THISYEAR", {"trang_thai": "hoat_dong", "nam_tl": 2026, "lap_day": 1.0}),
                ("FUTURE", {"trang_thai": "hoat_dong", "nam_tl": 2027, "lap_day": 1.0})])
    report = _run(_load(tmp_path, ccn=ccn), "AT04", as_of=2026)
    assert report.flatten(["feature", "fid", "key"]) == [
        ["NOYEAR", 1, "no_year"], ["PLANOCC2", 3, "planned_occupied"], ["FUTURE", 5, "future_year"]]
    assert all(f.layer == "ccn" and f.geometry is not None for f in report.findings)
    future = report.findings[2]
    assert "2027" in future.message_en and "2026" in future.message_en
    assert "5" in report.findings[1].message_en


def test_at05_values(tmp_path: Path) -> None:
    ccn = _ccn([("A", {"ten": None, "nguon": None}), ("B", {})])
    report = _run(_load(tmp_path, ccn=ccn), "AT05")
    keys = report.flatten(["feature", "fid", "key"])
    assert ["A", 1, "ten"] in keys and all(k[0] == "A" for k in keys)
    assert all(f.geometry is not None and f.layer == "ccn" for f in report.findings)


# --- GM02 / GM03 / HY02 on several layers --------------------------------------------------------


def test_gm02_gm03_hy02_values(tmp_path: Path) -> None:
    kcn = fx.frame([fx.feature("K1", dt=100.0, tin_cay="xac_nhan", hinh_hoc="do_dac"),
                    fx.feature("K2", dt=100.0, tin_cay="suy_ra", hinh_hoc="do_dac")],
                   [box(X, Y, X + 1000, Y + 1000), None])
    ccn = fx.frame([fx.feature("PT", dt=40.0), fx.feature("C", dt=40.0)],
                   [shapely.Point(X + 5000, Y), box(X + 6000, Y, X + 6500, Y + 500)])
    plan = _gpkg(tmp_path / "p.gpkg", kcn=kcn, ccn=ccn)
    assert _run(plan, "GM02").flatten(["layer", "feature", "fid"]) == [["kcn", "K2", 2]]
    gm03 = _run(plan, "GM03")
    assert gm03.flatten(["layer", "feature", "fid", "measured"]) == [["ccn", "PT", 1, "Point"]]
    assert gm03.findings[0].geometry.geom_type == "Point"
    hy02 = _run(plan, "HY02")
    got = {f.layer: f.measured for f in hy02.findings}
    assert got == {"kcn": {"suy_ra": 1, "gia_dinh": 0, "so_do": 0},
                   "ccn": {"suy_ra": 0, "gia_dinh": 2, "so_do": 2}}
    assert {f.key for f in hy02.findings} == {"kcn", "ccn"}
    assert "2" in next(f for f in hy02.findings if f.layer == "kcn").message_en


def test_hy01_values(tmp_path: Path) -> None:
    folder = fx.legacy_ccn(tmp_path, ["Cụm Đắk Hà"], "tcvn3")
    report = _run(kzplan.load_plan(folder), "HY01")
    keys = {f.key for f in report.findings}
    assert {"note.encoding_detected", "note.encoding_legacy"} <= keys
    assert all(f.layer == "ccn" and f.feature is None for f in report.findings)
    legacy = next(f for f in report.findings if f.key == "note.encoding_legacy")
    assert legacy.measured == {"encoding": "tcvn3"}
    assert "ccn.shp" in legacy.message_en


# --- CT / AR ------------------------------------------------------------------------------------


def test_ct01_and_ar01_values_and_tolerance(tmp_path: Path) -> None:
    plan = _load(tmp_path, ccn=_ccn([("A", {}), ("B", {})]))  # 2 × 40 ha planned
    ct = _run(plan, "CT01", expected={"ccn": 3, "kcn": 1})
    assert sorted(ct.flatten(["layer", "measured", "expected", "key"])) == [
        ["ccn", 2, 3, "ccn"], ["kcn", 0, 1, "kcn"]]
    assert _run(plan, "CT01", expected={"ccn": 2}).findings == []
    ar = _run(plan, "AR01", targets={"ccn": 100.0, "kcn": 10.0}, tolerance_pct=1.0)
    assert sorted(ar.flatten(["layer", "measured", "expected", "key"])) == [
        ["ccn", 80.0, 100.0, "ccn"], ["kcn", 0.0, 10.0, "kcn"]]
    # |80 - 100| = 20 = 20 % of the target: inside a 20 % tolerance, outside 19.9 %.
    assert _run(plan, "AR01", targets={"ccn": 100.0}, tolerance_pct=20.0).findings == []
    assert _run(plan, "AR01", targets={"ccn": 100.0}, tolerance_pct=19.9).flatten() == [
        ["AR01", None]]
    assert _run(plan, "AR01", targets={"ccn": 80.0}, tolerance_pct=0.0).findings == []


def test_ar02_uses_the_measured_area(tmp_path: Path) -> None:
    ccn = _ccn([("A", {})])
    ccn["dt_qh_ha"] = [1.0]  # planned 1 ha, drawn 40 ha
    plan = _load(tmp_path, ccn=ccn)
    measured = float(plan["ccn"]["dt_do_ha"].sum())
    assert measured == pytest.approx(40.0, rel=1e-3)
    f = _run(plan, "AR02", targets={"ccn": 1.0}, tolerance_pct=1.0).findings[0]
    assert f.measured == round(measured, 2) and f.expected == 1.0
    assert _run(plan, "AR02", targets={"ccn": round(measured, 2)}, tolerance_pct=1.0).findings \
        == []


def test_ar03_values_boundary_and_skips(tmp_path: Path) -> None:
    ccn = _ccn([("OK", {}), ("OFF", {}), ("M2", {}), ("ZERO", {})])
    ccn["dt_qh_ha"] = [40.0, 44.0, 400_000.0, 0.0]
    plan = _load(tmp_path, ccn=ccn)
    measured = list(plan["ccn"]["dt_do_ha"])
    report = _run(plan, "AR03", tolerance_pct=5.0)
    assert report.flatten(["feature", "fid", "layer"]) == [["OFF", 2, "ccn"], ["M2", 3, "ccn"]]
    off, m2 = report.findings
    assert off.measured == round(measured[1], 2) and off.expected == 44.0
    assert off.geometry is not None
    assert m2.message_en != m2.message_en.replace("m²", "")  # the unit hint is added
    assert off.message_en == off.message_en.replace("m²", "")
    pct = 100 * abs(44.0 - measured[1]) / measured[1]
    assert "OFF" not in [f.feature for f in _run(plan, "AR03", tolerance_pct=pct + 0.01).findings]
    assert "OFF" in [f.feature for f in _run(plan, "AR03", tolerance_pct=pct - 0.01).findings]


@pytest.mark.parametrize(("area", "flagged"), [(5.0, False), (75.0, False), (4.99, True),
                                               (75.01, True)])
def test_ar04_bounds_are_inclusive(tmp_path: Path, area: float, flagged: bool) -> None:
    ccn = _ccn([("C", {})])
    ccn["dt_qh_ha"] = [area]
    report = _run(_load(tmp_path, ccn=ccn), "AR04")
    assert bool(report.findings) is flagged
    if flagged:
        f = report.findings[0]
        # TP Kon Tum is a mountainous unit (units.csv): the floor there is 5 ha (NĐ 32/2024)
        assert (f.layer, f.feature, f.fid, f.measured, f.expected) == ("ccn", "C", 1, area,
                                                                      [5.0, 75.0])
        assert f.geometry is not None


# --- DT01 ---------------------------------------------------------------------------------------


def test_dt01_values_with_and_without_boundaries(tmp_path: Path) -> None:
    ccn = _ccn([("A", {}), ("B", {"ma_huyen": "615"})])
    folder = fx.write(tmp_path / "plan", ccn=ccn)
    # the minimums come from the plan's units.csv: 608 needs 2, 615 needs 2, the others too
    plan = kzplan.load_plan(folder)
    f = [x for x in _run(plan, "DT01").findings if x.feature in ("608", "615")]
    assert [(x.layer, x.feature, x.measured, x.expected, x.key) for x in f] == [
        ("ccn", "608", 1, 2, "608"), ("ccn", "615", 1, 2, "615")]
    assert f[0].geometry is None
    with_b = kzplan.load_plan(folder, districts=_two_districts(tmp_path))
    g = next(x for x in _run(with_b, "DT01").findings if x.feature == "608").geometry
    assert g.area == pytest.approx(25_000 * 40_000)
    unit = load_plandef().unit("608")
    assert unit.name in next(x for x in _run(with_b, "DT01").findings
                             if x.feature == "608").message_vi


# --- OC -----------------------------------------------------------------------------------------


def test_oc01_values_boundary_and_progress(tmp_path: Path) -> None:
    # established in the plan period (from 2021): the targets bind them
    ccn = _ccn([("LOW", {"trang_thai": "hoat_dong", "nam_tl": 2021, "lap_day": 59.9,
                         "xlnt": "co"}),
                ("AT", {"trang_thai": "hoat_dong", "nam_tl": 2021, "lap_day": 60.0, "xlnt": "co"}),
                (None, {"trang_thai": "thanh_lap", "nam_tl": 2022, "lap_day": 10.0}),
                ("PLAN", {"lap_day": 0.0})])
    plan = _load(tmp_path, ccn=ccn)
    report = _run(plan, "OC01", as_of=2025)
    assert report.flatten(["feature", "fid", "layer", "measured", "expected", "severity"]) == [
        ["LOW", 1, "ccn", 59.9, 60, "error"], ["#3", 3, "ccn", 10.0, 60, "error"]]
    assert all(f.geometry is not None for f in report.findings)
    early = _run(plan, "OC01", as_of=2024)
    # Before the first target year: progress toward it, as info, for everyone below it.
    assert early.flatten(["feature", "severity", "expected"]) == [
        ["LOW", "info", 60], ["#3", "info", 60]]
    assert "AT" not in {f.feature for f in report.findings}
    only_operating = _run(plan, "OC01", as_of=2025, statuses=["hoat_dong"])
    assert only_operating.flatten(["feature"]) == [["LOW"]]


def test_oc02_values(tmp_path: Path) -> None:
    ccn = _ccn([("E", {"trang_thai": "thanh_lap", "nam_tl": 2020}),
                ("O", {"trang_thai": "hoat_dong", "nam_tl": 2010, "lap_day": 50.0}),
                ("P", {})])
    report = _run(_load(tmp_path, ccn=ccn), "OC02")
    assert report.flatten(["feature", "fid", "layer", "severity"]) == [["E", 1, "ccn", "warning"]]
    assert report.findings[0].geometry is not None
