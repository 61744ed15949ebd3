"""District boundary files without GSO codes: GADM-style (``GID_2``/``NAME_2``, names without
spaces), prefixed names with look-alike letters, national files wider than the plan. Generated in
tmp_path from the real boundaries (never kept in the repository)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.affinity import translate
from typer.testing import CliRunner

import kzplan
from kzplan import units
from kzplan._errors import LayerError
from kzplan.cli import app
from kzplan.plandef import load_plandef
from tests import factory

runner = CliRunner()


def _gadm_like(districts_path: Path, folder: Path, *, drop: int = 0,
               lookalike: bool = False, misspell: bool = False) -> Path:
    real = gpd.read_file(districts_path)
    names = [n.replace(" ", "") for n in real["name_ascii"].str.replace(r"^(Huyen|Thanh pho) ",
                                                                       "", regex=True)]
    if lookalike:  # the real Vietnamese names, prefixed, with Ð (U+00D0) for Đ
        names = [n.replace("Đ", "\u00d0") for n in real["name_vi"]]
    if misspell:  # a typing slip in the first unit's name
        names[0] = names[0] + "xyz"
    out = gpd.GeoDataFrame({
        "GID_2": [f"VNM.34.{i + 1}_1" for i in range(len(real))],
        "NAME_1": ["Kon Tum"] * len(real),
        "NAME_2": names,
        "TYPE_2": real["type"],
    }, geometry=real.geometry, crs=real.crs).iloc[drop:]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "gadm41_VNM_2.geojson"
    out.to_file(path, driver="GeoJSON")
    return path


def test_fold_name() -> None:
    same = ["Huyện Đắk Hà", "ĐắkHà", "H. Dak Ha", "huyen dak ha", "Huyện \u00d0ắk Hà", "Dak-Ha"]
    assert {units.fold_name(n) for n in same} == {"dakha"}
    assert units.fold_name("Thành phố Kon Tum") == units.fold_name("TP. Kon Tum") == "kontum"


def test_gadm_names_without_spaces_match(districts_path: Path, tmp_path: Path) -> None:
    plan_dir = factory.small_plan(tmp_path / "p")
    path = _gadm_like(districts_path, tmp_path / "b")
    plan = kzplan.load_plan(plan_dir, districts=path)
    codes = sorted(plan["districts"]["ma_huyen"])
    assert codes == sorted(u.code for u in plan.definition.units)
    assert "note.units_by_name" in {n.key for n in plan.info["districts"].notes}
    # the same plan with the real codes gives the same geometry per unit
    ref = kzplan.load_plan(plan_dir, districts=districts_path)
    a = plan["districts"].set_index("ma_huyen").geometry
    b = ref["districts"].set_index("ma_huyen").geometry
    assert (a.loc[b.index].geom_equals_exact(b, 1e-6)).all()


def test_prefixes_and_lookalikes_match(districts_path: Path, tmp_path: Path) -> None:
    path = _gadm_like(districts_path, tmp_path / "b", lookalike=True)
    plan = kzplan.load_plan(factory.small_plan(tmp_path / "p"), districts=path)
    assert len(plan["districts"]) == len(plan.definition.units)


def test_a_national_file_is_accepted_and_the_plans_units_picked(districts_path: Path,
                                                               tmp_path: Path) -> None:
    path = _gadm_like(districts_path, tmp_path / "b")
    local = gpd.read_file(path)
    other = local.copy()  # another province's units, far away, with a name the plan also has
    other["NAME_1"] = "Bến Tre"
    other["geometry"] = [translate(g, 0.0, -4.0) for g in other.geometry]
    wide = gpd.GeoDataFrame(pd.concat([other, local], ignore_index=True), crs=local.crs)
    wide.to_file(path, driver="GeoJSON")
    plan = kzplan.load_plan(factory.small_plan(tmp_path / "p"), districts=path)
    assert len(plan["districts"]) == len(local)
    note = next(n for n in plan.info["districts"].notes if n.key == "note.units_picked")
    assert str(len(wide)) in note.text("vi") and str(len(local)) in note.text("en")


def test_a_repeated_name_without_province_is_refused(districts_path: Path,
                                                     tmp_path: Path) -> None:
    path = _gadm_like(districts_path, tmp_path / "b")
    local = gpd.read_file(path).drop(columns="NAME_1")
    twice = gpd.GeoDataFrame(pd.concat([local, local.iloc[:1]], ignore_index=True),
                             crs=local.crs)
    twice.to_file(path, driver="GeoJSON")
    with pytest.raises(LayerError) as err:
        kzplan.load_plan(factory.small_plan(tmp_path / "p"), districts=path)
    assert err.value.key == "units.ambiguous_name"


def test_a_misspelt_unit_is_refused_naming_it(districts_path: Path, tmp_path: Path) -> None:
    path = _gadm_like(districts_path, tmp_path / "b", misspell=True)
    real = gpd.read_file(districts_path)
    unit = load_plandef().unit(real["district_code"].iloc[0])
    with pytest.raises(LayerError) as err:
        kzplan.load_plan(factory.small_plan(tmp_path / "p"), districts=path)
    assert unit.name in err.value.render("vi") and unit.code in err.value.render("en")
    assert "xyz" in err.value.render("en")  # the file's unit that matched nothing


def test_a_partial_file_is_accepted_saying_what_is_absent(districts_path: Path,
                                                          tmp_path: Path) -> None:
    path = _gadm_like(districts_path, tmp_path / "b", drop=1)
    plan = kzplan.load_plan(factory.small_plan(tmp_path / "p"), districts=path)
    absent = gpd.read_file(districts_path)["district_code"].iloc[0]
    note = next(n for n in plan.info["districts"].notes if n.key == "note.units_absent")
    assert absent in note.text("vi") and absent in note.text("en")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_cli_refuses_unmatched_units_in_one_line(districts_path: Path, tmp_path: Path,
                                                 lang: str) -> None:
    path = _gadm_like(districts_path, tmp_path / "b", misspell=True)
    plan_dir = factory.small_plan(tmp_path / "p")
    result = runner.invoke(app, ["check", str(plan_dir), "--districts", str(path),
                                 "--lang", lang])
    assert result.exit_code == 2
    line, = result.output.strip().splitlines()
    assert ("không tìm thấy" if lang == "vi" else "not found") in line


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_cli_checks_with_a_gadm_file(districts_path: Path, tmp_path: Path, lang: str) -> None:
    path = _gadm_like(districts_path, tmp_path / "b")
    plan_dir = factory.small_plan(tmp_path / "p")
    by_name = runner.invoke(app, ["check", str(plan_dir), "--districts", str(path),
                                  "--lang", lang, "-f", "json", "-o", str(tmp_path / "a")])
    by_code = runner.invoke(app, ["check", str(plan_dir), "--districts", str(districts_path),
                                  "--lang", lang, "-f", "json", "-o", str(tmp_path / "b")])
    assert by_name.exit_code == by_code.exit_code != 2
