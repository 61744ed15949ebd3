"""Build the bundled plan layers in ``geodata/`` from the hand-edited source table.

    python tools/build_geodata.py          # (re)write geodata/{kcn,ccn,kkt}.shp and huyen.dbf
    python tools/build_geodata.py --check  # exit 1 if the files in geodata/ differ from a build

Input (UTF-8 CSV, the only files a person edits):

``geodata/source/features.csv``
    One row per KCN / CCN / KKT feature: ``layer`` (kcn, ccn, kkt), every canonical attribute of
    ``kzplan.schema.PLAN_FIELDS`` (empty cell = no value), and the placement of its schematic
    geometry:

    - ``lon``, ``lat``: a hand-chosen anchor in WGS84 degrees (the centre of the shape);
    - ``hinh``: the shape hint: ``vuong`` (square), ``chu_nhat:R`` (rectangle, width / height = R)
      or ``vien`` (the outline of ``kkt_outline.csv``, scaled about the anchor);
    - ``parts``: for a multi-part feature, ``lon,lat,ha;lon,lat,ha;...`` (one square per part, the
      part areas adding up to ``dt_qh_ha``); ``lon``/``lat`` stay empty then.

``geodata/source/kkt_outline.csv``
    ``ma,thu_tu,lon,lat``: the hand-drawn vertices (WGS84) of a ``vien`` feature's outline.

Output: ``kcn``, ``ccn``, ``kkt`` shapefiles (.shp .shx .dbf .prj .cpg) in EPSG:9216 (VN-2000 /
TM-3 107-30) and ``huyen.dbf`` + ``huyen.cpg`` (the plan's units from its units.csv, a table
without geometry). Text is UTF-8, string field widths are those of the schema, features are sorted
by ``ma`` and the DBF header date is fixed, so two builds are byte-identical.

Every shape is schematic: sized so that its area measured on an equal-area projection (Lambert
azimuthal equal-area centred on Kon Tum, on the VN-2000 datum itself) equals ``dt_qh_ha``. No
boundary file is read here: the anchors are our own hand-chosen points; the test suite checks them
against real district boundaries kept outside the repository.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import shutil
import struct
import sys
import tempfile
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer
from pyproj.crs import ProjectedCRS
from pyproj.crs.coordinate_operation import LambertAzimuthalEqualAreaConversion
from shapely.geometry import MultiPolygon, Polygon

ROOT = Path(__file__).resolve().parents[1]
GEODATA = ROOT / "geodata"
SOURCE = GEODATA / "source"


sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pure import pure  # noqa: E402

schema = pure("schema")
PLAN = pure("plandef").load_plandef()

CRS_OUT = CRS(PLAN.crs)
# Lambert azimuthal equal-area centred on Kon Tum on VN-2000 itself (no datum shift on the way).
EQUAL_AREA = ProjectedCRS(
    conversion=LambertAzimuthalEqualAreaConversion(latitude_natural_origin=14.5,
                                                   longitude_natural_origin=107.9),
    geodetic_crs=CRS_OUT.geodetic_crs,
    name="VN-2000 / LAEA Kon Tum",
)
_TO_PLAN = Transformer.from_crs("EPSG:4326", PLAN.crs, always_xy=True)
_TO_EQUAL_AREA = Transformer.from_crs(CRS_OUT, EQUAL_AREA, always_xy=True)

LAYERS = schema.PLAN_LAYERS  # kcn, ccn, kkt
PLACEMENT = ("lon", "lat", "hinh", "parts")
COLUMNS = ("layer", *(f.name for f in schema.PLAN_FIELDS), *PLACEMENT)
OUTLINE_COLUMNS = ("ma", "thu_tu", "lon", "lat")
SHAPEFILE_EXTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
OUTPUTS = (*(f"{n}{e}" for n in LAYERS for e in SHAPEFILE_EXTS), "huyen.dbf", "huyen.cpg")
DBF_DATE = (2023, 6, 16)  # fixed header date (KH 1840/KH-UBND, 16/6/2023): reproducible bytes
DECIMALS = 2  # coordinates rounded to the centimetre
MIN_GAP_M = 300.0  # between any two zones / clusters
AREA_TOLERANCE = 0.001  # the build refuses shapes off their planned area by more than 0.1 %
PREFIX = {"kcn": "KCN-", "ccn": "CCN-", "kkt": "KKT-"}


class SourceError(Exception):
    """The source table is wrong; the message names the row, the column and the fix."""


# --- measuring and shaping ------------------------------------------------------------------


def measured_ha(geom: Polygon | MultiPolygon) -> float:
    """Area in hectares on the equal-area projection (VN-2000 datum) of an EPSG:9216 shape."""
    projected = shapely.transform(geom, lambda xy: _xy(_TO_EQUAL_AREA, xy))
    return projected.area / 10_000


def _xy(transformer: Transformer, xy: np.ndarray) -> np.ndarray:
    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def _rect(x: float, y: float, width: float, height: float) -> Polygon:
    x0, x1 = round(x - width / 2, DECIMALS), round(x + width / 2, DECIMALS)
    y0, y1 = round(y - height / 2, DECIMALS), round(y + height / 2, DECIMALS)
    return Polygon([(x0, y0), (x0, y1), (x1, y1), (x1, y0), (x0, y0)])


def rectangle(lon: float, lat: float, ha: float, ratio: float = 1.0) -> Polygon:
    """A grid-aligned rectangle (width / height = ``ratio``) of ``ha`` measured hectares."""
    x, y = _TO_PLAN.transform(lon, lat)
    width, height = math.sqrt(ha * 10_000 * ratio), math.sqrt(ha * 10_000 / ratio)
    for _ in range(2):  # size from the measured scale, then once more
        factor = math.sqrt(ha / measured_ha(_rect(x, y, width, height)))
        width, height = width * factor, height * factor
    return _rect(x, y, width, height)


def outline(lon: float, lat: float, ha: float, vertices: list[tuple[float, float]]) -> Polygon:
    """The hand-drawn outline, scaled about the anchor to ``ha`` measured hectares."""
    cx, cy = _TO_PLAN.transform(lon, lat)
    pts = [_TO_PLAN.transform(vlon, vlat) for vlon, vlat in vertices]

    def scaled(k: float) -> Polygon:
        ring = [(round(cx + (x - cx) * k, DECIMALS), round(cy + (y - cy) * k, DECIMALS))
                for x, y in pts]
        return shapely.orient_polygons(Polygon(ring))

    k = 1.0
    for _ in range(3):
        k *= math.sqrt(ha / measured_ha(scaled(k)))
    return scaled(k)


# --- reading the source table ---------------------------------------------------------------


def _err(row: dict[str, str], column: str, what: str, fix: str) -> SourceError:
    return SourceError(f"geodata/source/features.csv: {row.get('ma') or '?'}, column "
                       f"{column!r}: {what}; {fix}")


def _float(row: dict[str, str], column: str) -> float:
    try:
        return float(row[column])
    except ValueError:
        raise _err(row, column, f"{row[column]!r} is not a number",
                   "write a decimal number with a point") from None


def read_source() -> list[dict[str, str]]:
    """The rows of ``features.csv``, NFC-normalised and checked against the schema."""
    with (SOURCE / "features.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            msg = (f"geodata/source/features.csv: columns are {reader.fieldnames}; expected "
                   f"{list(COLUMNS)}")
            raise SourceError(msg)
        rows = [{k: unicodedata.normalize("NFC", v.strip()) for k, v in r.items()}
                for r in reader]
    seen: set[str] = set()
    for row in rows:
        if row["layer"] not in LAYERS:
            raise _err(row, "layer", f"{row['layer']!r} is not a plan layer", f"use {LAYERS}")
        if row["ma"] in seen:
            raise _err(row, "ma", "duplicate code", "give every feature its own code")
        seen.add(row["ma"])
        if not row["ma"].startswith(PREFIX[row["layer"]]):
            raise _err(row, "ma", f"does not start with {PREFIX[row['layer']]!r}",
                       "use codes like KCN-01, CCN-608-01, KKT-BOY")
        if row["ma_huyen"] not in PLAN.unit_codes:
            raise _err(row, "ma_huyen", "not a district code", f"use {PLAN.unit_codes}")
        for f in schema.PLAN_FIELDS:
            value = row[f.name]
            if f.required and not value:
                raise _err(row, f.name, "empty", "this field is required")
            if value and f.domain and value not in f.domain:
                raise _err(row, f.name, f"{value!r} is outside the domain", f"use {f.domain}")
            if f.width and len(value.encode("utf-8")) > f.width:
                raise _err(row, f.name, f"{len(value.encode())} bytes in UTF-8",
                           f"the DBF field holds {f.width}: shorten it (detail goes to README)")
            if value and f.type == "float":
                _float(row, f.name)
            if value and f.type == "int" and not value.isdigit():
                raise _err(row, f.name, f"{value!r} is not a whole number", "write digits")
        groups = [g for g in row["nganh"].split(";") if g]
        if any(g not in schema.INDUSTRY_GROUPS for g in groups):
            raise _err(row, "nganh", f"{row['nganh']!r} has an unknown code",
                       f"use {sorted(schema.INDUSTRY_GROUPS)}, ;-separated")
    return sorted(rows, key=lambda r: r["ma"])


def read_outlines() -> dict[str, list[tuple[float, float]]]:
    """``kkt_outline.csv``: the vertices of each outline, in ``thu_tu`` order."""
    path = SOURCE / "kkt_outline.csv"
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != OUTLINE_COLUMNS:
            msg = f"{path}: columns are {reader.fieldnames}; expected {list(OUTLINE_COLUMNS)}"
            raise SourceError(msg)
        rows = sorted(reader, key=lambda r: (r["ma"], int(r["thu_tu"])))
    out: dict[str, list[tuple[float, float]]] = {}
    for r in rows:
        out.setdefault(r["ma"], []).append((float(r["lon"]), float(r["lat"])))
    return out


def geometry(row: dict[str, str], outlines: dict[str, list[tuple[float, float]]]
             ) -> Polygon | MultiPolygon:
    """The schematic shape of one source row, in EPSG:9216."""
    ha = _float(row, "dt_qh_ha")
    if row["parts"]:
        parts = []
        for part in row["parts"].split(";"):
            lon, lat, part_ha = (float(v) for v in part.split(","))
            parts.append(rectangle(lon, lat, part_ha))
        total = sum(float(p.split(",")[2]) for p in row["parts"].split(";"))
        if abs(total - ha) > 1e-9:
            raise _err(row, "parts", f"the parts add up to {total} ha, not {ha}",
                       "make the part areas add up to dt_qh_ha")
        return MultiPolygon(parts)
    lon, lat = _float(row, "lon"), _float(row, "lat")
    hint = row["hinh"]
    if hint == "vuong":
        return rectangle(lon, lat, ha)
    if hint.startswith("chu_nhat:"):
        return rectangle(lon, lat, ha, float(hint.split(":", 1)[1]))
    if hint == "vien":
        if row["ma"] not in outlines:
            raise _err(row, "hinh", "no outline in kkt_outline.csv", "add its vertices there")
        return outline(lon, lat, ha, outlines[row["ma"]])
    raise _err(row, "hinh", f"unknown shape hint {hint!r}", "use vuong, chu_nhat:R or vien")


def _column(values: list[str], kind: str) -> pd.Series:
    if kind == "float":
        return pd.Series([float(v) if v else math.nan for v in values], dtype="float64")
    if kind == "int":
        return pd.Series([int(v) if v else None for v in values], dtype="Int32")
    return pd.Series([v or None for v in values], dtype="object")


def layer_frames() -> dict[str, gpd.GeoDataFrame]:
    """The three plan layers, sorted by ``ma``, with their schematic geometry."""
    rows, outlines = read_source(), read_outlines()
    frames = {}
    for name in LAYERS:
        sel = [r for r in rows if r["layer"] == name]
        data = {f.name: _column([r[f.name] for r in sel], f.type) for f in schema.PLAN_FIELDS}
        frames[name] = gpd.GeoDataFrame(data, geometry=[geometry(r, outlines) for r in sel],
                                        crs=PLAN.crs)
    validate(frames)
    return frames


def validate(frames: dict[str, gpd.GeoDataFrame]) -> None:
    """Refuse to write shapes that miss their area or crowd each other."""
    problems = []
    for name, frame in frames.items():
        for row in frame.itertuples():
            err = abs(measured_ha(row.geometry) / row.dt_qh_ha - 1)
            if err > AREA_TOLERANCE:
                problems.append(f"{row.ma}: measured area off by {err:.3%}")
            if not row.geometry.is_valid:
                problems.append(f"{row.ma}: invalid geometry")
        w, s, e, n = PLAN.extent
        box = frame.to_crs("EPSG:4326").total_bounds
        if box[0] < w or box[1] < s or box[2] > e or box[3] > n:
            problems.append(f"{name}: outside the province's extent (west, south, east, north)"
                            f" {PLAN.extent}")
    zones = pd.concat([frames["kcn"], frames["ccn"]], ignore_index=True)
    geoms = zones.geometry.to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=MIN_GAP_M)
    for a, b in zip(left, right, strict=True):
        if a < b:
            problems.append(f"{zones.ma[a]} and {zones.ma[b]} are closer than {MIN_GAP_M:.0f} m")
    for kkt in frames["kkt"].itertuples():
        for z in zones[zones.intersects(kkt.geometry)].itertuples():
            if not (z.ma_huyen == kkt.ma_huyen and kkt.geometry.contains(z.geometry)):
                problems.append(f"{z.ma} straddles or enters {kkt.ma}")
    if problems:
        raise SourceError("geodata/source: " + "; ".join(problems))


def huyen_frame() -> pd.DataFrame:
    """The plan's units (its units.csv: the source of truth) as a lookup table for QGIS."""
    names = [f.name for f in schema.HUYEN_FIELDS]
    records = sorted(PLAN.units_records(), key=lambda r: r["ma_huyen"])
    data = {n: [r[n] for r in records] for n in names}
    frame = pd.DataFrame({n: pd.Series(v, dtype="object") for n, v in data.items()})
    for f in schema.HUYEN_FIELDS:
        if f.type == "int":
            frame[f.name] = frame[f.name].astype("Int32")
    return frame


# --- writing ----------------------------------------------------------------------------------


def fix_dbf(path: Path, fields: tuple) -> None:
    """Give the DBF the schema's string widths and the fixed header date (rewrites the records).

    GDAL sizes text fields itself (80 characters, growing as needed); the schema fixes them
    (``ten`` 120, ``nguon`` 200, ...). Values are left-aligned and space-padded, so a field is
    resized by re-padding each value.
    """
    raw = path.read_bytes()
    count, header_len, record_len = struct.unpack("<IHH", raw[4:12])
    specs = {f.name: f for f in fields}
    descriptors, layout = [], []
    pos = 32
    while raw[pos] != 0x0D:
        desc = bytearray(raw[pos:pos + 32])
        name = desc[:11].split(b"\0", 1)[0].decode("ascii")
        kind, width = chr(desc[11]), desc[16]
        new_width = width
        spec = specs.get(name)
        if kind == "C" and spec is not None and spec.width:
            new_width = spec.width
            desc[16] = new_width
        descriptors.append(bytes(desc))
        layout.append((kind, width, new_width))
        pos += 32
    new_record_len = 1 + sum(w for _, _, w in layout)
    out = bytearray(raw[:32])
    out[1:4] = bytes([DBF_DATE[0] - 1900, DBF_DATE[1], DBF_DATE[2]])
    out[10:12] = struct.pack("<H", new_record_len)
    out += b"".join(descriptors) + raw[pos:header_len]
    for i in range(count):
        rec = raw[header_len + i * record_len: header_len + (i + 1) * record_len]
        new = bytearray(rec[:1])
        offset = 1
        for _kind, width, new_width in layout:
            value = rec[offset:offset + width]
            offset += width
            if new_width != width:
                text = value.rstrip(b" ")
                if len(text) > new_width:
                    msg = f"{path.name}: a value of {len(text)} bytes does not fit {new_width}"
                    raise SourceError(msg)
                value = text.ljust(new_width, b" ")
            new += value
        out += new
    out += b"\x1a"
    path.write_bytes(bytes(out))


def build(out: Path) -> list[str]:
    """Write every output file into the folder ``out``; return their names."""
    frames = layer_frames()
    options = {"DBF_DATE_LAST_UPDATE": "{:04d}-{:02d}-{:02d}".format(*DBF_DATE)}
    for name, frame in frames.items():
        frame.to_file(out / f"{name}.shp", driver="ESRI Shapefile", encoding="UTF-8",
                      engine="pyogrio", layer_options=options)
        fix_dbf(out / f"{name}.dbf", schema.PLAN_FIELDS)
    huyen = huyen_frame()
    pyogrio.write_dataframe(huyen, out / "huyen.dbf", driver="ESRI Shapefile", encoding="UTF-8",
                            layer_options=options)
    fix_dbf(out / "huyen.dbf", schema.HUYEN_FIELDS)
    _verify(out, frames, huyen)
    names = sorted(p.name for p in out.iterdir())
    if names != sorted(OUTPUTS):
        msg = f"the build wrote {names}, expected {sorted(OUTPUTS)}"
        raise SourceError(msg)
    return names


def _verify(out: Path, frames: dict[str, gpd.GeoDataFrame], huyen: pd.DataFrame) -> None:
    """Read the files back through GDAL: same values, schema widths, UTF-8."""
    for name, frame in frames.items():
        back = pyogrio.read_dataframe(out / f"{name}.shp")
        _same(name, frame.drop(columns="geometry"), back.drop(columns="geometry"))
        got = shapely.normalize(back.geometry.to_numpy())
        want = shapely.normalize(frame.geometry.to_numpy())
        if not shapely.equals_exact(got, want, tolerance=0.005).all():
            msg = f"{name}.shp: geometry changed on the way through GDAL"
            raise SourceError(msg)
        _widths(out / f"{name}.dbf", schema.PLAN_FIELDS)
    back = pyogrio.read_dataframe(out / "huyen.dbf")
    info = pyogrio.read_info(out / "huyen.dbf")
    if info["geometry_type"] is not None:
        msg = "huyen.dbf: GDAL reads a geometry column"
        raise SourceError(msg)
    _same("huyen", huyen, back)
    _widths(out / "huyen.dbf", schema.HUYEN_FIELDS)


def _same(name: str, want: pd.DataFrame, got: pd.DataFrame) -> None:
    if list(got.columns) != list(want.columns) or len(got) != len(want):
        msg = f"{name}: GDAL reads {list(got.columns)} x {len(got)}"
        raise SourceError(msg)
    for col in want.columns:
        for a, b in zip(want[col], got[col], strict=True):
            if pd.isna(a) and pd.isna(b):
                continue
            if isinstance(a, float) or isinstance(b, float):
                ok = not pd.isna(a) and not pd.isna(b) and abs(float(a) - float(b)) < 1e-9
            else:
                ok = a == b
            if not ok:
                msg = f"{name}.{col}: wrote {a!r}, GDAL reads {b!r}"
                raise SourceError(msg)


def _widths(path: Path, fields: tuple) -> None:
    info = pyogrio.read_info(path)
    types = dict(zip(info["fields"], info["ogr_types"], strict=True))
    want = {"str": "OFTString", "int": "OFTInteger", "float": "OFTReal"}
    for f in fields:
        if types.get(f.name) != want[f.type]:
            msg = f"{path.name}: {f.name} is {types.get(f.name)}, not {want[f.type]}"
            raise SourceError(msg)
    raw = path.read_bytes()
    pos, widths = 32, {}
    while raw[pos] != 0x0D:
        widths[raw[pos:pos + 11].split(b"\0", 1)[0].decode()] = raw[pos + 16]
        pos += 32
    for f in fields:
        if f.width and widths[f.name] != f.width:
            msg = f"{path.name}: {f.name} is {widths[f.name]} wide, not {f.width}"
            raise SourceError(msg)


def install(built: Path, names: list[str]) -> None:
    """Move the built files into ``geodata/`` (each by an atomic rename on the same disk)."""
    for name in names:
        os.replace(built / name, GEODATA / name)


def check(built: Path, names: list[str]) -> list[str]:
    """The names of the output files in ``geodata/`` that differ from the fresh build."""
    return [n for n in names if not (GEODATA / n).is_file()
            or (GEODATA / n).read_bytes() != (built / n).read_bytes()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare a fresh build with the files in geodata/ instead of writing")
    args = parser.parse_args(argv)
    # Build in a temporary folder; to install, one inside geodata/ (same file system, so each
    # move is an atomic rename); to check, one outside (geodata/ is left untouched).
    tmp = Path(tempfile.mkdtemp(prefix="kzplan-geodata-" if args.check else ".build-",
                                dir=None if args.check else GEODATA))
    try:
        names = build(tmp)
        if args.check:
            differ = check(tmp, names)
            if differ:
                print("geodata/ differs from a fresh build: " + ", ".join(differ)
                      + ". Run: python tools/build_geodata.py", file=sys.stderr)
                return 1
            print("geodata/ matches a fresh build (" + ", ".join(names) + ")")
            return 0
        install(tmp, names)
        print("wrote geodata/: " + ", ".join(names))
        return 0
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
