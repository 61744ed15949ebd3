"""Loading a plan: find its layers, read them, map them onto the canonical schema, reproject.

:func:`load_plan` takes a ``kzplan.toml`` configuration, a folder, a zip, a GeoPackage or single
files and returns a :class:`Plan`: the layers as GeoDataFrames in the plan's CRS (the plan definition's
default) with canonical fields and a measured area column ``dt_do_ha``, plus what was learnt while
reading (file, driver, CRS, encoding, hygiene notes) in :class:`LayerInfo`.
"""

from __future__ import annotations

import contextlib
import difflib
import html
import math
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from kzplan import crs as kcrs
from kzplan import io, messages, numtext, schema, textrepair, units
from kzplan._errors import CRSError, EncodingError, KzplanError, LayerError, SourceError
from kzplan._format import fmt_number
from kzplan.config import LayerSpec, PlanConfig, load_config
from kzplan.plandef import PlanDef, load_plandef

_EXPECTED = {
    "int": messages.raw("plan.expected.int"),
    "float": messages.raw("plan.expected.float"),
}

_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "districts": {
        "ma_huyen": ("ma_huyen", "district_code", "mahuyen", "code", "ma"),
        "ten": ("ten", "name_vi", "ten_huyen", "name"),
    },
}


@dataclass(frozen=True)
class Note:
    """A data-hygiene observation made while loading (shown as an info finding)."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str | None = None) -> str:
        """The note in ``lang``."""
        return messages.text(self.key, lang, **self.params)


@dataclass(frozen=True)
class LayerInfo:
    """What kzplan learnt while reading one layer."""

    name: str
    file: Path | None
    driver: str
    layer: str | None = None
    crs: str | None = None
    crs_source: str | None = None
    encoding: str | None = None
    encoding_source: str | None = None
    count: int = 0
    notes: tuple[Any, ...] = ()
    #: The file as reports name it, the same on every machine (see :func:`shown_path`).
    shown: str | None = None

    @property
    def label(self) -> str:
        """``file`` or ``file:layer`` for messages."""
        if self.file is None:
            return "(kzplan)"
        return f"{self.file.name}:{self.layer}" if self.layer else self.file.name


@dataclass
class Plan:
    """The plan's layers in canonical form, with how each was read."""

    config: PlanConfig
    layers: dict[str, pd.DataFrame]
    info: dict[str, LayerInfo]

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.layers[name]

    def __contains__(self, name: object) -> bool:
        return name in self.layers

    @property
    def crs(self) -> str:
        """The plan's working CRS."""
        return self.config.crs

    @property
    def definition(self) -> PlanDef:
        """The plan's definition: province, units, projection, extent, rule pack."""
        return self.config.definition

    def district_table(self) -> pd.DataFrame:
        """The units the plan allocates to (pre-2025 district-level units), from the plan's
        definition: codes, names, whether mountainous, cluster limits."""
        return builtin_districts(self.definition)

    def copy(self) -> Plan:
        """A deep copy (for what-if edits)."""
        return Plan(self.config, {k: v.copy() for k, v in self.layers.items()}, dict(self.info))

    def summary(self, lang: str | None = None) -> pd.DataFrame:
        """One row per layer: file, driver, CRS, encoding, features, total area."""
        rows = []
        for name, info in self.info.items():
            frame = self.layers[name]
            area = frame["dt_do_ha"].sum() if "dt_do_ha" in frame else np.nan
            planned = frame["dt_qh_ha"].sum() if "dt_qh_ha" in frame else np.nan
            rows.append(
                {
                    "layer": name,
                    "label": schema.LAYER_LABELS[name][lang or messages.default_lang()],
                    "file": info.label,
                    "driver": info.driver,
                    "crs": info.crs,
                    "encoding": info.encoding,
                    "features": info.count,
                    "planned_ha": planned,
                    "measured_ha": area,
                }
            )
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        table = self.summary().to_html(index=False, na_rep="", float_format=lambda v: f"{v:,.2f}")
        title = html.escape(self.config.name)
        return f"<div><strong>kzplan plan: {title}</strong> (CRS {html.escape(self.crs)})" \
               f"{table}</div>"

    def __repr__(self) -> str:
        parts = ", ".join(f"{k}={len(v)}" for k, v in self.layers.items())
        return f"<Plan {self.config.name!r} {parts}>"


def builtin_districts(definition: PlanDef | None = None) -> pd.DataFrame:
    """The units of a plan's definition (the default plan's when None) as a table."""
    definition = definition if definition is not None else load_plandef()
    return pd.DataFrame(definition.units_records())


# --- finding the layers ------------------------------------------------------------------------


def bundled_path() -> Path:
    """The folder of the bundled plan (``geodata/``)."""
    here = Path(__file__).resolve().parent
    for cand in (here.parent / "geodata", here / "geodata"):
        if (cand / "kzplan.toml").exists():
            return cand
    msg_path = here.parent / "geodata"
    raise SourceError("io.missing", file=str(msg_path / "kzplan.toml"), hint="")


def _layer_name(path: Path, *, loose: bool = False) -> str | None:
    """The layer a file is, by its name: ``ccn.shp``; with ``loose``, also ``ccn_clean.shp``."""
    stem = path.stem.lower()
    if stem in schema.ALL_LAYERS:
        return stem
    if loose:
        for name in schema.ALL_LAYERS:
            if stem.startswith((f"{name}_", f"{name}-", f"{name}.")):
                return name
    return None


def _scan_folder(folder: Path, *, reader: str = io.DEFAULT_READER) -> dict[str, LayerSpec]:
    """The layers of a folder, by file (and GeoPackage layer) name. Two files that could be the
    same layer (``CCN.SHP`` and ``ccn.shp``, ``ccn.shp`` and a GeoPackage with a ``ccn`` layer)
    refuse the folder: kzplan does not guess which one is meant."""
    found: dict[str, LayerSpec] = {}
    entries = sorted(folder.iterdir())
    shp_stems = {p.stem.lower() for p in entries if p.suffix.lower() == ".shp"}
    for path in entries:
        suffix = path.suffix.lower()
        if suffix in _PARQUET_SUFFIXES and _layer_name(path) in schema.LOT_LAYERS:
            found.setdefault(path.stem.lower(), LayerSpec(name=path.stem.lower(), path=path))
            continue
        if suffix not in io.VECTOR_SUFFIXES or suffix == ".zip" or path.name.startswith("."):
            continue
        if suffix == ".gpkg":
            for name in io.list_layers(path, reader=reader):
                if name in schema.ALL_LAYERS:
                    _add_unique(found, LayerSpec(name=name, path=path, layer=name))
            continue
        name = _layer_name(path)
        if name is None or (suffix == ".dbf" and path.stem.lower() in shp_stems):
            continue
        _add_unique(found, LayerSpec(name=name, path=path))
    return found


def _spec_label(spec: LayerSpec) -> str:
    return f"{spec.path.name}:{spec.layer}" if spec.layer else spec.path.name


def _add_unique(found: dict[str, LayerSpec], spec: LayerSpec) -> None:
    """Add ``spec`` to ``found``, refusing a second source for the same layer."""
    if (first := found.get(spec.name)) is not None:
        raise SourceError("plan.duplicate_layer", layer=spec.name, first=str(first.path),
                          second=str(spec.path), first_name=_spec_label(first),
                          second_name=_spec_label(spec))
    found[spec.name] = spec


def _specs_for(path: Path, *, reader: str = io.DEFAULT_READER
               ) -> tuple[PlanConfig, dict[str, LayerSpec]]:
    """The configuration and layer specs for one command-line path."""
    if path.is_dir():
        toml = path / "kzplan.toml"
        if toml.exists():
            cfg = load_config(toml)
            return cfg, dict(cfg.layers)
        specs = _scan_folder(path, reader=reader)
        if not specs:
            raise SourceError("plan.no_layers", path=str(path))
        return PlanConfig(source=None), specs
    if not path.exists():
        raise SourceError("io.missing", file=str(path), hint="")
    suffix = path.suffix.lower()
    if suffix == ".toml":
        cfg = load_config(path)
        return cfg, dict(cfg.layers)
    if suffix == ".gpkg":
        specs = {
            n: LayerSpec(name=n, path=path, layer=n)
            for n in io.list_layers(path, reader=reader)
            if n in schema.ALL_LAYERS
        }
        if not specs:
            raise SourceError("plan.no_layers", path=str(path))
        return PlanConfig(), specs
    name = _layer_name(path, loose=True)
    if suffix in _PARQUET_SUFFIXES and name in schema.LOT_LAYERS:
        return PlanConfig(), {name: LayerSpec(name=name, path=path)}
    if suffix not in io.VECTOR_SUFFIXES:
        raise SourceError("io.unsupported", file=str(path), suffix=suffix)
    if name is None:
        raise SourceError("plan.unknown_file_layer", file=str(path))
    return PlanConfig(), {name: LayerSpec(name=name, path=path)}


Root = tuple[Path, str]
"""A plan's source root: a folder, and the name reports give it (see :func:`shown_path`)."""


def _root_of(path: Path) -> Root:
    """The source root of a command-line path: the folder itself, or the folder of the file."""
    folder = path if path.is_dir() else path.parent
    folder = folder.resolve()
    return folder, folder.name


def shown_path(file: Path, root: Root | None) -> str:
    """How reports and the map name an input file, the same on every machine.

    The rule: ``<name of the plan's folder>/<path of the file inside it>``, with ``/``. The plan's
    folder is the one holding its ``kzplan.toml``, the folder given on the command line, or the
    folder of a file given alone; a zip is a folder named after the zip. The bundled plan's
    ``kcn.shp`` is ``geodata/kcn.shp``, ``kzplan run thu_muc/`` names ``thu_muc/edits/cum.shp``,
    ``kzplan run ke_hoach.zip`` names ``ke_hoach.zip/ccn.shp``. A file outside the plan's folder
    (``../chung/ranh_huyen.gpkg``) is named by its own folder and name (``chung/ranh_huyen.gpkg``).
    Never an absolute path: reports are committed and shared, and where the plan sat on the
    machine that checked it is noise there (and private).
    """
    file = Path(file)
    resolved = file.resolve()
    if root is not None:
        folder, label = root
        if resolved.is_relative_to(folder):
            return "/".join((label, *resolved.relative_to(folder).parts))
    return "/".join(part for part in (resolved.parent.name, resolved.name) if part)


def _source_specs(arg: str | Path, stack: contextlib.ExitStack, *, name: str | None = None,
                  reader: str = io.DEFAULT_READER
                  ) -> tuple[PlanConfig, dict[str, LayerSpec], Root]:
    """Configuration, layer specs and source root for one source argument (zips are extracted
    into ``stack``)."""
    given, path = parse_layer_arg(str(arg))
    name = name or given
    if path.suffix.lower() == ".zip":
        if not path.exists():
            raise SourceError("io.missing", file=str(path), hint="")
        folder = stack.enter_context(io.opened_zip(path))
        root = (Path(folder).resolve(), path.name)
        cfg, specs = _zip_specs(path, folder)
        if name is None:
            return cfg, specs, root
        return PlanConfig(), {name: replace(next(iter(specs.values())), name=name)}, root
    if name is not None:
        return PlanConfig(), {name: LayerSpec(name=name, path=path)}, _root_of(path)
    cfg, specs = _specs_for(path, reader=reader)
    if cfg.source is not None:
        return cfg, specs, _root_of(Path(cfg.source))
    return cfg, specs, _root_of(path)


def parse_layer_arg(arg: str) -> tuple[str | None, Path]:
    """``ccn=path/to/file.shp`` -> ("ccn", path); a plain path -> (None, path)."""
    name, sep, rest = arg.partition("=")
    if sep and name in schema.ALL_LAYERS:
        return name, Path(rest)
    return None, Path(arg)


# --- canonical schema --------------------------------------------------------------------------


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value).strip()
        return value or None
    return value


def _feature_id(frame: pd.DataFrame, i: int) -> str:
    if "ma" in frame.columns:
        value = frame["ma"].iloc[i]
        if isinstance(value, str) and value:
            return f"#{i + 1} ({value})"
    return f"#{i + 1}"


Pending = dict[str, dict[int, tuple[str, tuple[float, ...]]]]
"""Ambiguous text numbers by field and row: the text and its two readings (see
:func:`kzplan.numtext.readings`), settled once the measured areas are known."""


def _missing_fields(missing: list[schema.Field], unused: list[str], *, file: str, layer: str,
                    available: str) -> LayerError:
    """All the required fields a layer lacks, at once, each with the closest unused field name
    in the file (a planner's ``DIENTICH`` for ``dt_qh_ha`` is found by ``kzplan init``)."""
    items: dict[str, str] = {}
    for lang in messages.LANGS:
        parts = []
        for f in missing:
            close = difflib.get_close_matches(f.name.lower(), [u.lower() for u in unused], n=1,
                                              cutoff=0.5)
            hint = next((u for u in unused if close and u.lower() == close[0]), None)
            meaning = f.vi if lang == "vi" else f.en
            parts.append(messages.text("schema.missing_item" + (".close" if hint else ""), lang,
                                       field=f.name, meaning=meaning, close=hint or ""))
        items[lang] = "; ".join(parts)
    example = ", ".join(f'{f.name} = "…"' for f in missing[:3])
    return LayerError("schema.missing_fields", file=file, layer=layer, count=len(missing),
                      items=items, available=available or "-", example=example)


def _map_values(frame: pd.DataFrame, spec: LayerSpec, notes: list[Note]) -> pd.DataFrame:
    """Translate a planner's values into the canonical ones (``values`` under ``[layers.X]``:
    ``trang_thai = { "Đang hoạt động" = "hoat_dong" }``), comparing NFC text without case."""
    for fname, mapping in getattr(spec, "values", {}).items():
        if fname not in frame.columns or not mapping:
            continue
        table = {unicodedata.normalize("NFC", str(k)).strip().casefold(): v
                 for k, v in mapping.items()}
        count = 0
        values = []
        for v in frame[fname]:
            key = unicodedata.normalize("NFC", v).strip().casefold() if isinstance(v, str) else None
            if key in table:
                count += 1
                values.append(table[key])
            else:
                values.append(v)
        frame[fname] = pd.Series(values, index=frame.index, dtype=object)
        if count:
            notes.append(Note("note.values_mapped", {"field": fname, "count": count}))
    return frame


def _canonicalise(raw: io.RawLayer, spec: LayerSpec,
                  raw_numbers: Mapping[str, list[str | None]] | None = None,
                  pending: Pending | None = None) -> tuple[pd.DataFrame, list[Note]]:
    """Map ``raw`` onto the canonical fields. ``raw_numbers`` are the raw texts of a DBF's numeric
    fields (unreadable values are refused, never read as 0); ambiguous text numbers go to
    ``pending`` (NaN until :func:`_settle_readings`)."""
    pending = {} if pending is None else pending
    frame = raw.frame
    name = spec.name
    file = str(raw.file) + (f":{raw.layer}" if raw.layer else "")
    fields = schema.LAYER_FIELDS[name]
    lower = {str(c).lower(): c for c in frame.columns if c != "geometry"}
    available = ", ".join(str(c) for c in frame.columns if c != "geometry")
    rename: dict[str, str] = {}
    missing: list[schema.Field] = []
    for f in fields:
        if f.name in spec.fields:
            source = spec.fields[f.name]
            match = lower.get(source.lower())
            if match is None:
                raise LayerError(
                    "schema.mapped_field_missing", file=file, layer=name, field=f.name,
                    source=source, available=available,
                )
            rename[match] = f.name
            continue
        candidates = _ALIASES.get(name, {}).get(f.name, (f.name,))
        match = next((lower[c] for c in candidates if c in lower), None)
        if match is not None:
            rename[match] = f.name
        elif f.required:
            missing.append(f)
    if missing:
        raise _missing_fields(missing, [str(c) for c in frame.columns
                                        if c != "geometry" and c not in rename],
                              file=file, layer=name, available=available)
    out = frame.rename(columns=rename)
    out = _map_values(out, spec, notes_out := [])
    source_of = {v: str(k) for k, v in rename.items()}
    notes: list[Note] = list(notes_out)
    unreadable: list[tuple[str, str, Any]] = []
    for f in fields:
        if f.name not in out.columns:
            out[f.name] = None
            continue
        column = out[f.name]
        if f.type == "str":
            values = [_nfc(v) for v in column]
            if f.name == "ma_huyen":
                values = [
                    (f"{int(v):03d}" if isinstance(v, (int, float, np.integer, np.floating))
                     and not pd.isna(v) else v)
                    for v in values
                ]
                values = [v.zfill(3) if isinstance(v, str) and v.isdigit() else v for v in values]
            out[f.name] = pd.Series(values, index=out.index, dtype=object)
            continue
        if pd.api.types.is_bool_dtype(column) or pd.api.types.is_datetime64_any_dtype(column) \
                or any(isinstance(v, (bool, np.bool_, pd.Timestamp)) for v in column):
            raise LayerError("schema.wrong_field_type", file=file, layer=name, field=f.name,
                             source=source_of.get(f.name, f.name), dtype=str(column.dtype),
                             expected=_EXPECTED[f.type])
        was_text = column.dtype == object
        raw_text = raw_numbers.get(source_of.get(f.name, f.name)) if raw_numbers else None
        parsed: list[float | None] = []
        for i, value in enumerate(column):
            text = raw_text[i] if raw_text is not None and i < len(raw_text) else None
            if raw_text is not None and not numtext.dbf_readable(text):
                unreadable.append((_feature_id(out, i), f.name, text))
                parsed.append(None)
                continue
            try:
                found = numtext.readings(value)
            except ValueError:
                unreadable.append((_feature_id(out, i), f.name, value))
                parsed.append(None)
                continue
            if len(found) == 2:
                pending.setdefault(f.name, {})[i] = (str(value).strip(), found)
                parsed.append(None)
                continue
            number = found[0] if found else None
            if f.type == "int" and number is not None and number != int(number):
                raise LayerError(
                    "schema.wrong_type", file=file, layer=name, feature=_feature_id(out, i),
                    field=f.name, value=value, expected=_EXPECTED["int"],
                )
            parsed.append(number)
        if was_text and any(isinstance(v, str) and v.strip() for v in column):
            notes.append(Note("note.value_coerced", {"field": f.name}))
        series = pd.Series(parsed, index=out.index, dtype="float64")
        out[f.name] = series if f.type == "float" or f.name in pending \
            else series.astype("Int64")
    if unreadable:
        raise LayerError("schema.unreadable_numbers", file=file, layer=name,
                         count=len(unreadable), items="; ".join(
                             f"{feature} {fld}={value!r}" for feature, fld, value in unreadable))
    ordered = [f.name for f in fields] + [
        c for c in out.columns if c not in {f.name for f in fields} and c != "geometry"
    ]
    if "geometry" in out.columns:
        ordered.append("geometry")
    return out[ordered], notes


def _dbf_numbers(raw: io.RawLayer) -> dict[str, list[str | None]] | None:
    """The raw text of a shapefile's (or DBF's) numeric fields, keyed by the frame's column names;
    None for other formats (their numbers are typed by the format itself)."""
    if raw.file.suffix.lower() not in (".shp", ".dbf"):
        return None
    dbf = raw.file if raw.file.suffix.lower() == ".dbf" else io._sibling(raw.file, ".dbf")
    if dbf is None:
        return None
    texts = numtext.dbf_numeric_text(dbf)
    by_lower = {k.lower(): v for k, v in texts.items()}
    out = {str(c): by_lower[str(c).lower()] for c in raw.frame.columns
           if str(c).lower() in by_lower}
    return {k: v for k, v in out.items() if len(v) == len(raw.frame)}


_RANGES = {"lap_day": (0.0, 100.0)}


def _settle_readings(frame: pd.DataFrame, pending: Pending, *, file: str, layer: str
                     ) -> list[Note]:
    """Settle ambiguous text numbers (``16.000``: sixteen thousand or sixteen): an area by the
    feature's measured area (:data:`kzplan.numtext.AREA_READING_TOLERANCE_PCT`), an integer field
    by the reading that is whole, a percentage by the one in 0–100. Exactly one reading must fit;
    otherwise the layer is refused naming the feature and both readings."""
    notes: list[Note] = []
    types = {f.name: f.type for f in schema.LAYER_FIELDS[layer]}
    for fname, cells in pending.items():
        values = frame[fname].astype("float64").to_numpy(copy=True)
        for i, (text, found) in sorted(cells.items()):
            feature = _feature_id(frame, i)
            both = {lang: " / ".join(fmt_number(r, lang, 3) for r in found)
                    for lang in messages.LANGS}
            measured = float(frame["dt_do_ha"].iloc[i]) if fname == "dt_qh_ha" \
                and "dt_do_ha" in frame else math.nan
            if fname == "dt_qh_ha":
                fit = [r for r in found if numtext.fits_area(r, measured)]
            elif types.get(fname) == "int":
                fit = [r for r in found if r == int(r)]
            elif fname in _RANGES:
                lo, hi = _RANGES[fname]
                fit = [r for r in found if lo <= r <= hi]
            else:
                fit = []
            if len(fit) != 1:
                key = "schema.ambiguous_number_area" if fname == "dt_qh_ha" \
                    else "schema.ambiguous_number"
                raise LayerError(key, file=file, layer=layer, feature=feature, field=fname,
                                 text=text, readings=both,
                                 measured={lg: fmt_number(measured, lg) for lg in messages.LANGS},
                                 tolerance_pct={lg: fmt_number(numtext.AREA_READING_TOLERANCE_PCT,
                                                               lg) for lg in messages.LANGS})
            values[i] = fit[0]
            reason = "area" if fname == "dt_qh_ha" else ("int" if types.get(fname) == "int"
                                                          else "range")
            other = next(r for r in found if r != fit[0])
            notes.append(Note(f"note.number_reading.{reason}", {
                "feature": feature, "field": fname, "text": text,
                "value": {lg: fmt_number(fit[0], lg, 3) for lg in messages.LANGS},
                "other": {lg: fmt_number(other, lg, 3) for lg in messages.LANGS},
                "measured": {lg: fmt_number(measured, lg) for lg in messages.LANGS},
            }))
        series = pd.Series(values, index=frame.index, dtype="float64")
        frame[fname] = series.astype("Int64") if types.get(fname) == "int" else series
    return notes


def _text_notes(raw: io.RawLayer) -> list[Note]:
    """Repair double-encoded UTF-8 in ``raw``'s text (in place) and flag look-alike letters and
    ``?`` replacement characters (see :mod:`kzplan.textrepair`)."""
    frame = raw.frame
    cols = [c for c in frame.columns if c != "geometry"
            and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))]
    fixed, found = textrepair.scan(((str(c), list(frame[c])) for c in cols),
                                   fix=raw.encoding == "utf-8")
    for c in cols:
        if found.repaired.get(str(c)):
            frame[c] = pd.Series(fixed[str(c)], index=frame.index, dtype=object)
    notes: list[Note] = []
    for key, counts, example in (
            ("note.mojibake_repaired", found.repaired, found.repaired_example),
            ("note.lookalike_letters", found.lookalike, found.lookalike_example),
            ("note.replacement_chars", found.replacement, found.replacement_example)):
        if counts:
            before, after = example if isinstance(example, tuple) else (example, "")
            notes.append(Note(key, {"count": sum(counts.values()), "fields": ", ".join(counts),
                                    "example": before, "repaired": after}))
    return notes


def _check_detection(raw: io.RawLayer, *, file: str, layer: str) -> None:
    """Refuse a detected encoding too weak to build on (nothing may be read, or cleaned, from a
    guess): name the candidates and how to settle it with ``--encoding``."""
    detection = raw.detection
    if raw.encoding_source != "detected" or detection is None or not detection.uncertain:
        return
    shown = [(c, v) for c, v in detection.candidates if v > 0][:3] or detection.candidates[:2]
    candidates = {lang: ", ".join(f"{c} ({fmt_number(v * 100, lang, 0)} %)" for c, v in shown)
                  for lang in messages.LANGS}
    raise EncodingError("encoding.uncertain", file=file, layer=layer, candidates=candidates,
                        best=shown[0][0] if shown else "utf-8")


def _match_units(raw: io.RawLayer, spec: LayerSpec, plan: PlanDef, *, file: str) -> list[Note]:
    """Give a district boundary file the plan's unit codes (by code, else by name; see
    :mod:`kzplan.units`) and keep only the plan's units of a wider file (in place)."""
    if spec.name != "districts" or "ma_huyen" in spec.fields:
        return []
    found = units.match(raw.frame, plan, file=file)
    frame = raw.frame
    keep = [c is not None for c in found.codes]
    frame = frame.loc[keep].copy()
    frame = frame.drop(columns=[c for c in frame.columns
                                if str(c).lower() == "ma_huyen" and c != found.column])
    frame["ma_huyen"] = [c for c in found.codes if c is not None]
    raw.frame = frame.reset_index(drop=True)
    notes: list[Note] = []
    if found.how == "name":
        notes.append(Note("note.units_by_name", {"column": found.column}))
    if found.dropped:
        notes.append(Note("note.units_picked", {"kept": int(sum(keep)), "total": len(keep)}))
    if found.absent:
        notes.append(Note("note.units_absent", {"count": len(found.absent),
                                                "codes": ", ".join(found.absent)}))
    return notes


def _declared_crs(raw: io.RawLayer) -> Any:
    """The CRS a layer declares. For a shapefile, the ``.prj``'s own WKT when it carries an
    authority code: GDAL answers with the code alone (``EPSG:3405``) and so hides a code that
    contradicts the WKT's parameters, which :func:`kzplan.crs.resolve_crs` must see. A ``.prj``
    that cannot be read is declared as such (:class:`kzplan.crs.UnreadablePrj`)."""
    if raw.prj_file is not None:
        return kcrs.UnreadablePrj(file=str(raw.prj_file), sample=raw.prj_sample or "")
    if raw.file.suffix.lower() == ".shp":
        prj = io._sibling(raw.file, ".prj")
        if prj is not None:
            with contextlib.suppress(OSError):
                data = prj.read_bytes().removeprefix(b"\xef\xbb\xbf")
                text = data.decode("utf-8", errors="replace").strip()
                if re.search(r'(AUTHORITY|ID)\[\s*"EPSG"', text, re.IGNORECASE):
                    return text
    return raw.declared_crs


_POLYGONAL = {"Polygon", "MultiPolygon", "Polygon Z", "MultiPolygon Z", "Polygon M",
              "MultiPolygon M", "Polygon ZM", "MultiPolygon ZM", "Unknown", "Geometry",
              "GeometryCollection"}


def _read_layer(spec: LayerSpec, config: PlanConfig, *, crs: str | None,
                encoding: str | None, reader: str = io.DEFAULT_READER, root: Root | None = None
                ) -> tuple[pd.DataFrame, LayerInfo]:
    with warnings.catch_warnings():
        # GDAL warns that "abc" in a numeric DBF field was "parsed incompletely to real 0":
        # kzplan reads those fields' raw text itself (see _dbf_numbers) and refuses such values.
        warnings.filterwarnings("ignore", message=".*parsed incompletely", category=RuntimeWarning)
        raw = (_read_lots_raw(spec, encoding=spec.encoding or encoding, reader=reader)
               if spec.name in schema.LOT_LAYERS else
               io.read_raw(spec.path, name=spec.name, layer=spec.layer,
                           encoding=spec.encoding or encoding, reader=reader))
    file = str(raw.file) + (f":{raw.layer}" if raw.layer else "")
    shown = shown_path(raw.file, root)
    if len(raw.frame) == 0:
        raise LayerError("io.empty", file=file, layer=spec.name)
    notes: list[Any] = []
    if raw.encoding_source == "detected":
        notes.append(Note("note.encoding_detected",
                          {"encoding": raw.encoding, "reason": raw.encoding_reason}))
    _check_detection(raw, file=file, layer=spec.name)
    if raw.encoding in ("tcvn3", "vni", "cp1258", "viscii"):
        notes.append(Note("note.encoding_legacy", {"encoding": raw.encoding}))
    notes.extend(_text_notes(raw))
    notes.extend(_match_units(raw, spec, config.definition, file=file))
    pending: Pending = {}
    frame, more = (_canonicalise_lots(raw, spec) if spec.name in schema.LOT_LAYERS
                   else _canonicalise(raw, spec, _dbf_numbers(raw), pending))
    notes.extend(more)
    crs_label, crs_source = None, None
    if spec.name in schema.TABLE_LAYERS:
        frame = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
    else:
        if not isinstance(frame, gpd.GeoDataFrame) or raw.geometry_type is None:
            raise LayerError("io.no_geometry", file=file, layer=spec.name)
        if raw.geometry_type not in _POLYGONAL:
            raise LayerError("io.not_polygon", file=file, layer=spec.name,
                             geometry_type=raw.geometry_type)
        _check_coordinates(frame, file=file, layer=spec.name)
        bounds = frame.geometry.total_bounds
        try:
            resolved = kcrs.resolve_crs(
                _declared_crs(raw), tuple(float(b) for b in bounds),
                override=crs or spec.crs, file=file, layer=spec.name, plan=config.definition,
            )
        except CRSError:
            _refuse_far_features(frame, _declared_crs(raw), override=crs or spec.crs, file=file,
                                 layer=spec.name, plan=config.definition)
            raise
        # Errors name the file as given (for the terminal); notes go into the reports, so they
        # name it as reports do.
        shown_file = shown + (f":{raw.layer}" if raw.layer else "")
        notes.extend(replace(n, params={**n.params, "file": shown_file})
                     if n.params.get("file") == file else n for n in resolved.notes)
        frame = frame.set_crs(resolved.crs, allow_override=True).to_crs(config.crs)
        frame["dt_do_ha"] = kcrs.area_ha(frame.geometry)
        crs_label = f"EPSG:{resolved.epsg}" if resolved.epsg else resolved.crs.name
        crs_source = resolved.source
    if pending:
        notes.extend(_settle_readings(frame, pending, file=file, layer=spec.name))
    info = LayerInfo(
        name=spec.name, file=raw.file, driver=raw.driver, layer=raw.layer, crs=crs_label,
        crs_source=crs_source, encoding=raw.encoding, encoding_source=raw.encoding_source,
        count=len(frame), notes=tuple(notes), shown=shown,
    )
    return frame.reset_index(drop=True), info


# --- the lot layer (lo_dat): large, so read through Arrow and mapped column by column ---------

_PARQUET_SUFFIXES = (".parquet", ".geoparquet")


def _parquet_driver() -> bool:
    """Whether this GDAL reads (Geo)Parquet."""
    import pyogrio

    return "Parquet" in pyogrio.list_drivers()


def _read_lots_raw(spec: LayerSpec, *, encoding: str | None, reader: str) -> io.RawLayer:
    """The lot layer as read: GeoParquet through GDAL's Parquet driver when this GDAL has it,
    else geopandas with pyarrow; a GeoPackage through pyogrio's Arrow path; anything else (a
    shapefile's DBF text needs kzplan's encoding policy) through :func:`kzplan.io.read_raw`."""
    path = spec.path
    suffix = path.suffix.lower()
    if not path.exists():
        raise SourceError("io.missing", file=str(path), hint="")
    if suffix not in _PARQUET_SUFFIXES and (suffix != ".gpkg" or reader != "pyogrio"):
        return io.read_raw(path, name=spec.name, layer=spec.layer, encoding=encoding,
                           reader=reader)
    import pyogrio

    layer = spec.layer
    try:
        if suffix == ".gpkg":
            available = io.list_layers(path, reader=reader)
            layer = layer or (spec.name if spec.name in available or len(available) != 1
                              else available[0])
            if layer not in available:
                raise SourceError("io.gpkg_layer_missing", file=str(path), layer=layer,
                                  name=spec.name, available=available)
        if suffix == ".gpkg" or _parquet_driver():
            frame = pyogrio.read_dataframe(path, layer=layer, use_arrow=True)
            info = pyogrio.read_info(path, layer=layer)
            declared, gtype = info.get("crs"), info.get("geometry_type")
            driver = str(info.get("driver") or "GPKG")
        else:
            frame = gpd.read_parquet(path)
            declared = frame.crs.to_wkt() if frame.crs is not None else None
            types = set(frame.geom_type.dropna().unique())
            gtype = next(iter(types)) if len(types) == 1 else "Unknown"
            driver = "Parquet"
    except SourceError:
        raise
    except Exception as exc:  # any reading failure is one line for the user
        raise SourceError("io.unreadable", file=str(path), layer=spec.name, reason=exc) from None
    return io.RawLayer(frame=frame, file=path, layer=layer if suffix == ".gpkg" else None,
                       driver=driver, declared_crs=declared, geometry_type=gtype,
                       encoding="utf-8", encoding_source="format",
                       encoding_reason="GeoPackage/GeoParquet text is UTF-8")


def _canonicalise_lots(raw: io.RawLayer, spec: LayerSpec) -> tuple[pd.DataFrame, list[Note]]:
    """:func:`_canonicalise` for the lot layer, vectorised (a province has millions of lots):
    the same field mapping, NFC text, and the same refusal of a value that is not a number."""
    frame = raw.frame
    fields = schema.LOT_FIELDS
    file = str(raw.file) + (f":{raw.layer}" if raw.layer else "")
    lower = {str(c).lower(): c for c in frame.columns if c != "geometry"}
    available = ", ".join(str(c) for c in frame.columns if c != "geometry")
    rename: dict[str, str] = {}
    missing: list[schema.Field] = []
    for f in fields:
        source = spec.fields.get(f.name, f.name)
        match = lower.get(source.lower())
        if match is None and f.name in spec.fields:
            raise LayerError("schema.mapped_field_missing", file=file, layer=spec.name,
                             field=f.name, source=source, available=available)
        if match is None and f.required:
            missing.append(f)
        if match is not None:
            rename[match] = f.name
    if missing:  # all at once, each with the closest field name in the file
        unused = [str(c) for c in frame.columns if c != "geometry" and c not in rename]
        raise _missing_fields(missing, unused, file=file, layer=spec.name, available=available)
    out = frame.rename(columns=rename)
    notes: list[Note] = []
    for f in fields:
        if f.name not in out.columns:
            out[f.name] = pd.Series(None, index=out.index,
                                    dtype=object if f.type == "str" else "float64")
            continue
        column = out[f.name]
        if f.type == "str":
            text = column.astype(object).where(column.notna(), None)
            text = text.map(lambda v: v if v is None or isinstance(v, str) else str(v))
            text = text.str.normalize("NFC").str.strip()
            out[f.name] = text.where(text.notna() & (text != ""), None).astype(object)
            continue
        numbers = pd.to_numeric(column, errors="coerce")
        bad = numbers.isna() & column.notna()
        if column.dtype == object and bad.any():
            # Text such as "1,25" or "1.729,72": the per-value parser decides, or refuses.
            for i in np.flatnonzero(bad.to_numpy()):
                try:
                    read = numtext.readings(column.iloc[i])
                    if len(read) > 1:  # "2.500": 2500 or 2,5? A lot's area does not settle it
                        raise ValueError(column.iloc[i])  # noqa: TRY301
                    numbers.iloc[i] = read[0] if read else np.nan
                except ValueError:
                    raise LayerError("schema.wrong_type", file=file, layer=spec.name,
                                     feature=f"#{i + 1}", field=f.name, value=column.iloc[i],
                                     expected=_EXPECTED[f.type]) from None
        if column.dtype == object and column.notna().any():
            notes.append(Note("note.value_coerced", {"field": f.name}))
        out[f.name] = numbers.astype("float64")
    names = [f.name for f in fields]
    ordered = names + [c for c in out.columns if c not in names and c != "geometry"]
    if "geometry" in out.columns:
        ordered.append("geometry")
    return out[ordered], notes


def _check_coordinates(frame: gpd.GeoDataFrame, *, file: str, layer: str) -> None:
    """Refuse NaN or infinite coordinates, naming the first feature that has them."""
    import shapely

    coords, index = shapely.get_coordinates(frame.geometry.values, return_index=True)
    bad = ~np.isfinite(coords).all(axis=1)
    if bad.any():
        i = int(index[np.argmax(bad)])
        raise LayerError("io.bad_coordinates", file=file, layer=layer,
                         feature=_feature_id(frame, i), count=int(len(set(index[bad]))))


def _refuse_far_features(frame: gpd.GeoDataFrame, declared: Any, *, override: str | None,
                         file: str, layer: str, plan: PlanDef) -> None:
    """When a layer's CRS cannot be resolved because a few features lie far from the rest (a
    cluster at 0,0), name those features instead of blaming the CRS. Returns when that is not
    the reason (the caller re-raises the CRS error)."""
    bounds = frame.geometry.bounds.to_numpy(dtype=float)
    ok = np.isfinite(bounds).all(axis=1)
    if ok.sum() < 3:
        return
    centres = np.column_stack([(bounds[:, 0] + bounds[:, 2]) / 2,
                               (bounds[:, 1] + bounds[:, 3]) / 2])
    centre = np.nanmedian(centres[ok], axis=0)
    dist = np.hypot(*(centres - centre).T)
    spread = float(np.nanmedian(dist[ok])) or 1.0
    far = ok & (dist > 20 * spread)
    if not far.any() or far.sum() > max(1, len(frame) // 4):
        return
    rest = bounds[ok & ~far]
    near = (float(rest[:, 0].min()), float(rest[:, 1].min()), float(rest[:, 2].max()),
            float(rest[:, 3].max()))
    try:
        kcrs.resolve_crs(declared, near, override=override, file=file, layer=layer, plan=plan)
    except KzplanError:
        return
    ids = [_feature_id(frame, int(i)) for i in np.flatnonzero(far)[:5]]
    x, y = centres[int(np.flatnonzero(far)[0])]
    raise LayerError("plan.far_feature", file=file, layer=layer, features=", ".join(ids),
                     count=int(far.sum()), x=f"{x:.1f}", y=f"{y:.1f}")


def load_plan(
    source: str | Path | Iterable[str | Path] | None = None,
    *,
    crs: str | None = None,
    encoding: str | None = None,
    districts: str | Path | None = None,
    config: PlanConfig | None = None,
    before_read: Callable[[PlanConfig], object] | None = None,
    reader: str | None = None,
) -> Plan:
    """Load a plan.

    Parameters
    ----------
    source
        A ``kzplan.toml``, a folder (with a ``kzplan.toml`` or files named after the layers), a
        zip, a GeoPackage, a single file, or several of these; ``name=path`` says which layer a
        file is. ``None`` loads the bundled plan.
    crs
        CRS for layers whose files do not declare one (wins over the files), e.g. ``"EPSG:9218"``.
    encoding
        Attribute encoding for shapefiles without a ``.cpg`` (otherwise it is detected).
    districts
        A district boundary layer (any supported format and CRS) to add to the configuration.
    config
        A configuration to use instead of reading one.
    before_read
        Called with the configuration before any layer is read (e.g. to validate the rule
        pack first, so that a bad rule file fails before any data is touched).
    reader
        The engine that reads the files: ``"pyogrio"`` (default) or ``"fiona"``; both give the
        same plan. Wins over ``reader = "…"`` under ``[plan]`` in ``kzplan.toml``.

    Examples
    --------
    >>> plan = load_plan()  # the bundled plan
    >>> plan["ccn"][["ma", "ten", "dt_qh_ha", "dt_do_ha"]].head()  # doctest: +SKIP
    """
    if reader is not None:
        io.check_reader(reader)  # an unknown engine fails before anything is opened
    if source is None:
        source = [bundled_path()]
    elif isinstance(source, (str, Path)):
        source = [source]
    with contextlib.ExitStack() as stack:
        cfg = config
        specs: dict[str, LayerSpec] = dict(config.layers) if config else {}
        given_root = _root_of(Path(config.source)) if config and config.source else None
        roots: dict[str, Root | None] = dict.fromkeys(specs, given_root)
        for item in source:
            sub_cfg, sub_specs, root = _source_specs(item, stack,
                                                     reader=reader or io.DEFAULT_READER)
            # The first source sets the plan's settings; a real kzplan.toml wins over defaults.
            if cfg is None or (cfg.source is None and sub_cfg.source is not None):
                cfg = sub_cfg
            specs.update(sub_specs)
            roots.update(dict.fromkeys(sub_specs, root))
        if cfg is None:
            cfg = PlanConfig()
        if districts is not None:
            _, sub_specs, root = _source_specs(districts, stack, name="districts")
            specs.update(sub_specs)
            roots.update(dict.fromkeys(sub_specs, root))
        cfg = replace(cfg, layers=specs)
        engine = io.check_reader(reader or cfg.reader)
        if before_read is not None:
            before_read(cfg)
        layers: dict[str, pd.DataFrame] = {}
        infos: dict[str, LayerInfo] = {}
        for name in schema.ALL_LAYERS:
            if name not in specs:
                continue
            try:
                frame, info = _read_layer(specs[name], cfg, crs=crs, encoding=encoding,
                                          reader=engine, root=roots.get(name))
            except KzplanError as err:
                raise _named_as_given(err, roots.get(name)) from None
            layers[name], infos[name] = frame, info
    return Plan(cfg, layers, infos)


def _inside_zip(cfg: PlanConfig, zip_path: Path, folder: Path) -> None:
    """Refuse a zipped ``kzplan.toml`` whose paths lead out of the zip."""
    root = Path(folder).resolve()
    paths = [(name, spec.path) for name, spec in cfg.layers.items()]
    paths += [("rule_pack", Path(cfg.rule_pack))] if cfg.rule_pack.endswith(".toml") else []
    paths += [("plan", Path(cfg.plan))] if cfg.plan and Path(cfg.plan).is_absolute() else []
    for name, path in paths:
        if not Path(path).resolve().is_relative_to(root):
            raise SourceError("io.zip_path_outside", file=str(zip_path), layer=name,
                              path=str(path))


def _named_as_given(err: KzplanError, root: Root | None) -> KzplanError:
    """``err`` with the paths of an extracted zip named as ``ZIP/entry``, never as the temporary
    folder the zip was extracted into."""
    if root is None:
        return err
    folder, label = root
    prefix = str(folder)
    if not label.lower().endswith(".zip"):
        return err
    for key, value in list(err.params.items()):
        if prefix in (text := str(value)):
            err.params[key] = text.replace(prefix, label)
    err.args = (err.render("en"),)
    return err


def _zip_specs(zip_path: Path, folder: Path) -> tuple[PlanConfig, dict[str, LayerSpec]]:
    """Layer specs for an extracted zip: a kzplan.toml, named files, or a single layer."""
    try:
        return _zip_layer_specs(zip_path, folder)
    except KzplanError as err:
        raise _named_as_given(err, (Path(folder).resolve(), zip_path.name)) from None


def _zip_layer_specs(zip_path: Path, folder: Path) -> tuple[PlanConfig, dict[str, LayerSpec]]:
    tomls = sorted(folder.rglob("kzplan.toml"))
    if tomls:
        cfg = load_config(tomls[0])
        _inside_zip(cfg, zip_path, folder)
        return replace(cfg, source=None), dict(cfg.layers)
    vectors = [
        p for p in sorted(folder.rglob("*"))
        if p.suffix.lower() in (".shp", ".gpkg", ".geojson", ".json", ".dbf")
        and not p.name.startswith(".") and "__MACOSX" not in p.parts
    ]
    shp_stems = {p.with_suffix("").as_posix().lower() for p in vectors if p.suffix.lower() == ".shp"}
    vectors = [p for p in vectors if not (p.suffix.lower() == ".dbf"
                                          and p.with_suffix("").as_posix().lower() in shp_stems)]
    if not vectors:
        entries = ", ".join(p.name for p in sorted(folder.rglob("*")) if p.is_file()) or "-"
        raise SourceError("io.zip_no_layer", file=str(zip_path), entries=entries)
    specs: dict[str, LayerSpec] = {}
    for p in vectors:
        name = _layer_name(p)
        if name is None and len(vectors) == 1:
            name = _layer_name(zip_path) or "*"
        if name is not None:
            if name in specs:
                raise SourceError("plan.duplicate_layer", layer=name, first=str(zip_path),
                                  second=str(zip_path),
                                  first_name=specs[name].path.relative_to(folder).as_posix(),
                                  second_name=p.relative_to(folder).as_posix())
            specs[name] = LayerSpec(name=name, path=p)
    if "*" in specs:
        raise SourceError("plan.unknown_file_layer", file=str(zip_path))
    return PlanConfig(), specs


__all__ = ["LayerInfo", "Note", "Plan", "builtin_districts", "bundled_path", "load_plan",
           "shown_path"]
