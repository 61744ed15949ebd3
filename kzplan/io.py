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
import shutil
import stat
import struct
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely.errors

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
    #: A shapefile's ``.prj`` that exists but declares no coordinate system GDAL can read
    #: (garbage, empty, truncated WKT); ``prj_sample`` is its beginning, escaped.
    prj_file: Path | None = None
    prj_sample: str | None = None


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


def sha256_file(path: Path, *, chunk: int = 1024 * 1024) -> str:
    """The SHA-256 of a file, read in chunks (a huge ``.shp`` is never held in memory)."""
    import hashlib

    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _dbf_header(dbf: Path, *, layer: str) -> int:
    """The record count a DBF announces, after checking its header against the file's size."""
    try:
        size = dbf.stat().st_size
        with dbf.open("rb") as fh:
            head = fh.read(32)
    except OSError as exc:
        raise SourceError("io.unreadable", file=str(dbf), layer=layer, reason=exc) from None
    if len(head) < 32:
        raise SourceError("io.dbf_damaged", file=str(dbf), layer=layer,
                          reason=f"{size} bytes, shorter than a DBF header")
    count = int.from_bytes(head[4:8], "little")
    header_len = int.from_bytes(head[8:10], "little")
    record_len = int.from_bytes(head[10:12], "little")
    if header_len < 33 or record_len < 1 or header_len > size:
        raise SourceError("io.dbf_damaged", file=str(dbf), layer=layer,
                          reason=f"header length {header_len}, record length {record_len}")
    if header_len + count * record_len > size:
        raise SourceError("io.dbf_damaged", file=str(dbf), layer=layer,
                          reason=f"{count} records of {record_len} bytes announced, "
                          f"{max(size - header_len, 0) // record_len} in the file")
    return count


def check_shapefile_counts(path: Path, *, layer: str) -> None:
    """Refuse a shapefile whose ``.dbf`` holds another number of records than the ``.shx``
    indexes shapes: GDAL would silently drop or invent features."""
    shx, dbf = _sibling(path, ".shx"), _sibling(path, ".dbf")
    if shx is None or dbf is None:
        return
    records = _dbf_header(dbf, layer=layer)
    try:
        shx_size = shx.stat().st_size
        with shx.open("rb") as fh:
            head = fh.read(100)
        shp_size = path.stat().st_size
    except OSError as exc:
        raise SourceError("io.unreadable", file=str(path), layer=layer, reason=exc) from None
    if len(head) < 100 or (shx_size - 100) % 8:
        raise SourceError("io.shx_damaged", file=str(shx), layer=layer, size=shx_size)
    shapes = (shx_size - 100) // 8
    if shapes != records:
        raise SourceError("io.count_mismatch", file=str(dbf), shp=str(path.name), layer=layer,
                          records=records, shapes=shapes)
    if shp_size < 100:
        raise SourceError("io.shx_damaged", file=str(path), layer=layer, size=shp_size)
    if shapes:
        try:
            with shx.open("rb") as fh:
                fh.seek(100 + 8 * (shapes - 1))
                offset, length = struct.unpack(">ii", fh.read(8))
        except (OSError, struct.error) as exc:
            raise SourceError("io.unreadable", file=str(shx), layer=layer, reason=exc) from None
        if offset < 0 or length < 0 or (offset + 4 + length) * 2 > shp_size:
            raise SourceError("io.shp_truncated", file=str(path), layer=layer, size=shp_size,
                              needed=(offset + 4 + length) * 2)


def list_layers(path: Path, *, reader: str = DEFAULT_READER) -> list[str]:
    """Names of the layers in a (multi-layer) data source."""
    check_regular(Path(path), layer="?")
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


TEXT_MAX_BYTES = 64 * 1024**2
"""Refuse configuration and report files larger than this."""
ZIP_MAX_BYTES = 2 * 1024**3
"""Refuse a zip that would extract to more than this (a zip bomb)."""
ZIP_MAX_RATIO = 200
"""Refuse a zip entry compressed more than this many times (a zip bomb)."""
ZIP_MAX_ENTRIES = 10_000


def _zip_entries(path: Path, archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The entries, checked before anything is extracted: no escape, no duplicate (any case), no
    encryption, a supported method, and sizes and ratios within the limits."""
    infos = archive.infolist()
    if len(infos) > ZIP_MAX_ENTRIES:
        raise SourceError("io.zip_too_big", file=str(path), entry=f"{len(infos)} entries",
                          limit=f"{ZIP_MAX_ENTRIES} entries")
    seen: dict[str, str] = {}
    total = 0
    for info in infos:
        name = PurePosixPath(info.filename.replace("\\", "/"))
        if name.is_absolute() or ".." in name.parts or ":" in (name.parts[0] if name.parts else ""):
            raise SourceError("io.zip_escape", file=str(path), entry=info.filename)
        key = name.as_posix().rstrip("/").lower()
        if key in seen:
            raise SourceError("io.zip_duplicate", file=str(path), entry=info.filename,
                              other=seen[key])
        seen[key] = info.filename
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise SourceError("io.zip_encrypted", file=str(path), entry=info.filename)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED,
                                      zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
            raise SourceError("io.zip_method", file=str(path), entry=info.filename,
                              method=info.compress_type)
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > ZIP_MAX_BYTES or (info.file_size > 1024 * 1024 and ratio > ZIP_MAX_RATIO):
            raise SourceError("io.zip_too_big", file=str(path), entry=info.filename,
                              limit=f"{ZIP_MAX_BYTES // 1024**2} MB, x{ZIP_MAX_RATIO}")
    return infos


def _extract(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, root: Path) -> None:
    """Extract one entry, streaming, never writing more than the size it declares."""
    target = root / PurePosixPath(info.filename.replace("\\", "/"))
    if not target.resolve().is_relative_to(root):
        raise SourceError("io.zip_escape", file=str(path), entry=info.filename)
    if info.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    try:
        with archive.open(info) as src, target.open("wb") as dst:
            while chunk := src.read(1024 * 1024):
                written += len(chunk)
                if written > info.file_size:
                    raise SourceError("io.zip_too_big", file=str(path), entry=info.filename,
                                      limit=f"{info.file_size} B")
                dst.write(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError,
            ValueError) as exc:
        raise SourceError("io.bad_zip_entry", file=str(path), entry=info.filename,
                          reason=type(exc).__name__) from None


@contextlib.contextmanager
def opened_zip(path: Path) -> Iterator[Path]:
    """Extract a zip safely into a temporary folder and yield that folder.

    Entries that would land outside the folder (absolute paths, ``..``), duplicate entries,
    encrypted or unsupported entries and zip bombs (size and ratio limits) refuse the whole zip.
    """
    path = Path(path)
    check_regular(path, layer="?")
    register_input(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
        raise SourceError("io.bad_zip", file=str(path), reason=exc) from None
    with archive, tempfile.TemporaryDirectory(prefix="kzplan-zip-") as tmp:
        root = Path(tmp).resolve()
        for info in _zip_entries(path, archive):
            _extract(path, archive, info, root)
        yield root


# --- reading engines: (frame, crs, geometry type, driver) of one layer --------------------------


# Shapefile rings as the file has them: clockwise rings are shells, counter-clockwise ones holes,
# and a hole outside every shell stays a hole (an invalid polygon the geometry rules report).
# GDAL's default "repairs" it silently into a valid multipolygon.
RING_OPTIONS = {"OGR_ORGANIZE_POLYGONS": "ONLY_CCW"}


@contextlib.contextmanager
def _rings_as_is() -> Iterator[None]:
    pyogrio.set_gdal_config_options(RING_OPTIONS)
    try:
        with warnings.catch_warnings():
            # GDAL's remarks on the file (winding order...) are not for the terminal: what
            # matters is in the geometry as read, which the rules check.
            warnings.simplefilter("ignore", RuntimeWarning)
            yield
    finally:
        pyogrio.set_gdal_config_options(dict.fromkeys(RING_OPTIONS))


def _read_pyogrio(path: Path, *, layer: str | None, raw_text: bool, name: str
                  ) -> tuple[pd.DataFrame, dict[str, Any]]:
    options = {"ENCODING": ""} if raw_text else {}
    try:
        with _rings_as_is():
            frame = pyogrio.read_dataframe(path, layer=layer, use_arrow=False, **options)
            info = pyogrio.read_info(path, layer=layer, **options)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError,
            shapely.errors.GEOSException, ValueError) as exc:
        raise SourceError("io.unreadable", file=str(path), layer=name,
                          reason=" ".join(str(exc).split())[:300]) from None
    _check_field_names(frame, path, name)
    return frame, {k: info.get(k) for k in ("crs", "geometry_type", "driver")}


def _check_field_names(frame: pd.DataFrame, path: Path, layer: str) -> None:
    """Refuse two fields of one name (which one holds the value?)."""
    seen: set[str] = set()
    for column in frame.columns:
        key = str(column).lower()
        if key in seen:
            raise SourceError("io.duplicate_field", file=str(path), layer=layer,
                              field=str(column))
        seen.add(key)


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
        with warnings.catch_warnings(), fiona.Env(**RING_OPTIONS), \
                fiona.open(path, layer=layer, **options) as src:
            warnings.simplefilter("ignore", RuntimeWarning)
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
    except (fiona.errors.FionaError, fiona.errors.FionaValueError, OSError,
            shapely.errors.GEOSException, ValueError) as exc:
        raise SourceError("io.unreadable", file=str(path), layer=name,
                          reason=" ".join(str(exc).split())[:300]) from None
    data = {f: _fiona_column(columns[f], ftype) for f, ftype in fields}
    frame = pd.DataFrame(data, columns=[f for f, _ in fields], index=None)
    if meta["geometry_type"] is None:
        return frame, meta
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=meta["crs"]), meta


_ENGINES = {"pyogrio": _read_pyogrio, "fiona": _read_fiona}


def _decode_column(
    values: pd.Series, codec: str, *, file: Path, layer: str, field_name: str, ids: pd.Series,
    source: str | None = None,
) -> pd.Series:
    out = []
    for i, value in enumerate(values):
        if value is None or (isinstance(value, float) and pd.isna(value)):
            out.append(None)
            continue
        try:
            out.append(enc.decode(str(value).encode("latin-1"), codec))
        except (UnicodeError, ValueError) as exc:
            # --encoding cannot win over a .cpg: the advice names what the user can change
            key = "io.encoding_failed_cpg" if source == "cpg" else "io.encoding_failed"
            raise EncodingError(
                key, file=str(file), layer=layer, field=field_name,
                feature=ids.iloc[i], encoding=codec, reason=exc,
            ) from None
    return pd.Series(out, index=values.index, dtype=object)


PRJ_SAMPLE_BYTES = 40


def prj_sample(prj: Path) -> str:
    """The beginning of ``prj`` as printable ASCII, anything else escaped (``\\x00``, ``\\n``)."""
    try:
        with prj.open("rb") as fh:
            data = fh.read(PRJ_SAMPLE_BYTES)
    except OSError:
        return ""
    text = data.decode("utf-8", errors="backslashreplace")
    return "".join(c if c.isascii() and c.isprintable()
                   else c.encode("unicode_escape").decode("ascii") for c in text)


def _read_without_prj(path: Path, *, layer: str, reader: str) -> tuple[pd.DataFrame, dict]:
    """Read shapefile ``path`` as if its ``.prj`` were absent (GDAL refuses a whole shapefile whose
    ``.prj`` is truncated WKT): its other parts are linked, never copied or changed, into a
    temporary folder."""
    stem = path.stem.lower()
    with tempfile.TemporaryDirectory(prefix="kzplan-prj-") as tmp:
        for part in path.parent.iterdir():
            if part.stem.lower() == stem and part.suffix.lower() != ".prj":
                os.symlink(part.resolve(), Path(tmp) / part.name)
        return _ENGINES[reader](Path(tmp) / path.name, layer=None, raw_text=True, name=layer)


def _read_dbf_layer(path: Path, *, layer: str, encoding: str | None, reader: str) -> RawLayer:
    """Read a shapefile or standalone DBF with raw bytes, then decode text ourselves."""
    prj = _sibling(path, ".prj") if path.suffix.lower() == ".shp" else None
    try:
        frame, info = _ENGINES[reader](path, layer=None, raw_text=True, name=layer)
    except SourceError as err:
        if prj is None:
            raise
        try:  # is the .prj what GDAL cannot read? Then the layer is read without it
            frame, info = _read_without_prj(path, layer=layer, reader=reader)
        except (SourceError, OSError):
            raise err from None
        info = {**info, "crs": None}
    bad_prj = prj if prj is not None and not info.get("crs") else None
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
            frame[column], codec, file=path, layer=layer, field_name=column, ids=ids,
            source=source,
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
        prj_file=bad_prj,
        prj_sample=prj_sample(bad_prj) if bad_prj is not None else None,
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
    check_regular(path, layer=name)
    if suffix in (".shp", ".dbf"):  # every part (.shx, .dbf, .prj, .cpg) is opened too
        with contextlib.suppress(OSError):
            for part in path.parent.iterdir():
                if part.stem.lower() == path.stem.lower():
                    check_regular(part, layer=name)
    register_input(path)
    suffix = path.suffix.lower()
    if suffix == ".shp":
        check_shapefile_parts(path, layer=name)
        check_shapefile_counts(path, layer=name)
        return _read_dbf_layer(path, layer=name, encoding=encoding, reader=reader)
    if suffix == ".dbf":
        _dbf_header(path, layer=name)
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


# --- inputs of the run: no output may land on one -------------------------------------------

_INPUTS: dict[tuple[int, int], Path] = {}
_INPUT_PATHS: set[Path] = set()
_INPUT_STEMS: set[tuple[Path, str]] = set()  # shapefiles: any file of that name joins the layer


_WATCH = [False]


def reset_inputs() -> None:
    """Forget the inputs of an earlier run."""
    _INPUTS.clear()
    _INPUT_PATHS.clear()
    _INPUT_STEMS.clear()


@contextlib.contextmanager
def guarding_inputs() -> Iterator[None]:
    """One command's run: every file read is remembered, and no output of the run may land on
    one (the CLI wraps each command in it; library calls that rewrite their own inputs on
    purpose, e.g. a test editing a copy of a plan, are not affected)."""
    reset_inputs()
    _WATCH[0] = True
    try:
        yield
    finally:
        _WATCH[0] = False
        reset_inputs()


def _remember(path: Path) -> None:
    with contextlib.suppress(OSError, RuntimeError):
        resolved = path.resolve()
        _INPUT_PATHS.add(resolved)
        st = resolved.stat()
        _INPUTS[(st.st_dev, st.st_ino)] = resolved


def register_input(path: str | Path) -> None:
    """Remember ``path`` (a shapefile or DBF: with every file of the same name, any suffix) as an
    input of this run, so that no output is written over it."""
    if not _WATCH[0]:
        return
    path = Path(path)
    _remember(path)
    if path.suffix.lower() in (".shp", ".shx", ".dbf"):
        stem = path.stem.lower()
        with contextlib.suppress(OSError, RuntimeError):
            _INPUT_STEMS.add((path.parent.resolve(), stem))
        with contextlib.suppress(OSError):
            for cand in path.parent.iterdir():
                if cand.stem.lower() == stem:
                    _remember(cand)


def input_clash(target: str | Path) -> Path | None:
    """The input of this run that writing ``target`` would replace, if any."""
    target = Path(target)
    with contextlib.suppress(OSError, RuntimeError):
        resolved = target.resolve()
        if resolved in _INPUT_PATHS or (resolved.parent, resolved.stem.lower()) in _INPUT_STEMS:
            return resolved
        st = resolved.stat()
        return _INPUTS.get((st.st_dev, st.st_ino))
    return None


def check_not_input(target: str | Path) -> None:
    """Raise when ``target`` is an input of this run (or the same file under another name)."""
    if (clash := input_clash(target)) is not None:
        raise SourceError("io.output_is_input", file=str(target), input=clash.name)


def check_regular(path: Path, *, layer: str) -> None:
    """Refuse a FIFO, device or socket given as a layer file before anything opens it (opening a
    FIFO blocks forever)."""
    with contextlib.suppress(OSError):
        mode = path.stat().st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise SourceError("io.not_regular", file=str(path), layer=layer)


# --- writing ---------------------------------------------------------------------------------

_TMP_PREFIX = ".kzplan-"
_TMP_SUFFIX = ".tmp"
_WRITE_ERRORS: tuple[type[BaseException], ...] = (
    OSError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError, pyogrio.errors.GeometryError,
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, another user's
        return True
    return True


def sweep_temps(folder: Path) -> None:
    """Remove the temporary folders of kzplan runs that were killed mid-write in ``folder``
    (``.kzplan-<pid>-XXXX.tmp``: only those whose process is gone)."""
    with contextlib.suppress(OSError):
        for cand in folder.iterdir():
            name = cand.name
            if not (name.startswith(_TMP_PREFIX) and name.endswith(_TMP_SUFFIX)):
                continue
            pid = name[len(_TMP_PREFIX):].split("-", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                if cand.is_dir() and not cand.is_symlink():
                    shutil.rmtree(cand, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        cand.unlink()


def _temp_dir(folder: Path) -> Path:
    """A private folder for temporary files next to the output (same file system, so the final
    move is atomic); a GeoPackage's ``-journal`` lands in it too. Stale ones are swept."""
    folder.mkdir(parents=True, exist_ok=True)
    sweep_temps(folder)
    return Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}{os.getpid()}-", suffix=_TMP_SUFFIX,
                                 dir=folder))


def _target_kind(target: Path) -> str:
    """``"new"``, ``"file"``, ``"device"`` (a character device: written directly), or raise."""
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return "new"
    except OSError as exc:
        raise SourceError("io.write_failed", file=str(target), reason=exc) from None
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISCHR(mode):
        return "device"
    if stat.S_ISDIR(mode):
        raise SourceError("io.output_is_folder", file=str(target))
    raise SourceError("io.output_special", file=str(target))


@contextlib.contextmanager
def atomic_path(target: str | Path, *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path for ``target``; move it over ``target`` only on success.

    An input of the run is never a target; a character device (``/dev/null``) is written
    directly, never replaced; a FIFO, socket or block device is refused. Temporary files live in a
    hidden ``.kzplan-<pid>-XXXX.tmp`` folder that is removed in any case (and by the next run
    when this one was killed).
    """
    target = Path(target)
    check_not_input(target)
    kind = _target_kind(target)
    if kind == "file" and target.is_symlink():
        target = target.resolve()
    try:
        tmp_dir = Path(tempfile.mkdtemp(prefix="kzplan-")) if kind == "device" \
            else _temp_dir(target.parent)
    except OSError as exc:
        raise SourceError("io.write_failed", file=str(target), reason=exc) from None
    name = f"out{suffix}" if suffix else \
        target.name if len(target.name.encode()) <= 200 else f"out{target.suffix[:20]}"
    tmp = tmp_dir / name
    try:
        yield tmp
        if kind == "device":
            with tmp.open("rb") as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst)
        else:
            os.replace(tmp, target)
    except _WRITE_ERRORS as exc:
        raise SourceError("io.write_failed", file=str(target), reason=exc) from None
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def write_text(target: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def write_shapefile(frame: pd.DataFrame, target: Path) -> Path:
    """Write a shapefile (all its parts, UTF-8 ``.cpg``; a lone ``.dbf`` for a table) into a temp
    folder, then move it into place."""
    for suffix in SHAPEFILE_PARTS:
        part = target.with_suffix(suffix)
        check_not_input(part)
        if _target_kind(part) not in ("new", "file"):
            raise SourceError("io.output_special", file=str(part))
    try:
        tmp = _temp_dir(target.parent)
    except OSError as exc:
        raise SourceError("io.write_failed", file=str(target), reason=exc) from None
    try:
        out = tmp / target.name
        pyogrio.write_dataframe(frame, out, driver="ESRI Shapefile", encoding="UTF-8")
        for part in sorted(tmp.iterdir()):
            os.replace(part, target.with_suffix(part.suffix))
    except (*_WRITE_ERRORS, ValueError) as exc:
        raise SourceError("io.write_failed", file=str(target), reason=exc) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
