"""Hostile configurations and options: wrong types, deep nesting, years out of range, unknown
encodings, diff's inputs told apart by content."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile.harness import CHECKED, Case, judge, plan

TOML = '[plan]\nname = "{name}"\n[layers.kcn]\npath = "kcn.shp"\n[layers.ccn]\npath = "ccn.shp"\n'


def _config(folder: Path, extra: str = "", name: str = "Thử") -> Path:
    toml = folder / "kzplan.toml"
    toml.write_text(TOML.format(name=name) + extra, encoding="utf-8")
    return toml


@pytest.mark.parametrize("value", ['"no"', '"false"', "0", "1", '"true"', "[]"])
def test_strict_must_be_a_boolean(tmp_path: Path, value: str) -> None:
    folder = plan(tmp_path)
    toml = _config(folder, f"[rules]\nstrict = {value}\n")
    stderr = judge(Case(["check", str(toml)], 2, [folder]))
    assert "strict" in stderr


@pytest.mark.parametrize("value", ["true", "false"])
def test_strict_as_a_boolean_is_fine(tmp_path: Path, value: str) -> None:
    folder = plan(tmp_path)
    judge(Case(["check", str(_config(folder, f"[rules]\nstrict = {value}\n"))], CHECKED,
               [folder]))


@pytest.mark.parametrize("command", ["check", "map", "run", "diff"])
@pytest.mark.parametrize("year", ["-5", "0", "100000000000000000000", "1989", "2101"])
def test_as_of_out_of_range(tmp_path: Path, command: str, year: str) -> None:
    folder = plan(tmp_path)
    args = [command, str(folder)] + ([str(folder)] if command == "diff" else [])
    out = tmp_path / "out"
    if command in ("map", "run"):
        args += ["-o", str(out / ("m.html" if command == "map" else ""))]
    stderr = judge(Case([*args, "--as-of", year], 2, [folder], out))
    assert "--as-of" in stderr


@pytest.mark.parametrize("depth", [200, 5000, 100000])
def test_deeply_nested_toml(tmp_path: Path, depth: int) -> None:
    folder = plan(tmp_path)
    _config(folder, "[rules.params.AR03]\nx = " + "[" * depth + "]" * depth + "\n")
    judge(Case(["check", str(folder / "kzplan.toml")], 2, [folder]))


@pytest.mark.parametrize("depth", [5000, 100000])
def test_deeply_nested_param(tmp_path: Path, depth: int) -> None:
    folder = plan(tmp_path)
    judge(Case(["check", str(folder), "--param", "AR03.x=" + "[" * depth + "]" * depth], 2,
               [folder]))


@pytest.mark.parametrize("depth", [5000, 100000])
def test_deeply_nested_report_json(tmp_path: Path, depth: int) -> None:
    folder = plan(tmp_path)
    other = tmp_path / "r"
    other.mkdir()
    (other / "old.json").write_text("[" * depth + "]" * depth, encoding="utf-8")
    judge(Case(["diff", str(other / "old.json"), str(folder)], 2, [folder, other]))


@pytest.mark.parametrize("content", [b"\x00\xff\xfe binary", b"[plan\nname = ", b"\xef\xbb\xbf[plan]\nx=1",
                                     b"[layers.ccn]\npath = 5\n", b"[layers]\nccn = 5\n"])
def test_a_damaged_config(tmp_path: Path, content: bytes) -> None:
    folder = plan(tmp_path)
    (folder / "kzplan.toml").write_bytes(content)
    judge(Case(["check", str(folder)], 2, [folder]))


@pytest.mark.parametrize("encoding", ["klingon", "utf-99", "[/]", "rot13", "base64"])
def test_an_unknown_encoding(tmp_path: Path, encoding: str) -> None:
    folder = plan(tmp_path)
    (folder / "ccn.cpg").unlink()
    judge(Case(["check", str(folder), "--encoding", encoding], CHECKED + (2,), [folder]))


def _report(tmp_path: Path, folder: Path, name: str) -> Path:
    out = tmp_path / "reports"
    judge(Case(["check", str(folder), "-f", "json", "-o", str(out / name)], CHECKED, [folder],
               out, {name, *(p.name for p in out.iterdir())} if out.exists() else {name}))
    return out / name


@pytest.mark.parametrize("name", ["Feature", "FeatureCollection", '"Feature"'])
def test_diff_reads_its_own_report_whatever_the_plan_is_called(tmp_path: Path,
                                                                name: str) -> None:
    folder = plan(tmp_path)
    _config(folder, name=name.replace('"', '\\"'))
    report = _report(tmp_path, folder / "kzplan.toml", "a.json")
    judge(Case(["diff", str(report), str(report)], (0,), [folder, report.parent]))


def test_diff_reads_geojson_whose_type_comes_late(tmp_path: Path) -> None:
    folder = plan(tmp_path)
    report = _report(tmp_path, folder, "a.json")
    import geopandas as gpd

    layer = json.loads(gpd.read_file(folder / "ccn.shp").to_crs("EPSG:4326").to_json())
    late = {"features": layer["features"], "type": "FeatureCollection"}
    geo = tmp_path / "geo"
    geo.mkdir()
    (geo / "ccn.json").write_text(json.dumps(late, ensure_ascii=False), encoding="utf-8")
    judge(Case(["diff", str(report), str(geo / "ccn.json")], CHECKED, [folder, geo,
                                                                       report.parent]))
