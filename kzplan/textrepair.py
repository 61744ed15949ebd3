"""Damaged Vietnamese text that decodes without error: double-encoded UTF-8, look-alike letters and
``?`` replacement characters.

- **Double-encoded UTF-8** ("Báº¿n Tre" for "Bến Tre"): UTF-8 bytes once read as cp1252 or
  latin-1 and written again as UTF-8, common in files that went through GADM or a Windows tool.
  The text is valid UTF-8, so no decoder complains; :func:`repair` undoes it with ftfy's
  ``fix_encoding`` (which leaves correct text alone) and the loader says so.
- **Look-alike letters**: Ð (U+00D0, Icelandic eth) or Ɖ (U+0189) for Đ (U+0110), ð (U+00F0) for
  đ: they look right on screen but do not match "Đắk Hà" in a search or a name comparison.
  They are flagged, not changed (a planner's text is data); :data:`LOOKALIKES` lets searches and
  name matching fold them.
- **Replacement characters**: ``?`` inside a word ("Ð?k Hà") or U+FFFD, left where an earlier tool
  could not encode a letter. The letter is lost; it is flagged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import ftfy

#: Letters that look like Vietnamese ones but are other code points, and the letter meant.
LOOKALIKES = {"\u00d0": "\u0110", "\u0189": "\u0110", "\u00f0": "\u0111"}
_LOOKALIKE = re.compile("[" + "".join(LOOKALIKES) + "]")
_REPLACEMENT = re.compile(r"\ufffd|(?<=\w)\?(?=\w)|(?<=\w)\?\?+|\?(?=\w)")


def fold_lookalikes(text: str) -> str:
    """``text`` with look-alike letters replaced by the Vietnamese letters they stand for."""
    return _LOOKALIKE.sub(lambda m: LOOKALIKES[m.group(0)], text)


def repair(text: str) -> str | None:
    """``text`` with double-encoded UTF-8 undone (NFC), or None when it is not double-encoded."""
    if text.isascii():
        return None
    fixed = unicodedata.normalize("NFC", ftfy.fix_encoding(text))
    return fixed if fixed != text else None


@dataclass
class TextReport:
    """What :func:`scan` found in a layer's text: repaired values and flagged ones, by field."""

    repaired: dict[str, int] = field(default_factory=dict)
    repaired_example: tuple[str, str] | None = None
    lookalike: dict[str, int] = field(default_factory=dict)
    lookalike_example: str | None = None
    replacement: dict[str, int] = field(default_factory=dict)
    replacement_example: str | None = None


def scan(columns: Iterable[tuple[str, list[object]]], *, fix: bool) -> tuple[
        dict[str, list[object]], TextReport]:
    """Repair (when ``fix``: the text was read as UTF-8) and flag the values of text columns.

    Returns the columns (repaired) and what was found."""
    report = TextReport()
    out: dict[str, list[object]] = {}
    for name, values in columns:
        new: list[object] = []
        for value in values:
            if isinstance(value, str) and fix and (fixed := repair(value)) is not None:
                report.repaired[name] = report.repaired.get(name, 0) + 1
                report.repaired_example = report.repaired_example or (value, fixed)
                value = fixed
            if isinstance(value, str):
                if _LOOKALIKE.search(value):
                    report.lookalike[name] = report.lookalike.get(name, 0) + 1
                    report.lookalike_example = report.lookalike_example or value
                if _REPLACEMENT.search(value):
                    report.replacement[name] = report.replacement.get(name, 0) + 1
                    report.replacement_example = report.replacement_example or value
            new.append(value)
        out[name] = new
    return out, report


__all__ = ["LOOKALIKES", "TextReport", "fold_lookalikes", "repair", "scan"]
