"""Hostile layers: damaged shapefiles, counts that disagree, duplicate layers, FIFOs and devices,
strange coordinates and geometries, markup in attribute text."""

from __future__ import annotations

import math
import os
import shutil
import struct
from pathlib import Path

import pytest
from shapely.geometry import Polygon, box

from tests import factory
from tests.hostile.harness import CHECKED, Case, ccn_frame, judge, lone_ccn, plan, square


def _set_dbf_count(dbf: Path, count: int) -> None:
    data = bytearray(dbf.read_bytes())
    data[4:8] = struct.pack("<I", count)
    dbf.write_bytes(bytes(data))


def _field_offsets(dbf: Path) -> dict[str, int]:
    data = dbf.read_bytes()
    header_len = struct.unpack("<H", data[8:10])[0]
    out, i = {}, 32
    while i + 32 <= header_len and data[i] != 0x0D:
        out[data[i:i + 11].split(b"\x00")[0].decode("latin-1")] = i
        i += 32
    return out


def _rename_field(dbf: Path, old: str, new: bytes) -> None:
    i = _field_offsets(dbf)[old]
    data = bytearray(dbf.read_bytes())
    data[i:i + 11] = new.ljust(11, b"\x00")[:11]
    dbf.write_bytes(bytes(data))


def _check(folder: Path, code, *extra: str, inputs: list[Path] | None = None) -> str:  # noqa: ANN001
    return judge(Case(["check", str(folder), *extra], code, inputs or [folder]))


# --- counts, headers, damage ---------------------------------------------------------------

@pytest.mark.parametrize("delta", [-3, -1, 1, 3])
def test_dbf_and_shp_counts_disagree(tmp_path: Path, delta: int) -> None:
    folder = lone_ccn(tmp_path / "p", [square(i) for i in range(5)])
    _set_dbf_count(folder / "ccn.dbf", 5 + delta)
    stderr = _check(folder, 2)
    assert "ccn.dbf" in stderr


@pytest.mark.parametrize("patch", ["header_len", "record_len", "short", "empty"])
def test_a_damaged_dbf_header_is_named(tmp_path: Path, patch: str) -> None:
    folder = lone_ccn(tmp_path / "p", [square(0)])
    dbf = folder / "ccn.dbf"
    data = bytearray(dbf.read_bytes())
    if patch == "header_len":
        data[8:10] = struct.pack("<H", 7)
    elif patch == "record_len":
        data[10:12] = struct.pack("<H", 0)
    elif patch == "short":
        data = data[:20]
    else:
        data = bytearray()
    dbf.write_bytes(bytes(data))
    stderr = _check(folder, 2)
    assert "DBF" in stderr and "missing" not in stderr


@pytest.mark.parametrize("part", ["shp", "shx"])
@pytest.mark.parametrize("damage", ["empty", "garbage", "truncated"])
def test_a_damaged_shapefile_part(tmp_path: Path, part: str, damage: str) -> None:
    folder = lone_ccn(tmp_path / "p", [square(i) for i in range(3)])
    target = folder / f"ccn.{part}"
    data = target.read_bytes()
    target.write_bytes({"empty": b"", "garbage": os.urandom(len(data)),
                        "truncated": data[: len(data) // 2 + 3]}[damage])
    _check(folder, 2)


def test_a_garbage_dbf_body(tmp_path: Path) -> None:
    folder = lone_ccn(tmp_path / "p", [square(i) for i in range(3)])
    dbf = folder / "ccn.dbf"
    data = bytearray(dbf.read_bytes())
    header_len = struct.unpack("<H", data[8:10])[0]
    data[header_len:] = os.urandom(len(data) - header_len)
    dbf.write_bytes(bytes(data))
    _check(folder, CHECKED + (2,))


# --- two files for one layer -------------------------------------------------------------------

def test_two_shapefiles_differing_in_case(tmp_path: Path) -> None:
    folder = plan(tmp_path)
    for suffix in ("shp", "shx", "dbf", "prj", "cpg"):
        shutil.copy(folder / f"ccn.{suffix}", folder / f"CCN.{suffix.upper()}")
    stderr = _check(folder, 2)
    assert "CCN.SHP" in stderr and "ccn.shp" in stderr


def test_a_stray_geopackage_with_the_same_layer(tmp_path: Path) -> None:
    folder = plan(tmp_path)
    ccn_frame([square(0)]).to_file(folder / "old.gpkg", layer="ccn")
    stderr = _check(folder, 2)
    assert "old.gpkg" in stderr and "ccn.shp" in stderr


def test_a_geojson_beside_the_shapefile(tmp_path: Path) -> None:
    folder = plan(tmp_path)
    ccn_frame([square(0)]).to_crs("EPSG:4326").to_file(folder / "ccn.geojson")
    stderr = _check(folder, 2)
    assert "ccn.geojson" in stderr


# --- FIFOs, devices, symlinks ------------------------------------------------------------------

@pytest.mark.parametrize("part", ["shp", "dbf", "shx", "cpg", "prj"])
def test_a_fifo_in_place_of_a_shapefile_part(tmp_path: Path, part: str) -> None:
    folder = plan(tmp_path)
    (folder / f"ccn.{part}").unlink()
    os.mkfifo(folder / f"ccn.{part}")
    _check(folder, 2)


def test_a_fifo_given_as_a_layer(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    os.mkfifo(folder / "ccn.shp")
    judge(Case(["check", f"ccn={folder / 'ccn.shp'}"], 2, [folder]))


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_a_device_given_as_a_layer(tmp_path: Path, device: str) -> None:
    judge(Case(["check", f"ccn={device}"], 2, [tmp_path]))


def test_a_symlink_to_a_device(tmp_path: Path) -> None:
    folder = plan(tmp_path)
    (folder / "ccn.dbf").unlink()
    (folder / "ccn.dbf").symlink_to("/dev/zero")
    _check(folder, 2)


# --- coordinates and geometries ----------------------------------------------------------------

def _one_bad(tmp_path: Path, bad) -> Path:  # noqa: ANN001
    return lone_ccn(tmp_path / "p", [square(0), square(1), bad])


_MARK = 123456.789


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1e300, -1e300])
def test_strange_coordinates_are_one_line_or_findings(tmp_path: Path, value: float) -> None:
    x, y = factory.xy(*factory.ANCHORS["608"])
    bad = Polygon([(x, y), (x + 100, y), (x + _MARK, y + 100), (x, y + 100)])
    folder = _one_bad(tmp_path, bad)
    shp = folder / "ccn.shp"  # GDAL will not write such values: put them in the bytes
    data = shp.read_bytes().replace(struct.pack("<d", x + _MARK), struct.pack("<d", value))
    shp.write_bytes(data)
    _check(folder, CHECKED + (2,))


def test_a_hole_outside_its_shell_is_reported(tmp_path: Path) -> None:
    x, y = factory.xy(*factory.ANCHORS["608"])
    bad = Polygon([(x, y), (x + 500, y), (x + 500, y + 500), (x, y + 500)],
                  [[(x + 900, y + 900), (x + 950, y + 900), (x + 950, y + 950),
                    (x + 900, y + 950)]])
    folder = _one_bad(tmp_path, bad)
    result_stdout = judge(Case(["check", str(folder), "-f", "json", "-o",
                                str(tmp_path / "out" / "r.json")], CHECKED, [folder]))
    del result_stdout
    import json

    report = json.loads((tmp_path / "out" / "r.json").read_text(encoding="utf-8"))
    invalid = [f for f in report["findings"] if f["rule_id"] == "GM01"]
    assert invalid, [f["rule_id"] for f in report["findings"]]


def test_an_unclosed_ring_in_geojson(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    lon, lat = factory.ANCHORS["608"]
    ring = [[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat + 0.01]]
    props = factory.feature("CCN-1")
    (folder / "ccn.geojson").write_text(__import__("json").dumps(
        {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": props,
             "geometry": {"type": "Polygon", "coordinates": [ring]}}]}), encoding="utf-8")
    _check(folder, CHECKED + (2,))


def test_one_feature_far_from_the_rest_is_named(tmp_path: Path) -> None:
    far = box(0, 0, 600, 600)
    rows = [factory.feature(f"CCN-{i}", dt=40.0) for i in range(4)]
    rows[3]["ma"] = "CCN-XA"
    gdf = factory.frame(rows, [square(0), square(1), square(2), far])
    folder = factory.write(tmp_path / "p", ccn=gdf)
    stderr_or = judge(Case(["check", str(folder)], 2, [folder]))
    assert "CCN-XA" in stderr_or


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # GDAL warns when writing 1e300
@pytest.mark.parametrize("value", [-40.0, 0.0, math.nan, math.inf, 1e300])
def test_strange_planned_areas(tmp_path: Path, value: float) -> None:
    folder = lone_ccn(tmp_path / "p", [square(0)], dt_qh_ha=value)
    _check(folder, CHECKED + (2,))


def test_an_infinite_area_typed_in_a_dbf_is_refused(tmp_path: Path) -> None:
    """A DBF stores numbers as text: 'inf' there is no number kzplan will take."""
    folder = lone_ccn(tmp_path / "p", [square(0)], dt_qh_ha=math.inf)
    _check(folder, (2,))


@pytest.mark.parametrize("value", [math.inf, math.nan])
def test_run_survives_infinite_areas(tmp_path: Path, value: float) -> None:
    """A GeoPackage stores real doubles: inf or NaN reach the rules, and the JSON report stays
    valid JSON."""
    folder = tmp_path / "p"
    folder.mkdir()
    ccn_frame([square(0)], dt_qh_ha=value).to_file(folder / "ccn.gpkg", layer="ccn",
                                                     driver="GPKG")
    out = tmp_path / "out"
    judge(Case(["run", str(folder), "-o", str(out)], CHECKED, [folder], out,
               {"kzplan-report.json", "kzplan-report.html", "kzplan-report.gpkg",
                "kzplan-map.html"}))
    import json

    json.loads((out / "kzplan-report.json").read_text(encoding="utf-8"),
               parse_constant=lambda c: pytest.fail(f"{c} in the JSON report"))


def test_an_empty_geometry_and_a_null_geometry(tmp_path: Path) -> None:
    folder = lone_ccn(tmp_path / "p", [square(0), Polygon(), None])
    _check(folder, CHECKED + (2,))


# --- DBF fields --------------------------------------------------------------------------------

def test_duplicate_dbf_field_names(tmp_path: Path) -> None:
    folder = lone_ccn(tmp_path / "p", [square(0), square(1)])
    _rename_field(folder / "ccn.dbf", "nguon", b"ma")
    _check(folder, CHECKED + (2,))


@pytest.mark.parametrize("name", [b"te\nn", b"[/]", b"[bold]x", b"\x00\x00", b"ma\r"])
def test_strange_dbf_field_names(tmp_path: Path, name: bytes) -> None:
    folder = lone_ccn(tmp_path / "p", [square(0), square(1)])
    _rename_field(folder / "ccn.dbf", "ghi_chu", name)
    _check(folder, CHECKED + (2,))


@pytest.mark.parametrize("text", ["[/]", "[bold red]X[/bold red]", "[link=http://x]y[/link]",
                                  "<script>alert(1)</script>", "\x1b[31mred", "a\nb\rc"])
def test_markup_in_names_is_inert(tmp_path: Path, text: str) -> None:
    folder = lone_ccn(tmp_path / "p", [square(0), square(1)], ten=text, ma=text)
    _check(folder, CHECKED)


@pytest.mark.parametrize("folder_name", ["[/]", "[bold]p", "a b", "ĐắkHà"])
def test_markup_in_paths_is_inert(tmp_path: Path, folder_name: str) -> None:
    folder = plan(tmp_path, folder_name)
    ccn = folder / "ccn.dbf"
    _set_dbf_count(ccn, 1)
    stderr = _check(folder, 2)
    assert folder_name in stderr
