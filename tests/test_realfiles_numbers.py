"""Real planners' numbers: Vietnamese notation in text fields, garbage in numeric fields.

The corpus is generated here: areas written as text the way Vietnamese tables write them
(``16.000`` = sixteen thousand, ``1.729,72``), and DBF numeric fields holding text GDAL would read
as 0 or 1.2 (``abc``, ``1.2.3e-+``).
"""

from __future__ import annotations

import struct
import warnings
from pathlib import Path

import geopandas as gpd
import pytest
from typer.testing import CliRunner

import kzplan
from kzplan import numtext as numbers
from kzplan._errors import LayerError
from kzplan.cli import app
from tests import factory

runner = CliRunner()


def _ccn_with_text_area(folder: Path, texts: list[str], areas: list[float]) -> Path:
    lon, lat = factory.ANCHORS["608"]
    rows = [factory.feature(f"CCN-{i}", dt=0.0) for i in range(len(texts))]
    geoms = [factory.square(lon, lat, a, dx=4000.0 * (i + 1)) for i, a in enumerate(areas)]
    gdf = factory.frame(rows, geoms)
    gdf["dt_qh_ha"] = texts  # a text field, as planners' spreadsheets export it
    return factory.write(folder, ccn=gdf)


@pytest.mark.parametrize(("text", "expected"), [
    ("16.000", (16000.0, 16.0)), ("1.420", (1420.0, 1.42)), ("1,420", (1420.0, 1.42)),
    ("1.729,72", (1729.72,)), ("1,729.72", (1729.72,)), ("1.234.567", (1234567.0,)),
    ("62,6", (62.6,)), ("0.500", (0.5,)), ("12.5", (12.5,)), (" 40 ", (40.0,)), ("", ()),
])
def test_readings(text: str, expected: tuple[float, ...]) -> None:
    assert numbers.readings(text) == expected


@pytest.mark.parametrize("text", ["abc", "1.2.3e-+", "1,2,3", "12ha", "--5"])
def test_garbage_is_no_number(text: str) -> None:
    with pytest.raises(ValueError):
        numbers.readings(text)


def test_ambiguous_area_settled_by_the_measured_area(tmp_path: Path) -> None:
    folder = _ccn_with_text_area(tmp_path / "p", ["1.420", "2.500", "62,6"], [1.42, 2500.0, 62.6])
    plan = kzplan.load_plan(folder)
    assert list(plan["ccn"]["dt_qh_ha"]) == pytest.approx([1.42, 2500.0, 62.6])
    notes = [n for n in plan.info["ccn"].notes if n.key == "note.number_reading.area"]
    assert len(notes) == 2
    vi = next(n.text("vi") for n in notes if "2.500" in n.text("vi"))
    assert "2.500" in vi and "2,5" in vi  # both readings, the Vietnamese way
    en = next(n.text("en") for n in notes if "'2.500'" in n.text("en"))
    assert "2,500" in en and "(not 2.5)" in en


def test_ambiguous_area_that_fits_neither_reading_is_refused(tmp_path: Path) -> None:
    folder = _ccn_with_text_area(tmp_path / "p", ["16.000"], [40.0])
    with pytest.raises(LayerError) as err:
        kzplan.load_plan(folder)
    vi, en = err.value.render("vi"), err.value.render("en")
    assert "#1 (CCN-0)" in en and "16,000 / 16" in en and "'16.000'" in en
    assert "16.000 / 16" in vi and "40" in vi


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_cli_refuses_an_ambiguous_area_in_one_line(tmp_path: Path, lang: str) -> None:
    folder = _ccn_with_text_area(tmp_path / "p", ["16.000"], [40.0])
    result = runner.invoke(app, ["check", str(folder), "--lang", lang])
    assert result.exit_code == 2
    out = result.output.strip().splitlines()
    assert len(out) == 1 and ("hai cách" if lang == "vi" else "two readings") in out[0]
    assert "Traceback" not in result.output


def _corrupt_numbers(dbf: Path, field: str, values: dict[int, bytes]) -> None:
    raw = bytearray(dbf.read_bytes())
    _, header_len, record_len = struct.unpack_from("<IHH", raw, 4)
    pos, offset = 32, 1
    while raw[pos] != 0x0D:
        name = raw[pos:pos + 11].split(b"\0", 1)[0].decode()
        width = raw[pos + 16]
        if name == field:
            break
        offset, pos = offset + width, pos + 32
    else:
        raise AssertionError(field)
    for row, value in values.items():
        start = header_len + row * record_len + offset
        raw[start:start + width] = value.rjust(width)
    dbf.write_bytes(bytes(raw))


def test_garbage_in_a_numeric_dbf_field_is_never_zero(tmp_path: Path) -> None:
    folder = factory.small_plan(tmp_path / "p")
    _corrupt_numbers(folder / "ccn.dbf", "dt_qh_ha", {0: b"abc", 2: b"1.2.3e-+"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdal = list(gpd.read_file(folder / "ccn.shp")["dt_qh_ha"])
    assert gdal[::2] == [0.0, 1.2]  # what GDAL makes of them
    with pytest.raises(LayerError) as err:
        kzplan.load_plan(folder)
    en = err.value.render("en")
    assert "#1 (CCN-0) dt_qh_ha='abc'" in en and "#3 (CCN-2) dt_qh_ha='1.2.3e-+'" in en
    assert "2 in all" in en and "không được coi là 0" in err.value.render("vi")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_cli_names_every_unreadable_value(tmp_path: Path, lang: str) -> None:
    folder = factory.small_plan(tmp_path / "p")
    _corrupt_numbers(folder / "ccn.dbf", "dt_qh_ha", {0: b"abc", 1: b"1.2.3e-+"})
    result = runner.invoke(app, ["info", str(folder), "--lang", lang])
    assert result.exit_code == 2
    assert "'abc'" in result.output and "'1.2.3e-+'" in result.output


def test_a_logical_field_is_no_number(tmp_path: Path) -> None:
    folder = factory.small_plan(tmp_path / "p")
    gdf = gpd.read_file(folder / "ccn.shp")
    gdf["dt_qh_ha"] = [True, False, True]
    gdf.to_file(folder / "ccn.shp", encoding="UTF-8")
    with pytest.raises(LayerError) as err:
        kzplan.load_plan(folder)
    assert err.value.key == "schema.wrong_field_type"
    assert "dt_qh_ha" in err.value.render("en") and "một số" in err.value.render("vi")


def test_a_date_field_is_no_number(tmp_path: Path) -> None:
    folder = factory.small_plan(tmp_path / "p")
    gdf = gpd.read_file(folder / "ccn.shp")
    gdf["lap_day"] = gpd.pd.to_datetime(["2024-01-01"] * 3)
    for part in folder.glob("ccn.*"):
        part.unlink()
    gdf.to_file(folder / "ccn.gpkg", layer="ccn", driver="GPKG")
    with pytest.raises(LayerError) as err:
        kzplan.load_plan(folder)
    assert err.value.key == "schema.wrong_field_type" and "lap_day" in err.value.render("vi")
