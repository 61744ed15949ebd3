"""Build the bundled plan layers in geodata/ from the hand-edited source table.

    python tools/build_geodata.py          # (re)write geodata/*.shp, huyen.dbf
    python tools/build_geodata.py --check  # exit 1 if the committed files differ from a build

Source: ``geodata/source/features.csv`` (one row per KCN / CCN / KKT with every canonical
attribute and a hand-chosen anchor in WGS84 degrees: the centre of the feature's schematic square,
or ``parts`` = ``lon,lat,ha;...`` for a multi-part feature) and ``geodata/source/kkt_outline.csv``
(the KKT's schematic outline). Geometry is schematic: squares sized so that the area measured on an
equal-area projection equals the planned area. Anchors are our own choices; no boundary file is
read here.
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon, box

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kzplan import schema  # noqa: E402
from kzplan.crs import area_ha  # noqa: E402

GEODATA = ROOT / "geodata"
SOURCE = GEODATA / "source"
CRS = schema.PROVINCE_CRS
_TO = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)


def _square(lon: float, lat: float, ha: float) -> Polygon:
    """A square of ``ha`` hectares (measured on the equal-area projection) centred at lon/lat."""
    x, y = _TO.transform(lon, lat)
    side = (ha * 10_000) ** 0.5
    for _ in range(3):
        sq = box(x - side / 2, y - side / 2, x + side / 2, y + side / 2)
        measured = float(area_ha(gpd.GeoSeries([sq], crs=CRS))[0])
        side *= (ha / measured) ** 0.5
    return box(x - side / 2, y - side / 2, x + side / 2, y + side / 2)


def _kkt_outline() -> Polygon:
    with (SOURCE / "kkt_outline.csv").open(encoding="utf-8") as f:
        pts = [(float(r["lon"]), float(r["lat"])) for r in csv.DictReader(f)]
    return Polygon([_TO.transform(lon, lat) for lon, lat in pts])


def _geometry(row: dict[str, str]) -> Polygon | MultiPolygon:
    parts = row["parts"].strip()
    if parts == "kkt":
        return _kkt_outline()
    if parts:
        squares = []
        for part in parts.split(";"):
            lon, lat, ha = (float(v) for v in part.split(","))
            squares.append(_square(lon, lat, ha))
        return MultiPolygon(squares)
    return _square(float(row["lon"]), float(row["lat"]), float(row["dt_qh_ha"]))


def _typed(rows: list[dict[str, str]]) -> pd.DataFrame:
    out = []
    for r in rows:
        rec: dict[str, object] = {}
        for f in schema.PLAN_FIELDS:
            value = r[f.name].strip()
            if f.type == "float":
                rec[f.name] = float(value) if value else None
            elif f.type == "int":
                rec[f.name] = int(value) if value else None
            else:
                rec[f.name] = value or None
        out.append(rec)
    frame = pd.DataFrame(out)
    frame["nam_tl"] = frame["nam_tl"].astype("Int64")
    return frame


def _schema(fields: tuple[schema.Field, ...]) -> dict[str, str]:
    kinds = {"str": "str", "int": "int", "float": "float"}
    return {f.name: kinds[f.type] for f in fields}


def build(out: Path) -> None:
    """Write every layer into ``out``."""
    with (SOURCE / "features.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        for key, value in r.items():
            if len(value.encode("utf-8")) > 254:
                msg = (f"features.csv: {r['ma']} {key} is {len(value.encode())} bytes; a DBF "
                       "text field holds 254: shorten it (move detail to geodata/README.md)")
                raise SystemExit(msg)
    for name in schema.PLAN_LAYERS:
        sel = [r for r in rows if r["layer"] == name]
        gdf = gpd.GeoDataFrame(_typed(sel), geometry=[_geometry(r) for r in sel], crs=CRS)
        pyogrio.write_dataframe(gdf, out / f"{name}.shp", encoding="UTF-8",
                                layer_options={"RESIZE": "YES"})
    huyen = pd.DataFrame(
        [dict(zip(("ma_huyen", "ten", "ten_ascii", "loai", "min_ccn"), d, strict=True))
         for d in schema.DISTRICTS])
    pyogrio.write_dataframe(huyen, out / "huyen.dbf", driver="ESRI Shapefile", encoding="UTF-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare a fresh build with geodata/ instead of writing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        build(out)
        built = sorted(p.name for p in out.iterdir())
        if args.check:
            differ = [n for n in built
                      if not (GEODATA / n).exists() or not filecmp.cmp(out / n, GEODATA / n,
                                                                        shallow=False)]
            if differ:
                print("geodata/ differs from a fresh build:", ", ".join(differ))
                return 1
            print("geodata/ matches a fresh build:", ", ".join(built))
            return 0
        for name in built:
            shutil.move(out / name, GEODATA / name)
        print("wrote", ", ".join(built))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
