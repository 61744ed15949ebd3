"""`kzplan run`: the main job writes every report and the map into one folder."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import pyogrio
from typer.testing import CliRunner

import factory
from kzplan.cli import app

runner = CliRunner()


def test_run_on_the_bundled_plan_writes_everything(tmp_path: Path) -> None:
    out = tmp_path / "maps"
    result = runner.invoke(app, ["run", "-o", str(out), "--as-of", "2026", "--lang", "en"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["kzplan-map.html", "kzplan-report.gpkg", "kzplan-report.html",
                     "kzplan-report.json"]
    report = json.loads((out / "kzplan-report.json").read_text(encoding="utf-8"))
    assert report["valid"] is False and report["as_of"] == 2026
    assert {f["rule_id"] for f in report["findings"] if f["severity"] == "error"} == \
        {"WW01", "WW04"}
    layers = {name for name, _ in pyogrio.list_layers(out / "kzplan-report.gpkg")}
    assert "kzplan_findings" in layers
    page = (out / "kzplan-map.html").read_text(encoding="utf-8")
    assert "CCN Đắk La" in page or "CCN \\u0110\\u1eafk La" in page
    assert "FAIL" in result.output


def test_run_can_gate_on_the_verdict(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "-o", str(tmp_path / "m"), "--fail-on-errors"])
    assert result.exit_code == 1


def test_run_on_bad_input_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    plan = factory.small_plan(tmp_path / "plan")
    (plan / "ccn.dbf").unlink()
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(plan), "-o", str(out)])
    assert result.exit_code == 2
    assert len([ln for ln in result.output.splitlines() if ln.strip()]) == 1
    assert not out.exists()


# --- generated files carry no absolute path of the machine that made them ---------------------

REPO = Path(__file__).resolve().parents[1]


def _leaks(folder: Path, forbidden: list[str]) -> list[str]:
    """Every (file, forbidden string) where an output file of ``folder`` holds that string:
    the HTML and JSON as text, the GeoPackage as its SQLite text values and its raw bytes."""
    found = []
    for path in sorted(folder.iterdir()):
        texts = [path.read_bytes().decode("utf-8", errors="replace")]
        if path.suffix == ".gpkg":
            with contextlib.closing(sqlite3.connect(path)) as db:
                tables = [r[0] for r in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'")]
                for table in tables:
                    for row in db.execute(f'SELECT * FROM "{table}"'):
                        texts.extend(v for v in row if isinstance(v, str))
        found += [f"{path.name}: {bad}" for bad in forbidden if any(bad in t for t in texts)]
    return found


def _forbidden(tmp_path: Path) -> list[str]:
    return [str(Path.home()), str(REPO), str(REPO.resolve()), str(tmp_path),
            str(tmp_path.resolve()), tempfile.gettempdir()]


def test_run_on_the_bundled_plan_writes_no_absolute_path(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", "-o", str(tmp_path / "maps"), "--as-of", "2026"])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "maps").iterdir())) == 4
    assert not _leaks(tmp_path / "maps", _forbidden(tmp_path))
    report = json.loads((tmp_path / "maps" / "kzplan-report.json").read_text(encoding="utf-8"))
    assert {i["layer"]: i["file"] for i in report["meta"]["inputs"]} == {
        "kcn": "geodata/kcn.shp", "ccn": "geodata/ccn.shp", "kkt": "geodata/kkt.shp",
        "huyen": "geodata/huyen.dbf", "lo_dat": "geodata/lo_dat.shp"}
    page = (tmp_path / "maps" / "kzplan-report.html").read_text(encoding="utf-8")
    assert "geodata/kcn.shp" in page


def test_run_on_a_plan_of_ones_own_writes_no_absolute_path(tmp_path: Path, monkeypatch) -> None:
    """A plan in a folder, then zipped, read with an override (whose notes name the file)."""
    monkeypatch.chdir(tmp_path)
    plan = factory.small_plan(tmp_path / "thu_muc")
    (plan / "ccn.prj").unlink()
    # given by its absolute path, as QGIS and scripts do
    result = runner.invoke(app, ["run", str(plan), "-o", "out", "--crs", "EPSG:9216"])
    assert result.exit_code == 0, result.output
    assert not _leaks(tmp_path / "out", _forbidden(tmp_path))
    report = json.loads((tmp_path / "out" / "kzplan-report.json").read_text(encoding="utf-8"))
    assert {i["file"] for i in report["meta"]["inputs"]} == {"thu_muc/kcn.shp", "thu_muc/ccn.shp"}
    notes = [f for f in report["findings"] if f["rule_id"] == "HY01"]
    assert any(f["measured"].get("file") == "thu_muc/ccn.shp" for f in notes)

    with zipfile.ZipFile(tmp_path / "ke_hoach.zip", "w") as archive:
        for path in plan.iterdir():
            archive.write(path, path.name)
    result = runner.invoke(app, ["run", "ke_hoach.zip", "-o", "out_zip", "--crs", "EPSG:9216"])
    assert result.exit_code == 0, result.output
    assert not _leaks(tmp_path / "out_zip", _forbidden(tmp_path))
    report = json.loads((tmp_path / "out_zip" / "kzplan-report.json").read_text(encoding="utf-8"))
    notes = [f for f in report["findings"] if f["rule_id"] == "HY01"]
    assert any(f["measured"].get("file") == "ke_hoach.zip/ccn.shp" for f in notes)


def test_shown_path_rule(tmp_path: Path) -> None:
    from kzplan.plan import shown_path

    root = (tmp_path / "thu_muc").resolve(), "thu_muc"
    assert shown_path(tmp_path / "thu_muc" / "edits" / "cum.shp", root) == "thu_muc/edits/cum.shp"
    assert shown_path(tmp_path / "chung" / "ranh.gpkg", root) == "chung/ranh.gpkg"
    assert shown_path(tmp_path / "x" / "ccn.shp", None) == "x/ccn.shp"
