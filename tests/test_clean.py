"""``kzplan clean``: clean copies (UTF-8 .cpg, EPSG:9216 .prj) beside the originals, never over
them."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import factory
import geopandas as gpd
import pyogrio
import pytest
from typer.testing import CliRunner

import kzplan
from kzplan import encoding as enc
from kzplan._errors import SourceError
from kzplan.cli import app
from kzplan.clean import clean

NAMES = ["Cụm công nghiệp Đắk La", "Cụm công nghiệp Hòa Bình", "Cụm công nghiệp Ngọc Hồi"]


def tree_hash(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def legacy_plan(folder: Path, *, codec: str = "tcvn3", prj: bool = False) -> Path:
    """KCN clean; CCN with TCVN3/VNI bytes in its DBF, no .cpg, and (by default) no .prj."""
    lon, lat = factory.ANCHORS["608"]
    kcn = factory.frame([factory.feature("KCN-1", dt=100.0, ten="Khu công nghiệp Hòa Bình")],
                        [factory.square(lon, lat, 100.0)])
    factory.write(folder, kcn=kcn)
    factory.legacy_ccn(folder, NAMES, codec)
    if not prj:
        (folder / "ccn.prj").unlink()
    return folder


def test_legacy_layer_gets_a_clean_copy_beside_it(tmp_path: Path) -> None:
    folder = legacy_plan(tmp_path / "edits")
    before = tree_hash(folder)
    results = {r.layer: r for r in clean([str(folder)], crs="EPSG:9216")}
    assert tree_hash(folder).items() >= before.items()  # originals untouched
    assert not results["kcn"].needed  # UTF-8 with .cpg and a .prj saying EPSG:9216
    ccn = results["ccn"]
    assert ccn.target == folder / "ccn_clean.shp"
    assert (folder / "ccn_clean.cpg").read_text().strip().upper() == "UTF-8"
    assert (folder / "ccn_clean.prj").exists()
    info = pyogrio.read_info(ccn.target)
    assert info["crs"] == "EPSG:9216"
    # read by kzplan without any help: text is right, nothing was guessed or declared
    plan = kzplan.load_plan([f"ccn={ccn.target}"])
    layer = plan.info["ccn"]
    assert (layer.encoding, layer.encoding_source, layer.crs_source) == ("utf-8", "cpg", "prj")
    assert layer.crs == "EPSG:9216" and not layer.notes
    assert list(plan["ccn"]["ten"]) == NAMES
    original = kzplan.load_plan(folder, crs="EPSG:9216")
    assert list(plan["ccn"]["dt_do_ha"].round(3)) == list(original["ccn"]["dt_do_ha"].round(3))


def test_missing_prj_without_crs_stops_with_the_fix(tmp_path: Path) -> None:
    folder = legacy_plan(tmp_path / "edits")
    before = tree_hash(folder)
    result = CliRunner().invoke(app, ["clean", str(folder), "--lang", "en"])
    assert result.exit_code == 2
    assert "--crs EPSG:9216" in result.output
    assert tree_hash(folder) == before


def test_other_crs_is_reprojected(tmp_path: Path) -> None:
    folder = factory.small_plan(tmp_path / "utm")
    ccn = gpd.read_file(folder / "ccn.shp").to_crs("EPSG:32648")
    ccn.to_file(folder / "ccn.shp", encoding="UTF-8")
    results = {r.layer: r for r in clean([str(folder)])}
    assert not results["kcn"].needed and results["ccn"].needed
    copy = gpd.read_file(results["ccn"].target)
    assert copy.crs.to_epsg() == 9216
    assert copy.geometry.area.sum() == pytest.approx(
        gpd.read_file(folder / "ccn.shp").to_crs("EPSG:9216").geometry.area.sum(), rel=1e-9)
    assert "EPSG:32648" in " ".join(results["ccn"].reasons[0].values())


def test_clean_plan_writes_nothing(tmp_path: Path) -> None:
    folder = factory.small_plan(tmp_path / "ok")
    before = tree_hash(folder)
    result = CliRunner().invoke(app, ["clean", str(folder), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Every layer is already clean" in result.output
    assert tree_hash(folder) == before


def test_output_folder_keeps_names_and_never_the_originals(tmp_path: Path) -> None:
    folder = legacy_plan(tmp_path / "edits", prj=True)
    before = tree_hash(folder)
    result = CliRunner().invoke(app, ["clean", str(folder), "-o", str(folder), "--lang", "en"])
    assert result.exit_code == 2 and "never overwrites" in result.output
    assert tree_hash(folder) == before
    out = tmp_path / "clean"
    result = CliRunner().invoke(app, ["clean", str(folder), "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "ccn.cpg", "ccn.dbf", "ccn.prj", "ccn.shp", "ccn.shx"]
    assert str(out / "ccn.shp") in result.output.replace("\n", "")
    assert list(kzplan.load_plan(out)["ccn"]["ten"]) == NAMES
    assert tree_hash(folder) == before


def test_zip_copy_goes_beside_the_zip(tmp_path: Path) -> None:
    folder = legacy_plan(tmp_path / "edits", codec="vni", prj=True)
    archive = tmp_path / "ban_ve.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in folder.iterdir():
            zf.write(p, f"ban_ve/{p.name}")
    results = {r.layer: r for r in clean([str(archive)])}
    assert results["ccn"].target == tmp_path / "ban_ve_clean" / "ccn.shp"
    assert results["ccn"].original == archive / "ccn.shp"
    assert list(kzplan.load_plan(tmp_path / "ban_ve_clean")["ccn"]["ten"]) == NAMES


def test_text_too_long_for_a_utf8_dbf_goes_to_geopackage(tmp_path: Path) -> None:
    # 200 TCVN3 bytes (one per letter) become 300 UTF-8 bytes: over the DBF's 254
    raw = enc.encode_tcvn3("Đắk " * 50)
    lon, lat = factory.ANCHORS["608"]
    ccn = factory.frame([factory.feature("CCN-1", ghi_chu="Y" * len(raw))],
                        [factory.square(lon, lat, 40.0)])
    folder = factory.write(tmp_path / "edits", ccn=ccn)
    (folder / "ccn.cpg").unlink()
    dbf = folder / "ccn.dbf"
    dbf.write_bytes(dbf.read_bytes().replace(b"Y" * len(raw), raw))
    results = {r.layer: r for r in clean([str(folder)], encoding="tcvn3")}
    target = results["ccn"].target
    assert target == folder / "ccn_clean.gpkg"
    assert any("254" in r["en"] for r in results["ccn"].reasons)
    copy = pyogrio.read_dataframe(target, layer="ccn")
    assert copy.crs.to_epsg() == 9216
    assert copy["ghi_chu"].iloc[0] == enc.decode_tcvn3(raw).rstrip()  # DBF pads with spaces
    assert len(copy["ghi_chu"].iloc[0].encode("utf-8")) > 254


def test_refuses_a_target_that_is_an_input(tmp_path: Path) -> None:
    folder = legacy_plan(tmp_path / "edits", prj=True)
    (folder / "ccn_clean.shp").write_bytes((folder / "ccn.shp").read_bytes())
    for ext in (".shx", ".dbf", ".prj"):
        (folder / f"ccn_clean{ext}").write_bytes((folder / f"ccn{ext}").read_bytes())
    with pytest.raises(SourceError) as err:
        clean([f"ccn={folder / 'ccn_clean.shp'}", f"kcn={folder / 'kcn.shp'}"],
              encoding="tcvn3", output=folder)
    assert err.value.key == "clean.would_overwrite"
