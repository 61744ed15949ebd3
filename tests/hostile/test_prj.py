"""A ``.prj`` that exists but cannot be read (garbage, text that is not WKT, empty, truncated WKT)
is refused as such, naming the ``.prj`` and its beginning: never reported as "no .prj"."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kzplan.cli import app
from tests.hostile.harness import CHECKED, Case, judge, plan


def _damage(folder: Path, kind: str) -> Path:
    prj = folder / "ccn.prj"
    wkt = prj.read_bytes()
    prj.write_bytes({"binary": b"\x00\x9f\x1b[31m" + os.urandom(48), "hello": b"hello",
                     "empty": b"", "truncated": wkt[: len(wkt) // 2]}[kind])
    return prj


KINDS = ["binary", "hello", "empty", "truncated"]


@pytest.mark.parametrize("kind", KINDS)
def test_an_unreadable_prj_is_not_a_missing_one(tmp_path: Path, kind: str) -> None:
    folder = plan(tmp_path)
    prj = _damage(folder, kind)
    stderr = judge(Case(["check", str(folder)], 2, [folder]))
    assert str(prj) in stderr
    assert "the .prj exists but cannot be read as a coordinate system" in stderr
    assert "no .prj" not in stderr and "GDAL cannot read" not in stderr
    assert "--crs" in stderr and "kzplan.toml" in stderr
    assert "\x00" not in stderr and "\x1b" not in stderr  # control bytes shown escaped
    if kind == "hello":
        assert "'hello'" in stderr
    if kind == "binary":
        assert "\\x00" in stderr and "\\x1b" in stderr
    if kind == "empty":
        assert "it is empty" in stderr
    if kind == "truncated":
        assert "'PROJCS[" in stderr


@pytest.mark.parametrize("kind", KINDS)
def test_the_refusal_in_vietnamese(tmp_path: Path, kind: str) -> None:
    folder = plan(tmp_path)
    prj = _damage(folder, kind)
    result = CliRunner().invoke(app, ["check", str(folder), "--lang", "vi"])
    assert result.exit_code == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output
    assert str(prj) in lines[0]
    assert "có tệp .prj nhưng không đọc được thành hệ tọa độ" in lines[0]
    assert "không có .prj" not in lines[0]


@pytest.mark.parametrize("kind", KINDS)
def test_declaring_the_crs_reads_past_an_unreadable_prj(tmp_path: Path, kind: str) -> None:
    folder = plan(tmp_path)
    _damage(folder, kind)
    stderr = judge(Case(["check", str(folder), "--crs", "EPSG:9216"], CHECKED, [folder]))
    assert "cannot be read as a coordinate system" not in stderr


def test_a_missing_prj_is_still_reported_as_missing(tmp_path: Path) -> None:
    folder = plan(tmp_path)
    (folder / "ccn.prj").unlink()
    stderr = judge(Case(["check", str(folder)], 2, [folder]))
    assert "no .prj" in stderr and "cannot be read as a coordinate system" not in stderr
