"""Lots (lô đất): the measurements behind the LT rules, in memory (:mod:`kzplan.lots.measure`)
or partitioned on a dask cluster (:mod:`kzplan.lots.distributed`)."""

from __future__ import annotations

from kzplan.lots.measure import ENGINES, LotGeometry, geometry_checks, occupancy, usable

__all__ = ["ENGINES", "LotGeometry", "geometry_checks", "occupancy", "usable"]
