"""What every part of :mod:`kzplan.crs` shares: parsing, lon/lat views of bounds, distances."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from functools import lru_cache

from pyproj import CRS, Geod, Transformer
from pyproj.exceptions import CRSError as ProjCRSError
from pyproj.exceptions import ProjError

from kzplan import messages

Bounds = tuple[float, float, float, float]
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class Note:
    """A hygiene remark about a layer's CRS, shown as an info finding."""

    key: str
    params: dict = field(default_factory=dict)

    def render(self, lang: str | None = None) -> str:
        """The note in ``lang`` (default: the user's language)."""
        return messages.text(self.key, lang, **self.params)

@lru_cache(maxsize=64)
def _epsg_crs(code: int) -> CRS:
    return CRS.from_epsg(code)

@lru_cache(maxsize=64)
def _to_lonlat(crs: CRS) -> Transformer:
    return Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

def _as_crs(value: object) -> CRS:
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        return _epsg_crs(int(value))
    return CRS.from_user_input(value)

def _finite(bounds: object) -> Bounds | None:
    if bounds is None:
        return None
    b = tuple(float(v) for v in bounds)  # type: ignore[union-attr]
    if len(b) != 4 or not all(math.isfinite(v) for v in b):
        return None
    return b  # type: ignore[return-value]

def _swap(b: Bounds) -> Bounds:
    return (b[1], b[0], b[3], b[2])

def _degree_like(b: Bounds) -> bool:
    return all(abs(v) <= 180 for v in (b[0], b[2])) and all(abs(v) <= 90 for v in (b[1], b[3]))

def _base(crs: CRS) -> CRS:
    return crs.source_crs if crs.is_bound else crs

def _name(crs: CRS, epsg: int | None = None) -> str:
    code = epsg if epsg is not None else crs.to_epsg(min_confidence=100)
    return f"{crs.name} (EPSG:{code})" if code else crs.name

def to_lonlat_bounds(crs: CRS | str | int, bounds: Bounds) -> Bounds:
    """Transform ``bounds`` to WGS 84 longitude/latitude.

    Parameters
    ----------
    crs
        The CRS of ``bounds`` (pyproj CRS, string or EPSG code).
    bounds
        (minx, miny, maxx, maxy) in ``crs``.

    Returns
    -------
    tuple of float
        (west, south, east, north) in degrees. PROJ picks the transformation (EPSG:6960 for
        VN-2000 -> WGS 84); the edges are densified (21 points each).
    """
    t = _to_lonlat(_as_crs(crs))
    w, s, e, n = t.transform_bounds(*bounds, densify_pts=21)
    return (float(w), float(s), float(e), float(n))

def _safe_lonlat(crs: CRS, b: Bounds) -> Bounds | None:
    if crs.is_geographic and not _degree_like(b):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = to_lonlat_bounds(crs, b)
    except (ProjError, ProjCRSError, ValueError):
        return None
    return out if all(math.isfinite(v) for v in out) else None

def _centre_lonlat(crs: CRS, b: Bounds) -> tuple[float, float] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lon, lat = _to_lonlat(crs).transform((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)
    except (ProjError, ProjCRSError, ValueError):
        return None
    return (lon, lat) if math.isfinite(lon) and math.isfinite(lat) else None

def _direction(az: float) -> dict[str, str]:
    names = ("n", "ne", "e", "se", "s", "sw", "w", "nw")
    return messages.both("crs.dir." + names[round((az % 360) / 45) % 8])

def _dms(deg: float) -> str:
    d, minutes = int(deg), round((deg - int(deg)) * 60)
    return f"{d}°{minutes:02d}′"

def _geodesic_km(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    az, _, dist = _GEOD.inv(a[0], a[1], b[0], b[1])
    return dist / 1000, az

def _params(crs: CRS) -> dict[str, float]:
    """Conversion parameters by EPSG parameter code, in SI units (radians: back to degrees)."""
    op = crs.coordinate_operation
    out: dict[str, float] = {}
    for p in op.params if op is not None else ():
        si = p.value * p.unit_conversion_factor
        out[p.code or p.name] = math.degrees(si) if p.unit_category == "angular" else si
    return out
