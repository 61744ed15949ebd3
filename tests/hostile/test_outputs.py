"""Hostile outputs: every writer pointed at an input, a device, a FIFO, a file in the way, a name
too long, a stale temporary folder; nothing is lost, nothing hangs, one line when it refuses."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.hostile.harness import CHECKED, Case, judge, plan

# Every writer of kzplan, as the arguments that write to OUT (a placeholder).
WRITERS = {
    "check-json": ["check", "{plan}", "-f", "json", "-o", "{out}"],
    "check-html": ["check", "{plan}", "-f", "html", "-o", "{out}"],
    "check-gpkg": ["check", "{plan}", "-f", "gpkg", "-o", "{out}"],
    "check-terminal": ["check", "{plan}", "-f", "terminal", "-o", "{out}"],
    "map": ["map", "{plan}", "-o", "{out}"],
    "diff-json": ["diff", "{plan}", "{plan}", "-f", "json", "-o", "{out}"],
}
INPUT = ("its inputs",)  # what the refusal says
# Input files of the run an output must never land on.
INPUT_TARGETS = ["ccn.dbf", "ccn.shp", "ccn.shx", "ccn.prj", "ccn.cpg", "kcn.dbf", "CCN.DBF",
                 "Kcn.Prj"]


def _args(writer: str, plan_dir: Path, out: Path | str) -> list[str]:
    return [a.format(plan=plan_dir, out=out) for a in WRITERS[writer]]


@pytest.mark.parametrize("target", INPUT_TARGETS)
@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_an_output_never_lands_on_an_input(tmp_path: Path, writer: str, target: str) -> None:
    folder = plan(tmp_path)
    judge(Case(_args(writer, folder, folder / target), 2, [folder], stderr_has=INPUT))


@pytest.mark.parametrize("writer", ["check-json", "check-html", "check-gpkg", "map"])
def test_an_output_never_lands_on_the_config(tmp_path: Path, writer: str) -> None:
    folder = plan(tmp_path)
    toml = folder / "kzplan.toml"
    toml.write_text('[layers.kcn]\npath = "kcn.shp"\n[layers.ccn]\npath = "ccn.shp"\n',
                    encoding="utf-8")
    judge(Case(_args(writer, toml, toml), 2, [folder], stderr_has=INPUT))


@pytest.mark.parametrize("writer", ["check-json", "check-html", "map"])
def test_an_output_never_lands_on_the_districts_file(tmp_path: Path, writer: str) -> None:
    folder = plan(tmp_path)
    other = tmp_path / "ranh"
    other.mkdir()
    districts = other / "ranh.geojson"
    import geopandas as gpd
    from shapely.geometry import box

    from tests import factory

    x, y = factory.xy(*factory.ANCHORS["608"])
    gpd.GeoDataFrame({"ma_huyen": ["608"], "ten": ["A"]},
                     geometry=[box(x - 5e4, y - 5e4, x + 5e4, y + 5e4)],
                     crs="EPSG:9216").to_file(districts)
    args = [*_args(writer, folder, districts), "--districts", str(districts)]
    judge(Case(args, 2, [folder, other], stderr_has=INPUT))


def test_diff_output_never_lands_on_its_reports(tmp_path: Path) -> None:
    folder = plan(tmp_path)
    reports = tmp_path / "reports"
    judge(Case(["check", str(folder), "-f", "json", "-o", str(reports / "a.json")], CHECKED,
               [folder], reports, {"a.json"}))
    a = reports / "a.json"
    judge(Case(["diff", str(a), str(folder), "-f", "json", "-o", str(a)], 2, [folder, reports],
               stderr_has=INPUT))


def test_a_hard_link_to_an_input_is_an_input(tmp_path: Path) -> None:
    folder = plan(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    os.link(folder / "ccn.dbf", out / "report.json")
    judge(Case(["check", str(folder), "-f", "json", "-o", str(out / "report.json")], 2,
               [folder, out], stderr_has=INPUT))


def test_a_symlink_to_an_input_is_an_input(tmp_path: Path) -> None:
    folder = plan(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").symlink_to(folder / "ccn.shp")
    judge(Case(["check", str(folder), "-f", "html", "-o", str(out / "report.html")], 2,
               [folder, out], stderr_has=INPUT))


@pytest.mark.parametrize("writer", ["check-json", "check-html", "check-gpkg", "check-terminal",
                                    "map", "diff-json"])
def test_dev_null_is_written_not_replaced(tmp_path: Path, writer: str) -> None:
    folder = plan(tmp_path)
    judge(Case(_args(writer, folder, "/dev/null"), (0, 1), [folder]))
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
@pytest.mark.parametrize("writer", ["check-json", "check-html", "check-gpkg", "check-terminal",
                                    "map", "diff-json"])
def test_a_full_disk_is_one_line(tmp_path: Path, writer: str) -> None:
    folder = plan(tmp_path)
    stderr = judge(Case(_args(writer, folder, "/dev/full"), 2, [folder]))
    assert "/dev/full" in stderr
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.parametrize("writer", ["check-json", "check-gpkg", "check-terminal", "map",
                                    "diff-json"])
def test_a_fifo_as_output_is_refused_without_hanging(tmp_path: Path, writer: str) -> None:
    folder = plan(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    fifo = out / "report.json"
    os.mkfifo(fifo)
    judge(Case(_args(writer, folder, fifo), 2, [folder, out]))
    assert stat.S_ISFIFO(fifo.stat().st_mode)


@pytest.mark.parametrize("writer", ["check-json", "check-gpkg", "map", "diff-json"])
def test_a_file_where_a_folder_should_be(tmp_path: Path, writer: str) -> None:
    folder = plan(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    judge(Case(_args(writer, folder, out / "notes.txt" / "report.json"), 2, [folder, out]))


@pytest.mark.parametrize("writer", ["check-json", "check-html", "check-gpkg", "map"])
def test_a_name_too_long(tmp_path: Path, writer: str) -> None:
    folder = plan(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    judge(Case(_args(writer, folder, out / ("x" * 300 + ".json")), 2, [folder], out))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
@pytest.mark.parametrize("writer", ["check-json", "check-gpkg", "map"])
def test_a_read_only_folder(tmp_path: Path, writer: str) -> None:
    folder = plan(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        judge(Case(_args(writer, folder, out / "r.json"), 2, [folder], out))
    finally:
        out.chmod(0o755)


def test_run_into_the_plan_folder_keeps_the_plan(tmp_path: Path) -> None:
    folder = plan(tmp_path)
    names = {"kzplan-report.json", "kzplan-report.html", "kzplan-report.gpkg",
             "kzplan-map.html"}
    judge(Case(["run", str(folder), "-o", str(folder)], CHECKED, [folder], folder, names))


def test_run_into_a_shapefile_is_one_line(tmp_path: Path) -> None:
    folder = plan(tmp_path)
    judge(Case(["run", str(folder), "-o", str(folder / "ccn.shp")], 2, [folder]))


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("writer", ["check-json", "check-gpkg", "map"])
def test_temporaries_of_a_killed_run_are_swept(tmp_path: Path, writer: str) -> None:
    folder = plan(tmp_path)
    out = tmp_path / "out"
    stale = out / f".kzplan-{_dead_pid()}-abcd.tmp"
    stale.mkdir(parents=True)
    (stale / "kzplan-report.gpkg").write_bytes(b"half")
    (stale / "kzplan-report.gpkg-journal").write_bytes(b"half")
    name = {"map": "kzplan-map.html", "check-gpkg": "kzplan-report.gpkg"}.get(
        writer, "kzplan-report.json")
    judge(Case(_args(writer, folder, out / name), CHECKED, [folder], None))
    assert sorted(p.name for p in out.iterdir()) == [name]


@pytest.mark.parametrize("fmt", ["json", "html", "gpkg", "terminal"])
def test_a_normal_write_leaves_only_the_report(tmp_path: Path, fmt: str) -> None:
    folder = plan(tmp_path)
    out = tmp_path / "out"
    name = "kzplan-report." + {"terminal": "txt"}.get(fmt, fmt)
    judge(Case(["check", str(folder), "-f", fmt, "-o", str(out) + "/"], CHECKED, [folder], out,
               {name}))


def test_an_existing_report_is_replaced_atomically(tmp_path: Path) -> None:
    folder = plan(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "r.json").write_text("old", encoding="utf-8")
    judge(Case(["check", str(folder), "-f", "json", "-o", str(out / "r.json")], CHECKED,
               [folder], out, {"r.json"}))
    assert (out / "r.json").read_text(encoding="utf-8").startswith("{")


def test_a_foreign_geopackage_is_not_replaced(tmp_path: Path) -> None:
    folder = plan(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    import shutil

    from tests.hostile.harness import ccn_frame, square

    ccn_frame([square(0)]).to_file(out / "theirs.gpkg", layer="roads")
    before = (out / "theirs.gpkg").read_bytes()
    judge(Case(["check", str(folder), "-f", "gpkg", "-o", str(out / "theirs.gpkg")], 2,
               [folder, out]))
    assert (out / "theirs.gpkg").read_bytes() == before
    shutil.rmtree(out)
