"""Build the bundled schematic lots (geodata/lo_dat.*) from the bundled zones, reproducibly.

    python tools/build_lots.py          # (re)write geodata/lo_dat.{shp,shx,dbf,prj,cpg}
    python tools/build_lots.py --check  # exit 1 unless geodata/ matches a fresh build

Lots are drawn for the two zones whose occupancy is published (shared/plan/kontum-2030.md):
KCN Hòa Bình (KCN-01, fully let: every industrial lot leased) and CCN Đắk La (CCN-615-01, about
37.7 % let: whole lots, and one lot split, until 37.7 % of its industrial land is leased). The layout is schematic, like the zones it sits in:
each part of a zone is cut into a 4 × 4 grid of industrial lots (`cn`) around a central road (`gt`),
with a green belt (`cx`) along its south edge and a technical-infrastructure lot (`ht`) in its
south-west corner. Nothing here comes from a detailed plan; every lot says so (`nguon`, `tin_cay`,
`hinh_hoc = so_do`).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import box

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pure import pure  # noqa: E402
from build_geodata import DBF_DATE, fix_dbf  # noqa: E402

schema = pure("schema")
ROOT = Path(__file__).resolve().parents[1]
GEODATA = ROOT / "geodata"
OUTPUTS = tuple(f"lo_dat{e}" for e in (".shp", ".shx", ".dbf", ".prj", ".cpg"))
ROAD_M = 24.0  # central road width
BELT_M = 30.0  # green belt along the south edge
GRID = 4  # industrial lots per side of each part
# Zone -> (the published share of its industrial land that is leased, %; source of the figure)
ZONES = {
    "KCN-01": (100.0, "S4, S5: KCN Hòa Bình lấp đầy 100 % (01/2022)"),
    "CCN-615-01": (37.7, "S16, S17: CCN Đắk La lấp đầy ≈37,7 %"),
}


def _parts(geom: shapely.Geometry) -> list[shapely.Geometry]:
    return list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]


def _layout(part: shapely.Geometry) -> list[tuple[str, shapely.Geometry]]:
    """One part of a zone as (land use, lot) pieces: belt, road, then the grid of lots."""
    x0, y0, x1, y1 = part.bounds
    mid, ground = (x0 + x1) / 2, y0 + BELT_M
    pieces = [("cx", box(x0, y0, x1, ground)),
              ("gt", box(mid - ROAD_M / 2, ground, mid + ROAD_M / 2, y1))]
    col_w = (x1 - x0 - ROAD_M) / GRID
    row_h = (y1 - ground) / GRID
    for r in range(GRID):
        for c in range(GRID):
            left = x0 + c * col_w + (ROAD_M if c >= GRID / 2 else 0.0)
            cell = box(left, ground + r * row_h, left + col_w, ground + (r + 1) * row_h)
            pieces.append(("ht" if (r, c) == (0, 0) else "cn", cell))
    return pieces


def lots_frame() -> gpd.GeoDataFrame:
    """The schematic lots of every zone in ``ZONES``, in the zones' CRS."""
    zones = gpd.GeoDataFrame(
        gpd.pd.concat([gpd.read_file(GEODATA / "kcn.shp"), gpd.read_file(GEODATA / "ccn.shp")]),
    )
    rows, geoms = [], []
    for code, (pct, source) in ZONES.items():
        zone = zones[zones["ma"] == code].iloc[0]
        pieces: list[tuple[str, shapely.Geometry]] = []
        for part in sorted(_parts(zone.geometry), key=lambda g: g.bounds):
            pieces += _layout(part)
        left = pct / 100 * sum(g.area for use, g in pieces if use == "cn")
        lots: list[tuple[str, str, shapely.Geometry]] = []
        for use, geom in pieces:
            if use != "cn":
                lots.append((use, "con_trong", geom))
            elif left >= geom.area - 1e-6:
                lots.append((use, "da_thue", geom))
                left -= geom.area
            elif left > 1.0:  # split the lot: its west part leased, the rest vacant
                x0, y0, x1, y1 = geom.bounds
                cut = x0 + (x1 - x0) * left / geom.area
                lots += [(use, "da_thue", box(x0, y0, cut, y1)), (use, "con_trong", box(cut, y0, x1, y1))]
                left = 0.0
            else:
                lots.append((use, "con_trong", geom))
        for n, (use, lease, geom) in enumerate(lots, start=1):
            rows.append({
                "ma_lo": f"{code}-L{n:02d}", "ma_khu": code, "loai_dat": use, "thue": lease,
                "dt_ha": round(geom.area / 10_000, 2),
                "nguon": f"{source}; lô sơ đồ do kzplan vẽ (tools/build_lots.py)",
                "tin_cay": "gia_dinh", "hinh_hoc": "so_do",
            })
            geoms.append(geom)
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=zones.crs)


def build(out: Path) -> list[str]:
    """Write the lots into ``out``; return the file names written."""
    frame = lots_frame()
    options = {"DBF_DATE_LAST_UPDATE": "{:04d}-{:02d}-{:02d}".format(*DBF_DATE)}
    frame.to_file(out / "lo_dat.shp", driver="ESRI Shapefile", encoding="UTF-8",
                  engine="pyogrio", layer_options=options)
    fix_dbf(out / "lo_dat.dbf", schema.LOT_FIELDS)
    return sorted(p.name for p in out.iterdir() if p.name.startswith("lo_dat."))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with geodata/, write nothing")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        names = build(Path(tmp))
        if args.check:
            differ = [n for n in OUTPUTS
                      if not (GEODATA / n).is_file()
                      or (GEODATA / n).read_bytes() != (Path(tmp) / n).read_bytes()]
            if differ:
                print(f"geodata/ differs from a fresh build: {differ}; run tools/build_lots.py")
                return 1
            print(f"geodata/ lots match a fresh build ({', '.join(names)})")
            return 0
        for n in names:
            shutil.copyfile(Path(tmp) / n, GEODATA / n)
    print(f"wrote geodata/: {', '.join(names)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
