"""A second plan, made for the tests (tests/plans/daknong-2030: another province, another VN-2000
meridian, three units, its own targets), runs through info, check, every report, map and diff with
no change to kzplan's code: the proof that a plan is data."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import Transformer
from shapely.geometry import box
from typer.testing import CliRunner

from kzplan import load_plan
from kzplan.cli import app
from kzplan.rules import check, load_pack

PLAN_DIR = Path(__file__).parent / "plans" / "daknong-2030"
CRS = "EPSG:9218"  # VN-2000 / TM-3 108-30
_TO = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
# Hand-picked points inside each test unit.
ANCHORS = {"660": (107.69, 12.00), "661": (107.85, 12.10), "662": (107.93, 12.60)}
runner = CliRunner()


def _square(lon: float, lat: float, ha: float, dx: float = 0.0) -> object:
    x, y = _TO.transform(lon, lat)
    side = (ha * 10_000) ** 0.5
    return box(x + dx, y, x + dx + side, y + side)


def _row(ma: str, code: str, dt: float, ten: str) -> dict[str, object]:
    return {"ma": ma, "ten": ten, "ma_huyen": code, "dt_qh_ha": dt, "trang_thai": "quy_hoach",
            "nguon": "test", "tin_cay": "gia_dinh", "hinh_hoc": "so_do"}


def make_plan(folder: Path, *, drop_662: bool = False) -> Path:
    """A plan folder in EPSG:9218 with a kzplan.toml naming the test plan definition."""
    folder.mkdir(parents=True)
    kcn = gpd.GeoDataFrame([_row("KCN-01", "660", 100.0, "KCN Nhân Cơ (thử)")],
                           geometry=[_square(*ANCHORS["660"], 100.0)], crs=CRS)
    rows, geoms = [], []
    for i, code in enumerate(("660", "661", "662")):
        if drop_662 and code == "662":
            continue
        rows.append(_row(f"CCN-{code}", code, 40.0, f"CCN thử {code}"))
        geoms.append(_square(*ANCHORS[code], 40.0, dx=3000.0 * (i + 1)))
    ccn = gpd.GeoDataFrame(rows, geometry=geoms, crs=CRS)
    kcn.to_file(folder / "kcn.shp", encoding="UTF-8")
    ccn.to_file(folder / "ccn.shp", encoding="UTF-8")
    (folder / "kzplan.toml").write_text(
        f'[plan]\nplan = "{PLAN_DIR.as_posix()}"\n\n[layers.kcn]\npath = "kcn.shp"\n\n'
        '[layers.ccn]\npath = "ccn.shp"\n', encoding="utf-8")
    return folder


@pytest.fixture
def plan_dir(tmp_path: Path) -> Path:
    return make_plan(tmp_path / "plan")


def test_the_plan_definition_drives_the_load(plan_dir: Path) -> None:
    plan = load_plan(plan_dir)
    assert plan.crs == CRS and plan["ccn"].crs.to_epsg() == 9218
    assert plan.definition.id == "daknong-2030"
    assert list(plan.district_table()["ma_huyen"]) == ["660", "661", "662"]
    report = check(plan, as_of=2026)
    assert report.exit_code == 0, report.flatten(["rule_id", "feature", "message"])
    pack = load_pack(plan.config.rule_pack)
    assert pack.get("AR04").params == {"min_ha": 5.0, "max_ha": 75.0, "min_ha_mountainous": 5.0,
                                       "min_ha_craft_village": 5.0}  # overrides the national
    assert pack.get("AR04").source.clause == "khoản 1"  # ... and keeps its source
    assert pack.get("CT01").params["expected"] == {"kcn": 1, "ccn": 3}


def test_its_own_targets_and_units_are_checked(tmp_path: Path) -> None:
    plan = load_plan(make_plan(tmp_path / "p", drop_662=True))
    report = check(plan, as_of=2026)
    got = {tuple(r) for r in report.flatten(["rule_id", "feature"])}
    assert ("DT01", "662") in got  # Cư Jút has no cluster; its minimum is 1 (units.csv)
    assert ("CT01", None) in got  # 2 of the plan's 3 clusters
    assert report.exit_code == 1


def test_a_layer_in_another_provinces_crs_is_refused(tmp_path: Path) -> None:
    folder = make_plan(tmp_path / "p")
    bad = gpd.read_file(folder / "ccn.shp").set_crs("EPSG:9216", allow_override=True)
    bad.to_file(folder / "ccn.shp", encoding="UTF-8")  # 9218 numbers declared as Kon Tum's 9216
    result = runner.invoke(app, ["info", str(folder), "--lang", "en"])
    assert result.exit_code == 2
    assert "Đắk Nông" in result.output and "EPSG:9218" in result.output


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_command_and_report(plan_dir: Path, tmp_path: Path, lang: str) -> None:
    info = runner.invoke(app, ["info", str(plan_dir), "--lang", lang])
    assert info.exit_code == 0, info.output
    assert "EPSG:9218" in info.output
    out = tmp_path / f"out-{lang}"
    result = runner.invoke(app, ["check", str(plan_dir), "--lang", lang, "--as-of", "2026",
                                 "-f", "json", "-f", "html", "-f", "gpkg", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "kzplan-report.json").read_text("utf-8"))
    assert "Đắk Nông 2030" in json.dumps(data, ensure_ascii=False)
    assert [d["ma_huyen"] for d in data["districts"]] == ["660", "661", "662"]
    html = (out / "kzplan-report.html").read_text("utf-8")
    assert "Đắk Nông 2030" in html
    with sqlite3.connect(out / "kzplan-report.gpkg") as db:
        assert db.execute("select count(*) from gpkg_contents").fetchone()[0] >= 1
    terminal = runner.invoke(app, ["check", str(plan_dir), "--lang", lang, "--as-of", "2026"])
    assert terminal.exit_code == 0 and "Đắk Nông 2030" in terminal.output
    page = tmp_path / f"map-{lang}.html"
    mapped = runner.invoke(app, ["map", str(plan_dir), "--lang", lang, "-o", str(page)])
    assert mapped.exit_code == 0, mapped.output
    text = page.read_text("utf-8")
    assert "CCN thử 662" in text
    for produced in (json.dumps(data, ensure_ascii=False), html, text):
        assert "Kon Tum" not in produced  # nothing of the default plan leaks into another's


def test_diff_between_two_versions(tmp_path: Path) -> None:
    old = make_plan(tmp_path / "old")
    new = make_plan(tmp_path / "new", drop_662=True)
    result = runner.invoke(app, ["diff", str(old), str(new), "--lang", "en", "--as-of", "2026"])
    assert result.exit_code == 1, result.output  # new errors: DT01 662, CT01
    assert "662" in result.output
    same = runner.invoke(app, ["diff", str(old), str(old), "--as-of", "2026"])
    assert same.exit_code == 0, same.output


def test_no_plan_is_written_into_the_code() -> None:
    """Nothing in kzplan/*.py names a shipped plan's province, its units, its projection or its
    target figures: those are the plan folders' data. (The test plan is not shipped.)"""
    import re

    from kzplan.plandef import PLANS_DIR, load_plandef

    code = "\n".join(p.read_text("utf-8") for p in (PLAN_DIR.parents[2] / "kzplan").rglob("*.py"))
    shipped = [p for p in PLANS_DIR.iterdir() if (p / "plan.toml").is_file()]
    assert shipped
    for folder in shipped:
        d = load_plandef(folder)
        words = [d.province_short, d.id, f"EPSG:{d.epsg}", *(u.name for u in d.units)]
        pack = load_pack(d.rules_path)
        for r in pack.rules:
            for key in ("expected", "targets"):
                for value in dict(r.params.get(key, {})).values():
                    if isinstance(value, float) and value >= 100:
                        words.append(f"{value:g}")
        found = [w for w in words if w and re.search(re.escape(w), code)]
        assert not found, f"{d.id}: {found} written into kzplan/*.py"
