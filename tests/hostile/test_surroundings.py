"""Hostile surroundings: files already where kzplan would write (a user's ``NAME_clean.*``),
stale temporary folders, default outputs in the working folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import factory
from tests.hostile.harness import CHECKED, Case, judge


def _legacy(tmp_path: Path) -> Path:
    return factory.legacy_ccn(tmp_path / "p", ["Cụm công nghiệp Hòa Bình"], "tcvn3")


@pytest.mark.parametrize("part", ["shp", "dbf", "cpg", "prj", "shx"])
def test_clean_never_replaces_a_users_clean_file(tmp_path: Path, part: str) -> None:
    folder = _legacy(tmp_path)
    (folder / f"ccn_clean.{part}").write_bytes(b"the user's own file")
    stderr = judge(Case(["clean", str(folder)], 2, [folder]))
    assert f"ccn_clean.{part}" in stderr


def test_clean_into_an_output_folder_with_a_users_file(tmp_path: Path) -> None:
    folder = _legacy(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "ccn.dbf").write_bytes(b"mine")
    judge(Case(["clean", str(folder), "-o", str(out)], 2, [folder, out]))


def test_clean_into_the_input_folder_is_refused(tmp_path: Path) -> None:
    folder = _legacy(tmp_path)
    judge(Case(["clean", str(folder), "-o", str(folder)], 2, [folder]))


def test_clean_writes_its_copy_and_nothing_else(tmp_path: Path) -> None:
    folder = _legacy(tmp_path)
    before = {p.name for p in folder.iterdir()}
    judge(Case(["clean", str(folder), "-o", str(tmp_path / "out")], (0,), [folder],
               tmp_path / "out", {"ccn.shp", "ccn.shx", "ccn.dbf", "ccn.prj", "ccn.cpg"}))
    assert {p.name for p in folder.iterdir()} == before


def test_the_default_report_lands_in_the_working_folder(tmp_path: Path) -> None:
    folder = factory.small_plan(tmp_path / "p")
    work = tmp_path / "work"
    work.mkdir()
    judge(Case(["check", str(folder), "-f", "json"], CHECKED, [folder], work,
               {"kzplan-report.json"}, cwd=work))


def test_a_stale_temporary_file_of_another_live_run_is_kept(tmp_path: Path) -> None:
    import os

    folder = factory.small_plan(tmp_path / "p")
    out = tmp_path / "out"
    live = out / f".kzplan-{os.getppid()}-zzzz.tmp"
    live.mkdir(parents=True)
    judge(Case(["check", str(folder), "-f", "json", "-o", str(out / "r.json")], CHECKED,
               [folder]))
    assert live.exists()


@pytest.mark.parametrize("name", ["[/]", "[bold]x[/bold]", "[link=https:x]y"])
def test_markup_in_paths_of_clean_and_info(tmp_path: Path, name: str) -> None:
    folder = factory.legacy_ccn(tmp_path / name, ["Cụm công nghiệp Hòa Bình"], "tcvn3")
    out = tmp_path / "out"
    from typer.testing import CliRunner

    from kzplan.cli import app

    judge(Case(["info", str(folder)], (0,), [folder]))
    result = CliRunner().invoke(app, ["clean", str(folder), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    original = "".join(line.split("│")[2].strip() for line in result.stdout.splitlines()
                       if line.count("│") >= 4)  # the "Original" column, unfolded
    assert name in original  # as written: rich markup would have swallowed it
