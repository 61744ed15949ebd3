"""``kzplan diff OLD NEW``: folders, JSON reports, exit codes per --fail-on, a planted new error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kzplan.cli import app
from kzplan.rules import load_pack
from tests import factory

AS_OF = "2030"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``old``: the small plan; ``same``: a copy; ``new``: CCN-1 moved 300 m onto CCN-0."""
    root = tmp_path_factory.mktemp("versions")
    old = factory.small_plan(root / "old")
    same = root / "same"
    shutil.copytree(old, same)
    new = root / "new"
    shutil.copytree(old, new)
    for part in new.glob("ccn.*"):
        part.unlink()
    lon, lat = factory.ANCHORS["608"]
    rows = [factory.feature(f"CCN-{i}", dt=40.0) for i in range(3)]
    geoms = [factory.square(lon, lat, 40.0, dx=2000.0 * (i + 1)) for i in range(3)]
    geoms[1] = factory.square(lon, lat, 40.0, dx=2000.0 + 300.0)  # overlaps CCN-0
    factory.write(new, ccn=factory.frame(rows, geoms))
    return {"old": old, "same": same, "new": new}


@pytest.fixture(scope="module")
def reports(folders: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """JSON reports written by `kzplan check -f json` for each folder."""
    out = tmp_path_factory.mktemp("reports")
    paths = {}
    for name, folder in folders.items():
        target = out / f"{name}.json"
        code, _, _ = run("check", str(folder), "--as-of", AS_OF, "-f", "json", "-o", str(target))
        assert code == 1  # the small plan misses its targets: it has errors of its own
        assert target.exists()
        paths[name] = target
    return paths


def diff_json(old: Path, new: Path, *more: str) -> tuple[int, dict]:
    code, out, err = run("diff", str(old), str(new), "--as-of", AS_OF, "-f", "json", *more)
    assert code in (0, 1), err
    return code, json.loads(out)


def test_two_folders_planted_overlap_is_a_new_error(folders: dict[str, Path]) -> None:
    code, data = diff_json(folders["old"], folders["new"])
    assert code == 1
    assert data["exit_code"] == 1
    assert [(f["rule_id"], f["feature"]) for f in data["new"]] == [("OV01", "CCN-0")]
    assert data["counts"]["new_errors"] == 1
    assert data["resolved"] == []
    assert data["before"]["as_of"] == data["after"]["as_of"] == int(AS_OF)
    assert data["new_errors"] == [data["new"][0]["fingerprint"]]


def test_two_folders_without_change(folders: dict[str, Path]) -> None:
    code, data = diff_json(folders["old"], folders["same"])
    assert code == 0
    assert data["counts"]["new"] == data["counts"]["resolved"] == data["counts"]["changed"] == 0
    assert data["counts"]["unchanged"] == data["before"]["stats"]["total"] > 0
    # the old plan already has errors: they fail the build only with --fail-on any-errors
    assert data["after"]["valid"] is False


def test_two_json_reports(reports: dict[str, Path]) -> None:
    code, data = diff_json(reports["old"], reports["new"])
    assert code == 1
    assert [f["rule_id"] for f in data["new"]] == ["OV01"]
    back_code, back = diff_json(reports["new"], reports["old"])
    assert back_code == 0
    assert [f["rule_id"] for f in back["resolved"]] == ["OV01"]


def test_json_report_against_folder_uses_the_report_year(reports: dict[str, Path],
                                                         folders: dict[str, Path]) -> None:
    code, out, err = run("diff", str(reports["old"]), str(folders["new"]), "-f", "json")
    assert code == 1, err
    data = json.loads(out)
    assert data["after"]["as_of"] == int(AS_OF)
    assert [f["rule_id"] for f in data["new"]] == ["OV01"]


@pytest.mark.parametrize(
    ("pair", "fail_on", "expected"),
    [
        (("old", "new"), "new-errors", 1),
        (("old", "new"), "any-errors", 1),
        (("old", "new"), "never", 0),
        (("old", "same"), "new-errors", 0),
        (("old", "same"), "any-errors", 1),  # the plan's existing errors count
        (("new", "old"), "new-errors", 0),  # the overlap is resolved
        (("new", "old"), "never", 0),
    ],
)
def test_exit_codes_per_fail_on(reports: dict[str, Path], pair: tuple[str, str], fail_on: str,
                                expected: int) -> None:
    code, _, err = run("diff", str(reports[pair[0]]), str(reports[pair[1]]), "--fail-on", fail_on)
    assert code == expected, err


def test_terminal_output_in_both_languages(reports: dict[str, Path]) -> None:
    code, out, _ = run("diff", str(reports["old"]), str(reports["new"]), "--lang", "en")
    assert code == 1
    assert "New findings (1)" in out and "OV01" in out and "1 new error(s)." in out
    code, out, _ = run("diff", str(reports["old"]), str(reports["new"]), "--lang", "vi")
    assert "Phát hiện mới (1)" in out and "Có 1 lỗi mới." in out


def test_terminal_headroom_numbers_follow_the_language(reports: dict[str, Path]) -> None:
    target = load_pack("kontum-2030").get("AR01").params["targets"]["ccn"]
    en = f"{target:,.2f}".rstrip("0").rstrip(".")
    vi = en.translate(str.maketrans({",": ".", ".": ","}))
    assert "," in en and vi != en  # a target with thousands and decimals tells the styles apart
    _, out, _ = run("diff", str(reports["old"]), str(reports["new"]), "--lang", "en")
    assert f" {en} " in out and f" {vi} " not in out
    _, out, _ = run("diff", str(reports["old"]), str(reports["new"]), "--lang", "vi")
    assert f" {vi} " in out and f" {en} " not in out


def test_json_output_file_is_written(reports: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "out" / "diff.json"
    code, out, err = run("diff", str(reports["old"]), str(reports["new"]), "-f", "json", "-o",
                         str(target), "--lang", "en")
    assert code == 1
    assert out == ""
    assert str(target) in err
    assert json.loads(target.read_text(encoding="utf-8"))["schema"] == "kzplan-diff/1"


def test_could_not_check_is_exit_2(reports: dict[str, Path], tmp_path: Path) -> None:
    not_report = tmp_path / "other.json"
    not_report.write_text('{"schema": "something-else/1"}', encoding="utf-8")
    code, _, err = run("diff", str(not_report), str(reports["old"]), "--lang", "en")
    assert code == 2
    assert "other.json" in err and "kzplan-report/1" in err
    assert len(err.strip().splitlines()) == 1
    code, _, err = run("diff", str(tmp_path / "missing"), str(reports["old"]), "--lang", "en")
    assert code == 2 and "missing" in err
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    code, _, err = run("diff", str(broken), str(reports["old"]), "--lang", "vi")
    assert code == 2 and "broken.json" in err
