"""The bundled schematic lots (geodata/lo_dat.*, tools/build_lots.py): reproducible, measured
occupancy equal to the published figures, and shown on the map only when zoomed in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from browser import chromium_page

import kzplan

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def plan() -> kzplan.Plan:
    return kzplan.load_plan()


def test_lots_rebuild_byte_identical() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "build_lots.py"), "--check"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_bundled_lots_are_marked_schematic(plan: kzplan.Plan) -> None:
    lots = plan["lo_dat"]
    assert set(lots["ma_khu"]) == {"KCN-01", "CCN-615-01"}
    assert (lots["hinh_hoc"] == "so_do").all() and (lots["tin_cay"] == "gia_dinh").all()
    assert lots["ma_lo"].is_unique


def test_occupancy_measured_on_the_lots_matches_the_published_figures(plan: kzplan.Plan) -> None:
    report = kzplan.check(plan, as_of=2026)
    occ = {r["ma"]: r["occupancy_pct"] for r in report.indicators["lots"]}
    assert occ["KCN-01"] == pytest.approx(100.0, abs=0.05)  # KCN Hòa Bình: fully let (S4, S5)
    assert occ["CCN-615-01"] == pytest.approx(37.7, abs=0.1)  # CCN Đắk La: ≈37,7 % (S16, S17)
    ccn = plan["ccn"].set_index("ma")
    assert abs(ccn.loc["CCN-615-01", "lap_day"] - occ["CCN-615-01"]) < 0.5  # no LT01 finding
    assert not [f for f in report.findings if f.layer == "lo_dat"]


def test_map_carries_the_lots_for_zoomed_in_views_only(plan: kzplan.Plan, tmp_path: Path) -> None:
    from kzplan.maps import data as map_data

    built = map_data.build(plan, kzplan.check(plan, as_of=2026), lang="en", offline=True,
                           version="test")
    specs = {spec["key"]: spec for spec in built.data["layers"]}
    assert specs["lo_dat"]["minZoom"] == 14 and "minZoom" not in specs["ccn"]
    assert len(specs["lo_dat"]["fc"]["features"]) == len(plan["lo_dat"])


@pytest.mark.browser
def test_lots_appear_when_zoomed_in(plan: kzplan.Plan, tmp_path: Path) -> None:
    path = tmp_path / "map.html"
    kzplan.write_map(plan, path, lang="vi", offline=True)
    lots = plan["lo_dat"].to_crs(4326)
    w, s, e, n = lots[lots["ma_khu"] == "CCN-615-01"].total_bounds
    with chromium_page(offline=True) as page:
        page.goto(path.as_uri())
        page.wait_for_selector("path.kz-ccn")
        assert page.locator("path.kz-lo_dat").count() == 0  # the whole province: no lots
        page.evaluate("""([lat, lon]) => {
            const m = Object.values(window).find(v => v && v._leaflet_id && v.setView);
            m.setView([lat, lon], 16); }""", [(s + n) / 2, (w + e) / 2])
        page.wait_for_function(f"document.querySelectorAll('path.kz-lo_dat').length == {len(lots)}")
        assert not page.kz_page_errors and not page.kz_console_errors


def test_occupancy_rules_use_the_lots_where_they_exist(tmp_path: Path) -> None:
    """OC01 judges a zone on the occupancy measured on its lots, and says so; OC02 does not ask
    for a typed figure when the lots give one."""
    import geopandas as gpd

    folder = tmp_path / "plan"
    folder.mkdir()
    for name in ("kcn", "ccn", "kkt"):
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            (folder / f"{name}{ext}").write_bytes((ROOT / "geodata" / f"{name}{ext}").read_bytes())
    ccn = gpd.read_file(folder / "ccn.shp")
    i = ccn.index[ccn["ma"] == "CCN-615-01"][0]
    ccn.loc[i, ["nam_tl", "lap_day"]] = [2022, None]  # in the plan period, no typed figure
    ccn.to_file(folder / "ccn.shp", encoding="UTF-8")
    lots = gpd.read_file(ROOT / "geodata" / "lo_dat.shp")
    lots.to_file(folder / "lo_dat.shp", encoding="UTF-8")
    report = kzplan.check(kzplan.load_plan(folder), as_of=2026)
    oc01 = [f for f in report.findings if f.rule_id == "OC01" and f.feature == "CCN-615-01"]
    assert len(oc01) == 1 and oc01[0].measured == pytest.approx(37.7, abs=0.1)
    assert "lo_dat" in oc01[0].message_en or "lots" in oc01[0].message_en
    assert not [f for f in report.findings if f.rule_id == "OC02" and f.feature == "CCN-615-01"]
    without = kzplan.check(kzplan.load_plan([f"{n}={folder / n}.shp" for n in ("kcn", "ccn", "kkt")]),
                           as_of=2026)
    assert not [f for f in without.findings if f.rule_id == "OC01" and f.feature == "CCN-615-01"]
    assert [f for f in without.findings if f.rule_id == "OC02" and f.feature == "CCN-615-01"]
