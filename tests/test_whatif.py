"""What-if edits (each kind, input untouched, validation) and Diff (fingerprints, headroom)."""

from __future__ import annotations

import copy
import json

import geopandas as gpd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from pyproj import Transformer

import kzplan
from kzplan import messages, whatif
from kzplan.findings import Finding, Report, fingerprint
from kzplan.rules import load_pack
from tests import factory

AS_OF = 2030
TO_LONLAT = Transformer.from_crs("EPSG:9216", "EPSG:4326", always_xy=True)
SA_THAY = (107.72, 14.42)  # rural Huyện Sa Thầy, west of its town (hand-picked, ~3 km from any
                           # bundled feature)


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> kzplan.Plan:
    """1 KCN and 3 CCN (CCN-0, CCN-1, CCN-2, 40 ha each, 2 km apart) in TP Kon Tum."""
    return kzplan.load_plan(factory.small_plan(tmp_path_factory.mktemp("plan")))


@pytest.fixture(scope="module")
def report(plan: kzplan.Plan) -> Report:
    return kzplan.check(plan, as_of=AS_OF)


def snapshot(plan: kzplan.Plan) -> dict[str, gpd.GeoDataFrame]:
    return {name: frame.copy(deep=True) for name, frame in plan.layers.items()}


def assert_untouched(plan: kzplan.Plan, before: dict[str, gpd.GeoDataFrame]) -> None:
    assert list(plan.layers) == list(before)
    for name, frame in before.items():
        assert_geodataframe_equal(plan.layers[name], frame, check_less_precise=False)


def row(plan: kzplan.Plan, layer: str, code: str) -> gpd.GeoSeries:
    frame = plan[layer]
    match = frame[frame["ma"] == code]
    assert len(match) == 1
    return match.iloc[0]


CCN_TARGET = load_pack("kontum-2030").get("AR01").params["targets"]["ccn"]
CCN_COUNT = load_pack("kontum-2030").get("CT01").params["expected"]["ccn"]


def vi_number(text: str) -> str:
    """An English-style number as Vietnamese text writes it: ``1,729.72`` -> ``1.729,72``."""
    return text.translate(str.maketrans({",": ".", ".": ","}))


# --- each edit kind ------------------------------------------------------------------------------


EDITS = {
    "add": lambda p: whatif.add(p, "ccn", SA_THAY, ma="CCN-616-04", ten="CCN Sa Thầy 4",
                                ma_huyen="616", dt_qh_ha=40),
    "remove": lambda p: whatif.remove(p, "ccn", "CCN-1"),
    "move": lambda p: whatif.move(p, "ccn", "CCN-1", dx=250.0, dy=-125.0),
    "move_to": lambda p: whatif.move(p, "ccn", "CCN-1", to=SA_THAY),
    "resize": lambda p: whatif.resize(p, "ccn", "CCN-1", ha=65),
    "set": lambda p: whatif.set(p, "ccn", "CCN-1", trang_thai="hoat_dong", nam_tl=2019,
                                lap_day=55.0, xlnt="co"),
}


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_edit_returns_new_plan_and_leaves_input_untouched(plan: kzplan.Plan, kind: str) -> None:
    before = snapshot(plan)
    edited = EDITS[kind](plan)
    assert edited is not plan
    assert_untouched(plan, before)
    assert all(edited.layers[n] is not plan.layers[n] for n in plan.layers)
    # the edit did change something
    assert not edited["ccn"].equals(plan["ccn"])
    # an edited plan can be edited again without touching the first edit
    again = snapshot(edited)
    whatif.set(edited, "ccn", "CCN-0", ten="đổi tên")
    assert_untouched(edited, again)


def test_add_square_at_lonlat(plan: kzplan.Plan) -> None:
    edited = EDITS["add"](plan)
    assert len(edited["ccn"]) == len(plan["ccn"]) + 1
    new = row(edited, "ccn", "CCN-616-04")
    assert new["ten"] == "CCN Sa Thầy 4"
    assert new["ma_huyen"] == "616"
    assert new["dt_qh_ha"] == 40
    assert new["dt_do_ha"] == pytest.approx(40, rel=1e-6)  # measured like every other feature
    assert new["trang_thai"] == "quy_hoach"  # planning defaults for fields not given
    lon, lat = TO_LONLAT.transform(new.geometry.centroid.x, new.geometry.centroid.y)
    assert (lon, lat) == pytest.approx(SA_THAY, abs=1e-6)
    # dtypes survive the append (nam_tl stays a nullable integer)
    assert edited["ccn"].dtypes.to_dict() == plan["ccn"].dtypes.to_dict()


def test_add_polygon_in_another_crs_is_reprojected(plan: kzplan.Plan) -> None:
    lon, lat = SA_THAY
    poly = shapely.box(lon, lat, lon + 0.006, lat + 0.006)  # degrees, ~42 ha
    edited = whatif.add(plan, "ccn", poly, crs="EPSG:4326", ma="CCN-X", ma_huyen="616")
    new = row(edited, "ccn", "CCN-X")
    expected = kzplan.crs.area_ha(gpd.GeoSeries([poly], crs="EPSG:4326"))[0]
    assert new["dt_do_ha"] == pytest.approx(expected, rel=1e-4)  # straight edges, other datum
    # dt_qh_ha not given: the measured area
    assert new["dt_qh_ha"] == pytest.approx(new["dt_do_ha"], abs=0.01)
    assert new.geometry.bounds[0] > 100_000  # metres of EPSG:9216, not degrees


def test_add_to_a_layer_the_plan_lacks(plan: kzplan.Plan) -> None:
    assert "kkt" not in plan
    edited = whatif.add(plan, "kkt", (107.55, 14.70), ma="KKT-01", ma_huyen="611",
                        dt_qh_ha=500)
    assert "kkt" not in plan
    assert len(edited["kkt"]) == 1
    report = kzplan.check(edited, as_of=AS_OF)
    assert report.targets.set_index("layer").loc["kkt", "count"] == 1


def test_remove(plan: kzplan.Plan) -> None:
    edited = EDITS["remove"](plan)
    assert list(edited["ccn"]["ma"]) == ["CCN-0", "CCN-2"]
    assert edited.info["ccn"].count == 2


def test_move_by_metres(plan: kzplan.Plan) -> None:
    edited = EDITS["move"](plan)
    old, new = row(plan, "ccn", "CCN-1"), row(edited, "ccn", "CCN-1")
    assert new.geometry.centroid.x - old.geometry.centroid.x == pytest.approx(250.0)
    assert new.geometry.centroid.y - old.geometry.centroid.y == pytest.approx(-125.0)
    assert new["dt_do_ha"] == pytest.approx(old["dt_do_ha"], rel=1e-4)
    assert new["dt_qh_ha"] == old["dt_qh_ha"]


def test_move_to_lonlat(plan: kzplan.Plan) -> None:
    new = row(EDITS["move_to"](plan), "ccn", "CCN-1")
    lon, lat = TO_LONLAT.transform(new.geometry.centroid.x, new.geometry.centroid.y)
    assert (lon, lat) == pytest.approx(SA_THAY, abs=1e-7)


def test_resize_scales_about_centroid_and_sets_planned_area(plan: kzplan.Plan) -> None:
    old, new = row(plan, "ccn", "CCN-1"), row(EDITS["resize"](plan), "ccn", "CCN-1")
    assert new["dt_qh_ha"] == 65
    assert new["dt_do_ha"] == pytest.approx(65, rel=1e-6)
    assert new.geometry.centroid.distance(old.geometry.centroid) < 1e-6
    assert new.geometry.area / old.geometry.area == pytest.approx(65 / old["dt_do_ha"], rel=1e-6)


def test_set_attributes(plan: kzplan.Plan) -> None:
    edited = EDITS["set"](plan)
    new = row(edited, "ccn", "CCN-1")
    assert (new["trang_thai"], new["nam_tl"], new["lap_day"], new["xlnt"]) == (
        "hoat_dong", 2019, 55.0, "co")
    assert row(edited, "ccn", "CCN-0")["trang_thai"] == "quy_hoach"
    cleared = whatif.set(edited, "ccn", "CCN-1", nam_tl=None, xlnt=None)
    assert row(cleared, "ccn", "CCN-1")["nam_tl"] is kzplan.plan.pd.NA
    assert row(cleared, "ccn", "CCN-1")["xlnt"] is None


BAD = {
    "unknown layer": (lambda p: whatif.remove(p, "ccnn", "CCN-1"), ["ccnn", "kcn, ccn, kkt"]),
    "absent layer": (lambda p: whatif.remove(p, "kkt", "KKT-01"), ["kkt"]),
    "unknown code": (lambda p: whatif.move(p, "ccn", "CCN-9", dx=1), ["CCN-9", "CCN-0"]),
    "duplicate code": (lambda p: whatif.add(p, "ccn", SA_THAY, ma="CCN-1", dt_qh_ha=40),
                       ["CCN-1"]),
    "no code": (lambda p: whatif.add(p, "ccn", SA_THAY, dt_qh_ha=40), ["ma="]),
    "unknown field": (lambda p: whatif.set(p, "ccn", "CCN-1", status="x"), ["status"]),
    "bad domain": (lambda p: whatif.set(p, "ccn", "CCN-1", trang_thai="hoat dong"),
                   ["trang_thai", "hoat dong", "hoat_dong"]),
    "bad type": (lambda p: whatif.set(p, "ccn", "CCN-1", dt_qh_ha="40"), ["dt_qh_ha"]),
    "negative area": (lambda p: whatif.add(p, "ccn", SA_THAY, ma="CCN-Z", dt_qh_ha=-40),
                      ["dt_qh_ha", "-40"]),
    "bad district": (lambda p: whatif.set(p, "ccn", "CCN-1", ma_huyen="6160"), ["ma_huyen"]),
    "set geometry": (lambda p: whatif.set(p, "ccn", "CCN-1", geometry=None), ["move"]),
    "nothing to set": (lambda p: whatif.set(p, "ccn", "CCN-1"), ["CCN-1"]),
    "move both": (lambda p: whatif.move(p, "ccn", "CCN-1", dx=1, to=SA_THAY), ["dx/dy"]),
    "move neither": (lambda p: whatif.move(p, "ccn", "CCN-1"), ["dx/dy"]),
    "resize zero": (lambda p: whatif.resize(p, "ccn", "CCN-1", ha=0), ["ha"]),
    "point without area": (lambda p: whatif.add(p, "ccn", SA_THAY, ma="CCN-Y"), ["dt_qh_ha"]),
    "line geometry": (lambda p: whatif.add(p, "ccn", shapely.LineString([(0, 0), (1, 1)]),
                                           ma="CCN-Y"), ["LineString"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_a_bilingual_one_line_kzplan_error(plan: kzplan.Plan, case: str) -> None:
    func, needles = BAD[case]
    before = snapshot(plan)
    with pytest.raises(whatif.WhatIfError) as info:
        func(plan)
    err = info.value
    assert isinstance(err, kzplan.KzplanError)
    for lang in messages.LANGS:
        text = err.render(lang)
        assert "\n" not in text
        for needle in needles:
            assert needle in text, (lang, text)
    assert err.render("vi") != err.render("en")
    assert_untouched(plan, before)


# --- compare: fingerprint matching ---------------------------------------------------------------


def finding(rule: str, feature: str, *, severity: str = "error", message: str = "m",
            measured: object = None, key: str = "") -> Finding:
    return Finding(rule_id=rule, rule_name=rule.lower(), severity=severity, layer="ccn",
                   feature=feature, message_vi=message + " (vi)", message_en=message,
                   measured=measured, key=key, fingerprint=fingerprint(rule, "ccn", feature, key))


def bare(findings: list[Finding]) -> Report:
    return Report(plan_name="t", rule_pack="p", as_of=AS_OF, crs="EPSG:9216", findings=findings)


def test_compare_pairs_findings_by_fingerprint() -> None:
    kept = finding("GM01", "A")
    gone = finding("OV01", "B")
    was_warning = finding("AR04", "C", severity="warning", measured=80.0)
    remeasured = finding("AR03", "D", measured=41.0, message="41 ha")
    before = bare([kept, gone, was_warning, remeasured, finding("DT01", "616")])
    now_error = finding("AR04", "C", severity="error", measured=80.0)
    added_error = finding("GM02", "E")
    added_info = finding("HY02", "ccn", severity="info")
    after = bare([copy.copy(kept), now_error, finding("AR03", "D", measured=45.0,
                                                      message="45 ha"),
                  added_error, added_info, finding("DT01", "616")])
    diff = whatif.compare(before, after)
    assert [f.rule_id for f in diff.new] == ["GM02", "HY02"]
    assert [f.rule_id for f in diff.resolved] == ["OV01"]
    assert sorted(f.rule_id for f in diff.unchanged) == ["DT01", "GM01"]
    assert [(b.measured, a.measured) for b, a in diff.changed if b.rule_id == "AR03"] == [
        (41.0, 45.0)]
    # a new error: new error findings, and findings that became errors
    assert sorted(f.rule_id for f in diff.new_errors) == ["AR04", "GM02"]
    assert diff.exit_code == 1
    back = whatif.compare(after, before)  # going back: only OV01 comes back as an error
    assert [f.rule_id for f in back.new_errors] == ["OV01"]
    assert sorted(f.rule_id for f in back.resolved) == ["GM02", "HY02"]


def test_compare_duplicate_fingerprints_pair_in_order() -> None:
    a1, a2 = finding("OV01", "A", message="one"), finding("OV01", "A", message="two")
    diff = whatif.compare(bare([a1, a2]), bare([copy.copy(a1)]))
    assert diff.unchanged == [a1] and diff.resolved == [a2] and not diff.new
    diff = whatif.compare(bare([a1]), bare([copy.copy(a1), a2]))
    assert diff.new == [a2] and diff.exit_code == 1


def test_compare_identical_reports(report: Report) -> None:
    diff = whatif.compare(report, report)
    assert (diff.new, diff.resolved, diff.changed) == ([], [], [])
    assert len(diff.unchanged) == len(report.findings)
    assert diff.exit_code == 0
    assert "changes no target" in diff.sentences("en")[0]


def test_report_from_dict_round_trip(report: Report) -> None:
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    back = whatif.report_from_dict(data)
    assert [f.fingerprint for f in back.findings] == [f.fingerprint for f in report.findings]
    diff = whatif.compare(report, back)
    assert len(diff.unchanged) == len(report.findings) and not diff.changed
    assert back.targets.to_dict("records") == json.loads(json.dumps(
        report.to_dict()["targets"]))
    with pytest.raises(whatif.WhatIfError, match="kzplan-report/1"):
        whatif.report_from_dict({**data, "schema": "something/2"})
    with pytest.raises(whatif.WhatIfError, match="as_of"):
        whatif.report_from_dict({k: v for k, v in data.items() if k != "as_of"})


# --- headroom and sentences ----------------------------------------------------------------------


def test_headroom_arithmetic_for_an_added_cluster(plan: kzplan.Plan, report: Report) -> None:
    planned = float(plan["ccn"]["dt_qh_ha"].sum())
    diff = whatif.evaluate(plan, whatif.Add("ccn", SA_THAY, {"ma": "CCN-616-04",
                                                             "ma_huyen": "616", "dt_qh_ha": 40}),
                           as_of=AS_OF, baseline=report)
    t = diff.targets.set_index("layer").loc["ccn"]
    assert t["area_target_ha"] == CCN_TARGET
    assert t["headroom_before_ha"] == pytest.approx(CCN_TARGET - planned)
    assert t["headroom_after_ha"] == pytest.approx(CCN_TARGET - planned - 40)
    assert t["headroom_change_ha"] == pytest.approx(-40)
    assert (t["count_before"], t["count_after"]) == (3, 4)
    assert t["count_headroom_after"] == CCN_COUNT - 4
    d = diff.districts.set_index("ma_huyen").loc["616"]
    assert (d["ccn_before"], d["ccn_after"], d["margin_after"]) == (0, 1, 1 - d["min_ccn"])
    assert diff.districts.set_index("ma_huyen").loc["608", "ccn_after"] == 3
    kcn = diff.targets.set_index("layer").loc["kcn"]
    assert kcn["headroom_change_ha"] == 0

    left = f"{CCN_TARGET - planned:,.2f}".rstrip("0").rstrip(".")
    after = f"{CCN_TARGET - planned - 40:,.2f}".rstrip("0").rstrip(".")
    en = diff.sentences("en")
    assert en[0] == (
        f"Adding a 40 ha cluster in Huyện Sa Thầy (CCN-616-04) uses 40 of the remaining {left} ha"
        f" of the cluster (CCN) area target ({CCN_TARGET:,} ha): {after} ha remain.")
    assert any("Huyện Sa Thầy from 0 to 1" in s for s in en)
    vi = diff.sentences("vi")
    assert vi[0] == (
        f"Thêm CCN CCN-616-04 (40 ha) tại Huyện Sa Thầy sử dụng 40 trong số {vi_number(left)} ha"
        f" còn lại của chỉ tiêu diện tích CCN ({vi_number(f'{CCN_TARGET:,}')} ha): còn"
        f" {vi_number(after)} ha.")
    assert len(vi) == len(en) == 3  # area, count, district


def test_headroom_when_the_target_is_exceeded(plan: kzplan.Plan, report: Report) -> None:
    planned = float(plan["ccn"]["dt_qh_ha"].sum())
    over = CCN_TARGET - planned + 10  # 10 ha more than the headroom
    diff = whatif.evaluate(plan, whatif.Resize("ccn", "CCN-1", 40 + over), as_of=AS_OF,
                           baseline=report)
    t = diff.targets.set_index("layer").loc["ccn"]
    assert t["headroom_after_ha"] == pytest.approx(-10, abs=0.01)
    need = f"{over:,.2f}".rstrip("0").rstrip(".")
    left = f"{CCN_TARGET - planned:,.2f}".rstrip("0").rstrip(".")
    assert diff.sentences("en")[0] == (
        f"Resizing the cluster CCN-1 from 40 ha to {40 + over:,.2f} ha needs {need} ha of the"
        f" cluster (CCN) area target ({CCN_TARGET:,} ha) but only {left} ha remain: now 10 ha"
        " over the target.")
    assert diff.sentences("vi")[0] == (
        f"Đổi quy mô CCN CCN-1 từ 40 ha thành {vi_number(f'{40 + over:,.2f}')} ha cần"
        f" {vi_number(need)} ha của chỉ tiêu diện tích CCN ({vi_number(f'{CCN_TARGET:,}')} ha)"
        f" nhưng chỉ còn {vi_number(left)} ha: vượt chỉ tiêu 10 ha.")
    # once the target is used up, any more area has no headroom at all
    more = whatif.evaluate(whatif.resize(plan, "ccn", "CCN-1", ha=40 + over),
                           whatif.Resize("ccn", "CCN-0", 45), as_of=AS_OF, baseline=diff.after)
    assert more.sentences("en")[0] == (
        f"Resizing the cluster CCN-0 from 40 ha to 45 ha needs 5 ha of the cluster (CCN) area"
        f" target ({CCN_TARGET:,} ha), which has none left: now 15 ha over the target.")
    assert more.sentences("vi")[0].endswith("nhưng chỉ tiêu đã hết: vượt chỉ tiêu 15 ha.")
    back = whatif.compare(diff.after, diff.before)
    freed = f"{over:,.2f}".rstrip("0").rstrip(".")
    left = f"{CCN_TARGET - planned:,.2f}".rstrip("0").rstrip(".")
    assert back.sentences("en")[0] == (f"The new version frees {freed} ha of the cluster (CCN)"
                                       f" area target ({CCN_TARGET:,} ha): {left} ha remain.")


def test_removing_below_district_minimum_is_a_new_error(plan: kzplan.Plan,
                                                        report: Report) -> None:
    once = whatif.evaluate(plan, whatif.Remove("ccn", "CCN-1"), as_of=AS_OF, baseline=report)
    assert once.exit_code == 0  # 3 -> 2 clusters: still the minimum of 2
    assert "exactly the minimum" in once.sentences("en")[-1]
    twice = whatif.evaluate(plan, whatif.Remove("ccn", "CCN-1"), whatif.Remove("ccn", "CCN-2"),
                            as_of=AS_OF, baseline=report)
    assert [(f.rule_id, f.feature) for f in twice.new_errors] == [("DT01", "608")]
    assert twice.exit_code == 1
    assert twice.sentences("en")[0].startswith("This set of 2 edits frees 80 ha of the cluster")
    assert "1 below the minimum" in twice.sentences("en")[-1]


def test_planted_overlap_is_new_and_resolved_by_moving_back(plan: kzplan.Plan,
                                                           report: Report) -> None:
    moved = whatif.move(plan, "ccn", "CCN-1", dx=-2000.0)  # onto CCN-0
    diff = whatif.evaluate(moved, whatif.Move("ccn", "CCN-1", dx=2000.0), as_of=AS_OF)
    assert [f.rule_id for f in diff.resolved] == ["OV01"]
    assert diff.exit_code == 0
    forward = whatif.compare(report, diff.before)
    assert [f.rule_id for f in forward.new_errors] == ["OV01"]
    assert diff.sentences("en")[0].startswith("Moving the cluster CCN-1 2,000 m east changes no")
    assert diff.sentences("vi")[0].startswith("Dời CCN CCN-1 2.000 m về phía đông không")


def test_evaluate_accepts_functions_and_rejects_other_things(plan: kzplan.Plan,
                                                             report: Report) -> None:
    def close_ccn_1(p: kzplan.Plan) -> kzplan.Plan:
        return whatif.set(p, "ccn", "CCN-1", trang_thai="hoat_dong", nam_tl=2022, lap_day=30.0,
                          xlnt="khong")

    diff = whatif.evaluate(plan, close_ccn_1, as_of=AS_OF, baseline=report)
    assert sorted(f.rule_id for f in diff.new_errors) == ["OC01", "WW01", "WW04"]
    assert "close_ccn_1" in diff.edits[0]["en"]
    with pytest.raises(whatif.WhatIfError, match="not an edit"):
        whatif.evaluate(plan, "remove CCN-1")


# --- display ------------------------------------------------------------------------------------


def test_diff_html_escapes_attribute_text(plan: kzplan.Plan, report: Report) -> None:
    evil = '<script>alert("x")</script>'
    diff = whatif.evaluate(
        plan, whatif.Add("ccn", SA_THAY, {"ma": "CCN-<b>", "ten": evil, "ma_huyen": "616",
                                          "dt_qh_ha": 40}),
        whatif.Move("ccn", "CCN-1", dx=-2000.0), as_of=AS_OF, baseline=report, lang="en")
    page = diff._repr_html_()
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;" in page or "&lt;b&gt;" in page
    assert "<table" in page and "New findings" in page and "Headroom to the targets" in page
    assert "OV01" in page
    assert "Khoảng còn lại đến chỉ tiêu" in diff.to_html("vi")
    target = f"{CCN_TARGET:,}"  # the headroom table writes numbers in the page's language
    assert f"<td>{target}</td>" in page and f"<td>{vi_number(target)}</td>" in diff.to_html("vi")
    assert repr(diff).startswith("<Diff ") and "exit_code=1" in repr(diff)


def test_diff_to_dict_is_strict_json(plan: kzplan.Plan, report: Report) -> None:
    diff = whatif.evaluate(plan, whatif.Move("ccn", "CCN-1", dx=-2000.0), as_of=AS_OF,
                           baseline=report)
    data = json.loads(json.dumps(diff.to_dict(), allow_nan=False, ensure_ascii=False))
    assert data["schema"] == "kzplan-diff/1"
    assert data["exit_code"] == 1 and data["counts"]["new_errors"] == 1
    assert [f["rule_id"] for f in data["new"]] == ["OV01"]
    assert set(data["sentences"]) == {"vi", "en"}
    assert len(data["unchanged"]) == len(diff.unchanged)
    frame = diff.to_frame()
    assert list(frame["change"]) == ["new"] and frame.crs == "EPSG:9216"


# --- the bundled plan ---------------------------------------------------------------------------


def test_bundled_plan_add_a_cluster_in_sa_thay() -> None:
    plan = kzplan.load_plan()
    before = kzplan.check(plan, as_of=AS_OF)
    pack = load_pack("kontum-2030")
    targets = before.targets.set_index("layer")
    planned = float(plan["ccn"]["dt_qh_ha"].sum())
    headroom = CCN_TARGET - planned
    code = "CCN-616-WHATIF"
    diff = whatif.evaluate(plan, whatif.Add("ccn", SA_THAY, {"ma": code, "ma_huyen": "616",
                                                             "dt_qh_ha": 40}),
                           as_of=AS_OF, baseline=before)
    t = diff.targets.set_index("layer").loc["ccn"]
    assert targets.loc["ccn", "area_planned_ha"] == pytest.approx(planned, abs=0.01)
    assert t["headroom_before_ha"] == pytest.approx(headroom, abs=0.01)
    assert t["headroom_after_ha"] == pytest.approx(headroom - 40, abs=0.01)
    in_sa_thay = int((plan["ccn"]["ma_huyen"] == "616").sum())
    assert diff.districts.set_index("ma_huyen").loc["616", "ccn_after"] == in_sa_thay + 1
    # which target rules now fail follows from the arithmetic, not from a recorded output
    tolerance = pack.get("AR01").params["tolerance_pct"]
    area_fails = abs(planned + 40 - CCN_TARGET) / CCN_TARGET * 100 > tolerance
    count_fails = len(plan["ccn"]) + 1 != CCN_COUNT
    errors = {(f.rule_id, f.layer) for f in diff.new_errors}
    assert (("AR01", "ccn") in errors) == area_fails
    assert (("CT01", "ccn") in errors) == count_fails
    # the new cluster is in open country: no overlap, nothing else about it is an error
    assert not [f for f in diff.new_errors if f.feature == code]
    first = diff.sentences("en")[0]
    assert first.startswith("Adding a 40 ha cluster in Huyện Sa Thầy (CCN-616-WHATIF) ")
    assert ("uses 40 of the remaining" in first) == (headroom >= 40)
