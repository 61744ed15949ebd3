"""Matching a district boundary file's units to the plan's units.

Many boundary files do not carry the GSO district codes the plan uses (GADM has ``GID_2`` and
``NAME_2``, OSM its relation ids, provincial files their own numbering); without a match, the
containment rules would check nothing. :func:`match` gives every row of the file the plan's code
(``ma_huyen``):

1. **by code**: a column whose values are the plan's GSO codes (``608``, ``"0608"``, ``608.0``);
2. **else by name**: a column whose names fold to the plan's unit names. Folding drops diacritics,
   case, spaces and hyphens, look-alike letters (Ð U+00D0 for Đ) and the unit-kind prefixes
   ("Huyện", "Thành phố", "Thị xã", "TP.", "TX.", "H."), so "Huyện Cần Giờ", "Can Gio", "CầnGiờ"
   (GADM writes names without spaces) and "H. Cần Giờ" all match;
3. **else refuse**, naming the plan's units that were not found, the file's closest names and
   the file's units that matched none of the plan's.

A file wider than the plan (a national or regional file: every plan unit found, more rows besides)
is accepted: the plan's units are picked out of it, and a note says how many rows were left out. A
file with only some of the plan's units, all of them matched, is accepted too (a note names the
absent ones: features there have no boundary to be checked against). A name that occurs in
several provinces is settled by a province column when the file has one (``NAME_1``), else refused.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from kzplan._errors import LayerError
from kzplan.encoding import fold_diacritics
from kzplan.plandef import PlanDef, Unit

_PREFIXES = ("thanh pho", "thi xa", "thi tran", "huyen", "quan", "tp", "tx", "h", "q")
_PREFIX = re.compile(rf"^(?:{'|'.join(_PREFIXES)})[.\s]+", re.IGNORECASE)
_NOT_LETTER = re.compile(r"[\W_]+")
# Columns that name a province, for names that occur in several provinces.
_PROVINCE_COLUMNS = ("name_1", "ten_tinh", "tinh", "province", "ten_tinh_tp")


def fold_name(name: object) -> str:
    """A unit name reduced for comparison: no diacritics, case, prefix, spaces or punctuation.

    >>> fold_name("Huyện Cần Giờ") == fold_name("CầnGiờ") == fold_name("H. Can Gio") == "cangio"
    True
    """
    if not isinstance(name, str):
        return ""
    text = fold_diacritics(name).strip()
    text = _PREFIX.sub("", text, count=1)
    return _NOT_LETTER.sub("", text).lower()


def _code(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        if value != value or value != int(value):  # NaN, or not whole
            return None
        value = int(value)
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return text.lstrip("0").zfill(3) if text.isdigit() else None


@dataclass(frozen=True)
class Match:
    """How the boundary file's rows were matched: by which column, and what was left out."""

    column: str
    how: str  # "code" | "name"
    codes: tuple[str | None, ...]  # the plan's code for each row (None: not one of the plan's)
    dropped: int
    absent: tuple[str, ...] = ()  # the plan's units the file does not have (a partial file)


def _by_code(frame: pd.DataFrame, plan_codes: set[str]) -> Match | None:
    best: Match | None = None
    for column in frame.columns:
        if column == "geometry":
            continue
        codes = tuple(c if c in plan_codes else None for c in map(_code, frame[column]))
        found = {c for c in codes if c}
        if found and (best is None or len(found) > len({c for c in best.codes if c})):
            best = Match(str(column), "code", codes, sum(c is None for c in codes))
    return best


def _province_ok(frame: pd.DataFrame, plan: PlanDef) -> list[bool] | None:
    """Per row: does the file's province column name the plan's province (None: no column)."""
    lower = {str(c).lower(): c for c in frame.columns}
    column = next((lower[c] for c in _PROVINCE_COLUMNS if c in lower), None)
    if column is None:
        return None
    names = {fold_name(n) for n in (plan.province_short, *plan.province.values())}
    names = {re.sub(r"^tinh", "", n) for n in names if n}
    return [re.sub(r"^tinh", "", fold_name(v)) in names for v in frame[column]]


def _by_name(frame: pd.DataFrame, units: Sequence[Unit], plan: PlanDef,
             *, file: str) -> Match | None:
    wanted: dict[str, str] = {}
    for unit in units:
        for name in (unit.name, unit.name_ascii):
            wanted.setdefault(fold_name(name), unit.code)
    in_province = _province_ok(frame, plan)
    best: tuple[int, str, tuple[str | None, ...]] | None = None
    for column in frame.columns:
        if column == "geometry" or not any(isinstance(v, str) for v in frame[column]):
            continue
        codes = [wanted.get(fold_name(v)) for v in frame[column]]
        if in_province is not None:
            codes = [c if ok else None for c, ok in zip(codes, in_province, strict=True)]
        found = {c for c in codes if c}
        if found and (best is None or len(found) > best[0]):
            best = (len(found), str(column), tuple(codes))
    if best is None:
        return None
    _, column, codes = best
    seen: dict[str, int] = {}
    for c in codes:
        if c:
            seen[c] = seen.get(c, 0) + 1
    twice = sorted(c for c, n in seen.items() if n > 1)
    if twice:
        names = ", ".join(u.name for u in units if u.code in twice)
        raise LayerError("units.ambiguous_name", file=file, layer="districts", column=column,
                         units=names)
    return Match(column, "name", codes, sum(c is None for c in codes))


def match(frame: pd.DataFrame, plan: PlanDef, *, file: str) -> Match:
    """Match every row of a boundary file to the plan's units (see the module's docstring).

    Raises
    ------
    LayerError
        When some of the plan's units are not found in the file, by code or by name: the
        message names them and the file's closest names.
    """
    units = list(plan.units)
    plan_codes = {u.code for u in units}
    found = _by_code(frame, plan_codes)
    if found is None or {c for c in found.codes if c} != plan_codes:
        by_name = _by_name(frame, units, plan, file=file)
        if by_name is not None and (found is None or len({c for c in by_name.codes if c})
                                    > len({c for c in found.codes if c})):
            found = by_name
    matched = {c for c in found.codes if c} if found else set()
    missing = [u for u in units if u.code not in matched]
    stray = _stray(frame, found)
    if missing and (stray or found is None):
        names = _names_in(frame)
        close = {u.name: difflib.get_close_matches(fold_name(u.name), list(names), n=1,
                                                   cutoff=0.6) for u in missing}
        listed = "; ".join(f"{u.code} {u.name}" + (f" (~{names[close[u.name][0]]})"
                                                  if close[u.name] else "") for u in missing)
        raise LayerError("units.unmatched", file=file, layer="districts", count=len(missing),
                         total=len(units), units=listed, stray=", ".join(stray[:10]) or "-",
                         column=found.column if found else "-")
    assert found is not None
    return Match(found.column, found.how, found.codes, found.dropped,
                 tuple(u.code for u in missing))


def _stray(frame: pd.DataFrame, found: Match | None) -> list[str]:
    """The file's units that match none of the plan's, as the file names them."""
    if found is None:
        return [str(v) for v in frame.iloc[:, 0]]
    column = frame[found.column] if found.column in frame.columns else None
    if column is None:
        return []
    return [str(v) for v, c in zip(column, found.codes, strict=True) if c is None]


def _names_in(frame: pd.DataFrame) -> dict[str, str]:
    """The file's text values by folded form (for "closest name" hints)."""
    out: dict[str, str] = {}
    for column in frame.columns:
        if column == "geometry":
            continue
        for v in frame[column]:
            if isinstance(v, str) and (key := fold_name(v)):
                out.setdefault(key, v)
    return out


__all__ = ["Match", "fold_name", "match"]
