"""The HTML report: one self-contained, escaped page whose figures are the Report's.

Pages are parsed back with the standard library's ``html.parser`` into a small tree (tags must
balance), then read like a person would: the verdict, the tables, the map, the findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import factory as fx
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon
from typer.testing import CliRunner

import kzplan
from kzplan import messages, schema
from kzplan.findings import SEVERITIES, SEVERITY_LABELS
from kzplan.report import html as report_html
from kzplan.report import json as report_json
from kzplan.report import write_report

XSS = "<img src=x onerror=alert(1)>"
AMP = '"quotes" & ampersands'
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


# --- a tiny DOM from html.parser ---------------------------------------------------------------


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Any] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self) -> Iterator[Node]:
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        out = []
        for n in self.iter():
            if tag is not None and n.tag != tag:
                continue
            if cls is not None and cls not in n.attrs.get("class", "").split():
                continue
            if any(n.attrs.get(k.replace("_", "-")) != v for k, v in attrs.items()):
                continue
            out.append(n)
        return out

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag} class={cls} {attrs}>"
        return found[0]


class TreeBuilder(HTMLParser):
    """Builds a tree and fails on any unbalanced or misnested tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        assert tag not in VOID, f"end tag for void element <{tag}>"
        open_tag = self.stack.pop().tag
        assert open_tag == tag, f"</{tag}> closes <{open_tag}>"

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(text: str) -> Node:
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    assert [n.tag for n in builder.stack] == ["#document"], "unclosed tags"
    assert builder.doctype.lower() == "doctype html"
    return builder.root


def number(text: str, lang: str) -> float | None:
    """A number as the page shows it in ``lang`` (vi: 1.729,72; en: 1,729.72), back to float."""
    text = text.strip().replace("−", "-").replace("%", "").strip()
    if text in ("–", ""):
        return None
    text = text.replace(".", "").replace(",", ".") if lang == "vi" else text.replace(",", "")
    return float(text)


# --- plans and reports ------------------------------------------------------------------------


def build_plan(folder: Path) -> Path:
    """KKT, a KCN named like an attack, clusters: an overlap, a nameless bow-tie, 2 districts."""
    lon, lat = fx.ANCHORS["608"]
    kcn = fx.frame(
        [fx.feature(XSS, dt=100.0, ten=XSS, trang_thai="hoat_dong", nam_tl=2022, lap_day=40.0,
                    xlnt="khong", tin_cay="xac_nhan", hinh_hoc="do_dac")],
        [fx.square(lon, lat, 100.0)],
    )
    x, y = fx.xy(lon, lat)
    x += 6000.0
    bowtie = Polygon([(x, y), (x + 500, y + 500), (x + 500, y), (x, y + 500)])
    ccn = fx.frame(
        [
            fx.feature("CCN-01", dt=40.0, ten=AMP, trang_thai="thanh_lap", nam_tl=2020,
                       lap_day=70.0, xlnt="co", tin_cay="suy_ra"),
            fx.feature("CCN-02", dt=40.0),
            fx.feature("CCN-03", dt=25.0, ten=None),
            fx.feature("CCN-04", ma_huyen="615", dt=30.0),
        ],
        [fx.square(lon, lat, 40.0, dx=2000.0), fx.square(lon, lat, 40.0, dx=2300.0, dy=200.0),
         bowtie, fx.square(*fx.ANCHORS["615"], 30.0)],
    )
    kkt = fx.frame([fx.feature("KKT-01", ma_huyen="611", dt=2000.0, ten="KKT Bờ Y")],
                   [fx.square(107.6, 14.75, 2000.0)])
    return fx.write(folder, kcn=kcn, ccn=ccn, kkt=kkt)


@dataclass
class Case:
    plan: Any
    report: Any
    folder: Path
    pages: dict[str, str]

    def page(self, lang: str = "vi") -> str:
        return self.pages[lang]


def _case(plan: Any, folder: Path) -> Case:
    report = kzplan.check(plan, as_of=2026)
    pages = {}
    for lang in ("vi", "en"):
        path = report_html.write(report, folder / f"report-{lang}.html", lang=lang, plan=plan)
        pages[lang] = path.read_text(encoding="utf-8")
    return Case(plan, report, folder, pages)


@pytest.fixture(scope="module")
def factory_case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    folder = tmp_path_factory.mktemp("factory")
    plan = kzplan.load_plan(build_plan(folder / "plan"))
    return _case(plan, folder)


@pytest.fixture(scope="module")
def bundled_case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    return _case(kzplan.load_plan(), tmp_path_factory.mktemp("bundled"))


@pytest.fixture(params=["factory", "bundled"])
def case(request: pytest.FixtureRequest) -> Case:
    return request.getfixturevalue(f"{request.param}_case")


# --- tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_page_is_well_formed_and_labelled(case: Case, lang: str) -> None:
    root = parse(case.page(lang))
    html_el = root.find("html")
    assert html_el.attrs["lang"] == lang
    assert root.find("meta", charset="utf-8")
    title = root.find("title").text()
    assert case.report.plan_name in title
    assert title == messages.text("html.title", lang, plan=case.report.plan_name)
    header = root.find("header").text()
    for value in (case.report.rule_pack, str(case.report.as_of), case.report.crs):
        assert value in header


def test_verdict_at_a_glance(case: Case) -> None:
    root = parse(case.page())
    verdict = root.find("section", id="verdict")
    stats = case.report.stats
    assert ("fail" in verdict.attrs["class"]) is (not case.report.valid)
    assert verdict.attrs["data-valid"] == ("true" if case.report.valid else "false")
    key = "html.verdict_ok" if case.report.valid else "html.verdict_fail"
    assert messages.text(key, "vi", error=stats["error"]) in verdict.text()
    counts = {n.attrs["data-severity"]: n for n in verdict.find_all("span", cls="count")}
    assert set(counts) == set(SEVERITIES)
    for s in SEVERITIES:
        assert int(counts[s].attrs["data-count"]) == stats[s]
        assert counts[s].find("b").text() == str(stats[s])
        assert f"sev-{s}" in counts[s].attrs["class"]
        assert SEVERITY_LABELS[s]["vi"] in counts[s].text()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_targets_table_shows_the_reports_figures(case: Case, lang: str) -> None:
    root = parse(case.page(lang))
    rows = root.find("table", cls="targets").find("tbody").find_all("tr")
    expected = case.report.targets.set_index("layer")
    assert [r.attrs["data-layer"] for r in rows] == list(expected.index)
    assert {r.attrs["data-layer"] for r in rows} == set(schema.PLAN_LAYERS)
    columns = ("count", "count_target", "area_target_ha", "area_planned_ha", "area_measured_ha",
               "diff_planned_ha", "diff_measured_ha")
    for row in rows:
        cells = row.find_all("td")
        want = expected.loc[row.attrs["data-layer"]]
        assert cells[0].text() == want[f"label_{lang}"]
        for cell, column in zip(cells[1:], columns, strict=True):
            value = want[column]
            shown = number(cell.text(), lang)
            if value is None or value != value:
                assert shown is None, column
            else:
                assert shown == pytest.approx(float(value), abs=0.005), column
        count_ok = want["count_target"] is None or want["count"] == want["count_target"]
        assert ("bad" in cells[1].attrs["class"]) is (not count_ok)


def test_districts_table(case: Case) -> None:
    root = parse(case.page())
    rows = root.find("table", cls="districts").find("tbody").find_all("tr")
    districts = case.report.districts
    assert len(rows) == len(districts)
    for row, want in zip(rows, districts.to_dict(orient="records"), strict=True):
        cells = [c.text() for c in row.find_all("td")]
        assert cells[0] == want["ma_huyen"] == row.attrs["data-code"]
        assert cells[1] == want["ten"]
        assert number(cells[2], "vi") == want["ccn"]
        assert number(cells[3], "vi") == want["min_ccn"]
        assert number(cells[5], "vi") == want["ccn_operating"]
        assert cells[-1] == messages.text("html.yes" if want["ok"] else "html.no", "vi")
        assert ("bad" in row.attrs["class"]) is (not want["ok"])
    summary = messages.text("html.districts_summary", "vi", ok=int(districts["ok"].sum()),
                            total=len(districts))
    assert summary in root.find("section", id="districts").text()


def test_indicators(case: Case) -> None:
    root = parse(case.page("en"))
    ind = case.report.indicators
    tables = {t.attrs["data-group"]: t for t in root.find_all("table", cls="indicators")}
    occupancy = {r.find_all("td")[0].text(): r.find_all("td")[1].text()
                 for r in tables["occupancy"].find("tbody").find_all("tr")}
    assert number(occupancy[messages.text("html.ind_established", "en")], "en") == \
        ind["established"]
    assert number(occupancy[messages.text("html.ind_operating", "en")], "en") == ind["operating"]
    mean = occupancy[messages.text("html.ind_mean", "en")]
    if ind["occupancy_mean_pct"] is None:
        assert mean == "–"
    else:
        assert number(mean, "en") == pytest.approx(ind["occupancy_mean_pct"], abs=0.05)
    wastewater = {r.find_all("td")[0].text(): r for r in
                  tables["wastewater"].find("tbody").find_all("tr")}
    for key, field_name in (("html.ind_ww_ok", "wastewater_ok"),
                            ("html.ind_ww_missing", "wastewater_missing"),
                            ("html.ind_ww_unknown", "wastewater_unknown"),
                            ("html.ind_ww_op_without", "operating_without_wastewater")):
        row = wastewater[messages.text(key, "en")]
        assert number(row.find_all("td")[1].text(), "en") == ind[field_name]
    op_row = wastewater[messages.text("html.ind_ww_op_without", "en")]
    assert ("bad" in op_row.attrs.get("class", "")) is bool(ind["operating_without_wastewater"])


def test_factory_indicators_are_not_trivial(factory_case: Case) -> None:
    """The factory plan exercises the non-zero paths (guards the tests above)."""
    ind = factory_case.report.indicators
    assert ind["established"] == 2
    assert ind["operating_without_wastewater"] == 1
    assert ind["occupancy_mean_pct"] == pytest.approx(55.0)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_one_row_per_finding_grouped_by_source(case: Case, lang: str) -> None:
    root = parse(case.page(lang))
    section = root.find("section", id="findings")
    rows = section.find_all("tr", cls="finding")
    findings = case.report.findings
    assert len(rows) == len(findings)
    assert sorted(r.attrs["data-fingerprint"] for r in rows) == \
        sorted(f.fingerprint for f in findings)
    by_fp = {f.fingerprint: f for f in findings}
    for row in rows:
        f = by_fp[row.attrs["data-fingerprint"]]
        assert row.attrs["data-severity"] == f.severity
        assert row.attrs["data-rule"] == f.rule_id
        assert row.find("div", cls="msg").text() == f.message(lang)
        if f.fix(lang):
            assert row.find("div", cls="fix").text() == f.fix(lang)
        assert row.find("span", cls="badge").text() == SEVERITY_LABELS[f.severity][lang]
        if f.feature:
            assert f.feature in row.find_all("td")[1].text()
    # grouped: one block per source document, each holding exactly its rules' findings
    def doc_of(f: Any) -> str:
        return f.source.doc if f.source and f.source.doc else messages.text("html.no_source",
                                                                             lang)

    blocks = section.find_all("div", cls="doc")
    assert {b.find("h3").children[0].strip() for b in blocks} == {doc_of(f) for f in findings}
    for block in blocks:
        doc = block.find("h3").children[0].strip()
        for rule_div in block.find_all("div", cls="rule"):
            rule_id = rule_div.attrs["data-rule"]
            mine = [f for f in findings if f.rule_id == rule_id]
            assert all(doc_of(f) == doc for f in mine)
            assert len(rule_div.find_all("tr", cls="finding")) == len(mine)
            assert rule_id in rule_div.find("h4").text()
            source = mine[0].source
            if source is None:
                continue
            if source.article:
                assert source.article in rule_div.find("p", cls="src").text()
            quote = source.quote_vi if lang == "vi" else source.quote_en
            if quote:
                assert quote in rule_div.find("blockquote").text()
    # worst first: the first block holds an error when there is any
    if case.report.stats["error"]:
        assert "s-error" in blocks[0].attrs["class"]


def _map_features(plan: Any) -> dict[str, int]:
    out = {}
    for name in ("kkt", "kcn", "ccn"):
        if name in plan.layers:
            geoms = plan.layers[name].geometry.values
            out[name] = int((~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)).sum())
    return out


def _path_points(d: str) -> np.ndarray:
    """The absolute vertices (M and L commands) of SVG path data."""
    pairs = re.findall(r"[ML](-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?)", d)
    return np.array(pairs, dtype=float).reshape(-1, 2)


def test_map_draws_every_feature_and_the_findings(case: Case) -> None:
    root = parse(case.page())
    svg = root.find("section", id="map").find("svg")
    assert "xmlns" not in svg.attrs  # HTML puts inline SVG in its namespace; no URL needed
    _, _, width, height = (float(v) for v in svg.attrs["viewbox"].split())
    shapes = svg.find_all("path", cls="feature")
    want = _map_features(case.plan)
    assert len(shapes) == sum(want.values())
    for name, n in want.items():
        assert len(svg.find_all("path", cls=name)) == n
    for shape in shapes:
        pts = _path_points(shape.attrs["d"])
        assert len(pts) >= 3
        assert (pts >= -0.5).all() and (pts[:, 0] <= width + 0.5).all() and \
            (pts[:, 1] <= height + 0.5).all()
        layer = shape.attrs["class"].split()[1]
        status = next(c for c in shape.attrs["class"].split() if c.startswith("st-"))[3:]
        assert shape.attrs["fill"] == report_html.STATUS_FILL.get(status,
                                                                  report_html.UNKNOWN_FILL)
        assert shape.attrs["stroke"] == report_html.LAYER_STYLE[layer][0]
        title = shape.find("title").text()
        assert title and not re.search(r"\b(nan|None)\b", title), title
    with_geom = {f.severity for f in case.report.findings if f.geometry is not None}
    marks = svg.find_all(cls="mark")
    assert {m.attrs["class"].split()[1].removeprefix("sev-mark-") for m in marks} == with_geom
    # marks link to their finding's row
    ids = {n.attrs["id"] for n in root.find_all("tr", cls="finding") if "id" in n.attrs}
    for link in svg.find_all("a"):
        assert link.attrs["href"].startswith("#")
        assert link.attrs["href"][1:] in ids
    # the legend names what is drawn
    legend = root.find("ul", cls="legend").text()
    for name, n in want.items():
        if n:
            assert schema.LAYER_LABELS[name]["vi"] in legend


def test_map_is_north_up_and_marks_points(factory_case: Case) -> None:
    root = parse(factory_case.page())
    svg = root.find("svg")

    def centre(cls: str) -> np.ndarray:
        return _path_points(svg.find("path", cls=cls).attrs["d"]).mean(axis=0)

    kkt, kcn = centre("kkt"), centre("kcn")  # the KKT lies north-west of the KCN
    assert kkt[1] < kcn[1]
    assert kkt[0] < kcn[0]
    # the bow-tie's invalidity (GM01) is a point, drawn as a red dot
    gm01 = factory_case.report.select(rule="GM01")
    assert gm01
    assert gm01[0].geometry.geom_type == "Point"
    dots = svg.find_all("circle", cls="mark")
    assert any(d.attrs["fill"] == "#d7191c" for d in dots)
    # the overlap of two clusters (OV01) is outlined
    assert factory_case.report.select(rule="OV01")
    assert svg.find_all("path", cls="sev-mark-error")


def test_self_contained(case: Case) -> None:
    for lang in ("vi", "en"):
        text = case.page(lang)
        lowered = text.lower()
        assert "<script" not in lowered
        assert "http://" not in lowered and "https://" not in lowered
        assert "url(" not in lowered and "@import" not in lowered
        root = parse(text)
        for node in root.iter():
            assert node.tag not in ("script", "link", "img", "iframe", "object", "embed")
            assert "src" not in node.attrs
            assert not any(a.startswith("on") for a in node.attrs), node
            if "href" in node.attrs:
                assert node.attrs["href"].startswith("#"), node.attrs["href"]


def test_attribute_text_is_escaped(factory_case: Case) -> None:
    text = factory_case.page()
    assert "<img" not in text
    assert '"quotes" & ampersands' not in text
    assert "&#34;quotes&#34; &amp; ampersands" in text
    root = parse(text)
    assert not root.find_all("img")
    # the attack is shown as text: in the findings table (code and name) and on the map
    rows = [r for r in root.find_all("tr", cls="finding") if XSS in r.text()]
    assert {r.attrs["data-rule"] for r in rows} >= {"WW01", "OC01"}
    assert any(XSS in t.text() for t in root.find("svg").find_all("title"))
    # the quotes and ampersands are shown as they are (a cluster's name)
    assert any(AMP in t.text() for t in root.find("svg").find_all("title"))
    ov01 = [r for r in root.find_all("tr", cls="finding") if r.attrs["data-rule"] == "OV01"]
    assert any(AMP in r.text() for r in ov01)


def test_provenance_and_metadata(case: Case) -> None:
    for lang in ("vi", "en"):
        root = parse(case.page(lang))
        provenance = root.find("section", id="provenance").text()
        for f in case.report.select(rule="HY02"):
            assert f.message(lang) in provenance
        meta = root.find("section", id="meta")
        for item in case.report.meta["inputs"]:
            assert item["sha256"] in meta.text()
        versions = {r.find("th").text(): r.find("td").text()
                    for r in meta.find("table", cls="versions").find_all("tr")}
        for key in ("kzplan", "geos", "proj", "epsg"):
            assert versions[key] == case.report.meta["versions"][key]


def test_provenance_says_when_hy02_did_not_run(factory_case: Case) -> None:
    report = kzplan.check(factory_case.plan, as_of=2026, ignore=("HY02",))
    page = report_html.render(report, lang="en", plan=factory_case.plan)
    assert messages.text("html.provenance_unchecked", "en") in page
    assert factory_case.report.select(rule="HY02")  # ... whereas it did say something before
    assert messages.text("html.provenance_unchecked", "vi") not in factory_case.page()


def test_without_plan_there_is_no_map(factory_case: Case, tmp_path: Path) -> None:
    path = write_report(factory_case.report, "html", tmp_path / "r.html", lang="vi")
    root = parse(path.read_text(encoding="utf-8"))
    assert not root.find_all("svg")
    assert messages.text("html.map_none", "vi") in root.find("section", id="map").text()
    assert len(root.find_all("tr", cls="finding")) == len(factory_case.report.findings)


def test_numbers_in_each_language() -> None:
    fmt = report_html.fmt_number
    assert fmt(1729.72, "vi") == "1.729,72"
    assert fmt(1729.72, "en") == "1,729.72"
    assert fmt(-16000.0, "vi") == "−16.000,00"
    assert fmt(33, "vi") == "33"
    assert fmt(None, "en") == "–"
    assert fmt(float("nan"), "en") == "–"
    assert fmt(90.0, "vi", 0) == "90"


def test_size(case: Case) -> None:
    """A page to mail: the whole report, map included, stays small."""
    size = len(case.page().encode("utf-8"))
    assert size < 400_000, size


def test_check_command_writes_json_and_html(tmp_path: Path) -> None:
    from kzplan.cli import app

    plan_dir = build_plan(tmp_path / "plan")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["check", str(plan_dir), "--as-of", "2026", "-f", "json",
                                      "-f", "html", "-o", str(out), "--lang", "en"])
    assert result.exit_code == 1, result.output
    json_path, html_path = out / "kzplan-report.json", out / "kzplan-report.html"
    assert json_path.is_file() and html_path.is_file()
    data = report_json.read(json_path)
    assert data["valid"] is False and data["stats"]["error"] > 0
    root = parse(html_path.read_text(encoding="utf-8"))
    assert root.find("html").attrs["lang"] == "en"
    verdict = root.find("section", id="verdict").text()
    assert messages.text("html.verdict_fail", "en", error=data["stats"]["error"]) in verdict
    assert len(root.find_all("tr", cls="finding")) == len(data["findings"])
    assert len(root.find("svg").find_all("path", cls="feature")) == 6
    assert not list(out.glob(".*"))  # no temporary files left behind


def test_map_draws_district_boundaries_underneath(tmp_path: Path) -> None:
    """With a district layer (here two made-up boxes), the map shows it faintly, for orientation."""
    folder = build_plan(tmp_path / "plan")
    x, y = fx.xy(*fx.ANCHORS["608"])
    boxes = [shapely.box(x - 5000, y - 5000, x + 10_000, y + 5000),
             shapely.box(x - 20_000, y + 5000, x + 10_000, y + 30_000)]
    fx.write(folder, districts=fx.frame([{"ma_huyen": "608", "ten": "Thành phố <Kon Tum>"},
                                         {"ma_huyen": "615", "ten": "Huyện Đắk Hà"}], boxes))
    plan = kzplan.load_plan(folder)
    assert "districts" in plan.layers
    report = kzplan.check(plan, as_of=2026)
    root = parse(report_html.render(report, lang="vi", plan=plan))
    svg = root.find("svg")
    assert len(svg.find_all("path", cls="district")) == 2
    assert len(svg.find_all("path", cls="feature")) == sum(_map_features(plan).values())
    labels = [t.text() for t in svg.find("g", cls="district-labels").find_all("text")]
    assert labels == ["Thành phố <Kon Tum>", "Huyện Đắk Hà"]
    groups = [n.attrs.get("class") for n in svg.children if isinstance(n, Node)]
    assert groups.index("districts") < groups.index("features") < groups.index("marks")
    assert schema.LAYER_LABELS["districts"]["vi"] in root.find("ul", cls="legend").text()
