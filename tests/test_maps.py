"""The officials' map (kzplan.maps): rendered HTML, without a browser."""

from __future__ import annotations

import dataclasses
import hashlib
import html as html_lib
import json
import re
from pathlib import Path

import factory
import pytest
import shapely
from shapely import wkt
from typer.testing import CliRunner

import kzplan
from kzplan import maps
from kzplan.maps import assets as _maps_assets
from kzplan.encoding import fold_diacritics

XSS = "<img src=x onerror=alert(1)>"
BREAKOUT = "</script><script>alert(2)</script>"
# URLs that may appear in an offline map because nothing ever fetches them: the SVG namespace
# and Leaflet's attribution link.
NOT_FETCHED = {"http://www.w3.org/2000/svg", "https://leafletjs.com"}


def rich_plan(folder: Path) -> Path:
    """A small plan with every kind of feature, status and finding the map has to show.

    Positions are hand-picked points inside the districts they name (not derived from any
    boundary file).
    """
    sq, feat, frame = factory.square, factory.feature, factory.frame
    kkt = frame([feat("KKT-01", "611", 2500.0, ten="Khu kinh tế cửa khẩu quốc tế Bờ Y",
                      trang_thai="hoat_dong", nam_tl=2007, tin_cay="xac_nhan", hinh_hoc="so_do",
                      nguon="QĐ 1213/QĐ-UBND", xlnt="co", lap_day=95.0)],
                [sq(107.60, 14.68, 2500.0)])
    kcn = frame([
        feat("KCN-01", "608", 100.0, ten="KCN Hòa Bình", trang_thai="hoat_dong", nam_tl=2009,
             lap_day=92.5, xlnt="co", nganh="nong_lam;vlxd", tin_cay="xac_nhan",
             hinh_hoc="do_dac", nguon=BREAKOUT),
        feat("KCN-04", "611", 100.0, ten="KCN Bờ Y", trang_thai="thanh_lap", nam_tl=2016,
             lap_day=95.0, xlnt="co"),
    ], [sq(107.99, 14.36, 100.0), sq(107.60, 14.68, 100.0, dx=1500, dy=1500)])
    ccn = frame([
        feat("CCN-01", "615", 50.0, ten="Cụm công nghiệp Đắk La", trang_thai="hoat_dong",
             nam_tl=2022, lap_day=45.0, xlnt="khong", nganh="nong_lam;duoc_lieu",
             tin_cay="suy_ra", ghi_chu="Diện tích suy ra từ báo cáo 2023."),
        feat("CCN-02", "615", 40.0, ten=XSS, trang_thai="thanh_lap", nam_tl=2020),
        feat("CCN-03", "612", 30.0, ten="Cụm công nghiệp Đắk Tô", trang_thai="quy_hoach"),
        feat("CCN-04", "608", 60.0, ten="Cụm công nghiệp Hòa Bình 2", trang_thai="quy_hoach"),
        feat("CCN-05", "612", 35.0, ten="Cụm công nghiệp Kon Đào", trang_thai="quy_hoach"),
    ], [
        sq(107.93, 14.52, 50.0), sq(107.93, 14.52, 40.0, dx=2500),
        sq(107.83, 14.66, 30.0),
        sq(107.99, 14.36, 60.0, dx=600, dy=600),  # overlaps KCN-01: an OV01 shape
        sq(107.83, 14.66, 20.0, dx=3000),  # declared 35 ha, drawn 20 ha: AR03
    ])
    return factory.write(folder, kkt=kkt, kcn=kcn, ccn=ccn)


def messy_plan(folder: Path) -> Path:
    """Clusters with a missing geometry, a bow-tie, duplicate codes and values out of domain."""
    x, y = factory.xy(107.99, 14.36)
    bow = wkt.loads(f"POLYGON(({x} {y}, {x + 500} {y + 500}, {x + 500} {y}, {x} {y + 500},"
                    f" {x} {y}))")
    ccn = factory.frame([
        factory.feature("CCN-01", dt=40.0),
        factory.feature(None, dt=40.0, ten=None),
        factory.feature("CCN-03", dt=12.5, trang_thai="dang_xay", xlnt="maybe",
                        nganh="abc;det_may"),
        factory.feature("CCN-01", dt=40.0),
    ], [factory.square(107.99, 14.36, 40.0), None, bow,
        factory.square(107.99, 14.36, 40.0, dx=100)])
    return factory.write(folder, ccn=ccn)


def payload(html: str) -> dict:
    """The map's data, decoded from the page as the browser would."""
    match = re.search(r'<script type="application/json" id="[^"]+">(.*?)</script>', html, re.S)
    assert match, "the map data block is missing"
    return json.loads(match.group(1))


def control_names(html: str) -> dict[str, str]:
    """Layer control entries: name shown -> the Leaflet variable."""
    pairs = re.findall(r'("(?:[^"\\]|\\.)*") : ((?:feature_group|tile_layer)_\w+)', html)
    return {json.loads(name): var for name, var in pairs}


def features(data: dict, key: str) -> list[dict]:
    return next(s["fc"]["features"] for s in data["layers"] if s["key"] == key)


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> kzplan.Plan:
    return kzplan.load_plan(rich_plan(tmp_path_factory.mktemp("rich")))


@pytest.fixture(scope="module")
def report(plan: kzplan.Plan) -> kzplan.Report:
    return kzplan.check(plan, as_of=2026)


@pytest.fixture(scope="module")
def html_vi(plan: kzplan.Plan, report: kzplan.Report) -> str:
    return maps.render_map(plan, report, lang="vi").get_root().render()


@pytest.fixture(scope="module")
def html_en(plan: kzplan.Plan, report: kzplan.Report) -> str:
    return maps.render_map(plan, report, lang="en").get_root().render()


@pytest.fixture(scope="module")
def html_offline(plan: kzplan.Plan, report: kzplan.Report) -> str:
    return maps.render_map(plan, report, lang="vi", offline=True).get_root().render()


# --- layers, legend, language ------------------------------------------------------------------


def test_layers_and_groups_are_present(html_vi: str, plan: kzplan.Plan) -> None:
    data = payload(html_vi)
    assert [s["key"] for s in data["layers"]] == ["kkt", "kcn", "ccn"]
    for key in ("kkt", "kcn", "ccn"):
        assert len(features(data, key)) == len(plan[key])
    # one folium group per layer and per severity, named with its count; the layer control last
    names = control_names(html_vi)
    assert "Cụm công nghiệp (CCN) (5)" in names
    assert "Khu công nghiệp (KCN) (2)" in names
    assert "Khu kinh tế cửa khẩu (KKT) (1)" in names
    for label in ("Lỗi", "Cảnh báo", "Thông tin"):
        assert any(n.startswith(f"Kết quả kiểm tra: {label} (") for n in names)
    assert "Ảnh vệ tinh (Esri)" in names and "OpenStreetMap" in names
    script = html_vi.rsplit("<script>", 1)[1]
    assert script.rfind("L.control.layers(") > script.rfind("kzplanMap.init(")
    assert "L.control.scale" in _maps_assets.head_html("vi")  # kzplan-map.js adds a scale bar


def test_info_findings_group_starts_hidden(html_vi: str) -> None:
    script = html_vi.rsplit("<script>", 1)[1]
    groups = dict(re.findall(r'"(findings_\w+)": (feature_group_\w+)', script))
    assert set(groups) == {"findings_error", "findings_warning", "findings_info"}
    assert f"{groups['findings_error']}.addTo(" in script
    assert f"{groups['findings_info']}.addTo(" not in script


def test_ccn_styled_by_status(html_vi: str, plan: kzplan.Plan) -> None:
    data = payload(html_vi)
    spec = next(s for s in data["layers"] if s["key"] == "ccn")
    assert [f["properties"]["k"] for f in spec["fc"]["features"]] == list(plan["ccn"]["trang_thai"])
    fills = {spec["styles"][s]["fillColor"] for s in ("quy_hoach", "thanh_lap", "hoat_dong")}
    assert len(fills) == 3


@pytest.mark.parametrize(("lang", "expected", "absent"), [
    ("vi", ["Chú giải", "Quy hoạch", "Đã thành lập", "Đang hoạt động", "Lỗi", "Cảnh báo"],
     ["Legend", "Established"]),
    ("en", ["Legend", "Planned", "Established", "Operating", "Error", "Warning"],
     ["Chú giải", "Đã thành lập"]),
])
def test_legend_labels_in_each_language(lang: str, expected: list[str], absent: list[str],
                                        html_vi: str, html_en: str) -> None:
    data = payload(html_vi if lang == "vi" else html_en)
    labels = [data["t"]["legend"]] + [i["label"] for s in data["legend"] for i in s["items"]]
    for text in expected:
        assert text in labels
    for text in absent:
        assert text not in labels
    titles = [s["title"] for s in data["legend"]]
    assert any("CCN" in title for title in titles)
    assert all(i["style"] for s in data["legend"] for i in s["items"])


def test_popup_shows_every_attribute_in_the_language(html_vi: str, html_en: str) -> None:
    vi = {f["properties"]["id"]: f["properties"] for f in features(payload(html_vi), "ccn")}
    rows = dict(vi["ccn-1"]["rows"])
    assert vi["ccn-1"]["h"] == "Cụm công nghiệp Đắk La"
    assert rows["Mã"] == "CCN-01"
    assert rows["Huyện"] == "Huyện Đắk Hà (615)"
    assert rows["Diện tích quy hoạch"] == "50 ha"
    assert rows["Trạng thái"] == "Đang hoạt động"
    assert rows["Năm thành lập"] == "2022"
    assert rows["Tỷ lệ lấp đầy"] == "45 %"
    assert rows["Xử lý nước thải tập trung"] == "Chưa có"
    assert rows["Nhóm ngành"] == "Chế biến nông, lâm sản; Dược liệu"
    assert rows["Độ tin cậy số liệu"].startswith("Suy ra")
    assert rows["Hình học"].startswith("Sơ đồ")
    assert re.fullmatch(r"\d+,\d+ ha|\d+ ha", rows["Diện tích đo trên bản đồ"])
    # schematic geometry and derived figures are said plainly
    assert any("sơ đồ minh họa" in n for n in vi["ccn-1"]["notes"])
    rules = {f["r"] for f in vi["ccn-1"]["f"]}
    assert {"WW01", "OC01"} <= rules
    en = {f["properties"]["id"]: f["properties"] for f in features(payload(html_en), "ccn")}
    rows_en = dict(en["ccn-1"]["rows"])
    assert rows_en["District"] == "Huyện Đắk Hà (615)"
    assert rows_en["Industry groups"] == "Agro-forestry processing; Herbal medicine"
    assert rows_en["Centralised wastewater plant"] == "No"
    assert any("schematic" in n for n in en["ccn-1"]["notes"])
    assert all(f["m"] for f in en["ccn-1"]["f"]) and "operating" in " ".join(
        f["m"] for f in en["ccn-1"]["f"])


def test_placeholder_said_plainly(html_vi: str) -> None:
    props = {f["properties"]["id"]: f["properties"] for f in features(payload(html_vi), "ccn")}
    assert any("giả định" in n for n in props["ccn-3"]["notes"])  # factory default: gia_dinh


def test_numbers_follow_the_language() -> None:
    from kzplan.maps.styles import fmt_num

    assert fmt_num(1729.72, "vi") == "1.729,72"
    assert fmt_num(1729.72, "en") == "1,729.72"
    assert fmt_num(16000.0, "vi") == "16.000"
    assert fmt_num(float("nan"), "vi") == "—"


# --- findings ----------------------------------------------------------------------------------


def test_every_finding_is_placed_or_listed(html_vi: str, report: kzplan.Report) -> None:
    data = payload(html_vi)
    marks = {g["severity"]: g["fc"]["features"] for g in data["findings"]}
    listed = next(s["findings"] for s in data["summary"]["sections"] if "findings" in s)
    placed = [f for f in report.findings if f.geometry is not None or f.fid is not None]
    assert sum(len(v) for v in marks.values()) == len(placed)
    assert len(listed) == len(report.findings) - len(placed)
    for severity in ("error", "warning", "info"):
        assert len(marks[severity]) == sum(1 for f in placed if f.severity == severity)
    # the overlap is drawn as its own (filled) shape; a whole-feature finding is a ring
    overlap = [m for m in marks["error"] if m["properties"]["f"][0]["r"] == "OV01"]
    assert overlap and all(m["properties"]["m"] == "shape" and m["properties"]["fill"]
                           for m in overlap)
    ww = [m for m in marks["error"] if m["properties"]["f"][0]["r"] == "WW01"]
    assert [m["properties"]["m"] for m in ww] == ["ring"]
    assert ww[0]["properties"]["ref"] == "ccn-1"


def test_summary_panel(html_vi: str, report: kzplan.Report) -> None:
    s = payload(html_vi)["summary"]
    assert s["valid"] is False and str(report.stats["error"]) in s["verdict"]
    sections = {sec["title"]: sec for sec in s["sections"]}
    targets = sections["Chỉ tiêu và hiện trạng quy hoạch"]["table"]
    assert [r[0][0] for r in targets["rows"]] == ["KCN", "CCN", "KKT"]
    ccn = targets["rows"][1]
    assert ccn[1] == ["5 / 33", "bad"]  # CT01 fails
    assert ccn[2][0] == "1.729,72"
    districts = sections["Số CCN theo huyện (cũ, trước 7/2025)"]["table"]["rows"]
    assert len(districts) == len(report.districts)
    dak_ha = next(r for r in districts if r[0][0] == "Huyện Đắk Hà")
    assert dak_ha[1][0] == "2" and dak_ha[3] == ["Đạt", "ok"]
    lines = " ".join(sections["Lấp đầy và xử lý nước thải (năm 2026)"]["lines"])
    ind = report.indicators
    assert f"đã thành lập: {ind['established']}" in lines
    assert f"chưa có {ind['wastewater_missing']}" in lines


def test_search_index_folds_diacritics(html_vi: str) -> None:
    index = payload(html_vi)["search"]
    hit = next(i for i in index if i["n"] == "Cụm công nghiệp Đắk La")
    assert "dak la" in hit["q"]
    assert all(i["q"] == " ".join(fold_diacritics(i["q"]).lower().split()) for i in index)


def test_messy_plan_still_renders(tmp_path: Path) -> None:
    plan = kzplan.load_plan(messy_plan(tmp_path / "messy"))
    report = kzplan.check(plan)
    data = payload(maps.render_map(plan, report, lang="en").get_root().render())
    shown = features(data, "ccn")
    assert [f["properties"]["id"] for f in shown] == ["ccn-1", "ccn-3", "ccn-4"]  # #2: no shape
    props = {f["properties"]["id"]: f["properties"] for f in shown}
    assert props["ccn-3"]["k"] == "_"  # unknown status: grey, and said so
    rows = dict(props["ccn-3"]["rows"])
    assert rows["Status"] == "dang_xay (not an allowed value)"
    assert rows["Industry groups"] == "abc; Textiles and garments"
    listed = next(s["findings"] for s in data["summary"]["sections"] if "findings" in s)
    assert {"GM02", "AT05"} <= {f["r"] for f in listed}  # about the feature without a shape
    marks = [m["properties"] for g in data["findings"] for m in g["fc"]["features"]]
    gm01 = [m for m in marks if m["f"][0]["r"] == "GM01"]
    assert [m["m"] for m in gm01] == ["point"]  # where the polygon crosses itself
    assert len(marks) + len(listed) == len(report.findings)


# --- geometry ----------------------------------------------------------------------------------


def test_reprojected_and_rounded(html_vi: str) -> None:
    data = payload(html_vi)
    coords = []

    def walk(c: object) -> None:
        if isinstance(c, list) and c and isinstance(c[0], (int, float)):
            coords.append(c)
        elif isinstance(c, list):
            for x in c:
                walk(x)

    for spec in data["layers"]:
        for f in spec["fc"]["features"]:
            walk(f["geometry"]["coordinates"])
    assert coords
    assert all(len(repr(v).split(".")[-1]) <= 6 for c in coords for v in c)
    # the Đắk La square's south-west corner was placed at 107.93 E, 14.52 N
    dak_la = next(f for f in features(data, "ccn") if f["properties"]["id"] == "ccn-1")
    minx, miny, _, _ = shapely.geometry.shape(dak_la["geometry"]).bounds
    assert minx == pytest.approx(107.93, abs=2e-5) and miny == pytest.approx(14.52, abs=2e-5)
    (south, west), (north, east) = data["bounds"]
    assert 107.3 < west < east < 108.6 and 13.9 < south < north < 15.5


# --- escaping ----------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["html_vi", "html_en", "html_offline"])
def test_attribute_text_is_escaped(which: str, request: pytest.FixtureRequest) -> None:
    html = request.getfixturevalue(which)
    block = re.search(r'<script type="application/json" id="[^"]+">(.*?)</script>', html, re.S)
    assert block and not re.search(r"[<>&\u2028\u2029]", block.group(1))
    assert XSS not in html
    assert "onerror=alert(1)>" not in html
    assert "<script>alert(2)" not in html
    data = payload(html)  # the text survives, as data
    props = [f["properties"] for s in data["layers"] for f in s["fc"]["features"]]
    assert XSS in [p["h"] for p in props]
    assert any(BREAKOUT in dict(p["rows"]).values() for p in props)


def test_page_title_is_escaped(tmp_path: Path) -> None:
    plan = kzplan.load_plan(factory.small_plan(tmp_path / "p"))
    plan.config = dataclasses.replace(plan.config, name=XSS)
    html = maps.render_map(plan, lang="en").get_root().render()
    assert XSS not in html
    assert f"<title>{html_lib.escape(XSS)}" in html.replace("Economic zone, industrial zone and "
                                                           "cluster plan: ", "")


# --- offline, assets, size ---------------------------------------------------------------------


def _urls(html: str) -> set[str]:
    return set(re.findall(r"https?://[^\s\"'<>)\\]+", html))


def test_offline_map_references_nothing_on_the_network(html_offline: str) -> None:
    assert not re.search(r"<script[^>]+src=", html_offline)
    assert not re.search(r"<link[^>]+href=", html_offline)
    refs = [r.strip(" '\"") for r in re.findall(r"url\(([^)]{0,40})", html_offline)]
    assert refs and all(r.startswith(("data:", "#")) for r in refs), refs
    assert not re.search(r"@import", html_offline)
    assert _urls(html_offline) <= NOT_FETCHED
    assert not re.search(r"//[^\s\"'/]*\{s\}", html_offline)  # no tile URL template
    assert payload(html_offline)["graticule"]


def test_online_map_inlines_scripts_and_offers_basemaps(html_vi: str) -> None:
    assert not re.search(r"<script[^>]+src=", html_vi)
    assert not re.search(r"<link[^>]+href=", html_vi)
    assert "server.arcgisonline.com" in html_vi and "tile.openstreetmap.org" in html_vi
    assert "cdn.jsdelivr.net" not in html_vi and "code.jquery.com" not in html_vi
    assert '<html lang="vi">' in html_vi and '<meta charset="utf-8">' in html_vi


def test_measure_control_is_translated() -> None:
    vi = _maps_assets.translate_measure(
        (_maps_assets.ASSETS / "leaflet-measure/leaflet-measure.en.js").read_text("utf-8"), "vi")
    assert "Measure distances and areas" not in vi and "Finish measurement" not in vi
    assert "Đo khoảng cách và diện tích" in vi
    with pytest.raises(RuntimeError, match="not found"):
        _maps_assets.translate_measure("var x;", "vi")


def test_vendored_assets_are_documented() -> None:
    readme = (_maps_assets.ASSETS / "README.md").read_text("utf-8")
    for asset in _maps_assets.BUNDLE:
        path = _maps_assets.ASSETS / asset.path
        assert path.is_file(), asset.path
        if asset.package == "kzplan":
            continue
        row = next((line for line in readme.splitlines() if f"`{asset.path}`" in line), None)
        assert row, f"{asset.path} is not in kzplan/maps/static/README.md"
        assert asset.version in row and asset.licence in row
        assert hashlib.sha256(path.read_bytes()).hexdigest() in row
    for licence in ("leaflet-1.9.4.txt", "leaflet.fullscreen-3.0.2.txt",
                    "leaflet-measure-3.1.0.txt"):
        assert (_maps_assets.ASSETS / "LICENSES" / licence).is_file()


def test_size_of_a_small_plan(html_vi: str, html_offline: str) -> None:
    # scripts and styles weigh ~230 kB; the data of 8 features is small
    assert len(html_vi.encode()) < 400_000
    assert len(html_offline.encode()) < 400_000


@pytest.mark.slow
def test_bundled_plan_map_under_2_mb(tmp_path: Path) -> None:
    plan = kzplan.load_plan()
    report = kzplan.check(plan)
    for offline in (False, True):
        path = maps.write_map(plan, tmp_path, report=report, offline=offline)
        size = path.stat().st_size
        assert size < maps.SIZE_LIMIT, (path, size)
        data = payload(path.read_text("utf-8"))
        assert len(features(data, "ccn")) == len(plan["ccn"])


# --- writing and the command -------------------------------------------------------------------


def test_write_map_into_a_folder(tmp_path: Path, plan: kzplan.Plan, report: kzplan.Report) -> None:
    out = maps.write_map(plan, tmp_path / "maps", report=report, lang="en", offline=True)
    assert out == tmp_path / "maps" / "kzplan-map-en-offline.html"
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left
    assert payload(out.read_text("utf-8"))["lang"] == "en"


def test_render_checks_the_plan_when_no_report(plan: kzplan.Plan) -> None:
    m = maps.render_map(plan, as_of=2030)
    assert "2030" in payload(m.get_root().render())["summary"]["subtitle"]
    with pytest.raises(ValueError, match="lang"):
        maps.render_map(plan, lang="fr")


def test_cli_map(tmp_path: Path) -> None:
    from kzplan.cli import app

    src = rich_plan(tmp_path / "plan")
    out = tmp_path / "out" / "ban-do.html"
    result = CliRunner().invoke(app, ["map", str(src), "--as-of", "2030", "--lang", "en",
                                      "--offline", "--output", str(out)])
    assert result.exit_code == 0, result.output
    data = payload(out.read_text("utf-8"))
    assert data["offline"] is True and data["lang"] == "en"
    assert "2030" in data["summary"]["subtitle"]
    assert "Wrote the map" in result.output and "kB" in result.output
    bad = CliRunner().invoke(app, ["map", str(tmp_path / "missing")])
    assert bad.exit_code == 2
    assert "missing" in bad.output


# --- district boundaries (the licensed reference file, from the fixture only) -------------------


@pytest.mark.districts
def test_districts_shaded_by_their_minimum(tmp_path: Path, districts_path: Path) -> None:
    plan = kzplan.load_plan(rich_plan(tmp_path / "plan"), districts=districts_path)
    report = kzplan.check(plan, as_of=2026)
    html = maps.render_map(plan, report, offline=True).get_root().render()
    data = payload(html)
    shown = features(data, "districts")
    assert len(shown) == len(plan["districts"])
    verdict = {str(r["ma_huyen"]): bool(r["ok"]) for _, r in report.districts.iterrows()}
    for f in shown:
        code = dict(f["properties"]["rows"])["Mã"]
        assert f["properties"]["k"] == ("ok" if verdict[code] else "bad"), code
    assert {"ok", "bad"} <= {f["properties"]["k"] for f in shown}
    spec = next(s for s in data["layers"] if s["key"] == "districts")
    assert spec["outline"]["type"] in ("LineString", "MultiLineString")  # the province
    # DT01 findings point at their district's own outline instead of copying it
    dt01 = [m for g in data["findings"] for m in g["fc"]["features"]
            if m["properties"]["f"][0]["r"] == "DT01"]
    assert len(dt01) == sum(1 for f in report.findings if f.rule_id == "DT01")
    assert {m["properties"]["m"] for m in dt01} == {"outline"}
    labels = [i["label"] for s in data["legend"] for i in s["items"]]
    assert "Chưa đủ số CCN tối thiểu" in labels and "Ranh giới tỉnh" in labels
    assert "Huyện Đắk Hà" in {i["n"] for i in data["search"]}
    # the boundaries (10.7k vertices) dominate the file: about 0.6 MB at 6 decimals
    assert len(html.encode()) < maps.SIZE_LIMIT
