"""Tiny plans for tests: a few squares in the right places, written as real files.

``square(lon, lat, ha)`` is a square of ``ha`` hectares (in EPSG:9216) whose south-west corner is
at the WGS84 point; ``feature(...)`` is a complete, valid set of canonical attributes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
from pyproj import Transformer
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

_TO_9216 = Transformer.from_crs("EPSG:4326", "EPSG:9216", always_xy=True)
# Hand-picked points well inside each district (not derived from any boundary file).
ANCHORS = {
    "608": (107.99, 14.36),   # TP Kon Tum
    "615": (107.93, 14.52),   # Đắk Hà
    "612": (107.83, 14.66),   # Đắk Tô
}


def xy(lon: float, lat: float) -> tuple[float, float]:
    """WGS84 lon/lat -> EPSG:9216 metres."""
    return _TO_9216.transform(lon, lat)


def square(lon: float, lat: float, ha: float, *, dx: float = 0.0, dy: float = 0.0) -> BaseGeometry:
    """A square of ``ha`` hectares with its SW corner at (lon, lat) shifted by dx/dy metres."""
    x, y = xy(lon, lat)
    side = (ha * 10_000) ** 0.5 / 0.99995  # TM-3 scale near 107.5-108 E is ~0.99995-1.0000
    return box(x + dx, y + dy, x + dx + side, y + dy + side)


def feature(ma: str, ma_huyen: str = "608", dt: float = 50.0, **kw: Any) -> dict[str, Any]:
    """A feature's canonical attributes with sensible defaults."""
    base = {
        "ma": ma, "ten": f"Cụm công nghiệp {ma}", "ma_huyen": ma_huyen, "dt_qh_ha": dt,
        "trang_thai": "quy_hoach", "nam_tl": None, "lap_day": None, "xlnt": None,
        "nganh": "nong_lam", "nguon": "test", "tin_cay": "gia_dinh", "hinh_hoc": "so_do",
        "ghi_chu": None,
    }
    base.update(kw)
    return base


def frame(rows: list[dict[str, Any]], geoms: list[BaseGeometry | None],
          crs: str = "EPSG:9216") -> gpd.GeoDataFrame:
    """A GeoDataFrame of canonical rows."""
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=crs)


def write(folder: Path, **layers: gpd.GeoDataFrame) -> Path:
    """Write layers as UTF-8 shapefiles named after them into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, gdf in layers.items():
        gdf.to_file(folder / f"{name}.shp", encoding="UTF-8")
    return folder


def small_plan(folder: Path) -> Path:
    """A valid small plan: 1 KCN and 3 CCN in TP Kon Tum, spaced apart."""
    lon, lat = ANCHORS["608"]
    kcn = frame([feature("KCN-01", dt=100.0, ten="KCN Thử")], [square(lon, lat, 100.0)])
    ccn_rows = [feature(f"CCN-{i}", dt=40.0) for i in range(3)]
    ccn = frame(ccn_rows, [square(lon, lat, 40.0, dx=2000.0 * (i + 1)) for i in range(3)])
    return write(folder, kcn=kcn, ccn=ccn)


def legacy_ccn(folder: Path, names: list[str], codec: str) -> Path:
    """A ``ccn`` shapefile whose DBF holds ``names`` in a legacy ``codec`` (tcvn3, vni, cp1258)
    and which has no ``.cpg``, as old Vietnamese data does (the ``.prj`` is kept)."""
    from kzplan import encoding as enc

    encode = {"tcvn3": enc.encode_tcvn3, "vni": enc.encode_vni,
              "cp1258": lambda s: s.encode("cp1258")}[codec]
    raw = [encode(n) for n in names]
    width = max(len(r) for r in raw)
    lon, lat = ANCHORS["608"]
    rows = [feature(f"CCN-{i}", ten="X" * width) for i in range(len(names))]
    geoms = [square(lon, lat, 40.0, dx=2000.0 * (i + 1)) for i in range(len(names))]
    write(folder, ccn=frame(rows, geoms))
    (folder / "ccn.cpg").unlink()
    dbf = folder / "ccn.dbf"
    data = dbf.read_bytes()
    for r in raw:  # put the legacy bytes where GDAL wrote the placeholders
        i = data.index(b"X" * width)
        data = data[:i] + r.ljust(width) + data[i + width:]
    dbf.write_bytes(data)
    return folder
