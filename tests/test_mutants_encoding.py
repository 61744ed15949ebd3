"""Tests that kill surviving mutants in kzplan.encoding, and the ``.cpg`` against a configured
encoding (the ``.cpg`` wins when kzplan knows its label; an unknown label falls back to the
configuration, then to detection)."""

from __future__ import annotations

from pathlib import Path

import factory as fx
import pytest

import kzplan
from kzplan import encoding as enc

NAMES = ["Cụm công nghiệp Hòa Bình", "Cụm công nghiệp Đắk Tô"]
CP_NAMES = ["Cum Đăk Hà", "Cum Kon Plông"]  # all precomposed in cp1258


def _names(codec: str) -> list[str]:
    return CP_NAMES if codec == "cp1258" else NAMES


def _utf8_ccn(folder: Path, cpg: str | None) -> Path:
    lon, lat = fx.ANCHORS["608"]
    rows = [fx.feature(f"CCN-{i}", ten=n) for i, n in enumerate(NAMES)]
    geoms = [fx.square(lon, lat, 40.0, dx=2000.0 * (i + 1)) for i in range(len(rows))]
    fx.write(folder, ccn=fx.frame(rows, geoms))
    if cpg is None:
        (folder / "ccn.cpg").unlink()
    else:
        (folder / "ccn.cpg").write_text(cpg, encoding="latin-1")
    return folder


@pytest.mark.parametrize("configured", ["tcvn3", "vni", "cp1258"])
def test_a_known_cpg_wins_over_the_configured_encoding(tmp_path: Path, configured: str) -> None:
    plan = kzplan.load_plan(_utf8_ccn(tmp_path, "UTF-8"), encoding=configured)
    assert list(plan["ccn"]["ten"]) == NAMES
    info = plan.info["ccn"]
    assert (info.encoding, info.encoding_source) == ("utf-8", "cpg")


def test_a_cpg_alias_wins_over_a_configured_utf8(tmp_path: Path) -> None:
    folder = fx.legacy_ccn(tmp_path, _names("cp1258"), "cp1258")
    (folder / "ccn.cpg").write_text("ANSI 1258", encoding="ascii")
    plan = kzplan.load_plan(folder, encoding="utf-8")
    assert list(plan["ccn"]["ten"]) == _names("cp1258")
    assert (plan.info["ccn"].encoding, plan.info["ccn"].encoding_source) == ("cp1258", "cpg")


@pytest.mark.parametrize("codec", ["tcvn3", "vni", "cp1258"])
def test_an_unknown_cpg_label_falls_back_to_the_configured_encoding(tmp_path: Path,
                                                                   codec: str) -> None:
    folder = fx.legacy_ccn(tmp_path, _names(codec), codec)
    (folder / "ccn.cpg").write_text("SOMETHING-ODD", encoding="ascii")
    plan = kzplan.load_plan(folder, encoding=codec.upper())  # a label, normalised like a .cpg
    assert list(plan["ccn"]["ten"]) == _names(codec)
    info = plan.info["ccn"]
    assert (info.encoding, info.encoding_source) == (codec, "config")
    keys = [n.key for n in info.notes]
    assert "note.encoding_legacy" in keys and "note.encoding_detected" not in keys


def test_without_cpg_or_configuration_the_encoding_is_detected(tmp_path: Path) -> None:
    plan = kzplan.load_plan(fx.legacy_ccn(tmp_path, NAMES, "tcvn3"))
    assert list(plan["ccn"]["ten"]) == NAMES
    info = plan.info["ccn"]
    assert (info.encoding, info.encoding_source) == ("tcvn3", "detected")
    assert {"note.encoding_detected", "note.encoding_legacy"} <= {n.key for n in info.notes}


def test_a_wrong_configuration_does_not_override_a_right_cpg(tmp_path: Path) -> None:
    # A configured codec that would garble the text is ignored when the .cpg is known.
    folder = _utf8_ccn(tmp_path, "65001")
    assert enc.normalize_cpg("65001") == "utf-8"
    plan = kzplan.load_plan(folder, encoding="cp1252")
    assert list(plan["ccn"]["ten"]) == NAMES


# --- read_cpg / normalize_cpg -------------------------------------------------------------------


@pytest.mark.parametrize(("label", "codec"), [
    ("UTF-8", "utf-8"), ("utf_8", "utf-8"), ("\ufeffUTF-8", "utf-8"), (" 65001 ", "utf-8"),
    ("CP65001", "utf-8"), ("ANSI 1258", "cp1258"), ("windows-1258", "cp1258"),
    ("1252", "cp1252"), ("ISO-8859-1", "latin-1"), ("latin1", "latin-1"), ("ABC", "tcvn3"),
    ("TCVN-5712", "tcvn3"), ("VNI-Windows", "vni"), ("vni win", "vni"), ("big5", None), ("", None),
])
def test_normalize_cpg_labels(label: str, codec: str | None) -> None:
    assert enc.normalize_cpg(label) == codec


def test_read_cpg_prefers_the_exact_stem_then_any_case(tmp_path: Path) -> None:
    (tmp_path / "ccn.shp").write_bytes(b"")
    assert enc.read_cpg(tmp_path / "ccn.shp") is None
    (tmp_path / "CCN.CPG").write_bytes(b"\xef\xbb\xbf  1258 \r\n")
    assert enc.read_cpg(tmp_path / "ccn.shp") == "1258"
    assert enc.read_cpg(tmp_path / "ccn") == "1258"  # a stem without suffix
    (tmp_path / "ccn.cpg").write_bytes(b"UTF-8")
    assert enc.read_cpg(tmp_path / "ccn.dbf") == "UTF-8"
    (tmp_path / "other.cpg").write_bytes(b"VNI")
    assert enc.read_cpg(tmp_path / "ccn.dbf") == "UTF-8"
    assert enc.read_cpg(tmp_path / "missing_dir" / "ccn.shp") is None


# --- DBF reading ---------------------------------------------------------------------------------


def _dbf(fields: list[tuple[bytes, bytes, int, int]], records: list[bytes], *,
         n_records: int | None = None, header_len: int | None = None,
         record_len: int | None = None, terminator: bytes = b"\x0d", tail: bytes = b"\x1a",
         ldid: int = 0) -> bytes:
    """A dBase III file: fields are (name, type, width, high byte of the width)."""
    descriptors = b"".join(name.ljust(11, b"\0")[:11] + ftype + b"\0" * 4 + bytes([w, hi])
                           + b"\0" * 14 for name, ftype, w, hi in fields)
    hlen = 32 + len(descriptors) + len(terminator)
    rlen = 1 + sum(w + 256 * hi * (t == b"C") for _, t, w, hi in fields)
    head = bytearray(32)
    head[0] = 3
    head[4:12] = (n_records if n_records is not None else len(records)).to_bytes(4, "little") + \
        (header_len or hlen).to_bytes(2, "little") + \
        (rlen if record_len is None else record_len).to_bytes(2, "little")
    head[29] = ldid
    return bytes(head) + descriptors + terminator + b"".join(records) + tail


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "t.dbf"
    path.write_bytes(data)
    return path


def test_read_dbf_text_reads_text_fields_skips_deleted_and_strips(tmp_path: Path) -> None:
    fields = [(b"TEN", b"C", 6, 0), (b"SO", b"N", 3, 0), (b"ABCDEFGHIJK", b"c", 2, 0)]
    records = [b" " + b"ab\0   " + b" 12" + b"xy", b"*" + b"zz    " + b" 99" + b"qq",
               b" " + b"\xd0\xe3k   " + b"  7" + b"\0 "]
    path = _write(tmp_path, _dbf(fields, records, ldid=0x57))
    assert enc.read_dbf_text(path) == {"TEN": [b"ab", b"\xd0\xe3k"], "ABCDEFGHIJK": [b"xy", b""]}
    assert enc.dbf_ldid(path) == 0x57


def test_read_dbf_text_wide_foxpro_text_field(tmp_path: Path) -> None:
    value = b"x" * 300
    path = _write(tmp_path, _dbf([(b"GHI", b"C", 300 - 256, 1), (b"N", b"N", 2, 1)],
                                 [b" " + value + b" 5"]))
    assert enc.read_dbf_text(path) == {"GHI": [value]}


def test_read_dbf_text_stops_at_the_end_of_file_marker(tmp_path: Path) -> None:
    records = [b" aa", b" bb"]
    path = _write(tmp_path, _dbf([(b"T", b"C", 2, 0)], records, n_records=5, tail=b"\x1a"))
    assert enc.read_dbf_text(path) == {"T": [b"aa", b"bb"]}


def test_read_dbf_text_truncated_and_exact_length(tmp_path: Path) -> None:
    exact = _dbf([(b"T", b"C", 2, 0)], [b" aa", b" bb"], tail=b"")
    assert enc.read_dbf_text(_write(tmp_path, exact)) == {"T": [b"aa", b"bb"]}
    short = _dbf([(b"T", b"C", 2, 0)], [b" aa", b" b"], tail=b"")
    with pytest.raises(kzplan.KzplanError) as err:
        enc.read_dbf_text(_write(tmp_path, short))
    assert err.value.key == "encoding.dbf_truncated"
    assert (err.value.params["expected"], err.value.params["found"]) == (2, 1)
    # The record count is unsigned: a huge count is a truncated file, not an empty one.
    huge = _dbf([(b"T", b"C", 2, 0)], [b" aa"], n_records=0x8000_0000, tail=b"")
    with pytest.raises(kzplan.KzplanError) as err:
        enc.read_dbf_text(_write(tmp_path, huge))
    assert err.value.params["found"] == 1


@pytest.mark.parametrize("damage", ["short", "header_small", "header_big", "record_zero",
                                    "no_fields", "fields_too_wide"])
def test_damaged_dbf_headers(tmp_path: Path, damage: str) -> None:
    fields = [(b"T", b"C", 2, 0)]
    data = {
        "short": _dbf(fields, [])[:32],
        "header_small": _dbf(fields, [b" aa"], header_len=32),
        "header_big": _dbf(fields, [b" aa"], header_len=500),
        "record_zero": _dbf(fields, [b" aa"], record_len=0),
        "no_fields": _dbf([], [b" "]),
        "fields_too_wide": _dbf(fields, [b" aa"], record_len=2),
    }[damage]
    path = _write(tmp_path, data)
    with pytest.raises(kzplan.KzplanError) as err:
        enc.read_dbf_text(path)
    assert err.value.key == "encoding.dbf_not_dbf"
    assert err.value.params == {"path": str(path), "size": len(data)}


@pytest.mark.parametrize("size", [33, 34])
def test_smallest_readable_headers(tmp_path: Path, size: int) -> None:
    # 32 header bytes + a terminator (+ padding): a table without fields is still refused, but
    # for the right reason (no fields), after the header checks pass.
    data = _dbf([], [], header_len=33, record_len=1, tail=b"")[:33].ljust(size, b"\0")
    with pytest.raises(kzplan.KzplanError) as err:
        enc.read_dbf_text(_write(tmp_path, data))
    assert err.value.params["size"] == size


def test_header_length_equal_to_the_file_is_accepted(tmp_path: Path) -> None:
    fields = [(b"T", b"C", 2, 0)]
    data = _dbf(fields, [], tail=b"")
    assert enc.read_dbf_text(_write(tmp_path, data)) == {"T": []}
    # Field descriptors are read only while a full descriptor fits in the header.
    two = _dbf([(b"A", b"C", 1, 0), (b"B", b"C", 1, 0)], [b" xy"], tail=b"")
    assert enc.read_dbf_text(_write(tmp_path, two)) == {"A": [b"x"], "B": [b"y"]}


def test_dbf_ldid_of_a_short_file(tmp_path: Path) -> None:
    path = _write(tmp_path, b"\x03" * 31)
    with pytest.raises(kzplan.KzplanError) as err:
        enc.dbf_ldid(path)
    assert err.value.params == {"path": str(path), "size": 31}
    assert enc.dbf_ldid(_write(tmp_path, bytes(29) + b"\xa3" + bytes(2))) == 0xA3


# --- legacy font encodings ------------------------------------------------------------------------

VOWELS = "aăâeêioôơuưy"
TONES = "\u0300\u0309\u0303\u0301\u0323"


def _letters() -> list[str]:
    import unicodedata

    out = ["đ", "Đ"]
    for v in VOWELS:
        for t in ("", *TONES):
            ch = unicodedata.normalize("NFC", v + t)
            out += [ch, ch.upper()]
    return out


def test_vni_round_trips_every_letter_in_both_cases() -> None:
    for ch in _letters():
        data = enc.encode_vni(ch)
        assert enc.decode_vni(data) == ch, (ch, data)
        assert enc.decode(data, "VNI-Windows") == ch


def test_vni_known_bytes_and_upper_case_marks() -> None:
    assert enc.encode_vni("Á") == b"A\xd9" and enc.encode_vni("á") == b"a\xf9"
    assert enc.encode_vni("Ấ") == b"A\xc1" and enc.encode_vni("ấ") == b"a\xe1"
    assert enc.encode_vni("Đ") == b"\xd1" and enc.encode_vni("Ơ") == b"\xd4"
    assert enc.encode_vni("Ư") == b"\xd6" and enc.encode_vni("Í") == b"\xcd"
    for ch in _letters():
        lower, upper = enc.encode_vni(ch.lower()), enc.encode_vni(ch.upper())
        assert upper == bytes(b - 0x20 if b >= 0xC0 or 0x61 <= b <= 0x7A else b for b in lower)
    # A mark byte of the other case still decodes; a lone mark byte is kept as cp1252.
    assert enc.decode_vni(b"A\xf9") == "Á" and enc.decode_vni(b"a\xd9") == "á"
    assert enc.decode_vni(b"\xf9") == "ù" and enc.decode_vni(b"x") == "x"
    assert enc.decode_vni(b"ab\xf9") == "abù" and enc.decode_vni(b"") == ""
    assert enc.decode_vni(b"\x81") == "\x81"  # undefined in cp1252: the code point itself


def test_tcvn3_round_trips_every_lower_case_letter() -> None:
    for ch in _letters():
        data = enc.encode_tcvn3(ch)
        assert len(data) == 1
        assert enc.decode_tcvn3(data) in (ch, ch.lower())
        assert enc.decode(data, "ABC") == enc.decode_tcvn3(data)


@pytest.mark.parametrize(("encode", "name"), [(enc.encode_tcvn3, "tcvn3"),
                                              (enc.encode_vni, "vni")])
@pytest.mark.parametrize("bad", ["中", "\u00a0", "©", "\u00a1"])
def test_encoding_errors_name_the_codec_and_the_character(encode: object, name: str,
                                                          bad: str) -> None:
    with pytest.raises(UnicodeEncodeError) as err:
        encode("ab" + bad + "c")  # type: ignore[operator]
    assert (err.value.encoding, err.value.start, err.value.end) == (name, 2, 3)
    assert encode("a€b") == b"a\x80b"  # type: ignore[operator]


def test_decode_is_strict_by_default_and_composes() -> None:
    with pytest.raises(UnicodeDecodeError):
        enc.decode(b"\xff", "utf-8")
    assert enc.decode(b"a\xffb", "utf-8", "replace") == "a\ufffdb"
    assert enc.decode("Đắk".encode(), "UTF-8") == "Đắk"
    assert enc.decode(b"a\xcc\x81", "utf-8") == "á"  # NFD -> NFC
    with pytest.raises(LookupError):
        enc.decode(b"a", "no-such-codec")


def test_fold_diacritics() -> None:
    assert enc.fold_diacritics("Đắk Hà đường") == "Dak Ha duong"


# --- detection ----------------------------------------------------------------------------------

PLACES = ["Khu công nghiệp Hòa Bình", "Cụm công nghiệp Đắk La", "Thị trấn Đắk Hà",
          "Huyện Ngọc Hồi", "Xã Đăk Long", "Cửa khẩu quốc tế Bờ Y"]


def _cp1258(text: str) -> bytes:
    import unicodedata

    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            nfd = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in TONES))
            out += base.encode("cp1258") + "".join(c for c in nfd if c in TONES).encode("cp1258")
    return out


@pytest.mark.parametrize("codec", ["tcvn3", "vni", "cp1258"])
def test_detect_each_legacy_encoding(codec: str) -> None:
    encode = {"tcvn3": enc.encode_tcvn3, "vni": enc.encode_vni, "cp1258": _cp1258}[codec]
    found = enc.detect([encode(p) for p in PLACES])
    assert found.encoding == codec
    assert 0.0 < found.confidence <= 1.0


def test_detect_upper_case_cp1258() -> None:
    found = enc.detect([_cp1258(p.upper()) for p in PLACES])
    assert found.encoding == "cp1258"


def test_detect_ascii_utf8_and_nothing_vietnamese() -> None:
    assert enc.detect([b"abc", b"abc"]).encoding == "utf-8"
    assert enc.detect([]).confidence == 1.0
    utf = enc.detect([p.encode() for p in PLACES])
    assert (utf.encoding, utf.confidence) == ("utf-8", 0.99)
    nothing = enc.detect([b"\xff\xfe\xfd", b"\x80\x81\x82"])
    assert (nothing.encoding, nothing.confidence) == ("cp1252", 0.0)


def test_detect_confidence_is_the_winner_minus_half_the_runner_up() -> None:
    samples = [enc.encode_tcvn3(p) for p in PLACES]
    one = enc.detect(samples)
    assert one.encoding == "tcvn3"
    # Every word is a valid syllable in TCVN3 and the runner-up scores less: 1 - x/2 in (0.5, 1].
    assert 0.5 <= one.confidence <= 1.0
    assert round(one.confidence, 3) == one.confidence
