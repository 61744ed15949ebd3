"""Loading a plan: find its layers, read them, map them onto the canonical schema, reproject.

:func:`load_plan` takes a ``kzplan.toml`` configuration, a folder, a zip, a GeoPackage or single
files and returns a :class:`Plan`: the layers as GeoDataFrames in the plan's CRS (the plan definition's
default) with canonical fields and a measured area column ``dt_do_ha``, plus what was learnt while
reading (file, driver, CRS, encoding, hygiene notes) in :class:`LayerInfo`.
"""

from __future__ import annotations

import contextlib
import html
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from kzplan import crs as kcrs
from kzplan import io, messages, schema
from kzplan._errors import CRSError, KzplanError, LayerError, SourceError
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


def _parse_number(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if "," in text and "." in text:
        # 1.729,72 (Vietnamese) or 1,729.72 (English)
        text = text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") \
            else text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    return float(text)


def _feature_id(frame: pd.DataFrame, i: int) -> str:
    if "ma" in frame.columns:
        value = frame["ma"].iloc[i]
        if isinstance(value, str) and value:
            return f"#{i + 1} ({value})"
    return f"#{i + 1}"


def _canonicalise(raw: io.RawLayer, spec: LayerSpec) -> tuple[pd.DataFrame, list[Note]]:
    frame = raw.frame
    name = spec.name
    file = str(raw.file) + (f":{raw.layer}" if raw.layer else "")
    fields = schema.LAYER_FIELDS[name]
    lower = {str(c).lower(): c for c in frame.columns if c != "geometry"}
    available = ", ".join(str(c) for c in frame.columns if c != "geometry")
    rename: dict[str, str] = {}
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
            raise LayerError(
                "schema.missing_field", file=file, layer=name, field=f.name,
                meaning=f.en, available=available or "-",
            )
    out = frame.rename(columns=rename)
    notes: list[Note] = []
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
        was_text = column.dtype == object
        parsed = []
        for i, value in enumerate(column):
            try:
                number = _parse_number(value)
            except ValueError:
                raise LayerError(
                    "schema.wrong_type", file=file, layer=name, feature=_feature_id(out, i),
                    field=f.name, value=value, expected=_EXPECTED[f.type],
                ) from None
            if f.type == "int" and number is not None and number != int(number):
                raise LayerError(
                    "schema.wrong_type", file=file, layer=name, feature=_feature_id(out, i),
                    field=f.name, value=value, expected=_EXPECTED["int"],
                )
            parsed.append(number)
        if was_text and any(isinstance(v, str) and v.strip() for v in column):
            notes.append(Note("note.value_coerced", {"field": f.name}))
        series = pd.Series(parsed, index=out.index, dtype="float64")
        out[f.name] = series.astype("Int64") if f.type == "int" else series
    ordered = [f.name for f in fields] + [
        c for c in out.columns if c not in {f.name for f in fields} and c != "geometry"
    ]
    if "geometry" in out.columns:
        ordered.append("geometry")
    return out[ordered], notes


_POLYGONAL = {"Polygon", "MultiPolygon", "Polygon Z", "MultiPolygon Z", "Polygon M",
              "MultiPolygon M", "Polygon ZM", "MultiPolygon ZM", "Unknown", "Geometry",
              "GeometryCollection"}


def _read_layer(spec: LayerSpec, config: PlanConfig, *, crs: str | None,
                encoding: str | None, reader: str = io.DEFAULT_READER, root: Root | None = None
                ) -> tuple[pd.DataFrame, LayerInfo]:
    raw = io.read_raw(spec.path, name=spec.name, layer=spec.layer,
                      encoding=spec.encoding or encoding, reader=reader)
    file = str(raw.file) + (f":{raw.layer}" if raw.layer else "")
    shown = shown_path(raw.file, root)
    if len(raw.frame) == 0:
        raise LayerError("io.empty", file=file, layer=spec.name)
    notes: list[Any] = []
    if raw.encoding_source == "detected":
        notes.append(Note("note.encoding_detected",
                          {"encoding": raw.encoding, "reason": raw.encoding_reason}))
    if raw.encoding in ("tcvn3", "vni", "cp1258"):
        notes.append(Note("note.encoding_legacy", {"encoding": raw.encoding}))
    frame, more = _canonicalise(raw, spec)
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
                raw.declared_crs, tuple(float(b) for b in bounds),
                override=crs or spec.crs, file=file, layer=spec.name, plan=config.definition,
            )
        except CRSError:
            _refuse_far_features(frame, raw.declared_crs, override=crs or spec.crs, file=file,
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
    info = LayerInfo(
        name=spec.name, file=raw.file, driver=raw.driver, layer=raw.layer, crs=crs_label,
        crs_source=crs_source, encoding=raw.encoding, encoding_source=raw.encoding_source,
        count=len(frame), notes=tuple(notes), shown=shown,
    )
    return frame.reset_index(drop=True), info


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
