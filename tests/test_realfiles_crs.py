"""A .prj whose EPSG code contradicts its own parameters (a real ArcGIS-era case: "VN-2000 / UTM
zone 48N", AUTHORITY EPSG:3405, central meridian 105.5). GDAL answers "EPSG:3405" and hides the
conflict; kzplan reads the .prj itself, names both readings and where each puts the data, and takes
the one that lands in the plan's area, or refuses."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import CRS
from typer.testing import CliRunner

import kzplan
from kzplan._errors import CRSError
from kzplan.cli import app
from tests import factory

runner = CliRunner()
UTM48_WKT = CRS.from_epsg(3405).to_wkt("WKT1_GDAL")


def _conflicting_wkt(meridian: float) -> str:
    wkt = UTM48_WKT.replace('"central_meridian",105]', f'"central_meridian",{meridian:g}]')
    assert wkt != UTM48_WKT and 'AUTHORITY["EPSG","3405"]]' in wkt.replace("\n", "")
    return wkt


def _plan_in(folder: Path, data_crs: CRS, prj: str) -> Path:
    """The small plan with its ccn layer written in ``data_crs`` under a .prj saying ``prj``."""
    factory.small_plan(folder)
    gdf = gpd.read_file(folder / "ccn.shp").to_crs(data_crs)
    for part in folder.glob("ccn.*"):
        part.unlink()
    gdf.to_file(folder / "ccn.shp", encoding="UTF-8")
    (folder / "ccn.prj").write_text(prj, encoding="utf-8")
    return folder


def test_code_wins_when_only_the_code_places_the_data(tmp_path: Path) -> None:
    folder = _plan_in(tmp_path / "p", CRS.from_epsg(3405), _conflicting_wkt(106))
    plan = kzplan.load_plan(folder)
    reference = kzplan.load_plan(factory.small_plan(tmp_path / "ref"))
    assert plan.info["ccn"].crs == "EPSG:3405"
    shift = plan["ccn"].geometry.centroid.distance(reference["ccn"].geometry.centroid).max()
    assert shift < 1.0  # metres: the data stayed where it is
    note = next(n for n in plan.info["ccn"].notes if n.key == "crs.conflict.took_code")
    en, vi = note.render("en"), note.render("vi")
    assert "EPSG:3405" in en and "follows the code" in en and "km away" in en
    assert "°E" in vi and "kzplan theo mã" in vi


def test_parameters_win_when_only_they_place_the_data(tmp_path: Path) -> None:
    wkt = _conflicting_wkt(106)
    folder = _plan_in(tmp_path / "p", CRS.from_wkt(wkt), wkt)
    plan = kzplan.load_plan(folder)
    reference = kzplan.load_plan(factory.small_plan(tmp_path / "ref"))
    shift = plan["ccn"].geometry.centroid.distance(reference["ccn"].geometry.centroid).max()
    assert shift < 1.0
    assert "crs.conflict.took_params" in {n.key for n in plan.info["ccn"].notes}


def test_the_real_case_is_refused_when_both_readings_fall_in_the_plan(tmp_path: Path) -> None:
    # 105.5 moves the data about 54 km: the small plan's clusters stay inside the province either
    # way, so kzplan cannot tell which is right.
    folder = _plan_in(tmp_path / "p", CRS.from_epsg(3405), _conflicting_wkt(105.5))
    with pytest.raises(CRSError) as err:
        kzplan.load_plan(folder)
    en = err.value.render("en")
    assert err.value.key == "crs.conflict.both_fit" and "EPSG:3405" in en and " km apart" in en


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_cli_refuses_in_one_line_naming_both(tmp_path: Path, lang: str) -> None:
    folder = _plan_in(tmp_path / "p", CRS.from_epsg(3405), _conflicting_wkt(105.5))
    result = runner.invoke(app, ["check", str(folder), "--lang", lang])
    assert result.exit_code == 2, result.output
    line, = result.output.strip().splitlines()
    assert "EPSG:3405" in line and ("không chọn được" if lang == "vi" else "cannot choose") in line
    km = line.split(" km")[0].rsplit("(", 1)[-1].split()[-1]
    assert ("," in km) == (lang == "vi")  # 53,9 km in Vietnamese, 53.9 km in English


def test_cli_settled_with_crs(tmp_path: Path) -> None:
    folder = _plan_in(tmp_path / "p", CRS.from_epsg(3405), _conflicting_wkt(105.5))
    result = runner.invoke(app, ["info", str(folder / "ccn.shp"), "--crs", "EPSG:3405",
                                 "--lang", "en"])
    assert result.exit_code == 0, result.output


def test_neither_reading_fits_is_refused(tmp_path: Path) -> None:
    folder = _plan_in(tmp_path / "p", CRS.from_epsg(32648), _conflicting_wkt(106))
    (folder / "ccn.prj").write_text(_conflicting_wkt(106).replace("3405", "3406"))
    with pytest.raises(CRSError):
        kzplan.load_plan(folder)
