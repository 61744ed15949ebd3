"""Geometry for what-if edits: metres in any plan CRS, squares of a given area, polygons from
what users pass (shapely, one-row GeoSeries/GeoDataFrame, WKT, a (lon, lat) point), and copies
of a plan with one layer replaced."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace as dc_replace
from typing import Any

import geopandas as gpd
import pyproj
import shapely
import shapely.affinity
from shapely.geometry.base import BaseGeometry

from kzplan import crs as kcrs
from kzplan.plan import LayerInfo, Plan
from kzplan.whatif._messages import WhatIfError


def _metric(crs: str) -> bool:
    c = pyproj.CRS(crs)
    return c.is_projected and all(a.unit_name in ("metre", "meter") for a in c.axis_info[:2])


def in_metres(geom: BaseGeometry, crs: str, func: Callable[[BaseGeometry], BaseGeometry]
               ) -> BaseGeometry:
    """Apply ``func`` to ``geom`` in metres: in the plan CRS when it is metric, else in an
    equal-area projection of its datum (and back)."""
    if _metric(crs):
        return func(geom)
    local = kcrs.equal_area_crs(pyproj.CRS(crs))
    there = gpd.GeoSeries([geom], crs=crs).to_crs(local)
    return gpd.GeoSeries([func(there.iloc[0])], crs=local).to_crs(crs).iloc[0]


def geometry_ha(geom: BaseGeometry, crs: str) -> float:
    return float(kcrs.area_ha(gpd.GeoSeries([geom], crs=crs))[0])


def lonlat_to(crs: str, lon: float, lat: float) -> tuple[float, float]:
    tr = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = tr.transform(lon, lat)
    return float(x), float(y)


def square(plan: Plan, lon: float, lat: float, ha: float) -> BaseGeometry:
    """A square of ``ha`` hectares (measured as kzplan measures) centred on WGS 84 ``lon, lat``,
    in the plan's CRS: a quick outline for "what if we put a cluster here?"."""
    x, y = lonlat_to(plan.crs, lon, lat)

    def make(g: BaseGeometry) -> BaseGeometry:
        c = g.centroid
        half = (ha * 10_000) ** 0.5 / 2
        return shapely.box(c.x - half, c.y - half, c.x + half, c.y + half)

    geom = in_metres(shapely.Point(x, y), plan.crs, make)
    measured = geometry_ha(geom, plan.crs)
    return shapely.affinity.scale(geom, (ha / measured) ** 0.5, (ha / measured) ** 0.5,
                                  origin="centroid")


def as_polygon(plan: Plan, layer: str, code: str, geometry: Any, crs: Any,
                ha: float | None) -> BaseGeometry:
    kind = type(geometry).__name__
    if isinstance(geometry, (gpd.GeoDataFrame, gpd.GeoSeries)):
        series = geometry.geometry if isinstance(geometry, gpd.GeoDataFrame) else geometry
        if len(series) != 1:
            raise WhatIfError("whatif.bad_geometry", layer=layer, code=code,
                              kind=f"{kind} of {len(series)} rows")
        crs = crs or series.crs
        geometry = series.iloc[0]
    elif isinstance(geometry, str):
        try:
            geometry = shapely.from_wkt(geometry)
        except shapely.errors.GEOSException:
            raise WhatIfError("whatif.bad_geometry", layer=layer, code=code,
                              kind="text that is not WKT") from None
    elif (isinstance(geometry, (tuple, list)) and len(geometry) == 2
          and all(isinstance(v, (int, float)) for v in geometry)):
        if ha is None or ha <= 0:
            raise WhatIfError("whatif.bad_geometry", layer=layer, code=code,
                              kind="(lon, lat) without dt_qh_ha")
        return square(plan, float(geometry[0]), float(geometry[1]), ha)
    if not isinstance(geometry, BaseGeometry) or geometry.is_empty or geometry.geom_type not in (
            "Polygon", "MultiPolygon"):
        shown = geometry.geom_type if isinstance(geometry, BaseGeometry) else kind
        if isinstance(geometry, BaseGeometry) and geometry.is_empty:
            shown = f"empty {shown}"
        raise WhatIfError("whatif.bad_geometry", layer=layer, code=code, kind=shown)
    if crs is not None and pyproj.CRS(crs) != pyproj.CRS(plan.crs):
        geometry = gpd.GeoSeries([geometry], crs=crs).to_crs(plan.crs).iloc[0]
    return geometry


def with_layer(plan: Plan, layer: str, frame: gpd.GeoDataFrame) -> Plan:
    """A new plan sharing nothing mutable with ``plan``, with ``layer`` replaced."""
    out = plan.copy()
    out.layers[layer] = frame.reset_index(drop=True)
    info = out.info.get(layer)
    if info is None:
        info = LayerInfo(name=layer, file=None, driver="kzplan.whatif", crs=plan.crs)
    out.info[layer] = dc_replace(info, count=len(frame))
    return out


def set_geometry(plan: Plan, layer: str, row: int, geom: BaseGeometry) -> gpd.GeoDataFrame:
    frame = plan.layers[layer].copy()
    frame.iloc[row, frame.columns.get_loc(frame.geometry.name)] = geom
    frame.iloc[row, frame.columns.get_loc("dt_do_ha")] = geometry_ha(geom, plan.crs)
    return frame

