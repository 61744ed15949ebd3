"""Encodings of old Vietnamese shapefiles: .cpg labels, raw DBF bytes, TCVN3 / VNI / cp1258."""

from __future__ import annotations

import shutil
import struct
import subprocess
import unicodedata

import pytest

from kzplan import messages
from kzplan._errors import EncodingError
from kzplan.encoding import (
    Detection,
    dbf_ldid,
    decode,
    decode_tcvn3,
    decode_vni,
    detect,
    encode_tcvn3,
    encode_vni,
    fold_diacritics,
    normalize_cpg,
    read_cpg,
    read_dbf_text,
)

TONES = "\u0300\u0301\u0303\u0309\u0323"

CHXHCN = "Cộng hòa Xã hội Chủ nghĩa Việt Nam"

# Real names from the Kon Tum plan and its administrative units.
NAMES = [
    "Cụm công nghiệp Đắk La",
    "Khu công nghiệp Hòa Bình",
    "Khu công nghiệp Sao Mai",
    "Khu kinh tế cửa khẩu quốc tế Bờ Y",
    "Cụm công nghiệp Ngô Mây - Đăk Cấm",
    "Thành phố Kon Tum",
    "Huyện Ngọc Hồi",
    "Huyện Đắk Glei",
    "Huyện Kon Plông",
    "Kon Rẫy",
    "Tu Mơ Rông",
    "Sa Thầy",
    "Huyện Ia H'Drai",
    "Thị trấn Plei Kần",
    "Xã Đăk Rơ Wa",
    "Phường Trường Chinh",
    "Ủy ban nhân dân tỉnh Kon Tum",
    CHXHCN,
]

# Every Vietnamese letter that is not ASCII: 67 lower-case and 67 upper-case.
VOWELS = "aăâeêioôơuưy"
LETTERS = [unicodedata.normalize("NFC", v + t) for v in VOWELS for t in ("", *TONES)]
LETTERS = [c for c in LETTERS if not c.isascii()] + ["đ"]
LETTERS += [c.upper() for c in LETTERS]


def tcvn3_view(text: str) -> str:
    """What TCVN3 keeps of a text: upper-case accented vowels become lower-case."""
    toned = {c for c in text if c.isupper() and set(unicodedata.normalize("NFD", c)) & set(TONES)}
    return "".join(c.lower() if c in toned else c for c in text)


def encode_cp1258(text: str) -> bytes:
    """Windows-style cp1258: precomposed where the code page has it, else base + combining tone."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            nfd = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in TONES))
            out += base.encode("cp1258") + "".join(c for c in nfd if c in TONES).encode("cp1258")
    return out


def test_letter_inventory():
    assert len(LETTERS) == 134 == len(set(LETTERS))


# --------------------------------------------------------------------------------------------
# Legacy encodings: round trips and hand-written real byte strings


@pytest.mark.parametrize("name", NAMES)
def test_vni_round_trip(name):
    assert decode_vni(encode_vni(name)) == name


@pytest.mark.parametrize("name", NAMES)
def test_tcvn3_round_trip_lower_cases_accented_capitals(name):
    assert decode_tcvn3(encode_tcvn3(name)) == tcvn3_view(name)


def test_all_134_letters_round_trip():
    text = "".join(LETTERS)
    assert decode_vni(encode_vni(text)) == text
    assert decode_tcvn3(encode_tcvn3(text)) == tcvn3_view(text)
    # TCVN3: 67 lower-case letters + 7 capitals (Ă Â Ê Ô Ơ Ư Đ), one byte each.
    assert len({encode_tcvn3(c) for c in LETTERS}) == 74
    assert all(len(encode_tcvn3(c)) == 1 for c in LETTERS)


@pytest.mark.parametrize(("raw", "text"), [
    (b"Kon Tum", "Kon Tum"),
    (b"C\xe9ng h\xdfa X\xb7 h\xe9i Ch\xf1 ngh\xdca Vi\xd6t Nam", CHXHCN),
    (b"Th\xb5nh ph\xe8 Kon Tum", "Thành phố Kon Tum"),
    (b"\xa7\xbek La", "Đắk La"),
    (b"Huy\xd6n Ng\xe4c H\xe5i", "Huyện Ngọc Hồi"),
    (b"Kon R\xc9y", "Kon Rẫy"),
    (b"Tu M\xac R\xabng", "Tu Mơ Rông"),
    (b"\xf1y ban nh\xa9n d\xa9n", "ủy ban nhân dân"),
])
def test_decode_tcvn3_real_bytes(raw, text):
    assert decode_tcvn3(raw) == text


def test_tcvn3_mojibake_seen_as_cp1252():
    raw = b"C\xe9ng h\xdfa X\xb7 h\xe9i Ch\xf1 ngh\xdca Vi\xd6t Nam"
    assert raw.decode("cp1252") == "Céng hßa X· héi Chñ nghÜa ViÖt Nam"
    assert encode_tcvn3("Cộng hòa Xã hội Chủ nghĩa Việt Nam") == raw


@pytest.mark.parametrize(("raw", "text"), [
    (b"Kon Tum", "Kon Tum"),
    (b"Co\xe4ng ho\xf8a Xa\xf5 ho\xe4i Chu\xfb ngh\xf3a Vie\xe4t Nam", CHXHCN),
    (b"\xd1a\xe9k La", "Đắk La"),
    (b"Huye\xe4n Ngo\xefc Ho\xe0i", "Huyện Ngọc Hồi"),
    (b"Tu M\xf4 Ro\xe2ng", "Tu Mơ Rông"),
    (b"KHU CO\xc2NG NGHIE\xc4P", "KHU CÔNG NGHIỆP"),
    (b"Xin cha\xf8o ca\xf9c ba\xefn", "Xin chào các bạn"),
    (b"A\xd9 a\xf9 \xf6 \xd6 \xf1 \xd1 \xf4", "Á á ư Ư đ Đ ơ"),
    (b"Tr\xf6\xf4\xf8ng", "Trường"),
])
def test_decode_vni_real_bytes(raw, text):
    assert decode_vni(raw) == text


@pytest.mark.parametrize(("raw", "text"), [
    (b"Ai\xf9", "Aí"),           # i + tone byte is drawn like the single-byte í
    (b"A\xf9", "Á"),             # lower-case mark after a capital
    (b"\xf9", "ù"),              # a mark byte with no vowel before it stays cp1252
    (b"Khu A \x96 B", "Khu A – B"),
])
def test_decode_vni_tolerates_odd_sequences(raw, text):
    assert decode_vni(raw) == text


@pytest.mark.skipif(shutil.which("iconv") is None, reason="needs iconv")
def test_tcvn3_table_matches_glibc_tcvn5712():
    raw = bytes(range(0xA0, 0x100))
    run = subprocess.run(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=raw,
                         capture_output=True, check=False)
    if run.returncode:
        pytest.skip("iconv has no TCVN5712-1")
    expected = run.stdout.decode()
    assert [decode_tcvn3(bytes([b])) for b in raw] == [
        unicodedata.normalize("NFC", c) for c in expected]


def test_encoders_reject_what_the_fonts_cannot_hold():
    with pytest.raises(UnicodeEncodeError):
        encode_tcvn3("Kon Tum 東")
    with pytest.raises(UnicodeEncodeError):
        encode_vni("Ñ")


# --------------------------------------------------------------------------------------------
# decode() and fold_diacritics()


@pytest.mark.parametrize(("raw", "label", "text"), [
    (unicodedata.normalize("NFD", "Đắk Hà").encode(), "utf-8", "Đắk Hà"),
    (unicodedata.normalize("NFD", "Ngọc Hồi").encode(), "UTF8", "Ngọc Hồi"),
    (encode_cp1258("Hòa Bình Kon Rẫy"), "cp1258", "Hòa Bình Kon Rẫy"),
    (encode_cp1258("Ngọc Hồi"), "ANSI 1258", "Ngọc Hồi"),
    (b"\xa7\xbek La", "ABC", "Đắk La"),
    (b"\xd1a\xe9k La", "VNI-Windows", "Đắk La"),
    (b"Ph\xf6\xf4\xf8ng", "vni", "Phường"),
    (b"a\xb3", "tcvn3", "á"),  # a VN1 combining tone is composed
    (b"H\xe0", "latin-1", "Hà"),
])
def test_decode_is_nfc(raw, label, text):
    out = decode(raw, label)
    assert out == text
    assert unicodedata.is_normalized("NFC", out)


def test_decode_unknown_codec():
    with pytest.raises(LookupError):
        decode(b"x", "no-such-codec")


@pytest.mark.parametrize(("text", "folded"), [
    ("Đắk Hà", "Dak Ha"),
    ("Ủy ban nhân dân tỉnh Kon Tum", "Uy ban nhan dan tinh Kon Tum"),
    (unicodedata.normalize("NFD", "Huyện Ngọc Hồi"), "Huyen Ngoc Hoi"),
    ("Tu Mơ Rông, Sa Thầy", "Tu Mo Rong, Sa Thay"),
])
def test_fold_diacritics(text, folded):
    assert fold_diacritics(text) == folded


# --------------------------------------------------------------------------------------------
# Detection

ENCODERS = {
    "utf-8": str.encode,
    "utf-8 (NFD)": lambda s: unicodedata.normalize("NFD", s).encode(),
    "cp1258": encode_cp1258,
    "tcvn3": encode_tcvn3,
    "vni": encode_vni,
}


@pytest.mark.parametrize("form", ENCODERS)
@pytest.mark.parametrize("name", NAMES)
def test_detect_one_short_name(name, form):
    raw = ENCODERS[form](name)
    found = detect([raw])
    assert found.encoding == form.split()[0], found
    assert 0 < found.confidence <= 1
    assert decode(raw, found.encoding) == (tcvn3_view(name) if form == "tcvn3" else name)


@pytest.mark.parametrize("form", ENCODERS)
def test_detect_a_whole_layer(form):
    values = [ENCODERS[form](n) for n in NAMES] + [b"", b"KCN 01", b"Kon Tum"]
    found = detect(iter(values))
    assert found.encoding == form.split()[0], found
    assert found.confidence >= (0.99 if form.startswith("utf") else 0.8)


def test_detect_reports_nfd():
    found = detect([unicodedata.normalize("NFD", "Sa Thầy").encode()])
    assert "NFD" in found.reason


@pytest.mark.parametrize("values", [[], [b""], [b"Kon Tum", b"KCN Sao Mai 2"]])
def test_detect_ascii_is_utf8(values):
    assert detect(values) == Detection("utf-8", 1.0, "ascii")


def test_detect_tells_mixed_layers_by_majority():
    values = [encode_vni(n) for n in NAMES] + ["Khu công nghiệp Hòa Bình".encode()]
    assert detect(values).encoding == "vni"


def test_detect_without_vietnamese_falls_back_to_cp1252():
    found = detect([b"25\xb0C", b"\xb1 5 \xb0"])
    assert found.encoding == "cp1252"
    assert found.confidence == 0


# --------------------------------------------------------------------------------------------
# .cpg labels


@pytest.mark.parametrize(("label", "codec"), [
    ("UTF-8", "utf-8"), ("utf8", "utf-8"), ("utf_8", "utf-8"), ("65001", "utf-8"),
    ("\ufeffUTF-8\r\n", "utf-8"), ("  UTF-8  ", "utf-8"),
    ("1258", "cp1258"), ("CP1258", "cp1258"), ("Windows-1258", "cp1258"), ("ANSI 1258", "cp1258"),
    ("1252", "cp1252"), ("cp1252", "cp1252"), ("ANSI 1252", "cp1252"), ("windows-1252", "cp1252"),
    ("ISO-8859-1", "latin-1"), ("88591", "latin-1"), ("LATIN1", "latin-1"),
    ("TCVN3", "tcvn3"), ("abc", "tcvn3"), ("TCVN-3", "tcvn3"), ("TCVN 5712", "tcvn3"),
    ("VNI", "vni"), ("VNI-WIN", "vni"), ("VNI-Windows", "vni"),
    ("", None), ("UTF-16", None), ("ANSI 1251", None), ("Big5", None),
])
def test_normalize_cpg(label, codec):
    assert normalize_cpg(label) == codec


@pytest.mark.parametrize(("member", "cpg_name"), [
    ("roads.shp", "roads.cpg"), ("roads.dbf", "roads.CPG"), ("ROADS.SHP", "ROADS.Cpg"),
    ("roads.shp", "ROADS.cpg"),
])
def test_read_cpg(tmp_path, member, cpg_name):
    (tmp_path / cpg_name).write_bytes(b"\xef\xbb\xbfANSI 1258\r\n")
    assert read_cpg(tmp_path / member) == "ANSI 1258"


def test_read_cpg_absent(tmp_path):
    (tmp_path / "other.cpg").write_text("UTF-8")
    assert read_cpg(tmp_path / "roads.shp") is None
    assert read_cpg(tmp_path / "missing" / "roads.shp") is None


# --------------------------------------------------------------------------------------------
# DBF raw bytes


def make_dbf(fields, records, ldid=0x00, n_records=None):
    """A dBase III table: fields [(name, type, width)], records [(deleted, [values])]."""
    record_len = 1 + sum(w for _, _, w in fields)
    header_len = 32 + 32 * len(fields) + 1
    head = struct.pack("<B3BIHH", 0x03, 125, 1, 1, len(records) if n_records is None else n_records,
                       header_len, record_len)
    head += bytes(17) + bytes([ldid]) + bytes(2)
    for name, ftype, width in fields:
        head += name.encode().ljust(11, b"\0") + ftype.encode() + bytes(4) + bytes([width, 0])
        head += bytes(14)
    body = b"".join(
        (b"*" if deleted else b" ") + b"".join(
            v.ljust(w, b" ") if t == "C" else v.rjust(w, b" ")
            for v, (_, t, w) in zip(values, fields, strict=True))
        for deleted, values in records)
    return head + b"\r" + body + b"\x1a"


def test_read_dbf_text_hand_made(tmp_path):
    path = tmp_path / "ccn.dbf"
    path.write_bytes(make_dbf(
        [("MA", "C", 6), ("TEN", "C", 30), ("DT_HA", "N", 8)],
        [(False, [b"CCN01", encode_tcvn3("Cụm công nghiệp Đắk La"), b"50"]),
         (True, [b"CCN02", b"deleted", b"1"]),
         (False, [b"CCN03", b"Kon Tum\x00\x00", b"62.6"])],
        ldid=0x57))
    assert read_dbf_text(path) == {
        "MA": [b"CCN01", b"CCN03"],
        "TEN": [b"C\xf4m c\xabng nghi\xd6p \xa7\xbek La", b"Kon Tum"],
    }
    assert dbf_ldid(path) == 0x57


def test_read_dbf_text_of_a_gdal_shapefile(tmp_path):
    gpd = pytest.importorskip("geopandas")
    shapely = pytest.importorskip("shapely")
    raw = [encode_tcvn3(n) for n in NAMES[:6]] + [encode_vni(n) for n in NAMES[6:12]]
    frame = gpd.GeoDataFrame(
        {"ten": [r.decode("latin-1") for r in raw], "so": range(len(raw))},
        geometry=[shapely.Point(500_000 + i, 1_600_000) for i in range(len(raw))], crs=9216)
    frame.to_file(tmp_path / "plan.shp", encoding="ISO-8859-1", engine="pyogrio")
    dbf = tmp_path / "plan.dbf"
    assert read_dbf_text(dbf) == {"ten": raw}
    assert dbf_ldid(dbf) == dbf.read_bytes()[29]
    assert normalize_cpg(read_cpg(tmp_path / "plan.shp")) == "latin-1"


@pytest.mark.parametrize(("data", "key"), [
    (b"not a dbf", "encoding.dbf_not_dbf"),
    (make_dbf([("TEN", "C", 10)], [(False, [b"a"])], n_records=5), "encoding.dbf_truncated"),
])
def test_damaged_dbf_is_an_encoding_error(tmp_path, data, key):
    path = tmp_path / "bad.dbf"
    path.write_bytes(data.removesuffix(b"\x1a"))
    with pytest.raises(EncodingError) as err:
        read_dbf_text(path)
    assert err.value.key == key
    assert "bad.dbf" in err.value.render("vi") and "bad.dbf" in err.value.render("en")


def test_dbf_ldid_of_a_short_file(tmp_path):
    path = tmp_path / "short.dbf"
    path.write_bytes(b"\x03\x7d")
    with pytest.raises(EncodingError):
        dbf_ldid(path)


@pytest.mark.parametrize("key", ["encoding.dbf_not_dbf", "encoding.dbf_truncated"])
def test_module_messages_are_bilingual(key):
    texts = messages.both(key, path="x.dbf", size=9, expected=2, found=1)
    assert texts["vi"] != texts["en"]
    assert all(t.startswith("x.dbf: ") for t in texts.values())
