"""Planners' own files (their names, their fields, their values): ``kzplan info FILE`` describes
any of them, ``kzplan init`` writes a configuration with every guess marked, and missing fields are
reported all at once with the closest names."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import geopandas as gpd
import pytest
from typer.testing import CliRunner

import kzplan
from kzplan import describe
from kzplan._errors import LayerError
from kzplan.cli import app
from kzplan.config import PlanConfig
from tests import factory

runner = CliRunner()


def _planners_file(folder: Path, *, complete: bool = True) -> Path:
    """A cluster layer as planners keep it: their field names, districts and status by name."""
    folder.mkdir(parents=True, exist_ok=True)
    lon, lat = factory.ANCHORS["608"]
    unit = PlanConfig().definition.units[0]
    data = {
        "MA_CCN": ["C1", "C2", "C3"],
        "TEN_CCN": ["Cụm công nghiệp A", "Cụm công nghiệp B", "Cụm công nghiệp C"],
        "HUYEN": [unit.name, unit.name_ascii, unit.name],
        "DIENTICH": [40.0, 40.0, 40.0],
        "TRANGTHAI": ["Đang hoạt động", "Quy hoạch", "Đã thành lập"],
    }
    if complete:
        data |= {"NGUON": ["S1"] * 3, "TIN_CAY": ["suy_ra"] * 3, "HINH_HOC": ["so_do"] * 3}
    geoms = [factory.square(lon, lat, 40.0, dx=2000.0 * (i + 1)) for i in range(3)]
    path = folder / "cum_cn_2023.shp"
    gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:9216").to_file(path, encoding="UTF-8")
    return path


def test_describe_and_guess(tmp_path: Path) -> None:
    plan = PlanConfig().definition
    desc = describe.describe(_planners_file(tmp_path), plan=plan)
    assert desc.count == 3 and desc.crs == "EPSG:9216" and desc.geometry_type == "Polygon"
    g = describe.guess(desc, plan)
    assert g.layer == "ccn"
    guessed = {k: v[0] for k, v in g.fields.items()}
    assert guessed.items() >= {"ma": "MA_CCN", "ten": "TEN_CCN", "dt_qh_ha": "DIENTICH",
                               "ma_huyen": "HUYEN"}.items()
    assert g.values["trang_thai"] == {"Đang hoạt động": "hoat_dong", "Quy hoạch": "quy_hoach",
                                      "Đã thành lập": "thanh_lap"}
    assert set(g.values["ma_huyen"].values()) == {plan.units[0].code}
    assert len(re.findall(r"\d,\d\d", describe.extent_text(desc.lonlat, "vi"))) == 4
    assert "°E" in describe.extent_text(desc.lonlat, "en") and "," in describe.extent_text(
        desc.lonlat, "en")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_info_describes_any_file(tmp_path: Path, lang: str) -> None:
    result = runner.invoke(app, ["info", str(_planners_file(tmp_path)), "--lang", lang])
    assert result.exit_code == 0, result.output
    assert "DIENTICH" in result.output and "dt_qh_ha" in result.output
    assert ("Đoán: đây là lớp ccn" if lang == "vi" else "Guess: this is the ccn layer") \
        in result.output
    assert ("108,0" if lang == "vi" else "108.0") in result.output  # the extent, in degrees


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_init_then_check(tmp_path: Path, lang: str) -> None:
    path = _planners_file(tmp_path / "data")
    target = tmp_path / "kzplan.toml"
    result = runner.invoke(app, ["init", str(path), "-o", str(target), "--lang", lang])
    assert result.exit_code == 0, result.output
    text = target.read_text("utf-8")
    config = tomllib.loads(text)
    layer = config["layers"]["ccn"]
    assert layer["fields"]["dt_qh_ha"] == "DIENTICH"
    assert layer["values"]["trang_thai"]["Đang hoạt động"] == "hoat_dong"
    mark = "ĐOÁN" if lang == "vi" else "GUESS"
    assert text.count(mark) >= len(layer["fields"])  # every guess marked
    plan = kzplan.load_plan(target)
    assert set(plan["ccn"]["trang_thai"]) == {"hoat_dong", "quy_hoach", "thanh_lap"}
    assert set(plan["ccn"]["ma_huyen"]) == {plan.definition.units[0].code}
    check = runner.invoke(app, ["check", str(target), "--lang", lang])
    assert check.exit_code in (0, 1), check.output
    again = runner.invoke(app, ["init", str(path), "-o", str(target), "--lang", lang])
    assert again.exit_code == 2  # never overwrites without --force


def test_missing_fields_all_at_once_with_the_closest(tmp_path: Path) -> None:
    path = _planners_file(tmp_path, complete=False)
    gdf = gpd.read_file(path).rename(columns={"DIENTICH": "DT_QH"})
    gdf["NGUON_TL"] = "S1"
    gdf.to_file(path, encoding="UTF-8")
    with pytest.raises(LayerError) as err:
        kzplan.load_plan(f"ccn={path}")
    en, vi = err.value.render("en"), err.value.render("vi")
    for name in ("ma_huyen", "dt_qh_ha", "nguon", "tin_cay", "hinh_hoc"):
        assert name in en
    assert "closest in the file: NGUON_TL" in en and "gần nhất trong tệp: NGUON_TL" in vi
