"""Reading planners' files (shapefile, zipped shapefile, GeoPackage, GeoJSON, standalone DBF) and
writing outputs atomically.

Reading never modifies an input. Shapefile text is read as raw bytes (GDAL's ``ENCODING=""`` open
option) and decoded by :mod:`kzplan.encoding`, so the encoding policy is ours and predictable:
``.cpg`` first, then the configured encoding, then detection (UTF-8, cp1258, TCVN3, VNI).

Two reading engines give the same :class:`RawLayer`: ``pyogrio`` (the default, vectorised) and
``fiona`` (feature by feature; an independent GDAL binding, useful where pyogrio's wheel or its GDAL
build misbehaves on a planner's file). For shapefile text fiona is opened with
``encoding="ISO-8859-1"``: GDAL recodes each DBF byte to the one code point of the same value, and
kzplan encodes it back with ``latin-1``; that round trip is the identity on all 256 byte values, so
both engines hand :mod:`kzplan.encoding` the very same bytes.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors

from kzplan import encoding as enc
from kzplan._errors import EncodingError, SourceError

VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".dbf", ".zip")
_SHAPEFILE_SIDECARS = (".shx", ".dbf")
READERS = ("pyogrio", "fiona")
DEFAULT_READER = "pyogrio"


def check_reader(reader: str | None) -> str:
    """``reader`` if it is a known reading engine (``None``: the default); else raise."""
    if reader is None:
        return DEFAULT_READER
    if reader not in READERS:
        raise SourceError("io.unknown_reader", reader=reader, known=", ".join(READERS))
    return reader


@dataclass
class RawLayer:
    """One layer as read from disk, before mapping onto the canonical schema."""

    frame: pd.DataFrame
    file: Path
    layer: str | None
    driver: str
    declared_crs: Any
    geometry_type: str | None
    encoding: str | None = None
    encoding_source: str | None = None
    encoding_reason: str = ""
    #: How the encoding was detected, when it was (confidence, candidates).
    detection: enc.Detection | None = None


def _sibling(path: Path, suffix: str) -> Path | None:
    """The file next to ``path`` with ``suffix``, matched case-insensitively."""
    exact = path.with_suffix(suffix)
    if exact.exists():
        return exact
    for cand in (path.with_suffix(suffix.upper()),):
        if cand.exists():
            return cand
    stem = path.stem.lower()
    with contextlib.suppress(OSError):
        for cand in path.parent.iterdir():
            if cand.stem.lower() == stem and cand.suffix.lower() == suffix:
                return cand
    return None


def check_shapefile_parts(path: Path, *, layer: str) -> None:
    """Raise if a shapefile's ``.shx`` or ``.dbf`` is missing."""
    for suffix in _SHAPEFILE_SIDECARS:
        if _sibling(path, suffix) is None:
            raise SourceError("io.sidecar_missing", file=str(path), layer=layer, missing=suffix)


def list_layers(path: Path, *, reader: str = DEFAULT_READER) -> list[str]:
    """Names of the layers in a (multi-layer) data source."""
    if check_reader(reader) == "fiona":
        import fiona

        try:
            return [str(name) for name in fiona.listlayers(path)]
        except (fiona.errors.FionaError, OSError) as exc:
            raise SourceError("io.unreadable", file=str(path), layer="?", reason=exc) from None
    try:
        return [str(name) for name, _ in pyogrio.list_layers(path)]
    except (pyogrio.errors.DataSourceError, OSError) as exc:
        raise SourceError("io.unreadable", file=str(path), layer="?", reason=exc) from None


@contextlib.contextmanager
def opened_zip(path: Path) -> Iterator[Path]:
    """Extract a zip safely into a temporary folder and yield that folder.

    Entries that would land outside the folder (absolute paths, ``..``) refuse the whole zip.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError("io.bad_zip", file=str(path), reason=exc) from None
    with archive, tempfile.TemporaryDirectory(prefix="kzplan-zip-") as tmp:
        root = Path(tmp).resolve()
        for info in archive.infolist():
            name = PurePosixPath(info.filename.replace("\\", "/"))
            target = (root / name).resolve()
            if name.is_absolute() or ".." in name.parts or not target.is_relative_to(root):
                raise SourceError("io.zip_escape", file=str(path), entry=info.filename)
        try:
            archive.extractall(root)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise SourceError("io.bad_zip", file=str(path), reason=exc) from None
        yield root


# --- reading engines: (frame, crs, geometry type, driver) of one layer --------------------------


def _read_pyogrio(path: Path, *, layer: str | None, raw_text: bool, name: str
                  ) -> tuple[pd.DataFrame, dict[str, Any]]:
    options = {"ENCODING": ""} if raw_text else {}
    try:
        frame = pyogrio.read_dataframe(path, layer=layer, use_arrow=False, **options)
        info = pyogrio.read_info(path, layer=layer, **options)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
        raise SourceError("io.unreadable", file=str(path), layer=name, reason=exc) from None
    return frame, {k: info.get(k) for k in ("crs", "geometry_type", "driver")}


# fiona's normalised geometry type names -> pyogrio's (OGR's) names
_FIONA_GEOMETRY_TYPES = {"None": None, "LinearRing": "LineString"}


def _fiona_geometry_type(name: str | None) -> str | None:
    if name is None or name in _FIONA_GEOMETRY_TYPES:
        return _FIONA_GEOMETRY_TYPES.get(name) if name else None
    if name.startswith("3D "):
        return f"{name[3:]} Z"
    return name


def _fiona_crs(wkt: str | None) -> str | None:
    """The layer CRS as pyogrio reports it: ``EPSG:code`` when the CRS's root node carries an EPSG
    authority, else its WKT (both engines export the same OGR spatial reference)."""
    if not wkt:
        return None
    from pyproj import CRS
    from pyproj.exceptions import CRSError as ProjCRSError

    try:
        ident = CRS.from_wkt(wkt).to_json_dict().get("id") or {}
    except ProjCRSError:  # leave an unparsable CRS to kzplan.crs, as pyogrio does
        return wkt
    if ident.get("authority") == "EPSG" and ident.get("code") is not None:
        return f"EPSG:{ident['code']}"
    return wkt


def _fiona_column(values: list[Any], ftype: str) -> Any:
    """One attribute column with the dtype pyogrio gives the same OGR field."""
    base = ftype.split(":", 1)[0]
    has_null = any(v is None for v in values)
    if base in ("int", "int64", "int32", "int16"):
        if has_null:
            return np.array([np.nan if v is None else v for v in values], dtype="float64")
        return np.array(values, dtype={"int": "int64"}.get(base, base))
    if base in ("float", "float32"):
        dtype = "float64" if base == "float" else "float32"
        return np.array([np.nan if v is None else v for v in values], dtype=dtype)
    if base == "bool":
        return np.array(values, dtype=object if has_null else bool)
    if base in ("date", "datetime"):
        parsed = pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601")
        return parsed.astype("datetime64[ms]") if parsed.dtype.kind == "M" else parsed
    return np.array(values, dtype=object)


def _read_fiona(path: Path, *, layer: str | None, raw_text: bool, name: str
                ) -> tuple[pd.DataFrame, dict[str, Any]]:
    import fiona
    import geopandas as gpd
    import shapely.geometry

    options = {"encoding": "ISO-8859-1"} if raw_text else {}
    try:
        with fiona.open(path, layer=layer, **options) as src:
            schema = src.schema
            fields = list(schema["properties"].items())
            columns: dict[str, list[Any]] = {f: [] for f, _ in fields}
            geoms: list[Any] = []
            for feat in src:
                props = feat.properties
                for f, _ in fields:
                    columns[f].append(props[f])
                geom = feat.geometry
                geoms.append(None if geom is None else shapely.geometry.shape(geom))
            meta = {
                "crs": _fiona_crs(src.crs_wkt),
                "geometry_type": _fiona_geometry_type(schema.get("geometry")),
                "driver": src.driver,
            }
    except (fiona.errors.FionaError, fiona.errors.FionaValueError, OSError) as exc:
        raise SourceError("io.unreadable", file=str(path), layer=name, reason=exc) from None
    data = {f: _fiona_column(columns[f], ftype) for f, ftype in fields}
    frame = pd.DataFrame(data, columns=[f for f, _ in fields], index=None)
    if meta["geometry_type"] is None:
        return frame, meta
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=meta["crs"]), meta


_ENGINES = {"pyogrio": _read_pyogrio, "fiona": _read_fiona}


def _decode_column(
    values: pd.Series, codec: str, *, file: Path, layer: str, field_name: str, ids: pd.Series
) -> pd.Series:
    out = []
    for i, value in enumerate(values):
        if value is None or (isinstance(value, float) and pd.isna(value)):
            out.append(None)
            continue
        try:
            out.append(enc.decode(str(value).encode("latin-1"), codec))
        except (UnicodeError, ValueError) as exc:
            raise EncodingError(
                "io.encoding_failed", file=str(file), layer=layer, field=field_name,
                feature=ids.iloc[i], encoding=codec, reason=exc,
            ) from None
    return pd.Series(out, index=values.index, dtype=object)


def _read_dbf_layer(path: Path, *, layer: str, encoding: str | None, reader: str) -> RawLayer:
    """Read a shapefile or standalone DBF with raw bytes, then decode text ourselves."""
    frame, info = _ENGINES[reader](path, layer=None, raw_text=True, name=layer)
    text_cols = [
        c for c in frame.columns
        if c != "geometry" and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))
    ]
    cpg_label = enc.read_cpg(path)
    codec, source, reason, detection = None, None, "", None
    if cpg_label is not None:
        codec = enc.normalize_cpg(cpg_label)
        source, reason = "cpg", cpg_label.strip()
    if codec is None and encoding:
        codec = enc.normalize_cpg(encoding) or encoding
        source, reason = "config", encoding
    if codec is None:
        samples = [
            str(v).encode("latin-1") for c in text_cols for v in frame[c] if isinstance(v, str)
        ]
        detection = enc.detect(samples)
        codec, source, reason = detection.encoding, "detected", detection.reason
    ids = pd.Series(range(1, len(frame) + 1))
    for column in text_cols:
        frame[column] = _decode_column(
            frame[column], codec, file=path, layer=layer, field_name=column, ids=ids
        )
    return RawLayer(
        frame=frame,
        file=path,
        layer=None,
        driver="ESRI Shapefile",
        declared_crs=info.get("crs"),
        geometry_type=info.get("geometry_type"),
        encoding=codec,
        encoding_source=source,
        encoding_reason=reason,
        detection=detection,
    )


def read_raw(path: Path, *, name: str, layer: str | None = None, encoding: str | None = None,
             reader: str = DEFAULT_READER) -> RawLayer:
    """Read one layer of ``path`` (not a zip: see :func:`opened_zip`) without changing it.

    ``reader`` is the engine, ``"pyogrio"`` or ``"fiona"``: both give the same layer.
    """
    reader = check_reader(reader)
    if not path.exists():
        raise SourceError("io.missing", file=str(path), hint="")
    suffix = path.suffix.lower()
    if suffix == ".shp":
        check_shapefile_parts(path, layer=name)
        return _read_dbf_layer(path, layer=name, encoding=encoding, reader=reader)
    if suffix == ".dbf":
        return _read_dbf_layer(path, layer=name, encoding=encoding, reader=reader)
    if suffix not in (".gpkg", ".geojson", ".json"):
        raise SourceError("io.unsupported", file=str(path), suffix=suffix)
    if suffix == ".gpkg":
        available = list_layers(path, reader=reader)
        wanted = layer or name
        if wanted not in available:
            if layer is None and len(available) == 1:
                wanted = available[0]
            else:
                raise SourceError(
                    "io.gpkg_layer_missing", file=str(path), layer=wanted, name=name,
                    available=available,
                )
        layer = wanted
    frame, info = _ENGINES[reader](path, layer=layer, raw_text=False, name=name)
    return RawLayer(
        frame=frame,
        file=path,
        layer=layer,
        driver=str(info.get("driver") or ("GPKG" if suffix == ".gpkg" else "GeoJSON")),
        declared_crs=info.get("crs"),
        geometry_type=info.get("geometry_type"),
        encoding="utf-8",
        encoding_source="format",
        encoding_reason="GeoPackage/GeoJSON text is UTF-8",
    )


# --- writing ---------------------------------------------------------------------------------


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; move it over ``target`` only on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix,
                                    dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as exc:
        raise SourceError("io.write_failed", file=str(target), reason=exc) from None
    finally:
        if tmp.exists():
            tmp.unlink()


def write_text(target: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_shapefile(frame: pd.DataFrame, target: Path) -> Path:
    """Write a shapefile (all its parts, UTF-8 ``.cpg``; a lone ``.dbf`` for a table) into a temp
    folder, then move it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".kzplan-", dir=target.parent) as tmp:
        out = Path(tmp) / target.name
        try:
            pyogrio.write_dataframe(frame, out, driver="ESRI Shapefile", encoding="UTF-8")
        except (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.FieldError) as exc:
            raise SourceError("io.write_failed", file=str(target), reason=exc) from None
        for part in sorted(Path(tmp).iterdir()):
            os.replace(part, target.with_suffix(part.suffix))
    return target
