"""Attribute text encodings of old Vietnamese shapefiles: labels, DBF bytes, detection, decoding.

A DBF declares its encoding through an optional ``.cpg`` sidecar and the LDID byte (29) of its
header; both are often missing or wrong. FoxPro/DBF-era Vietnamese data is often in a *font*
encoding rather than a code page: **TCVN3** (ABC, ``.VnTime`` fonts, one byte per letter) or
**VNI-Windows** (``VNI-*`` fonts, base letter + mark byte). This module reads the raw bytes of a
DBF's text fields, guesses the encoding from how Vietnamese the decoded text looks, and converts
everything to Unicode NFC; the rest of kzplan only sees NFC ``str``.
"""

from __future__ import annotations

import os
import re
import struct
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kzplan._errors import EncodingError
from kzplan.viscii import decode_viscii

PathLike = str | os.PathLike[str]

# --------------------------------------------------------------------------------------------
# .cpg labels

_CPG_ALIASES: dict[str, tuple[str, ...]] = {
    "utf-8": ("UTF8", "65001", "CP65001"),
    "cp1258": ("1258", "CP1258", "WINDOWS1258", "WIN1258", "ANSI1258"),
    "cp1252": ("1252", "CP1252", "WINDOWS1252", "WIN1252", "ANSI1252"),
    "latin-1": ("ISO88591", "88591", "LATIN1"),
    "tcvn3": ("TCVN3", "ABC", "TCVN5712"),
    "vni": ("VNI", "VNIWIN", "VNIWINDOWS"),
    "viscii": ("VISCII", "VISCII11", "RFC1456"),
}
_CPG_LOOKUP = {alias: codec for codec, aliases in _CPG_ALIASES.items() for alias in aliases}


def normalize_cpg(label: str) -> str | None:
    """Normalise a shapefile ``.cpg`` label (or a configured encoding name) to a codec name.

    Parameters
    ----------
    label : str
        E.g. ``"UTF-8"``, ``"ANSI 1258"``, ``"65001"``, ``"VNI-Windows"``. A byte-order mark,
        case, whitespace, hyphens and underscores are ignored.

    Returns
    -------
    str or None
        A Python codec name (``"utf-8"``, ``"cp1258"``, ``"cp1252"``, ``"latin-1"``), one of the
        kzplan pseudo-codecs ``"tcvn3"`` and ``"vni"``, or None for an unknown label.
    """
    return _CPG_LOOKUP.get(re.sub(r"[\s\-_\ufeff]+", "", label).upper())


def read_cpg(shp_or_dbf_path: PathLike) -> str | None:
    """Return the label text of a shapefile's ``.cpg`` sidecar, or None if there is none.

    Parameters
    ----------
    shp_or_dbf_path : str or os.PathLike
        Any member of the shapefile. The sidecar has the same stem (in another letter case only
        when no exact match exists) and a ``.cpg`` extension in any letter case.

    Returns
    -------
    str or None
        The text without byte-order mark and surrounding whitespace, not normalised (see
        :func:`normalize_cpg`).
    """
    path = Path(shp_or_dbf_path)
    stem = path.stem if path.suffix else path.name
    try:
        cpgs = sorted(p for p in path.parent.iterdir() if p.suffix.lower() == ".cpg")
    except OSError:
        return None
    matches = [p for p in cpgs if p.stem == stem] or [
        p for p in cpgs if p.stem.lower() == stem.lower()]
    if not matches:
        return None
    return matches[0].read_bytes().removeprefix(b"\xef\xbb\xbf").decode("latin-1").strip()


# --------------------------------------------------------------------------------------------
# Minimal DBF reader (dBase III layout, as shapefile tools write it)

_Field = tuple[str, str, int, int]  # name, type, offset in the record, width


def dbf_layout(raw: bytes, path: PathLike) -> tuple[int, int, int, list[_Field]]:
    """Parse a DBF header: (record count, header length, record length, fields)."""
    bad = EncodingError("encoding.dbf_not_dbf", path=os.fspath(path), size=len(raw))
    if len(raw) < 33:
        raise bad
    n_records, header_len, record_len = struct.unpack_from("<IHH", raw, 4)
    if header_len < 33 or header_len > len(raw) or record_len < 1:
        raise bad
    fields: list[_Field] = []
    pos, offset = 32, 1  # each record starts with its deletion flag
    while pos + 32 <= header_len and raw[pos] != 0x0D:
        name = raw[pos:pos + 11].split(b"\0", 1)[0].decode("latin-1").strip()
        ftype = chr(raw[pos + 11]).upper()
        width = raw[pos + 16] + (256 * raw[pos + 17] if ftype == "C" else 0)  # Clipper/FoxPro
        fields.append((name, ftype, offset, width))
        offset, pos = offset + width, pos + 32
    if not fields or offset > record_len:
        raise bad
    return n_records, header_len, record_len, fields


def dbf_ldid(path: PathLike) -> int:
    """Return the language driver ID, byte 29 of the DBF header (0 when unset).

    Raises
    ------
    EncodingError
        If the file is too short to be a DBF.
    """
    with open(path, "rb") as fh:
        head = fh.read(32)
    if len(head) < 32:
        raise EncodingError("encoding.dbf_not_dbf", path=os.fspath(path), size=len(head))
    return head[29]


def read_dbf_text(path: PathLike) -> dict[str, list[bytes]]:
    """Read the raw bytes of every character (``C``) field of a DBF, without decoding them.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.dbf`` file.

    Returns
    -------
    dict of str to list of bytes
        Field name to the values of all non-deleted records, in file order, right-stripped of
        spaces and NUL bytes.

    Raises
    ------
    EncodingError
        If the header is damaged or the file holds fewer records than its header announces.
    """
    raw = Path(path).read_bytes()
    n_records, header_len, record_len, fields = dbf_layout(raw, path)
    text_fields = [f for f in fields if f[1] == "C"]
    out: dict[str, list[bytes]] = {name: [] for name, *_ in text_fields}
    for i in range(n_records):
        start = header_len + i * record_len
        if start < len(raw) and raw[start] == 0x1A:  # end-of-file marker
            break
        if start + record_len > len(raw):
            raise EncodingError("encoding.dbf_truncated", path=os.fspath(path),
                                expected=n_records, found=i)
        if raw[start] == 0x2A:  # "*": deleted record
            continue
        for name, _, offset, width in text_fields:
            out[name].append(raw[start + offset:start + offset + width].rstrip(b" \x00"))
    return out


# --------------------------------------------------------------------------------------------
# Legacy Vietnamese font encodings

_TONES = "\u0300\u0309\u0303\u0301\u0323"  # grave, hook, tilde, acute, dot (TCVN3's order)
_VOWELS = "aăâeêioôơuưy"
_MODIFIED = {"ă": "a\u0306", "â": "a\u0302", "ê": "e\u0302", "ô": "o\u0302", "ơ": "o\u031b",
             "ư": "u\u031b"}


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _toned(vowel: str, tone: str) -> str:
    return _nfc(_MODIFIED.get(vowel, vowel) + tone)


# TCVN 5712:1993 VN3 ("TCVN3", ABC): one byte per lower-case letter plus 7 capitals. Per vowel,
# the bytes with grave, hook, tilde, acute, dot (the tests check them against glibc iconv).
_TCVN3_ROWS = {
    "a": "b5 b6 b7 b8 b9", "ă": "bb bc bd be c6", "â": "c7 c8 c9 ca cb", "e": "cc ce cf d0 d1",
    "ê": "d2 d3 d4 d5 d6", "i": "d7 d8 dc dd de", "o": "df e1 e2 e3 e4", "ô": "e5 e6 e7 e8 e9",
    "ơ": "ea eb ec ed ee", "u": "ef f1 f2 f3 f4", "ư": "f5 f6 f7 f8 f9", "y": "fa fb fc fd fe",
}
_TCVN3 = dict(zip(range(0xA1, 0xAF), "ĂÂÊÔƠƯĐăâêôơưđ", strict=True)) | {
    int(b, 16): _toned(v, t) for v, row in _TCVN3_ROWS.items()
    for b, t in zip(row.split(), _TONES, strict=True)}
# Positions VN3 leaves empty hold capitals and combining tones in VN1, its superset.
_TCVN3_HOLES = dict(zip(
    (0xA0, 0xAF, 0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xBA, 0xBF, 0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5,
     0xCD, 0xD9, 0xDA, 0xDB, 0xE0, 0xF0, 0xFF),
    "\u00a0Ằ\u0300\u0309\u0303\u0301\u0323ẲẴẮẦẨẪẤỀỂỄẾỒỔỖỐ", strict=True))
_TCVN3_DECODE = [bytes([b]).decode("cp1252", "ignore") or chr(b) for b in range(0xA0)] + [
    _TCVN3.get(b) or _TCVN3_HOLES[b] for b in range(0xA0, 0x100)]
_TCVN3_ENCODE = {ch: bytes([b]) for b, ch in _TCVN3.items()} | {
    ch.upper(): bytes([b]) for b, ch in _TCVN3.items() if b >= 0xB5}

# VNI-Windows: base letter, then a mark byte (upper-case bytes = lower-case - 0x20); đ, ơ, ư,
# the toned i and ỵ are single bytes.
_VNI_MARK_ROWS = {  # no tone, then grave, hook, tilde, acute, dot
    "": "-- f8 fb f5 f9 ef", "\u0302": "e2 e0 e5 e3 e1 e4", "\u0306": "ea e8 fa fc e9 eb"}
_VNI_MARKS = {(m, t): int(b, 16) for m, row in _VNI_MARK_ROWS.items()
              for t, b in zip(("", *_TONES), row.split(), strict=True) if b != "--"}
_VNI_SINGLE = {"đ": 0xF1, "ơ": 0xF4, "ư": 0xF6, "ì": 0xEC, "í": 0xED, "ỉ": 0xE6, "ĩ": 0xF3,
               "ị": 0xF2, "ỵ": 0xEE}
_VNI_MARK_BYTES = frozenset(m - d for m in _VNI_MARKS.values() for d in (0, 0x20))


def _vni_tables() -> tuple[dict[str, bytes], dict[bytes, str]]:
    def upper(seq: bytes) -> bytes:
        return bytes(b - 0x20 if b >= 0xC0 or 0x61 <= b <= 0x7A else b for b in seq)

    encode: dict[str, bytes] = {"đ": b"\xf1", "Đ": b"\xd1"}
    for vowel in _VOWELS:
        if vowel in "ơư":
            head, modifier = bytes([_VNI_SINGLE[vowel]]), ""
        else:
            decomposed = _MODIFIED.get(vowel, vowel)
            head, modifier = decomposed[0].encode(), decomposed[1:]
        for tone in ("", *_TONES):
            lower = _toned(vowel, tone)
            if lower in _VNI_SINGLE:
                seq = bytes([_VNI_SINGLE[lower]])
            else:
                seq = head + (bytes([_VNI_MARKS[modifier, tone]]) if modifier or tone else b"")
            encode[lower], encode[lower.upper()] = seq, upper(seq)
    decode = {seq: ch for ch, seq in encode.items() if not seq.isascii()}
    for seq, ch in list(decode.items()):  # tolerate a mark byte of the other case
        if len(seq) == 2:
            decode.setdefault(bytes([seq[0], seq[1] ^ 0x20]), ch)
    for tone in _TONES:  # "i" + tone mark is drawn like the single-byte letter in VNI fonts
        for mark in (_VNI_MARKS["", tone], _VNI_MARKS["", tone] - 0x20):
            decode[b"i" + bytes([mark])] = _toned("i", tone)
            decode[b"I" + bytes([mark])] = _toned("i", tone).upper()
    return encode, decode


_VNI_ENCODE, _VNI_DECODE = _vni_tables()


def _decode_tcvn3(data: bytes) -> tuple[str, int]:
    """(NFC text, count of bytes TCVN3 does not use)."""
    return _nfc("".join(_TCVN3_DECODE[b] for b in data)), sum(b in _TCVN3_HOLES for b in data)


def _decode_vni(data: bytes) -> tuple[str, int]:
    """(NFC text, count of mark bytes that follow no letter able to carry them)."""
    out: list[str] = []
    bad = i = 0
    while i < len(data):
        letter, step = _VNI_DECODE.get(data[i:i + 2]) if i + 1 < len(data) else None, 2
        if letter is None:
            b, step = data[i:i + 1], 1
            bad += b[0] in _VNI_MARK_BYTES
            letter = _VNI_DECODE.get(b) or b.decode("cp1252", "ignore") or chr(b[0])
        out.append(letter)
        i += step
    return _nfc("".join(out)), bad


def decode_tcvn3(data: bytes) -> str:
    """Decode TCVN3 (ABC, ``.VnTime`` fonts) bytes to Unicode NFC.

    TCVN3 has no upper-case accented vowels (the ``.VnTime…H`` fonts draw the lower-case codes
    as capitals), so those come out lower-case. Bytes 0x80-0x9F are read as cp1252; the
    0xA0-0xFF positions TCVN3 leaves empty are read as TCVN 5712 VN1.
    """
    return _decode_tcvn3(data)[0]


def decode_vni(data: bytes) -> str:
    """Decode VNI-Windows bytes (base letter + mark byte, e.g. ``b"A\\xd9"`` = "Á") to NFC.

    Bytes that are not part of a VNI letter are read as cp1252.
    """
    return _decode_vni(data)[0]


def _encode(text: str, table: dict[str, bytes], name: str) -> bytes:
    out = bytearray()
    for i, ch in enumerate(text := _nfc(text)):
        seq = table.get(ch) or ch.encode("cp1252", "ignore")  # cp1252: ASCII and 0x80-0x9F
        if not seq or (seq[0] >= 0xA0 and ch not in table):
            raise UnicodeEncodeError(name, text, i, i + 1, f"no {name} code for this character")
        out += seq
    return bytes(out)


def encode_tcvn3(text: str) -> bytes:
    """Encode text to TCVN3; an upper-case accented vowel gets its lower-case byte.

    Raises UnicodeEncodeError for characters other than ASCII, Vietnamese letters and the
    cp1252 punctuation of bytes 0x80-0x9F.
    """
    return _encode(text, _TCVN3_ENCODE, "tcvn3")


def encode_vni(text: str) -> bytes:
    """Encode text to VNI-Windows, the reverse of :func:`decode_vni`.

    Raises UnicodeEncodeError for characters other than ASCII, Vietnamese letters and the
    cp1252 punctuation of bytes 0x80-0x9F.
    """
    return _encode(text, _VNI_ENCODE, "vni")


def decode(data: bytes, encoding: str, errors: str = "strict") -> str:
    """Decode attribute bytes to Unicode NFC.

    Parameters
    ----------
    data : bytes
        Raw field value.
    encoding : str
        A Python codec name, ``"tcvn3"``, ``"vni"``, or any label :func:`normalize_cpg` knows
        (unknown: LookupError).
    errors : str
        Python codec error handling (TCVN3 and VNI decode every byte).

    Returns
    -------
    str
        NFC text: decomposed UTF-8 ("Unicode tổ hợp") and cp1258's combining tones are composed.
    """
    codec = normalize_cpg(encoding) or encoding
    if codec == "tcvn3":
        return decode_tcvn3(data)
    if codec == "vni":
        return decode_vni(data)
    if codec == "viscii":
        return _nfc(decode_viscii(data))
    return _nfc(data.decode(codec, errors))


# đ/Đ and their look-alikes (Ð U+00D0, Ɖ U+0189, ð U+00F0: see kzplan.textrepair) have no
# decomposition: fold them by hand.
_FOLD_LETTERS = str.maketrans({"đ": "d", "Đ": "D", "\u00d0": "D", "\u0189": "D", "\u00f0": "d"})


def fold_diacritics(text: str) -> str:
    """Strip Vietnamese diacritics for searching: "Đắk Hà" -> "Dak Ha" (look-alike letters too:
    "Ðắk Hà" -> "Dak Ha")."""
    text = text.translate(_FOLD_LETTERS)
    nfd = unicodedata.normalize("NFD", text)
    return _nfc("".join(c for c in nfd if not unicodedata.combining(c)))


# --------------------------------------------------------------------------------------------
# Detection

@dataclass(frozen=True)
class Detection:
    """A guessed encoding: the codec name, a confidence in [0, 1], and the evidence."""

    encoding: str
    confidence: float
    reason: str
    #: The winner's share of well-formed Vietnamese words (1 for UTF-8 and ASCII).
    share: float = 1.0
    #: Every candidate scored, best first: (codec, share of well-formed words).
    candidates: tuple[tuple[str, float], ...] = ()

    #: True when the guess is too weak to build on (see :data:`MIN_SHARE`, :data:`MIN_CONFIDENCE`):
    #: there were words to judge and no reading makes them Vietnamese clearly enough.
    uncertain: bool = False


#: A detected legacy encoding is used only when at least this share of the decoded non-ASCII
#: words are well-formed Vietnamese syllables (real legacy files score 0.95 to 1: place names
#: from the Central Highlands are covered by the syllable rules) ...
MIN_SHARE = 0.8
#: ... and its confidence (its share minus half the runner-up's) is at least this: a tie between
#: two readings is 0.5, two equally good readings are no answer.
MIN_CONFIDENCE = 0.5


# Vowel nuclei of Vietnamese syllables (without tone); those ending in a glide take no final.
_OPEN_NUCLEI = ("ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu iêu yêu oai oay oao oeo "
                "uây uôi uya uyu ươi ươu").split()
_CLOSED_NUCLEI = "a ă â e ê i o ô ơ u ư y iê yê oa oă oe uâ uê uô uơ uy ươ uyê".split()
_NUCLEI = ["|".join(sorted(n, key=len, reverse=True)) for n in (_OPEN_NUCLEI, _CLOSED_NUCLEI)]
# Initials also allow the clusters of Central Highlands names (Pl-, Kr-, Hr-, Bl-...).
_SYLLABLE = re.compile(rf"(?:gi|qu|[bcdđfghjklmnpqrstvwxz]{{1,3}})?"
                       rf"(?:{_NUCLEI[0]}|(?:{_NUCLEI[1]})(ch|nh|ng|[ckmnpt])?)")
_SPLIT = re.compile(r"[\x00-\x40\x5b-\x60\x7b-\x7f]+")  # ASCII non-letters separate words
_LEVEL_TONES = frozenset("\u0300\u0309\u0303")  # grave, hook, tilde: impossible before a stop
# Common syllables of Vietnamese plan documents and place names: a tie-breaker only.
_LEXICON = frozenset(_nfc("""
    khu cụm công nghiệp kinh tế cửa khẩu quốc huyện thành phố thị trấn xã phường tỉnh thôn làng
    đường sông suối hồ cầu chợ trung tâm dịch vụ chế biến nông lâm sản gỗ cao su cà phê điện
    nước xử lý thải nhà máy mở rộng mới quy hoạch đất diện tích tiểu thủ nghề bắc nam đông tây
    cộng hòa hội chủ nghĩa việt ủy ban nhân dân đắk đăk hà tô rẫy ngọc hồi thầy mơ rông bờ măng
    đen cành tăng kần xú pờ dục cấm hưng đạo lê lợi nguyễn trãi thắng trường thống nhất mòn
    cảnh diên văn trăm đào quảng ngãi chư rơ blà ngô mây tân bình quyết đồi núi vùng phía giáp
    kho bãi hạ tầng vật liệu xây dựng may mặc dược sâm linh đoạn giai khai thác plông krông
    số lô lộ trạm xưởng
""").split())
_MAX_SAMPLES = 5000  # distinct non-ASCII values scored; plenty for a plan layer
_PRIOR = ("utf-8", "tcvn3", "vni", "cp1258", "viscii", "cp1252")  # last tie-break, most likely first


_VISCII_C0 = frozenset(b"\x02\x05\x06\x14\x19\x1e")


def _is_syllable(word: str) -> bool:
    nfd = unicodedata.normalize("NFD", word.lower())
    tones = "".join(c for c in nfd if c in _TONES)
    match = _SYLLABLE.fullmatch(_nfc("".join(c for c in nfd if c not in _TONES)))
    # One tone at most; syllables closed by a stop (-c, -ch, -p, -t) take only acute or dot.
    return (len(tones) <= 1 and match is not None
            and not (match.group(1) in {"c", "ch", "k", "p", "t"} and tones in _LEVEL_TONES))


def _decode_scored(data: bytes, codec: str) -> tuple[str, int]:
    """Decode for scoring: (NFC text, count of byte patterns impossible in ``codec``)."""
    if codec == "tcvn3":
        return _decode_tcvn3(data)
    if codec == "vni":
        return _decode_vni(data)
    if codec == "viscii":
        # VISCII defines every byte; other encodings' bytes read in it give capitals inside
        # lower-case words ("cÔng") and C0 capitals: count those as impossible.
        text = _nfc(decode_viscii(data))
        bad = sum(a.islower() and b.isupper() for a, b in zip(text, text[1:]))
        bad += sum(b in _VISCII_C0 for b in data)
        return text, bad
    text = data.decode(codec, "replace")
    bad = text.count("\ufffd")
    if codec == "cp1258":  # a combining tone must follow a vowel
        vowels = _VOWELS + _VOWELS.upper()
        bad += sum(c in _TONES and prev not in vowels for prev, c in zip(" " + text, text))
    return _nfc(text), bad


def _score(samples: list[bytes], codec: str) -> tuple[float, float, int, int]:
    """(validity, lexicon share, valid words, judged words + impossible patterns)."""
    valid = known = judged = 0
    for data in samples:
        text, bad = _decode_scored(data, codec)
        judged += bad
        for word in _SPLIT.split(text):
            if word.isascii() or not any(c.isalpha() for c in word):
                continue  # the same in every candidate, or nothing to judge
            judged += 1
            if codec == "viscii" and len(word) < 2:
                continue  # any byte is a VISCII letter: a lone one ("\xb1" = "ẳ") proves nothing
            if _is_syllable(word):
                valid += 1
                known += word.lower() in _LEXICON
    return (valid / judged, known / judged, valid, judged) if judged else (0.0, 0.0, 0, 0)


def detect(samples: Iterable[bytes]) -> Detection:
    """Guess the encoding of a layer's text from raw field values.

    Parameters
    ----------
    samples : iterable of bytes
        Raw values, e.g. from :func:`read_dbf_text`. Duplicates count once; the first 5000
        distinct non-ASCII values are scored.

    Returns
    -------
    Detection
        Pure ASCII and valid UTF-8 (NFC or NFD) give ``"utf-8"``. Otherwise each candidate
        (``"tcvn3"``, ``"vni"``, ``"cp1258"``, ``"cp1252"`` as a last resort, ``"utf-8"`` for
        partly broken data) scores the share of its decoded non-ASCII words that are
        well-formed Vietnamese syllables; each byte pattern impossible in that encoding (a VNI
        mark or cp1258 tone after a consonant, a TCVN3 hole, an undefined byte) counts as one
        more bad word. Ties go to more common plan / place-name syllables, then to the likelier
        encoding. Confidence: the winner's share minus half the runner-up's (0.5 for a tie).
    """
    values = [s for s in dict.fromkeys(map(bytes, samples)) if not s.isascii()][:_MAX_SAMPLES]
    if not values:
        return Detection("utf-8", 1.0, "ascii")
    try:
        texts = [v.decode("utf-8") for v in values]
    except UnicodeDecodeError:
        pass
    else:
        nfd = any(_nfc(t) != t for t in texts)
        return Detection("utf-8", 0.99, "utf-8 valid" + (", decomposed (NFD)" if nfd else ""))
    scores = {codec: _score(values, codec) for codec in _PRIOR}
    ranked = sorted(_PRIOR, key=lambda c: (*scores[c][:2], -_PRIOR.index(c)), reverse=True)
    best, second = ranked[0], ranked[1]
    others = " ".join(f"{c}={scores[c][0]:.2f}" for c in ranked[1:])
    candidates = tuple((c, round(scores[c][0], 3)) for c in ranked)
    if scores[best][0] == 0:
        # Words to judge but none Vietnamese in any reading: uncertain. Only symbols (25°C, ±):
        # the Windows code page, nothing to get wrong.
        judged = any(scores[c][3] for c in ranked)
        return Detection("cp1252", 0.0, f"no Vietnamese words; {best}=0.00 {others}", 0.0,
                         candidates, uncertain=judged)
    if best != "viscii" and second == "viscii":
        # VISCII gives every byte a letter, so other encodings' bytes read in it still look half
        # Vietnamese ("cềng nghiỷp"): as a runner-up it is noise, the next candidate counts.
        second = ranked[2]
    confidence = round(max(0.0, scores[best][0] - scores[second][0] / 2), 3)
    valid, judged = scores[best][2:]
    share = round(scores[best][0], 3)
    return Detection(best, confidence, f"{best} {valid}/{judged} Vietnamese words; {others}",
                     share, candidates,
                     uncertain=share < MIN_SHARE or confidence < MIN_CONFIDENCE)
