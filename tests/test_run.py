"""`kzplan run`: the main job writes every report and the map into one folder."""

from __future__ import annotations

import json
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
        {"OC01", "WW01"}
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
