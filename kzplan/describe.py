"""Describing a planner's own vector file and guessing how it maps onto a plan layer.

Planners' files have their own names and fields (``TEN_CCN``, ``DIENTICH``, ``HUYEN``, status
written out as "Đang hoạt động"). :func:`describe` reads any vector file kzplan can open and says
what it is (driver, features, geometry type, fields with sample values, CRS as identified, encoding
as detected, extent in degrees) and :func:`guess` which plan layer it probably is, which of its
fields are which canonical fields, and which of its values stand for which canonical codes; every
guess carries its evidence. ``kzplan info FILE`` prints the first, ``kzplan init`` writes the
second as a ``kzplan.toml`` for the planner to confirm.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kzplan import crs as kcrs
from kzplan import io, messages, schema, units
from kzplan._errors import KzplanError
from kzplan.encoding import fold_diacritics
from kzplan.plandef import PlanDef

_SAMPLES = 3

# Planners' field names for each canonical field, folded (no diacritics, case, separators), best
# first. From the provincial plan tables and the files planners send (TEN_CCN, DIENTICH, HUYEN).
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "ma": ("ma", "maccn", "makcn", "makkt", "macum", "maso", "kyhieu", "id", "code"),
    "ten": ("ten", "tenccn", "tenkcn", "tenkkt", "tencum", "tenkhu", "name", "ten1"),
    "ma_huyen": ("mahuyen", "madvhc", "mahc", "districtcode", "huyen", "tenhuyen", "district",
                 "diaban"),
    "dt_qh_ha": ("dtqhha", "dientich", "dtqh", "dientichha", "dtha", "dt", "quymo", "areaha",
                 "area"),
    "trang_thai": ("trangthai", "tinhtrang", "hientrang", "status"),
    "nam_tl": ("namtl", "namthanhlap", "namqd", "nam", "year"),
    "lap_day": ("lapday", "tylelapday", "tllapday", "tlld", "occupancy"),
    "xlnt": ("xlnt", "xulynuocthai", "nuocthai", "htxlnt", "wwtp"),
    "nganh": ("nganh", "nganhnghe", "linhvuc", "industry"),
    "nguon": ("nguon", "cancu", "source"),
    "tin_cay": ("tincay", "dotincay", "confidence"),
    "hinh_hoc": ("hinhhoc", "loaihinhhoc"),
    "ghi_chu": ("ghichu", "note", "notes", "mota"),
    "ten_ascii": ("tenascii", "tenkhongdau", "nameascii"),
    "loai": ("loai", "type", "loaidvhc"),
}

# Planners' values of coded fields, folded, and the canonical code each stands for.
VALUE_NAMES: dict[str, dict[str, str]] = {
    "trang_thai": {"danghoatdong": "hoat_dong", "hoatdong": "hoat_dong",
                   "dathanhlap": "thanh_lap", "thanhlap": "thanh_lap",
                   "quyhoach": "quy_hoach", "chuathanhlap": "quy_hoach",
                   "dukien": "quy_hoach", "quyhoachmoi": "quy_hoach"},
    "xlnt": {"co": "co", "daco": "co", "x": "co", "yes": "co",
             "khong": "khong", "chua": "khong", "chuaco": "khong", "no": "khong"},
    "hinh_hoc": {"sodo": "so_do", "dodac": "do_dac"},
    "tin_cay": {"xacnhan": "xac_nhan", "suyra": "suy_ra", "giadinh": "gia_dinh"},
}

# Words in a file's name, folded, that say which layer it is.
LAYER_WORDS: dict[str, tuple[str, ...]] = {
    "kcn": ("kcn", "khucongnghiep", "khucn"),
    "ccn": ("ccn", "cumcongnghiep", "cumcn", "cum"),
    "kkt": ("kkt", "khukinhte", "cuakhau"),
    "districts": ("districts", "ranhhuyen", "ranhgioi", "huyen", "dvhc", "gadm", "adm2",
                  "district", "boundary"),
}


def fold(text: object) -> str:
    """A name reduced for comparison: no diacritics, case, spaces or punctuation."""
    return re.sub(r"[\W_]+", "", fold_diacritics(str(text))).lower()


@dataclass
class FieldInfo:
    """One field of the file: its name, type and a few distinct sample values."""

    name: str
    dtype: str
    samples: list[Any]


@dataclass
class Description:
    """What a vector file is (see :func:`describe`)."""

    file: Path
    driver: str
    count: int
    geometry_type: str | None
    fields: list[FieldInfo]
    frame: pd.DataFrame
    encoding: str | None = None
    encoding_source: str | None = None
    encoding_reason: str = ""
    encoding_problem: dict[str, str] | None = None  # an uncertain detection, in both languages
    crs: str | None = None  # "EPSG:<code>", or the CRS name
    crs_notes: list[dict[str, str]] = field(default_factory=list)
    crs_problem: dict[str, str] | None = None  # why the CRS is not settled, in both languages
    lonlat: tuple[float, float, float, float] | None = None


def describe(path: str | Path, *, plan: PlanDef, crs: str | None = None,
             encoding: str | None = None) -> Description:
    """Read any vector file kzplan supports and describe it; never refuses for its names.

    What kzplan would refuse when checking (an uncertain encoding, a CRS that is missing or
    contradicts itself) is reported in ``encoding_problem`` / ``crs_problem`` instead.
    """
    from kzplan.plan import _declared_crs, _text_notes

    path = Path(path)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*parsed incompletely", category=RuntimeWarning)
        raw = io.read_raw(path, name="?", encoding=encoding)
    _text_notes(raw)
    frame = raw.frame
    columns = [c for c in frame.columns if c != "geometry"]
    fields = []
    for c in columns:
        seen = list(dict.fromkeys(v for v in frame[c] if not _missing(v)))[:_SAMPLES]
        fields.append(FieldInfo(str(c), str(frame[c].dtype), seen))
    out = Description(file=path, driver=raw.driver, count=len(frame),
                      geometry_type=raw.geometry_type, fields=fields, frame=frame,
                      encoding=raw.encoding, encoding_source=raw.encoding_source,
                      encoding_reason=raw.encoding_reason)
    if raw.detection is not None and raw.detection.uncertain:
        shown = ", ".join(f"{c} {v:.0%}" for c, v in raw.detection.candidates[:3])
        out.encoding_problem = messages.both("describe.encoding_uncertain", candidates=shown)
    if raw.geometry_type is None or "geometry" not in frame.columns or not len(frame):
        return out
    bounds = tuple(float(b) for b in frame.geometry.total_bounds)
    try:
        resolved = kcrs.resolve_crs(_declared_crs(raw), bounds, override=crs, file=path.name,
                                    layer=path.stem, plan=plan)
    except KzplanError as err:
        out.crs_problem = {lang: err.render(lang) for lang in messages.LANGS}
        return out
    out.crs = f"EPSG:{resolved.epsg}" if resolved.epsg else resolved.crs.name
    out.crs_notes = [{lang: n.render(lang) for lang in messages.LANGS} for n in resolved.notes]
    out.lonlat = kcrs.to_lonlat_bounds(resolved.crs, bounds)
    return out


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


@dataclass
class Guess:
    """Which plan layer a file is and how its fields map, each with its evidence."""

    layer: str | None
    layer_evidence: dict[str, str]
    fields: dict[str, tuple[str, dict[str, str]]]  # canonical -> (their field, evidence)
    values: dict[str, dict[str, str]]  # canonical -> {their value: canonical value}
    missing: list[str]  # required canonical fields with no guess


def _guess_layer(desc: Description) -> tuple[str | None, dict[str, str]]:
    name = fold(desc.file.stem)
    names = {fold(f.name) for f in desc.fields}
    if desc.geometry_type is None:
        if {"mahuyen", "ten"} <= names or "huyen" in name:
            return "huyen", messages.both("describe.why.table")
        return None, messages.both("describe.why.none")
    for layer, words in LAYER_WORDS.items():
        word = next((w for w in words if w in name), None)
        if word is not None:
            return layer, messages.both("describe.why.name", word=word, name=desc.file.stem)
    for layer in ("kcn", "ccn", "kkt"):
        hit = next((f.name for f in desc.fields if layer in fold(f.name)), None)
        if hit is not None:
            return layer, messages.both("describe.why.field", field=hit)
    if any(fold(f.name) in ("name2", "gid2", "varname2", "tenhuyen") for f in desc.fields):
        return "districts", messages.both("describe.why.field", field="NAME_2/GID_2")
    return None, messages.both("describe.why.none")


def guess(desc: Description, plan: PlanDef) -> Guess:
    """Guess the plan layer, the field mapping and the value maps of a described file."""
    layer, why = _guess_layer(desc)
    if layer is None or layer == "districts":  # boundaries: units are matched by code or name
        return Guess(layer, why, {}, {}, [])
    canonical = schema.LAYER_FIELDS[layer]
    by_fold = {fold(f.name): f for f in desc.fields}
    used: set[str] = set()
    mapping: dict[str, tuple[str, dict[str, str]]] = {}
    values: dict[str, dict[str, str]] = {}
    unit_names = {units.fold_name(n): u.code for u in plan.units for n in (u.name, u.name_ascii)}
    for f in canonical:
        for word in FIELD_NAMES.get(f.name, (fold(f.name),)):
            info = by_fold.get(word)
            if info is None or info.name in used:
                continue
            used.add(info.name)
            evidence = messages.both("describe.why.field_name", field=info.name, canonical=f.name)
            mapping[f.name] = (info.name, evidence)
            break
        if f.name not in mapping:
            continue
        their = mapping[f.name][0]
        column = desc.frame[their]
        texts = sorted({v.strip() for v in column if isinstance(v, str) and v.strip()})
        if f.name == "ma_huyen" and texts and not all(t.isdigit() for t in texts):
            found = {t: unit_names[units.fold_name(t)] for t in texts
                     if units.fold_name(t) in unit_names}
            if found:
                values[f.name] = found
        elif f.domain and texts:
            known = VALUE_NAMES.get(f.name, {})
            found = {t: known[fold(t)] for t in texts if t not in f.domain and fold(t) in known}
            if found:
                values[f.name] = found
    missing = [f.name for f in canonical if f.required and f.name not in mapping]
    return Guess(layer, why, mapping, values, missing)


def _q(text: str) -> str:
    """A TOML basic string."""
    return json.dumps(text, ensure_ascii=False)


def config_text(items: list[tuple[Description, Guess]], *, target: Path, plan: PlanDef,
                lang: str) -> str:
    """A ``kzplan.toml`` for the described files: a layer per file, with every guess commented
    with its evidence and marked for the planner to confirm (``kzplan init``)."""
    t = lambda key, **kw: messages.text(key, lang, **kw)  # noqa: E731
    mark = t("init.mark")
    lines = [f"# {t('init.header', files=', '.join(d.file.name for d, _ in items))}",
             f"# {t('init.next')}", "", "[plan]", f"plan = {_q(plan.id)}", ""]
    taken: set[str] = set()
    for desc, g in items:
        rel = Path(os.path.relpath(desc.file.resolve(), target.resolve().parent)).as_posix()
        if g.layer is None or g.layer in taken:
            lines += [f"# {t('init.skipped', file=desc.file.name)} {g.layer_evidence[lang]}", ""]
            continue
        taken.add(g.layer)
        lines.append(f"[layers.{g.layer}]  # {mark}: {g.layer_evidence[lang]}")
        lines.append(f"path = {_q(rel)}")
        if desc.crs_problem:
            lines.append(f"# {t('init.crs_problem')} {desc.crs_problem[lang]}")
        elif desc.crs:
            lines.append(f"# crs = {_q(desc.crs)}  # {t('init.crs_found', crs=desc.crs)}")
        if desc.encoding_problem:
            lines.append(f"# encoding = \"?\"  # {desc.encoding_problem[lang]}")
        elif desc.encoding_source == "detected":
            lines.append(f"encoding = {_q(desc.encoding or '')}  # {mark}: "
                         f"{t('init.encoding_detected', reason=desc.encoding_reason)}")
        if g.fields:
            lines.append(f"[layers.{g.layer}.fields]")
            for canon, (their, why) in g.fields.items():
                lines.append(f"{canon} = {_q(their)}  # {mark}: {why[lang]}")
        for canon in g.missing:
            spec = schema.field_map(g.layer)[canon]
            missing = t("init.missing", field=canon, meaning=spec.vi if lang == "vi" else spec.en)
            lines.append(f"# {canon} = \"?\"  # {missing}")
        for canon, mapping in g.values.items():
            lines.append(f"[layers.{g.layer}.values.{canon}]  # {mark}: "
                         f"{t('init.values', field=g.fields[canon][0])}")
            lines += [f"{_q(k)} = {_q(v)}" for k, v in mapping.items()]
        lines.append("")
    return "\n".join(lines)


def extent_text(lonlat: tuple[float, float, float, float], lang: str) -> str:
    """``106,68–106,71°E, 14,36–14,40°N`` in Vietnamese, ``106.68–106.71°E, …`` in English."""
    from kzplan._format import fmt_number

    w, s, e, n = (fmt_number(v, lang, 2, trim=False) for v in lonlat)
    return messages.text("describe.extent", lang, w=w, e=e, s=s, n=n)


__all__ = ["Description", "FieldInfo", "Guess", "describe", "extent_text", "fold", "guess"]
