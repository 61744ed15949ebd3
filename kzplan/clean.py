"""Clean copies of layers QGIS would misread, never over the originals.

kzplan reads legacy-encoded shapefiles (TCVN3, VNI, cp1258, or no ``.cpg`` at all) and layers whose
CRS is missing, declared on the command line or only recognisable from its parameters. QGIS is not
as forgiving: without a ``.cpg`` it shows TCVN3 text as mojibake, and a ``.prj`` without an EPSG
identity may be shown as a custom CRS. ``kzplan clean`` writes, for each such layer, a copy with
UTF-8 text, a ``.cpg`` that says so, and the geometry in the plan's CRS with the
``.prj`` GDAL writes for it (which QGIS recognises by its EPSG code), and says which file to open.

Where the copies go: next to each original as ``NAME_clean.shp`` (a zip: into ``ZIPNAME_clean/``),
or into ``--output DIR`` under the original names. A copy never replaces an original: a target
that is an input file stops the command. A shapefile whose UTF-8 text would not fit the DBF's
254-byte limit, and GeoJSON, are written as GeoPackage instead.
"""

from __future__ import annotations

import contextlib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyogrio
import pyogrio.errors

from kzplan import io, messages, schema
from kzplan._errors import SourceError

_LEGACY_OK = ("utf-8",)
_DBF_TEXT_BYTES = 254


@dataclass
class Cleaned:
    """What ``kzplan clean`` did with one layer."""

    layer: str
    original: Path
    reasons: list[dict[str, str]] = field(default_factory=list)
    target: Path | None = None
    plan_crs: str = ""  # the CRS the copies are written in (the plan's)

    @property
    def needed(self) -> bool:
        """True when a clean copy was written."""
        return self.target is not None

    def open_path(self) -> Path:
        """The file to open in QGIS: the clean copy, or the original when none was needed."""
        return self.target or self.original


def _declares(spec: Any, crs: str) -> bool:
    """True when the layer's file itself declares ``crs`` (so an override changed nothing)."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError as ProjCRSError

    try:
        declared = pyogrio.read_info(spec.path, layer=spec.layer).get("crs")
        return bool(declared) and CRS.from_user_input(declared) == CRS.from_user_input(crs)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError,
            ProjCRSError):
        return False


def _reasons(info: Any, plan_crs: str, *, spatial: bool, declared_ok: bool = False
             ) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    if info.driver in ("ESRI Shapefile",):
        if info.encoding not in _LEGACY_OK:
            out.append(messages.both("clean.why.encoding", encoding=info.encoding))
        elif info.encoding_source in ("detected", "config"):
            how = messages.both(f"clean.how.{info.encoding_source}")
            out.append({lang: messages.text("clean.why.no_cpg", lang, encoding=info.encoding,
                                            how=how[lang]) for lang in messages.LANGS})
    if any(n.key == "note.mojibake_repaired" for n in info.notes):
        out.append(messages.both("clean.why.mojibake"))
    if not spatial:
        return out
    crs_notes = [n.key for n in info.notes
                 if n.key.startswith("crs.") and n.key != "crs.override"]
    if info.crs_source == "override" and declared_ok:
        return out
    if info.crs_source == "override":
        out.append(messages.both("clean.why.crs_declared", crs=info.crs, target=plan_crs))
    elif info.crs != plan_crs:
        out.append(messages.both("clean.why.crs_reproject", crs=info.crs, target=plan_crs))
    elif crs_notes:
        out.append(messages.both("clean.why.crs_prj", notes=", ".join(crs_notes),
                                 target=plan_crs))
    return out


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c != "geometry"
            and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))]


def _too_long(frame: pd.DataFrame) -> tuple[str, int] | None:
    for column in _text_columns(frame):
        size = max((len(v.encode("utf-8")) for v in frame[column] if isinstance(v, str)),
                   default=0)
        if size > _DBF_TEXT_BYTES:
            return column, size
    return None


def _write_gpkg(layers: list[tuple[str, pd.DataFrame]], target: Path) -> None:
    """One GeoPackage with every clean layer that goes to it, moved into place at the end."""
    with io.atomic_path(target, suffix=".gpkg") as tmp:
        for layer, frame in layers:
            pyogrio.write_dataframe(frame, tmp, layer=layer, driver="GPKG",
                                    dataset_options={"VERSION": "1.2"})


def _inputs(plan: Any) -> set[Path]:
    """Every input file, with a shapefile's sidecars (any case)."""
    out: set[Path] = set()
    for info in plan.info.values():
        if info.file is None:
            continue
        path = Path(info.file).resolve()
        out.add(path)
        if path.suffix.lower() in (".shp", ".dbf") and path.parent.exists():
            out.update(p.resolve() for p in path.parent.iterdir()
                       if p.stem.lower() == path.stem.lower())
    return out


def _clean_layer(name: str, spec: Any, plan: Any, *, crs: str | None, encoding: str | None,
                 ) -> pd.DataFrame:
    """The layer as written in its file, with decoded UTF-8 (NFC) text, in the plan's CRS."""
    from kzplan import crs as kcrs
    from kzplan.plan import _declared_crs, _text_notes

    raw = io.read_raw(spec.path, name=name, layer=spec.layer, encoding=spec.encoding or encoding)
    _text_notes(raw)  # the copy carries the repaired text (double-encoded UTF-8 undone)
    frame = raw.frame
    for column in _text_columns(frame):
        frame[column] = pd.Series(
            [unicodedata.normalize("NFC", v) if isinstance(v, str) else v for v in frame[column]],
            index=frame.index, dtype=object)
    if name in schema.TABLE_LAYERS or "geometry" not in frame.columns:
        return pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
    file = str(raw.file) + (f":{raw.layer}" if raw.layer else "")
    bounds = tuple(float(b) for b in frame.geometry.total_bounds)
    resolved = kcrs.resolve_crs(_declared_crs(raw), bounds, override=crs or spec.crs, file=file,
                                layer=name, plan=plan.definition)
    return frame.set_crs(resolved.crs, allow_override=True).to_crs(plan.crs)


def _target(original: Path, name: str, *, suffix: str, output: Path | None,
            origin: Path | None) -> Path:
    stem = original.stem
    if output is not None:
        return output / f"{stem}{suffix}"
    if origin is not None:  # extracted from a zip: next to the zip, in its own folder
        return origin.parent / f"{origin.stem}_clean" / f"{stem}{suffix}"
    return original.with_name(f"{stem}_clean{suffix}")


def clean(sources: list[str], *, crs: str | None = None, encoding: str | None = None,
          output: str | Path | None = None) -> list[Cleaned]:
    """Write clean copies of the layers of ``sources`` that need one; say what was done to each.

    Parameters
    ----------
    sources
        What ``kzplan check`` accepts: a ``kzplan.toml``, a folder, a zip, a GeoPackage, files,
        ``name=path``.
    crs, encoding
        As for ``kzplan check``: the CRS of layers without a ``.prj``, the encoding of shapefiles
        without a ``.cpg``.
    output
        A folder for the copies (original file names); default: next to each original, as
        ``NAME_clean.shp``.

    Returns
    -------
    list[Cleaned]
        One entry per layer, in plan order: the reasons and the clean copy, if one was written.
    """
    from kzplan.plan import _zip_specs, load_plan, parse_layer_arg

    out_dir = Path(output) if output is not None else None
    with contextlib.ExitStack() as stack:
        args: list[str] = []
        origins: dict[Path, Path] = {}
        for item in sources:
            name, path = parse_layer_arg(str(item))
            if path.suffix.lower() == ".zip" and path.is_file():
                folder = stack.enter_context(io.opened_zip(path))
                origins[folder.resolve()] = path
                _, specs = _zip_specs(path, folder)
                tomls = sorted(folder.rglob("kzplan.toml"))
                if tomls and name is None:
                    args.append(str(tomls[0]))
                    continue
                for layer, spec in specs.items():
                    args.append(f"{name or layer}={spec.path}")
            else:
                args.append(str(item))
        plan = load_plan(args, crs=crs, encoding=encoding)
        inputs = _inputs(plan)
        results: list[Cleaned] = []
        packages: dict[Path, list[tuple[str, pd.DataFrame]]] = {}
        created: set[Path] = set()  # files this run writes: the only ones it may replace
        for name, info in plan.info.items():
            spec = plan.config.layers[name]
            original = Path(info.file) if info.file is not None else Path(spec.path)
            origin = next((zp for folder, zp in origins.items()
                           if original.resolve().is_relative_to(folder)), None)
            shown = origin / original.name if origin is not None else original
            spatial = name not in schema.TABLE_LAYERS
            declared_ok = (spatial and info.crs_source == "override"
                           and _declares(spec, plan.crs))
            result = Cleaned(layer=name, original=shown, plan_crs=plan.crs,
                             reasons=_reasons(info, plan.crs, spatial=spatial,
                                              declared_ok=declared_ok))
            results.append(result)
            if not result.reasons:
                continue
            frame = _clean_layer(name, spec, plan, crs=crs, encoding=encoding)
            suffix = original.suffix.lower()
            as_gpkg = None
            if suffix in (".geojson", ".json"):
                as_gpkg = messages.both("clean.gpkg.geojson")
            elif suffix in (".shp", ".dbf") and (long := _too_long(frame)):
                as_gpkg = messages.both("clean.gpkg.too_long", field=long[0], size=long[1])
            if as_gpkg:
                result.reasons.append({lang: messages.text("clean.why.gpkg", lang,
                                                           reason=as_gpkg[lang])
                                       for lang in messages.LANGS})
                suffix = ".gpkg"
            target = _target(original, name, suffix=suffix, output=out_dir, origin=origin)
            clash = {target.resolve()}
            if suffix in (".shp", ".dbf"):
                clash |= {target.with_suffix(s).resolve()
                          for s in (".shp", ".shx", ".dbf", ".prj", ".cpg")}
            if clash & inputs or any(io.input_clash(p) for p in clash):
                raise SourceError("clean.would_overwrite", file=str(target), layer=name)
            if existing := sorted(p for p in clash if p not in created and p.exists()):
                raise SourceError("clean.exists", file=str(existing[0]), layer=name)
            created |= clash
            if suffix == ".gpkg":
                packages.setdefault(target, []).append((spec.layer or name, frame))
            else:
                io.write_shapefile(frame, target)
            result.target = target
        for target, layers in packages.items():
            _write_gpkg(layers, target)
    return results
