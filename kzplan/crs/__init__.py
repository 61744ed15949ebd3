"""Coordinate reference systems, by concern.

- :mod:`~kzplan.crs.identify`: what a declared CRS is (EPSG code from the WKT's own parameters and
  datum; deprecated codes; towgs84 checks).
- :mod:`~kzplan.crs.guess`: which usual CRSs put a layer's coordinates inside the plan's area.
- :mod:`~kzplan.crs.area`: the fit of lon/lat bounds to the plan's extent.
- :mod:`~kzplan.crs.resolve`: a layer's CRS from the file and overrides, or a one-line refusal
  (:class:`~kzplan._errors.CRSError`) that names the file, the layer, what is wrong and the fix.
- :mod:`~kzplan.crs.measure`: areas on a Lambert equal-area projection on the layer's own datum.

Transformations to WGS 84 are always left to PROJ and its EPSG database; no ``+towgs84`` string
is written anywhere. The plan (its projection and extent) is data: every function that needs it
takes ``plan=`` (a :class:`~kzplan.plandef.PlanDef`; the default plan when None).
"""

from __future__ import annotations

from kzplan.crs._common import Bounds, Note, to_lonlat_bounds
from kzplan.crs.guess import Guess, candidates, guess_crs
from kzplan.crs.identify import DEPRECATED, VN2000_TRANSFORMATIONS
from kzplan.crs.measure import ControlPoint, area_ha, control_point_selftest, equal_area_crs
from kzplan.crs.resolve import Resolved, UnreadablePrj, resolve_crs

__all__ = [
    "DEPRECATED",
    "VN2000_TRANSFORMATIONS",
    "Bounds",
    "ControlPoint",
    "Guess",
    "Note",
    "Resolved",
    "UnreadablePrj",
    "area_ha",
    "candidates",
    "control_point_selftest",
    "equal_area_crs",
    "guess_crs",
    "resolve_crs",
    "to_lonlat_bounds",
]
