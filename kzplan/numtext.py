"""Numbers written as text by planners: Vietnamese and English notation, ambiguous readings, and
the raw text of DBF numeric fields.

Vietnamese writes ``1.234,56`` (dot for thousands, comma for decimals), English ``1,234.56``.
A value with a single separator followed by exactly three digits (``2.500``, ``1.420``,
``1,420``) has two readings, two thousand five hundred or two and a half; :func:`readings`
returns both and the loader settles them with the feature's measured area
(:data:`AREA_READING_TOLERANCE_PCT`) or refuses. A value that is no number at all (``abc``, ``1.2.3e-+``) raises :class:`ValueError`:
it never becomes 0 or 1.2.

GDAL reads a DBF numeric (``N``/``F``) field with ``atof``: ``abc`` becomes 0 and ``1.2.3e-+``
becomes 1.2 with only a warning. :func:`dbf_numeric_text` reads those fields' raw text so that the
loader can tell an unreadable value from a number.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from kzplan.encoding import dbf_layout

#: How far (in per cent of the measured area) a reading of an ambiguous area may be from the
#: feature's measured area to be taken: AR03's default tolerance between declared and measured
#: area. The two readings of ``2.500`` differ by a factor of 1000, so at most one fits.
AREA_READING_TOLERANCE_PCT = 5.0

_SCIENTIFIC = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+")
_PLAIN = re.compile(r"[+-]?\d+")
_SINGLE = re.compile(r"([+-]?)(\d+)([.,])(\d+)")
_GROUPED = re.compile(r"([+-]?)(\d{1,3}(?:([.,])\d{3})(?:\3\d{3})+)")
_MIXED = re.compile(r"([+-]?)(\d{1,3}(?:([.,])\d{3})*|\d+)([.,])(\d+)")
_DBF_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def readings(value: object) -> tuple[float, ...]:
    """The readings of a number written as text: ``()`` for an empty value, one reading, or two
    (thousands first, then decimal) when the notation is ambiguous.

    >>> readings("1.234,56"), readings("2.500"), readings("2,5"), readings("1.234.567")
    ((1234.56,), (2500.0, 2.5), (2.5,), (1234567.0,))

    Raises
    ------
    ValueError
        When the text is no number in either notation.
    """
    if value is None:
        return ()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return () if isinstance(value, float) and math.isnan(value) else (float(value),)
    text = str(value).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not text:
        return ()
    if _PLAIN.fullmatch(text) or _SCIENTIFIC.fullmatch(text):
        return (float(text),)
    if m := _SINGLE.fullmatch(text):
        sign, whole, _, frac = m.groups()
        decimal = float(f"{sign}{whole}.{frac}")
        if len(frac) == 3 and len(whole) <= 3 and not whole.startswith("0"):
            return (float(f"{sign}{whole}{frac}"), decimal)
        return (decimal,)
    if m := _GROUPED.fullmatch(text):
        sign, digits, sep = m.groups()
        return (float(sign + digits.replace(sep, "")),)
    if m := _MIXED.fullmatch(text):
        sign, whole, group, sep, frac = m.groups()
        if group is None or group != sep:
            return (float(f"{sign}{whole.replace(group or sep, '')}.{frac}"),)
    raise ValueError(text)


def fits_area(reading: float, measured: float,
              tolerance_pct: float = AREA_READING_TOLERANCE_PCT) -> bool:
    """Whether an area ``reading`` (ha) is within ``tolerance_pct`` of the ``measured`` area."""
    if not (math.isfinite(measured) and measured > 0):
        return False
    return abs(reading - measured) / measured * 100 <= tolerance_pct


def dbf_numeric_text(path: str | os.PathLike[str]) -> dict[str, list[str | None]]:
    """The raw text of every numeric (``N``/``F``) field of a DBF, non-deleted records in order:
    ``None`` for a blank value or a NULL (asterisks). Fields are keyed by name as written in the
    header."""
    raw = Path(path).read_bytes()
    n_records, header_len, record_len, fields = dbf_layout(raw, path)
    numeric = [f for f in fields if f[1] in ("N", "F")]
    out: dict[str, list[str | None]] = {name: [] for name, *_ in numeric}
    for i in range(n_records):
        start = header_len + i * record_len
        if start >= len(raw) or raw[start] == 0x1A or start + record_len > len(raw):
            break
        if raw[start] == 0x2A:  # deleted record
            continue
        for name, _, offset, width in numeric:
            text = raw[start + offset:start + offset + width].decode("latin-1").strip(" \x00")
            # GDAL writes a NULL number as asterisks filling the field
            out[name].append(None if not text or set(text) == {"*"} else text)
    return out


def dbf_readable(text: str | None) -> bool:
    """Whether a DBF numeric field's raw text is a number (blank counts as missing, readable)."""
    return text is None or bool(_DBF_NUMBER.fullmatch(text))


__all__ = ["AREA_READING_TOLERANCE_PCT", "dbf_numeric_text", "dbf_readable", "fits_area",
           "readings"]
