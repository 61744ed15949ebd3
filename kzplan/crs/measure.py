"""Equal-area measurement: areas in hectares on a Lambert azimuthal equal-area projection built on
the layer's own datum and centred on the layer itself, so measuring needs no datum shift and no
plan; and the control-point self-test of PROJ's VN-2000 pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from pyproj import CRS
from pyproj.crs import ProjectedCRS
from pyproj.crs.coordinate_operation import LambertAzimuthalEqualAreaConversion

from kzplan._errors import CRSError
from kzplan.crs._common import _GEOD, _as_crs, _base, _centre_lonlat, _epsg_crs, _finite, _to_lonlat
from kzplan.crs.area import plan_or_default

if TYPE_CHECKING:
    import geopandas

    from kzplan.plandef import PlanDef

@dataclass(frozen=True)
class ControlPoint:
    """A published control point converted to WGS 84 by PROJ, against its published WGS 84 value."""

    name: str
    source_epsg: int
    x: float
    y: float
    lon: float
    lat: float
    ref_lon: float
    ref_lat: float
    error_m: float

@lru_cache(maxsize=16)
def equal_area_crs(crs: CRS, centre: tuple[float, float] | None = None) -> CRS:
    """Lambert azimuthal equal-area centred on ``centre`` (lat, lon; default: the default plan's
    extent) on ``crs``'s datum.

    Parameters
    ----------
    crs
        Any CRS; its ``geodetic_crs`` (the source CRS's, for a bound CRS) is kept.

    Returns
    -------
    pyproj.CRS
        A projected CRS on the same geodetic CRS, so going from ``crs`` to it is a pure change
        of projection, with no datum shift.
    """
    crs = _as_crs(crs)
    geodetic = _base(crs).geodetic_crs
    if centre is None:
        w, s, e, n = plan_or_default(None).extent
        centre = (round((s + n) / 2, 1), round((w + e) / 2, 1))
    lat, lon = centre
    conv = LambertAzimuthalEqualAreaConversion(latitude_natural_origin=lat,
                                               longitude_natural_origin=lon)
    return ProjectedCRS(conversion=conv, geodetic_crs=geodetic,
                        name=f"{geodetic.name} / LAEA {lat:g} {lon:g}")

def area_ha(geoms: geopandas.GeoSeries, *, file: str | None = None,
            layer: str | None = None) -> np.ndarray:
    """Areas in hectares, measured on :func:`equal_area_crs` of the series' own CRS.

    Parameters
    ----------
    geoms
        Geometries with a CRS (any: projected, geographic, Web Mercator).
    file, layer
        Named in the error when ``geoms`` has no CRS.

    Returns
    -------
    numpy.ndarray
        One float per geometry (0 for empty geometries, NaN for missing ones).

    Raises
    ------
    CRSError
        ``geoms.crs`` is None.
    """
    if geoms.crs is None:
        raise CRSError("crs.area_no_crs", file=file or "GeoSeries",
                       layer=layer or (geoms.name or "geometry"))
    crs = _as_crs(geoms.crs)
    b = _finite(tuple(geoms.total_bounds)) if len(geoms) else None
    c = _centre_lonlat(crs, b) if b is not None else None
    centre = (round(c[1] * 2) / 2, round(c[0] * 2) / 2) if c else None  # to 0.5°: cacheable
    return np.asarray(geoms.to_crs(equal_area_crs(crs, centre)).area, dtype=float) / 10_000

def control_point_selftest(plan: PlanDef | None = None) -> tuple[ControlPoint, ...]:
    """Convert the plan's control points from VN-2000 to WGS 84 with PROJ's default pipeline.

    Returns
    -------
    tuple of ControlPoint
        The plan's control points (``[[control_point]]`` in its plan.toml), each with the computed WGS 84 lon/lat, the published
        WGS 84 lon/lat and the distance between them (m).
    """
    out = []
    for cp in plan_or_default(plan).control_points:
        name, epsg, (x, y), (rlon, rlat) = cp.name, cp.epsg, cp.xy, cp.wgs84
        lon, lat = _to_lonlat(_epsg_crs(epsg)).transform(x, y)
        err = _GEOD.inv(lon, lat, rlon, rlat)[2]
        out.append(ControlPoint(name, epsg, x, y, float(lon), float(lat), rlon, rlat, float(err)))
    return tuple(out)
