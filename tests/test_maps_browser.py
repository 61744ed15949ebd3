"""The officials' map in a real browser: Debian's chromium, headless, driven by playwright.

Screenshots go to each test's tmp_path (``map-*.png``): look at them when changing the map.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from browser import chromium_page
from test_maps import XSS, messy_plan, rich_plan

import kzplan
from kzplan import maps

pytestmark = pytest.mark.browser

READY = "window.kzplan !== undefined && window.kzplan.map !== undefined"


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> kzplan.Plan:
    return kzplan.load_plan(rich_plan(tmp_path_factory.mktemp("rich")))


@pytest.fixture(scope="module")
def report(plan: kzplan.Plan) -> kzplan.Report:
    return kzplan.check(plan, as_of=2026)


def _placed(report: kzplan.Report, severity: str) -> int:
    """Findings of ``severity`` that have a place on the map (a geometry or a feature)."""
    return sum(1 for f in report.findings if f.severity == severity
               and (f.geometry is not None or f.fid is not None))


def _open(page, path: Path) -> None:
    page.goto(path.as_uri())
    page.wait_for_function(READY)
    page.wait_for_timeout(150)  # the layer control opens after the first paint


def _count(page, selector: str) -> int:
    return page.evaluate(f"document.querySelectorAll({selector!r}).length")


def test_online_map_draws_every_layer(tmp_path: Path, plan: kzplan.Plan,
                                      report: kzplan.Report) -> None:
    path = maps.write_map(plan, tmp_path / "map.html", report=report)
    dialogs: list[str] = []
    with chromium_page(fake_tiles=True) as page:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        _open(page, path)
        page.screenshot(path=str(tmp_path / "map-online-vi.png"))
        assert page.kz_console_errors == [] and page.kz_page_errors == []
        for key in ("kkt", "kcn", "ccn"):
            assert _count(page, f"path.kz-f.kz-{key}") == len(plan[key]), key
        # dots mark zones and clusters when zoomed out
        assert page.evaluate("kzplan.map.getZoom()") < 13
        assert _count(page, "path.kz-ccn-dot") == len(plan["ccn"])
        assert _count(page, "path.kz-mark-error") == _placed(report, "error")
        assert _count(page, "path.kz-mark-warning") == _placed(report, "warning")
        assert _count(page, "path.kz-mark-info") == 0  # hidden until switched on
        # the layer control, legend, scale, summary and search are there, in Vietnamese
        page.hover(".leaflet-control-layers")
        text = page.inner_text("body")
        for label in ("Cụm công nghiệp (CCN) (5)", "Chú giải", "Đang hoạt động",
                      "Chỉ tiêu và hiện trạng quy hoạch", "Số CCN theo huyện (cũ, trước 7/2025)"):
            assert label in text, label
        assert page.locator(".leaflet-control-scale-line").count() == 1
        assert page.locator(".leaflet-control-zoom-fullscreen").count() == 1
        assert page.locator(".leaflet-control-measure").count() == 1
        # only basemap tiles were asked for, and only from the basemap servers
        assert page.kz_blocked and all("arcgisonline.com" in u for u in page.kz_blocked)
        # info findings appear when their group is switched on
        page.get_by_text("Kết quả kiểm tra: Thông tin").click()
        assert _count(page, "path.kz-mark-info") == _placed(report, "info")
        assert dialogs == []


def test_popup_opens_with_the_feature_and_its_findings(tmp_path: Path, plan: kzplan.Plan,
                                                       report: kzplan.Report) -> None:
    path = maps.write_map(plan, tmp_path / "map.html", report=report, lang="en")
    with chromium_page(fake_tiles=True) as page:
        _open(page, path)
        page.evaluate("kzplan.map.setView(kzplan.byId['ccn-1'].props.pt, 15, {animate: false})")
        page.wait_for_timeout(100)
        box = page.evaluate("""(() => {
            const r = kzplan.byId['ccn-1'].layer.getElement().getBoundingClientRect();
            return [r.x + r.width / 3, r.y + r.height / 3]; })()""")
        page.mouse.click(*box)
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        page.wait_for_timeout(400)  # fade-in and auto-pan
        page.screenshot(path=str(tmp_path / "map-popup-en.png"))
        text = popup.inner_text()
        assert "Cụm công nghiệp Đắk La" in text
        assert "Huyện Đắk Hà (615)" in text
        assert "Agro-forestry processing" in text
        assert "schematic" in text
        ww01 = next(f for f in report.findings if f.rule_id == "WW01" and f.feature == "CCN-01")
        assert ww01.message_en in text
        assert page.kz_console_errors == []


def test_search_without_diacritics(tmp_path: Path, plan: kzplan.Plan,
                                   report: kzplan.Report) -> None:
    path = maps.write_map(plan, tmp_path / "map.html", report=report)
    with chromium_page(fake_tiles=True) as page:
        _open(page, path)
        search = page.locator(".kz-search-input")
        search.fill("dak la")
        hits = page.locator(".kz-search-hit")
        assert hits.count() == 1
        assert "Cụm công nghiệp Đắk La" in hits.first.inner_text()
        search.fill("ĐẮK")  # diacritics and capitals typed are folded too
        assert page.locator(".kz-search-hit").count() == 2
        search.fill("khong co ten nay")
        assert page.locator(".kz-search-none").count() == 1
        search.fill("dak la")
        search.press("Enter")
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        page.wait_for_timeout(400)
        page.screenshot(path=str(tmp_path / "map-search.png"))
        assert "Cụm công nghiệp Đắk La" in popup.inner_text()
        assert page.evaluate("kzplan.map.getZoom()") >= 13
        assert page.kz_console_errors == []


def test_offline_map_renders_without_any_network(tmp_path: Path, plan: kzplan.Plan,
                                                 report: kzplan.Report) -> None:
    path = maps.write_map(plan, tmp_path / "map.html", report=report, offline=True)
    with chromium_page(offline=True) as page:
        _open(page, path)
        page.screenshot(path=str(tmp_path / "map-offline-vi.png"))
        assert page.kz_blocked == []  # nothing was even attempted
        assert all(u.startswith(("file:", "data:")) for u in page.kz_requests), page.kz_requests
        assert page.kz_console_errors == [] and page.kz_page_errors == []
        assert _count(page, "path.kz-f.kz-ccn") == len(plan["ccn"])
        assert _count(page, "path.kz-grat") > 4
        assert page.evaluate("typeof L.control.fullscreen === 'function' && "
                             "typeof L.Control.Measure === 'function'")
        # the measuring tool works offline, in Vietnamese
        page.hover(".leaflet-control-measure")
        assert "Đo khoảng cách và diện tích" in page.inner_text(".leaflet-control-measure")


def test_attribute_markup_runs_nothing(tmp_path: Path, plan: kzplan.Plan,
                                       report: kzplan.Report) -> None:
    path = maps.write_map(plan, tmp_path / "map.html", report=report, offline=True)
    dialogs: list[str] = []
    with chromium_page(offline=True) as page:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        _open(page, path)
        page.locator(".kz-search-input").fill("img src")
        hit = page.locator(".kz-search-hit .kz-hit-name")
        assert hit.inner_text() == XSS
        page.locator(".kz-search-input").press("Enter")
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert popup.locator(".kz-pop-title").inner_text() == XSS
        assert popup.locator("img").count() == 0
        page.evaluate("kzplan.byId['kcn-1'].layer.openPopup()")  # its source holds </script>
        # Leaflet swaps the popup asynchronously: wait for the new one rather than racing it.
        # (During the swap the closing popup and the new one can both be in the page.)
        expect(page.locator(".leaflet-popup-content",
                            has_text="</script><script>alert(2)</script>")).to_have_count(
            1, timeout=5_000)
        page.wait_for_timeout(200)
        assert page.locator("img[src='x']").count() == 0
        assert dialogs == [] and page.kz_page_errors == []


def test_english_map(tmp_path: Path, plan: kzplan.Plan, report: kzplan.Report) -> None:
    path = maps.write_map(plan, tmp_path / "map.html", report=report, lang="en", offline=True)
    with chromium_page(offline=True) as page:
        _open(page, path)
        text = page.inner_text("body")
        for label in ("Legend", "Operating", "Targets against the plan", "Clusters per district"):
            assert label in text
        assert "Chú giải" not in text
        assert page.get_attribute(".kz-search-input", "placeholder").startswith("Find")
        page.screenshot(path=str(tmp_path / "map-offline-en.png"))


def test_bundled_plan_in_the_browser(tmp_path: Path) -> None:
    plan = kzplan.load_plan()
    report = kzplan.check(plan)
    for offline in (False, True):
        path = maps.write_map(plan, tmp_path, report=report, offline=offline)
        assert path.stat().st_size < maps.SIZE_LIMIT
        with chromium_page(offline=offline, fake_tiles=True) as page:
            _open(page, path)
            page.screenshot(path=str(tmp_path / f"map-bundled-{'offline' if offline else 'online'}"
                                                 ".png"))
            assert page.kz_console_errors == [] and page.kz_page_errors == []
            assert _count(page, "path.kz-f.kz-ccn") == len(plan["ccn"])
            assert _count(page, "path.kz-f.kz-kcn") == len(plan["kcn"])
            assert _count(page, "path.kz-mark-error") == _placed(report, "error")
            if offline:
                assert page.kz_blocked == []
                # the example officials were promised: "dak la" finds Đắk La
                page.locator(".kz-search-input").fill("dak la")
                assert "CCN Đắk La" in page.locator(".kz-search-hit").first.inner_text()
                page.locator(".kz-search-input").press("Enter")
                popup = page.locator(".leaflet-popup-content")
                popup.wait_for()
                page.wait_for_timeout(400)
                page.screenshot(path=str(tmp_path / "map-bundled-dak-la.png"))
                assert "CCN Đắk La" in popup.inner_text()
                assert "Huyện Đắk Hà (615)" in popup.inner_text()


@pytest.mark.districts
def test_districts_in_the_browser(tmp_path: Path, districts_path: Path) -> None:
    plan = kzplan.load_plan(rich_plan(tmp_path / "plan"), districts=districts_path)
    report = kzplan.check(plan, as_of=2026)
    path = maps.write_map(plan, tmp_path / "map.html", report=report, offline=True)
    with chromium_page(offline=True) as page:
        _open(page, path)
        page.screenshot(path=str(tmp_path / "map-districts-offline.png"))
        assert page.kz_console_errors == [] and page.kz_blocked == []
        assert _count(page, "path.kz-f.kz-districts") == len(plan["districts"])
        assert _count(page, "path.kz-province") == 1
        assert _count(page, "path.kz-mark-error") == _placed(report, "error")
        assert page.locator(".kz-district-label").count() == len(plan["districts"])
        page.locator(".kz-search-input").fill("dak ha")
        page.locator(".kz-search-input").press("Enter")
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert "Huyện Đắk Hà" in popup.inner_text()


def test_messy_plan_in_the_browser(tmp_path: Path) -> None:
    plan = kzplan.load_plan(messy_plan(tmp_path / "plan"))
    path = maps.write_map(plan, tmp_path / "map.html", offline=True)
    with chromium_page(offline=True) as page:
        _open(page, path)
        page.screenshot(path=str(tmp_path / "map-messy.png"))
        assert page.kz_console_errors == [] and page.kz_page_errors == []
        assert _count(page, "path.kz-f.kz-ccn") == 3  # the feature without a geometry is listed
        assert page.locator(".kz-summary .kz-findings li").count() > 0
