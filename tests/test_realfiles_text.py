"""Damaged and legacy Vietnamese text in real files: double-encoded UTF-8 (GADM, Windows tools),
look-alike letters and ``?`` placeholders, VISCII, and encodings too uncertain to guess.

The corpus is generated from published facts: real place names of the plan's province and of
others ("Bến Tre"), encoded the way the tools that damaged them did.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import pytest
from typer.testing import CliRunner

import kzplan
from kzplan import encoding as enc
from kzplan import textrepair, viscii
from kzplan._errors import EncodingError
from kzplan.cli import app
from tests import factory

runner = CliRunner()
NAMES = ["Cụm công nghiệp Đăk Hà", "Khu công nghiệp Hòa Bình", "Cụm công nghiệp Sao Mai"]


def double_encoded(text: str) -> str:
    """What a tool that reads UTF-8 as cp1252 and writes UTF-8 again makes of ``text``."""
    # Bytes cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) pass through as latin-1, as
    # Windows' converters do.
    return "".join(_cp1252(b) for b in text.encode("utf-8"))


def _cp1252(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return bytes([byte]).decode("latin-1")


def _ccn_with_names(folder: Path, names: list[str]) -> Path:
    lon, lat = factory.ANCHORS["608"]
    rows = [factory.feature(f"CCN-{i}", dt=40.0, ten=n) for i, n in enumerate(names)]
    geoms = [factory.square(lon, lat, 40.0, dx=2000.0 * (i + 1)) for i in range(len(names))]
    return factory.write(folder, ccn=factory.frame(rows, geoms))


def _legacy(folder: Path, raw: list[bytes]) -> Path:
    """A ccn shapefile without .cpg whose names are the given bytes."""
    width = max(len(r) for r in raw)
    _ccn_with_names(folder, ["X" * width] * len(raw))
    (folder / "ccn.cpg").unlink()
    dbf = folder / "ccn.dbf"
    data = dbf.read_bytes()
    for r in raw:
        i = data.index(b"X" * width)
        data = data[:i] + r.ljust(width) + data[i + width:]
    dbf.write_bytes(data)
    return folder


# --- double-encoded UTF-8 ------------------------------------------------------------------


def test_repair_undoes_double_encoding_and_leaves_good_text() -> None:
    assert double_encoded("Bến Tre") == "Báº¿n Tre"
    assert textrepair.repair("Báº¿n Tre") == "Bến Tre"
    for good in ["Bến Tre", "Thành phố Kon Tum", "Ngọc Hồi", "café", "KCN 01"]:
        assert textrepair.repair(good) is None


def test_loader_repairs_and_says_so(tmp_path: Path) -> None:
    folder = _ccn_with_names(tmp_path / "p", [double_encoded(n) for n in NAMES])
    plan = kzplan.load_plan(folder)
    assert list(plan["ccn"]["ten"]) == NAMES
    note = next(n for n in plan.info["ccn"].notes if n.key == "note.mojibake_repaired")
    assert "3" in note.text("vi") and "ten" in note.text("en")
    assert "hai lần" in note.text("vi") and "double-encoded" in note.text("en")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_clean_writes_the_repaired_text(tmp_path: Path, lang: str) -> None:
    folder = _ccn_with_names(tmp_path / "p", [double_encoded(n) for n in NAMES])
    result = runner.invoke(app, ["clean", str(folder / "ccn.shp"), "--lang", lang])
    assert result.exit_code == 0, result.output
    assert ("hai lần" if lang == "vi" else "double-encoded") in result.output
    copy = gpd.read_file(folder / "ccn_clean.shp")
    assert list(copy["ten"]) == NAMES


# --- look-alike letters and lost letters ---------------------------------------------------


def test_lookalike_and_question_marks_are_flagged(tmp_path: Path) -> None:
    names = ["Cụm công nghiệp \u00d0ăk Hà", "Cụm công nghiệp Ð?k Tô", "Cụm công nghiệp Sao Mai"]
    plan = kzplan.load_plan(_ccn_with_names(tmp_path / "p", names))
    keys = {n.key: n for n in plan.info["ccn"].notes}
    assert "note.lookalike_letters" in keys and "note.replacement_chars" in keys
    assert "U+00D0" in keys["note.lookalike_letters"].text("vi")
    assert "Ð?k Tô" in keys["note.replacement_chars"].text("en")
    assert list(plan["ccn"]["ten"]) == names  # flagged, never changed


def test_search_folds_lookalikes() -> None:
    assert enc.fold_diacritics("\u00d0ắk Hà") == enc.fold_diacritics("Đắk Hà") == "Dak Ha"
    assert textrepair.fold_lookalikes("\u00d0ăk") == "Đăk"


# --- VISCII --------------------------------------------------------------------------------


def test_viscii_round_trip() -> None:
    for name in [*NAMES, "Ẳ Ẵ Ẫ Ỷ Ỹ Ỵ", "Sa Thầy", "Kon Plông", "Ngọc Hồi"]:
        assert viscii.decode_viscii(viscii.encode_viscii(name)) == name
    assert enc.decode(viscii.encode_viscii("Đăk Hà"), "VISCII") == "Đăk Hà"


@pytest.mark.skipif(shutil.which("iconv") is None, reason="no iconv to compare with")
def test_viscii_table_matches_iconv() -> None:
    data = bytes(range(256))
    run = subprocess.run(["iconv", "-f", "VISCII", "-t", "UTF-8"], input=data,
                         capture_output=True, check=False)
    if run.returncode != 0:
        pytest.skip("this iconv has no VISCII")
    assert run.stdout.decode("utf-8") == "".join(viscii.DECODE)


def test_viscii_file_is_detected_and_decoded(tmp_path: Path) -> None:
    folder = _legacy(tmp_path / "p", [viscii.encode_viscii(n) for n in NAMES])
    plan = kzplan.load_plan(folder)
    assert plan.info["ccn"].encoding == "viscii"
    assert list(plan["ccn"]["ten"]) == NAMES
    assert "note.encoding_legacy" in {n.key for n in plan.info["ccn"].notes}


def test_tcvn3_is_still_tcvn3(tmp_path: Path) -> None:
    folder = _legacy(tmp_path / "p", [enc.encode_tcvn3(n) for n in NAMES])
    plan = kzplan.load_plan(folder)
    assert plan.info["ccn"].encoding == "tcvn3" and list(plan["ccn"]["ten"]) == NAMES


# --- uncertain: refuse, and clean writes nothing -------------------------------------------

# Bytes no Vietnamese encoding makes sense of (and that every candidate can decode).
UNSURE = [b"\xc3\xb9\xa9 \xd5\xe6\x8a", b"\x9f\xa5\xc8 \xeb\xfc", b"\xb8\x83\xf1\xa7 \xd2\x8e"]


def test_uncertain_encoding_is_refused_with_the_candidates(tmp_path: Path) -> None:
    assert enc.detect(UNSURE).uncertain
    with pytest.raises(EncodingError) as err:
        kzplan.load_plan(_legacy(tmp_path / "p", UNSURE))
    en, vi = err.value.render("en"), err.value.render("vi")
    assert "--encoding" in en and " %" in en and "not sure" in en
    assert "--encoding" in vi and "không chắc" in vi


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_clean_never_writes_an_uncertain_decoding(tmp_path: Path, lang: str) -> None:
    folder = _legacy(tmp_path / "p", UNSURE)
    before = sorted(p.name for p in folder.iterdir())
    result = runner.invoke(app, ["clean", str(folder / "ccn.shp"), "--lang", lang])
    assert result.exit_code == 2 and "--encoding" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert sorted(p.name for p in folder.iterdir()) == before


def test_encoding_option_settles_it(tmp_path: Path) -> None:
    folder = _legacy(tmp_path / "p", UNSURE)
    result = runner.invoke(app, ["info", str(folder / "ccn.shp"), "--encoding", "cp1252"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_cli_info_shows_the_text_notes(tmp_path: Path, lang: str) -> None:
    names = [double_encoded(NAMES[0]), "Cụm công nghiệp \u00d0ăk Hà", "Cụm công nghiệp Ð?k Tô"]
    folder = _ccn_with_names(tmp_path / "p", names)
    result = runner.invoke(app, ["info", str(folder), "--lang", lang])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "U+00D0" in out
    assert ("hai lần" if lang == "vi" else "double-encoded") in out
    assert ("không khôi phục được" if lang == "vi" else "cannot be recovered") in out
