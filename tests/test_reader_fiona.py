"""The fiona reading engine gives the very same layers as pyogrio.

Two parts:

* the loader's own tests (tests/test_loader.py), imported unchanged and run again here with fiona
  as the default engine (an autouse fixture), with a spy proving that no layer went through
  pyogrio;
* direct comparisons: ``io.read_raw`` with ``reader="pyogrio"`` and ``reader="fiona"`` returns
  equal :class:`RawLayer` objects (same raw bytes, geometry, dtypes, CRS string), on every format
  and legacy encoding; every bad input fails with the same error class and message key.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
import shapely.geometry
from pyproj import CRS
from shapely.geometry import MultiPolygon
from typer.testing import CliRunner

import factory
import kzplan
from kzplan import io
from kzplan._errors import ConfigError, KzplanError, SourceError
from kzplan.cli import app

# The loader's tests, run again below with fiona as the engine (collected in this module too).
from test_loader import (  # noqa: F401 - imported to be collected and run with fiona
    BAD,
    NAMES,
    _break,
    plan_dir,
    test_a_single_file_named_like_a_layer_copy,
    test_bad_input_gets_one_line_and_exit_2,
    test_cpg_label_is_honoured,
    test_encoding_option_when_no_cpg,
    test_every_format_loads_the_same_plan,
    test_info_shows_each_layer,
    test_legacy_encodings_are_detected_converted_and_reported,
    test_loading_never_writes_next_to_the_input,
    test_missing_prj_fails_with_a_guess_unless_declared,
    test_numbers_typed_as_text_with_a_decimal_comma,
    test_plan_is_reprojected_from_wgs84,
    test_single_file_with_layer_name,
    test_users_field_names_are_mapped_through_the_config,
    test_wrong_meridian_is_caught,
    test_wrong_type_message_is_translated,
)

runner = CliRunner()
READERS = io.READERS


@pytest.fixture(autouse=True)
def fiona_by_default(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """Make fiona the default engine for the imported loader tests, and prove it was used."""
    if request.node.function.__module__ != "test_loader":
        yield None
        return
    calls = {"fiona": 0}
    real = io._ENGINES["fiona"]

    def fiona_engine(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls["fiona"] += 1
        return real(*args, **kwargs)

    def no_pyogrio(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("a layer was read with pyogrio although fiona is the default")

    monkeypatch.setattr(io, "DEFAULT_READER", "fiona")
    monkeypatch.setitem(io._ENGINES, "fiona", fiona_engine)
    monkeypatch.setitem(io._ENGINES, "pyogrio", no_pyogrio)
    yield calls
    # Every loader test reads at least one layer (the bad-config / bad-zip ones fail earlier).
    name = request.node.name
    early = ("bad_config", "unknown_layer", "zip_escape", "zip_not_shapefile", "broken_zip",
             "missing_shx", "missing_dbf")
    if not any(e in name for e in early):
        assert calls["fiona"] > 0, f"{name} never read through fiona"


# --- RawLayer parity ---------------------------------------------------------------------------


def assert_same_raw(path: Path, **kw: object) -> io.RawLayer:
    """Read ``path`` with both engines; everything must be equal. Returns the pyogrio layer."""
    a = io.read_raw(path, reader="pyogrio", **kw)
    b = io.read_raw(path, reader="fiona", **kw)
    assert type(a.frame) is type(b.frame)
    pd.testing.assert_frame_equal(a.frame, b.frame, check_exact=True)
    assert list(a.frame.dtypes) == list(b.frame.dtypes)
    for attr in ("file", "layer", "driver", "declared_crs", "geometry_type", "encoding",
                 "encoding_source", "encoding_reason"):
        assert getattr(a, attr) == getattr(b, attr), attr
    if isinstance(a.frame, gpd.GeoDataFrame):
        assert list(shapely.to_wkb(a.frame.geometry.values)) == \
            list(shapely.to_wkb(b.frame.geometry.values))
        assert a.frame.crs == b.frame.crs
    return a


def raw_ten_bytes(path: Path, reader: str) -> list[bytes]:
    """The undecoded bytes of the ``ten`` field as the engine hands them over."""
    frame, _ = io._ENGINES[reader](path, layer=None, raw_text=True, name="ccn")
    return [v.encode("latin-1") for v in frame["ten"]]


@pytest.mark.parametrize("name", ["kcn", "ccn", "kkt"])
def test_bundled_shapefiles_read_identically(name: str) -> None:
    layer = assert_same_raw(kzplan.plan.bundled_path() / f"{name}.shp", name=name)
    assert layer.declared_crs == "EPSG:9216"


def test_bundled_standalone_dbf_reads_identically() -> None:
    layer = assert_same_raw(kzplan.plan.bundled_path() / "huyen.dbf", name="huyen")
    assert layer.geometry_type is None and not isinstance(layer.frame, gpd.GeoDataFrame)


def test_bundled_plan_loads_identically_with_both_readers() -> None:
    plans = {r: kzplan.load_plan(reader=r) for r in READERS}
    a, b = plans["pyogrio"], plans["fiona"]
    assert list(a.layers) == list(b.layers) == ["kcn", "ccn", "kkt", "huyen", "lo_dat"]
    for name in a.layers:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True)
    assert a.info == b.info
    assert a.config == b.config


CP1258_NAMES = ["Cụm công nghiệp Đắk La", "Hòa Bình Kon Rẫy", "Ngọc Hồi"]


@pytest.mark.parametrize("codec", ["tcvn3", "vni", "cp1258"])
def test_legacy_encodings_give_the_same_bytes_and_text(tmp_path: Path, codec: str) -> None:
    from test_encoding import encode_cp1258

    names = NAMES if codec != "cp1258" else CP1258_NAMES
    if codec == "cp1258":
        holders = [c * len(encode_cp1258(n)) for c, n in zip("ABC", names, strict=True)]
        folder = factory.legacy_ccn(tmp_path, holders, "tcvn3")  # ASCII: the same in any codec
        dbf = folder / "ccn.dbf"
        data = dbf.read_bytes()
        for holder, n in zip(holders, names, strict=True):  # now the Windows-1258 bytes
            i = data.index(holder.encode())
            data = data[:i] + encode_cp1258(n) + data[i + len(holder):]
        dbf.write_bytes(data)
    else:
        folder = factory.legacy_ccn(tmp_path, names, codec)
    shp = folder / "ccn.shp"
    assert raw_ten_bytes(shp, "pyogrio") == raw_ten_bytes(shp, "fiona")
    layer = assert_same_raw(shp, name="ccn")
    assert layer.encoding == codec
    plans = [kzplan.load_plan(folder, reader=r) for r in READERS]
    assert list(plans[0]["ccn"]["ten"]) == list(plans[1]["ccn"]["ten"]) == names
    assert plans[0].info == plans[1].info


def test_every_byte_value_survives_both_engines(tmp_path: Path) -> None:
    """All 255 non-NUL byte values in a DBF text field come back unchanged from both engines."""
    blob = bytes(range(1, 256))
    chunks = [blob[i:i + 60].ljust(60, b"!") for i in range(0, len(blob), 60)]
    lon, lat = factory.ANCHORS["608"]
    holders = [chr(ord("a") + i) * 60 for i in range(len(chunks))]
    rows = [factory.feature(f"CCN-{i}", ten=h) for i, h in enumerate(holders)]
    geoms = [factory.square(lon, lat, 40.0, dx=2000.0 * (i + 1)) for i in range(len(chunks))]
    folder = factory.write(tmp_path, ccn=factory.frame(rows, geoms))
    (folder / "ccn.cpg").unlink()
    dbf = folder / "ccn.dbf"
    data = dbf.read_bytes()
    for holder, chunk in zip(holders, chunks, strict=True):
        i = data.index(holder.encode())
        data = data[:i] + chunk + data[i + 60:]
    dbf.write_bytes(data)
    for reader in READERS:
        assert raw_ten_bytes(folder / "ccn.shp", reader) == chunks, reader
    # A UTF-8 .cpg must not make either engine recode: still the file's bytes.
    (folder / "ccn.cpg").write_text("UTF-8", encoding="ascii")
    for reader in READERS:
        assert raw_ten_bytes(folder / "ccn.shp", reader) == chunks, reader


def test_utf8_shapefile_without_cpg_is_detected_the_same(tmp_path: Path) -> None:
    folder = factory.small_plan(tmp_path)
    (folder / "ccn.cpg").unlink()
    layer = assert_same_raw(folder / "ccn.shp", name="ccn")
    assert (layer.encoding, layer.encoding_source) == ("utf-8", "detected")


def test_undecodable_text_fails_the_same(tmp_path: Path) -> None:
    folder = factory.legacy_ccn(tmp_path, NAMES, "vni")
    errors = {}
    for reader in READERS:
        with pytest.raises(KzplanError) as err:
            kzplan.load_plan(folder, encoding="utf-8", reader=reader)
        errors[reader] = (type(err.value), err.value.key, err.value.render("en"))
    assert errors["pyogrio"] == errors["fiona"]
    assert errors["fiona"][1] == "io.encoding_failed"


def _typed_frame(folder: Path) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(factory.small_plan(folder) / "ccn.shp")
    gdf["ngay"] = pd.to_datetime([dt.date(2020, 1, 2), None, dt.date(2021, 5, 6)])
    gdf["so_lon"] = [2**40, 1, 2]
    gdf["co"] = [True, False, True]
    gdf["so_rong"] = pd.array([1, None, 3], dtype="Int32")
    return gdf


def test_field_types_are_the_same_on_a_shapefile(tmp_path: Path) -> None:
    gdf = _typed_frame(tmp_path / "plan").drop(columns="ngay")  # DBF has no date-time type
    gdf.to_file(tmp_path / "ccn.shp", encoding="UTF-8")
    layer = assert_same_raw(tmp_path / "ccn.shp", name="ccn")
    assert layer.frame["so_rong"].dtype == "float64"  # an integer field with a null
    assert layer.frame["so_lon"].dtype == "int64"


def test_dbf_date_fields_are_the_same(tmp_path: Path) -> None:
    import fiona

    schema = {"geometry": "Polygon", "properties": {"ma": "str:10", "ngay": "date"}}
    lon, lat = factory.ANCHORS["608"]
    with fiona.open(tmp_path / "ccn.shp", "w", driver="ESRI Shapefile", schema=schema,
                    crs="EPSG:9216") as dst:
        for i, day in enumerate(["2020-01-02", None, "2021-05-06"]):
            geom = shapely.geometry.mapping(factory.square(lon, lat, 40.0, dx=2000.0 * i))
            dst.write({"geometry": geom, "properties": {"ma": f"CCN-{i}", "ngay": day}})
    layer = assert_same_raw(tmp_path / "ccn.shp", name="ccn")
    assert str(layer.frame["ngay"].dtype).startswith("datetime64")


def test_geopackage_layers_read_identically(tmp_path: Path) -> None:
    gdf = _typed_frame(tmp_path / "plan")
    gpkg = tmp_path / "plan.gpkg"
    gdf.to_file(gpkg, layer="ccn", driver="GPKG")
    kcn = gdf.copy()
    kcn["luc"] = pd.to_datetime(["2020-01-02T03:04:05", None, "2021-05-06T07:08:09.123"],
                                format="ISO8601")
    kcn = kcn.set_geometry([shapely.force_3d(MultiPolygon([g])) for g in kcn.geometry])
    kcn.to_file(gpkg, layer="kcn", driver="GPKG")
    assert io.list_layers(gpkg, reader="pyogrio") == io.list_layers(gpkg, reader="fiona")
    assert assert_same_raw(gpkg, name="ccn").driver == "GPKG"
    assert assert_same_raw(gpkg, name="kcn").geometry_type == "MultiPolygon Z"
    assert assert_same_raw(gpkg, name="x", layer="ccn").layer == "ccn"
    for reader in READERS:
        with pytest.raises(SourceError) as err:
            io.read_raw(gpkg, name="kkt", reader=reader)
        assert err.value.key == "io.gpkg_layer_missing"


def test_geojson_reads_identically(tmp_path: Path) -> None:
    gdf = gpd.read_file(factory.small_plan(tmp_path / "plan") / "ccn.shp").to_crs("EPSG:4326")
    gdf.to_file(tmp_path / "ccn.geojson", driver="GeoJSON")
    layer = assert_same_raw(tmp_path / "ccn.geojson", name="ccn")
    assert (layer.driver, layer.declared_crs) == ("GeoJSON", "EPSG:4326")


def test_zipped_shapefile_reads_identically(tmp_path: Path) -> None:
    folder = factory.legacy_ccn(tmp_path / "plan", NAMES, "tcvn3")
    archive = tmp_path / "ccn.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in folder.iterdir():
            zf.write(p, f"data/{p.name}")
    with io.opened_zip(archive) as root:
        assert_same_raw(root / "data" / "ccn.shp", name="ccn")
    plans = [kzplan.load_plan(archive, reader=r) for r in READERS]
    pd.testing.assert_frame_equal(plans[0]["ccn"], plans[1]["ccn"], check_exact=True)
    assert list(plans[1]["ccn"]["ten"]) == NAMES


@pytest.mark.parametrize("prj", ["esri_named", "esri_custom"])
def test_prj_without_an_epsg_code_gives_the_same_wkt(tmp_path: Path, prj: str) -> None:
    folder = factory.small_plan(tmp_path)
    if prj == "esri_named":
        text = CRS("EPSG:9216").to_wkt("WKT1_ESRI")
    else:  # a hand-made TM-3 as old software writes it: no authority anywhere
        text = ('PROJCS["TM3",GEOGCS["GCS_VN_2000",DATUM["D_Vietnam_2000",SPHEROID["WGS_1984",'
                '6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",'
                '0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",'
                '500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",107.5],'
                'PARAMETER["Scale_Factor",0.9999],PARAMETER["Latitude_Of_Origin",0.0],'
                'UNIT["Meter",1.0]]')
    (folder / "ccn.prj").write_text(text, encoding="ascii")
    layer = assert_same_raw(folder / "ccn.shp", name="ccn")
    if prj == "esri_custom":
        assert layer.declared_crs.startswith("PROJCS[")


# --- bad input: the same error with both engines -----------------------------------------------


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_input_fails_the_same_with_both_readers(tmp_path: Path, kind: str) -> None:
    got = {}
    for reader in READERS:
        folder = factory.small_plan(tmp_path / reader)
        args = _break(kind, folder)
        with pytest.raises(KzplanError) as err:
            kzplan.load_plan(args[0], reader=reader)
        got[reader] = (type(err.value), err.value.key)
    assert got["pyogrio"] == got["fiona"]
    assert issubclass(got["fiona"][0], BAD[kind][1])


# --- choosing the engine -----------------------------------------------------------------------


def test_unknown_reader_is_one_clear_error(plan_dir: Path) -> None:
    with pytest.raises(SourceError) as err:
        kzplan.load_plan(plan_dir, reader="gdal")
    assert err.value.key == "io.unknown_reader"
    assert "pyogrio, fiona" in err.value.render("en") and "trình đọc" in err.value.render("vi")
    for command in ("info", "check", "map", "run"):
        for lang in ("vi", "en"):
            result = runner.invoke(app, [command, str(plan_dir), "--reader", "gdal",
                                         "--lang", lang])
            assert result.exit_code == 2, result.output
            lines = [ln for ln in result.output.splitlines() if ln.strip()]
            assert len(lines) == 1 and "'gdal'" in lines[0], result.output


def test_cli_reader_option_gives_the_same_output(plan_dir: Path) -> None:
    outputs = {}
    for reader in READERS:
        result = runner.invoke(app, ["info", str(plan_dir), "--lang", "en", "--reader", reader])
        assert result.exit_code == 0, result.output
        outputs[reader] = result.output
    assert outputs["pyogrio"] == outputs["fiona"]
    result = runner.invoke(app, ["check", str(plan_dir), "--reader", "fiona", "-f", "json",
                                 "-o", str(plan_dir.parent / "r.json")])
    assert result.exit_code in (0, 1), result.output


def _spy(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    calls = {r: 0 for r in READERS}
    for reader in READERS:
        real = io._ENGINES[reader]

        def engine(*args, _real=real, _reader=reader, **kwargs):  # noqa: ANN002, ANN003, ANN202
            calls[_reader] += 1
            return _real(*args, **kwargs)

        monkeypatch.setitem(io._ENGINES, reader, engine)
    return calls


def test_reader_in_kzplan_toml_and_the_argument_wins(plan_dir: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (plan_dir / "kzplan.toml").write_text(
        '[plan]\nreader = "fiona"\n\n[layers.kcn]\npath = "kcn.shp"\n\n'
        '[layers.ccn]\npath = "ccn.shp"\n', encoding="utf-8")
    calls = _spy(monkeypatch)
    plan = kzplan.load_plan(plan_dir)
    assert plan.config.reader == "fiona"
    assert calls == {"pyogrio": 0, "fiona": 2}
    kzplan.load_plan(plan_dir, reader="pyogrio")
    assert calls == {"pyogrio": 2, "fiona": 2}
    result = runner.invoke(app, ["info", str(plan_dir), "--reader", "pyogrio"])
    assert result.exit_code == 0, result.output
    assert calls == {"pyogrio": 4, "fiona": 2}


def test_bad_reader_in_kzplan_toml_fails_before_reading(plan_dir: Path) -> None:
    (plan_dir / "kzplan.toml").write_text(
        '[plan]\nreader = "ogr"\n\n[layers.ccn]\npath = "ccn.shp"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        kzplan.load_plan(plan_dir)
    assert err.value.key == "config.bad_value" and "'fiona'" in err.value.render("en")
    result = runner.invoke(app, ["check", str(plan_dir), "--lang", "en"])
    assert result.exit_code == 2
    assert len([ln for ln in result.output.splitlines() if ln.strip()]) == 1


def test_fiona_folder_scan_lists_geopackage_layers(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    plan = factory.small_plan(tmp_path / "plan")
    out = tmp_path / "gpkg"
    out.mkdir()
    for name in ("kcn", "ccn"):
        gpd.read_file(plan / f"{name}.shp").to_file(out / "plan.gpkg", layer=name, driver="GPKG")
    calls = _spy(monkeypatch)
    plans = [kzplan.load_plan(out, reader=r) for r in READERS]
    assert calls == {"pyogrio": 2, "fiona": 2}
    for name in ("kcn", "ccn"):
        pd.testing.assert_frame_equal(plans[0][name], plans[1][name], check_exact=True)
    assert plans[0].info == plans[1].info
    shutil.rmtree(out)
