"""The loader on every format, and every bad input: one clear line, exit code 2, input untouched."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point
from typer.testing import CliRunner

import factory
import kzplan
from kzplan._errors import ConfigError, CRSError, LayerError, SourceError
from kzplan.cli import app

runner = CliRunner()


def tree_hash(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def plan_dir(tmp_path: Path) -> Path:
    return factory.small_plan(tmp_path / "plan")


# --- formats -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["shp", "gpkg", "geojson", "zip"])
def test_every_format_loads_the_same_plan(plan_dir: Path, tmp_path: Path, fmt: str) -> None:
    reference = kzplan.load_plan(plan_dir)
    out = tmp_path / fmt
    out.mkdir()
    for name in ("kcn", "ccn"):
        gdf = gpd.read_file(plan_dir / f"{name}.shp")
        if fmt == "gpkg":
            gdf.to_file(out / "plan.gpkg", layer=name, driver="GPKG")
        elif fmt == "geojson":
            gdf.to_crs("EPSG:4326").to_file(out / f"{name}.geojson", driver="GeoJSON")
    if fmt == "shp":
        source = plan_dir
    elif fmt == "gpkg":
        source = out / "plan.gpkg"
    elif fmt == "geojson":
        source = out
    else:
        source = out / "plan.zip"
        with zipfile.ZipFile(source, "w") as zf:
            for p in plan_dir.iterdir():
                zf.write(p, f"plan/{p.name}")
    plan = kzplan.load_plan(source)
    assert set(plan.layers) == {"kcn", "ccn"}
    for name in ("kcn", "ccn"):
        got, ref = plan[name], reference[name]
        assert list(got["ma"]) == list(ref["ma"])
        assert list(got["ten"]) == list(ref["ten"])  # Vietnamese text intact
        assert got.crs.to_epsg() == 9216
        # GeoJSON goes through WGS84 and back: areas agree to well under 0.01 %
        assert got["dt_do_ha"].to_numpy() == pytest.approx(ref["dt_do_ha"].to_numpy(), rel=1e-4)


def test_users_field_names_are_mapped_through_the_config(plan_dir: Path, tmp_path: Path) -> None:
    gdf = gpd.read_file(plan_dir / "ccn.shp").rename(
        columns={"ma": "MA_CUM", "ten": "TEN_CUM", "dt_qh_ha": "DIENTICH"})
    folder = tmp_path / "own"
    folder.mkdir()
    gdf.to_file(folder / "cum.shp", encoding="UTF-8")
    (folder / "kzplan.toml").write_text(
        '[layers.ccn]\npath = "cum.shp"\nfields = { ma = "MA_CUM", ten = "TEN_CUM",'
        ' dt_qh_ha = "DIENTICH" }\n', encoding="utf-8")
    plan = kzplan.load_plan(folder)
    assert list(plan["ccn"]["ma"]) == list(gdf["MA_CUM"])
    assert plan["ccn"]["dt_qh_ha"].sum() == pytest.approx(gdf["DIENTICH"].sum())


def test_single_file_with_layer_name(plan_dir: Path) -> None:
    plan = kzplan.load_plan(f"ccn={plan_dir / 'ccn.shp'}")
    assert list(plan.layers) == ["ccn"]


def test_numbers_typed_as_text_with_a_decimal_comma(plan_dir: Path, tmp_path: Path) -> None:
    gdf = gpd.read_file(plan_dir / "ccn.shp")
    gdf["dt_qh_ha"] = ["40,5", "1.729,72", "40"]
    folder = factory.write(tmp_path / "t", ccn=gdf)
    plan = kzplan.load_plan(folder)
    assert list(plan["ccn"]["dt_qh_ha"]) == [40.5, 1729.72, 40.0]
    assert any(n.key == "note.value_coerced" for n in plan.info["ccn"].notes)


# --- encodings ---------------------------------------------------------------------------------

NAMES = ["Cụm công nghiệp Đắk La", "Khu công nghiệp Hòa Bình", "Huyện Ngọc Hồi"]


def _legacy_shapefile(folder: Path, codec: str) -> Path:
    """A shapefile whose DBF holds ``codec`` bytes and has no .cpg (as old data does)."""
    return factory.legacy_ccn(folder, NAMES, codec)


@pytest.mark.parametrize("codec", ["tcvn3", "vni"])
def test_legacy_encodings_are_detected_converted_and_reported(tmp_path: Path, codec: str) -> None:
    folder = _legacy_shapefile(tmp_path / codec, codec)
    before = tree_hash(folder)
    plan = kzplan.load_plan(folder)
    assert list(plan["ccn"]["ten"]) == NAMES
    info = plan.info["ccn"]
    assert (info.encoding, info.encoding_source) == (codec, "detected")
    assert {n.key for n in info.notes} >= {"note.encoding_detected", "note.encoding_legacy"}
    assert tree_hash(folder) == before


def test_cpg_label_is_honoured(tmp_path: Path) -> None:
    folder = _legacy_shapefile(tmp_path / "v", "vni")
    (folder / "ccn.cpg").write_text(" VNI-Windows \n", encoding="ascii")
    plan = kzplan.load_plan(folder)
    assert list(plan["ccn"]["ten"]) == NAMES
    assert plan.info["ccn"].encoding_source == "cpg"


def test_encoding_option_when_no_cpg(tmp_path: Path) -> None:
    folder = _legacy_shapefile(tmp_path / "t", "tcvn3")
    plan = kzplan.load_plan(folder, encoding="TCVN3")
    assert plan.info["ccn"].encoding_source == "config"
    assert list(plan["ccn"]["ten"]) == NAMES


# --- CRS ---------------------------------------------------------------------------------------


def test_missing_prj_fails_with_a_guess_unless_declared(plan_dir: Path) -> None:
    (plan_dir / "ccn.prj").unlink()
    with pytest.raises(CRSError) as err:
        kzplan.load_plan(plan_dir)
    text = err.value.render("en")
    assert "ccn.shp" in text and "EPSG:9216" in text and "--crs" in text
    plan = kzplan.load_plan(plan_dir, crs="EPSG:9216")
    assert plan["ccn"].crs.to_epsg() == 9216


def test_wrong_meridian_is_caught(tmp_path: Path) -> None:
    # A cluster near Măng Đen (Kon Plông) digitised in EPSG:9216 but declared as EPSG:5898
    # (108° meridian) lands ~54 km east, outside the province. (A feature in the west of the
    # province can stay inside the province's box after such a shift: only the district
    # boundaries catch that, through DT04/PV01.)
    rows = [factory.feature("CCN-613-01", ma_huyen="613")]
    gdf = factory.frame(rows, [factory.square(108.28, 14.60, 40.0)])
    folder = factory.write(tmp_path / "m", ccn=gdf.set_crs("EPSG:5898", allow_override=True))
    with pytest.raises(CRSError) as err:
        kzplan.load_plan(folder)
    text = err.value.render("en")
    assert "EPSG:9216" in text and ("53." in text or "54" in text)


def test_plan_is_reprojected_from_wgs84(plan_dir: Path, tmp_path: Path) -> None:
    gdf = gpd.read_file(plan_dir / "ccn.shp").to_crs("EPSG:4326")
    folder = factory.write(tmp_path / "w", ccn=gdf)
    plan = kzplan.load_plan(folder)
    assert plan["ccn"].crs.to_epsg() == 9216
    assert plan["ccn"]["dt_do_ha"].sum() == pytest.approx(120.0, rel=1e-3)


# --- bad input: one line, exit 2, nothing changed ----------------------------------------------


def _break(kind: str, folder: Path) -> list[str]:
    """Break the plan in ``folder`` one way; return the command-line arguments to check it."""
    shp = folder / "ccn.shp"
    if kind == "missing_shx":
        (folder / "ccn.shx").unlink()
    elif kind == "missing_dbf":
        (folder / "ccn.dbf").unlink()
    elif kind == "missing_prj":
        (folder / "ccn.prj").unlink()
    elif kind == "unknown_layer":
        (folder / "kzplan.toml").write_text('[layers.cum]\npath = "ccn.shp"\n', encoding="utf-8")
    elif kind == "wrong_type":
        gdf = gpd.read_file(shp)
        gdf["dt_qh_ha"] = ["40", "bốn mươi", "40"]
        gdf.to_file(shp, encoding="UTF-8")
    elif kind == "missing_field":
        gdf = gpd.read_file(shp).drop(columns=["ma_huyen"])
        gdf.to_file(shp, encoding="UTF-8")
    elif kind == "empty":
        gdf = gpd.read_file(shp).iloc[0:0]
        gdf.to_file(shp, encoding="UTF-8")
    elif kind == "points":
        gdf = gpd.read_file(shp)
        gdf = gdf.set_geometry([Point(g.centroid.x, g.centroid.y) for g in gdf.geometry])
        for p in folder.glob("ccn.*"):
            p.unlink()
        gdf.to_file(shp, encoding="UTF-8")
    elif kind == "lines":
        gdf = gpd.read_file(shp)
        gdf = gdf.set_geometry([LineString(g.exterior.coords) for g in gdf.geometry])
        for p in folder.glob("ccn.*"):
            p.unlink()
        gdf.to_file(shp, encoding="UTF-8")
    elif kind == "zip_not_shapefile":
        z = folder / "ccn.zip"
        with zipfile.ZipFile(z, "w") as zf:
            zf.writestr("readme.txt", "not a layer")
        return [str(z)]
    elif kind == "zip_escape":
        z = folder / "ccn.zip"
        with zipfile.ZipFile(z, "w") as zf:
            zf.writestr("../../evil.shp", b"x")
        return [str(z)]
    elif kind == "broken_zip":
        z = folder / "ccn.zip"
        z.write_bytes(b"PK\x03\x04 this is not really a zip")
        return [str(z)]
    elif kind == "unreadable":
        shp.write_bytes(b"\x00" * 10)
    elif kind == "bad_config":
        (folder / "kzplan.toml").write_text("[layers.ccn\npath=", encoding="utf-8")
    return [str(folder)]


BAD = {
    "missing_shx": (".shx", SourceError),
    "missing_dbf": (".dbf", SourceError),
    "missing_prj": ("EPSG:9216", CRSError),
    "unknown_layer": ("cum", ConfigError),
    "wrong_type": ("bốn mươi", LayerError),
    "missing_field": ("ma_huyen", LayerError),
    "empty": ("empty", LayerError),
    "points": ("Point", LayerError),
    "lines": ("LineString", LayerError),
    "zip_not_shapefile": ("readme.txt", SourceError),
    "zip_escape": ("evil.shp", SourceError),
    "broken_zip": ("zip", SourceError),
    "unreadable": ("ccn.shp", SourceError),
    "bad_config": ("kzplan.toml", ConfigError),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_input_gets_one_line_and_exit_2(plan_dir: Path, kind: str) -> None:
    args = _break(kind, plan_dir)
    before = tree_hash(plan_dir)
    expected_text, error_type = BAD[kind]
    with pytest.raises(error_type) as err:
        kzplan.load_plan(args[0])
    assert expected_text in err.value.render("en")
    for lang in ("vi", "en"):
        result = runner.invoke(app, ["check", *args, "--lang", lang])
        assert result.exit_code == 2, result.output
        lines = [ln for ln in result.output.splitlines() if ln.strip()]
        assert len(lines) == 1, result.output
        assert "Traceback" not in result.output
    assert tree_hash(plan_dir) == before


def test_real_process_exit_code_and_stderr(plan_dir: Path) -> None:
    (plan_dir / "ccn.shx").unlink()
    proc = subprocess.run([sys.executable, "-m", "kzplan", "info", str(plan_dir),
                           "--lang", "en"], capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "ccn.shx" not in proc.stderr or ".shx" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_loading_never_writes_next_to_the_input(plan_dir: Path) -> None:
    before = tree_hash(plan_dir)
    kzplan.load_plan(plan_dir)
    runner.invoke(app, ["info", str(plan_dir)])
    assert tree_hash(plan_dir) == before


def test_info_shows_each_layer(plan_dir: Path) -> None:
    result = runner.invoke(app, ["info", str(plan_dir), "--lang", "en"])
    assert result.exit_code == 0, result.output
    for text in ("kcn.shp", "ccn.shp", "EPSG:9216", "utf-8", "CCN-0", "KCN-01"):
        assert text in result.output
    shutil.rmtree(plan_dir)


def test_wrong_type_message_is_translated(plan_dir: Path) -> None:
    _break("wrong_type", plan_dir)
    with pytest.raises(LayerError) as err:
        kzplan.load_plan(plan_dir)
    assert "không phải một số" in err.value.render("vi")
    assert "is not a number" in err.value.render("en")
    assert "#2 (CCN-1)" in err.value.render("en")  # the feature, by row and code


def test_a_single_file_named_like_a_layer_copy(plan_dir: Path) -> None:
    for part in plan_dir.glob("ccn.*"):
        part.rename(plan_dir / f"ccn_clean{part.suffix}")
    plan = kzplan.load_plan(plan_dir / "ccn_clean.shp")
    assert list(plan.layers) == ["ccn"]
