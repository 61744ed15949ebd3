"""What-if edits: :class:`Add`, :class:`Remove`, :class:`Move`, :class:`Resize`, :class:`Set`
and the one-line functions :func:`add`, :func:`remove`, :func:`move`, :func:`resize`,
:func:`set_attributes`. Each returns a new plan (the input is never touched) with the measured area
``dt_do_ha`` of the edited feature recomputed; attribute values are checked against the schema.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely.affinity

from kzplan import messages, schema
from kzplan.plan import Plan
from kzplan.whatif._geometry import (
    as_polygon,
    geometry_ha,
    in_metres,
    lonlat_to,
    set_geometry,
    with_layer,
)
from kzplan.whatif._messages import EXPECTED, NOUN, WhatIfError, num

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

_GEOMETRY_FIELDS = ("geometry", "dt_do_ha")


# --- locating features --------------------------------------------------------------------------


def _layer(plan: Plan, layer: str, *, create: bool = False) -> gpd.GeoDataFrame | None:
    if layer not in schema.PLAN_LAYERS:
        raise WhatIfError("whatif.unknown_layer", layer=layer, known=", ".join(schema.PLAN_LAYERS))
    frame = plan.layers.get(layer)
    if frame is None and not create:
        raise WhatIfError("whatif.layer_absent", plan=plan.config.name, layer=layer,
                          available=", ".join(plan.layers) or "-")
    return frame


def _file(plan: Plan, layer: str) -> str:
    info = plan.info.get(layer)
    return info.label if info is not None else "-"


def _codes_preview(frame: pd.DataFrame, limit: int = 12) -> str:
    codes = [str(c) for c in frame["ma"] if isinstance(c, str) and c]
    if not codes:
        return "-"
    more = f", … (+{len(codes) - limit})" if len(codes) > limit else ""
    return ", ".join(codes[:limit]) + more


def _locate(plan: Plan, layer: str, code: str) -> int:
    """The row position of feature ``code`` in ``layer`` (it must name exactly one feature)."""
    frame = _layer(plan, layer)
    assert frame is not None
    hits = np.flatnonzero((frame["ma"] == code).to_numpy(dtype=bool, na_value=False))
    if len(hits) == 0:
        raise WhatIfError("whatif.unknown_code", layer=layer, file=_file(plan, layer), code=code,
                          available=_codes_preview(frame))
    if len(hits) > 1:
        raise WhatIfError("whatif.ambiguous_code", layer=layer, file=_file(plan, layer),
                          code=code, count=len(hits), rows=", ".join(str(i + 1) for i in hits))
    return int(hits[0])


def _coerce(layer: str, code: str, name: str, value: Any, frame: pd.DataFrame | None) -> Any:
    """Check one attribute value against the canonical schema (type, domain, required)."""
    fields = schema.field_map(layer)
    if name in _GEOMETRY_FIELDS:
        raise WhatIfError("whatif.geometry_field", layer=layer, code=code, field=name)
    spec = fields.get(name)
    if spec is None:
        if frame is not None and name in frame.columns:
            return value  # a column of the user's own: any value
        available = ", ".join([*fields, *(c for c in (frame.columns if frame is not None else ())
                                         if c not in fields and c not in _GEOMETRY_FIELDS)])
        raise WhatIfError("whatif.unknown_field", layer=layer, code=code, field=name,
                          available=available)

    def bad(expected: Mapping[str, str]) -> WhatIfError:
        return WhatIfError("whatif.bad_value", layer=layer, code=code, field=name, value=value,
                           expected=expected)

    if value is None or (isinstance(value, float) and math.isnan(value)):
        if spec.required:
            raise bad(EXPECTED["required"])
        return None
    if spec.type == "str":
        if name == "ma_huyen" and isinstance(value, (int, np.integer)) and not isinstance(
                value, bool):
            value = f"{int(value):03d}"
        if not isinstance(value, str) or not value.strip():
            raise bad(EXPECTED["ma_huyen" if name == "ma_huyen" else "str"])
        value = value.strip()
        if name == "ma_huyen" and not (value.isdigit() and len(value) == 3):
            raise bad(EXPECTED["ma_huyen"])
        if spec.domain is not None and value not in spec.domain:
            raise bad({"vi": " / ".join(spec.domain), "en": " / ".join(spec.domain)})
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise bad(EXPECTED[spec.type])
    if not math.isfinite(float(value)):
        raise bad(EXPECTED[spec.type])
    if spec.type == "int":
        if float(value) != int(value):
            raise bad(EXPECTED["int"])
        return int(value)
    if name == "dt_qh_ha" and value <= 0:
        raise bad(EXPECTED["positive"])
    return float(value)


def _district_name(plan: Plan, code: Any, lang: str) -> str:
    table = plan.district_table()
    match = table[table["ma_huyen"].astype(str) == str(code)] if code is not None else table[:0]
    if len(match):
        return str(match["ten"].iloc[0])
    return messages.text("whatif.district_unknown", lang)


# --- edits --------------------------------------------------------------------------------------


class Edit:
    """One what-if edit: ``edit.apply(plan)`` returns a new plan; ``edit.describe(plan, lang)``
    says what it does (for the sentences of a :class:`Diff`)."""

    layer: str

    def apply(self, plan: Plan) -> Plan:  # pragma: no cover - abstract
        """The edited copy of ``plan``."""
        raise NotImplementedError

    def describe(self, plan: Plan, lang: str | None = None) -> str:  # pragma: no cover
        """What the edit does to ``plan``, in ``lang``."""
        raise NotImplementedError

    def __call__(self, plan: Plan) -> Plan:
        return self.apply(plan)


@dataclass(frozen=True)
class Add(Edit):
    """Add a feature: ``Add("ccn", polygon_or_(lon, lat), ma=..., ma_huyen=..., dt_qh_ha=...)``.

    ``geometry`` is a shapely polygon in the plan's CRS (or in ``crs``), a one-row
    GeoSeries/GeoDataFrame, WKT, or a WGS 84 ``(lon, lat)`` point, which becomes a square of
    ``dt_qh_ha`` hectares centred there. Attributes not given take planning defaults
    (``trang_thai="quy_hoach"``, ``tin_cay="gia_dinh"``, ``hinh_hoc="so_do"``, ``dt_qh_ha`` =
    the measured area).
    """

    layer: str
    geometry: Any
    attrs: Mapping[str, Any] = field(default_factory=dict)
    crs: Any = None

    def _row(self, plan: Plan) -> tuple[dict[str, Any], BaseGeometry]:
        frame = _layer(plan, self.layer, create=True)
        code = self.attrs.get("ma")
        if not isinstance(code, str) or not code.strip():
            raise WhatIfError("whatif.missing_code", layer=self.layer)
        code = code.strip()
        if frame is not None and (frame["ma"] == code).any():
            raise WhatIfError("whatif.duplicate_code", layer=self.layer,
                              file=_file(plan, self.layer), code=code)
        ha = self.attrs.get("dt_qh_ha")
        ha = _coerce(self.layer, code, "dt_qh_ha", ha, frame) if ha is not None else None
        geom = as_polygon(plan, self.layer, code, self.geometry, self.crs, ha)
        measured = geometry_ha(geom, plan.crs)
        row: dict[str, Any] = {
            "ma": code, "ten": code, "ma_huyen": None, "dt_qh_ha": round(measured, 2),
            "trang_thai": "quy_hoach", "nam_tl": None, "lap_day": None, "xlnt": None,
            "nganh": None, "nguon": "kzplan what-if", "tin_cay": "gia_dinh", "hinh_hoc": "so_do",
            "ghi_chu": None,
        }
        for name, value in self.attrs.items():
            row[name] = _coerce(self.layer, code, name, value, frame)
        row["dt_do_ha"] = measured
        return row, geom

    def apply(self, plan: Plan) -> Plan:
        row, geom = self._row(plan)
        frame = plan.layers.get(self.layer)
        if frame is None:  # a plan layer the plan does not have yet
            frame = gpd.GeoDataFrame(
                {f.name: pd.Series([], dtype="Int64" if f.type == "int" else
                                   "float64" if f.type == "float" else object)
                 for f in schema.PLAN_FIELDS} | {"dt_do_ha": pd.Series([], dtype="float64")},
                geometry=gpd.GeoSeries([], crs=plan.crs), crs=plan.crs)
        geom_col = frame.geometry.name
        data = {c: pd.Series([row.get(c)], dtype=frame[c].dtype)
                for c in frame.columns if c != geom_col}
        new = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([geom], crs=plan.crs, name=geom_col),
                               crs=plan.crs)[list(frame.columns)]
        merged = gpd.GeoDataFrame(pd.concat([frame, new], ignore_index=True),
                                  geometry=geom_col, crs=plan.crs)
        return with_layer(plan, self.layer, merged)

    def describe(self, plan: Plan, lang: str | None = None) -> str:
        lang = lang or messages.default_lang()
        row, _ = self._row(plan)
        return messages.text("whatif.edit_add", lang, noun=NOUN[self.layer][lang],
                             code=row["ma"], ha=num(row["dt_qh_ha"], lang),
                             district=_district_name(plan, row["ma_huyen"], lang))


@dataclass(frozen=True)
class Remove(Edit):
    """Remove the feature with code ``code`` from ``layer``."""

    layer: str
    code: str

    def apply(self, plan: Plan) -> Plan:
        row = _locate(plan, self.layer, self.code)
        frame = plan.layers[self.layer]
        return with_layer(plan, self.layer, frame.drop(index=frame.index[row]).copy())

    def describe(self, plan: Plan, lang: str | None = None) -> str:
        lang = lang or messages.default_lang()
        row = _locate(plan, self.layer, self.code)
        feat = plan.layers[self.layer].iloc[row]
        return messages.text("whatif.edit_remove", lang, noun=NOUN[self.layer][lang],
                             code=self.code, ha=num(feat["dt_qh_ha"], lang),
                             district=_district_name(plan, feat["ma_huyen"], lang))


@dataclass(frozen=True)
class Move(Edit):
    """Move a feature by ``dx``/``dy`` metres (east/north), or its centroid ``to=(lon, lat)``."""

    layer: str
    code: str
    dx: float | None = None
    dy: float | None = None
    to: tuple[float, float] | None = None

    def _check(self, plan: Plan) -> int:
        row = _locate(plan, self.layer, self.code)
        by = self.dx is not None or self.dy is not None
        ok_to = (self.to is not None and len(self.to) == 2
                 and all(isinstance(v, (int, float)) for v in self.to))
        numbers = all(v is None or (isinstance(v, (int, float)) and math.isfinite(v))
                      for v in (self.dx, self.dy))
        if by == (self.to is not None) or (self.to is not None and not ok_to) or not numbers:
            raise WhatIfError("whatif.move_args", layer=self.layer, code=self.code)
        return row

    def apply(self, plan: Plan) -> Plan:
        row = self._check(plan)
        geom = plan.layers[self.layer].geometry.iloc[row]
        if geom is None or geom.is_empty:
            raise WhatIfError("whatif.empty_geometry", layer=self.layer, code=self.code)
        if self.to is not None:
            tx, ty = lonlat_to(plan.crs, *self.to)
            c = geom.centroid
            moved = shapely.affinity.translate(geom, tx - c.x, ty - c.y)
        else:
            dx, dy = float(self.dx or 0.0), float(self.dy or 0.0)
            moved = in_metres(geom, plan.crs, lambda g: shapely.affinity.translate(g, dx, dy))
        return with_layer(plan, self.layer, set_geometry(plan, self.layer, row, moved))

    def describe(self, plan: Plan, lang: str | None = None) -> str:
        lang = lang or messages.default_lang()
        self._check(plan)
        noun = NOUN[self.layer][lang]
        if self.to is not None:
            return messages.text("whatif.edit_move_to", lang, noun=noun, code=self.code,
                                 lon=f"{self.to[0]:.5f}", lat=f"{self.to[1]:.5f}")
        dx, dy = float(self.dx or 0.0), float(self.dy or 0.0)
        parts = [messages.text(f"whatif.{name}", lang, m=num(abs(v), lang))
                 for name, v in (("east" if dx > 0 else "west", dx),
                                 ("north" if dy > 0 else "south", dy)) if v]
        offset = messages.text("whatif.and", lang).join(parts) or messages.text(
            "whatif.nowhere", lang)
        return messages.text("whatif.edit_move", lang, noun=noun, code=self.code, offset=offset)


@dataclass(frozen=True)
class Resize(Edit):
    """Scale a feature about its centroid to ``ha`` hectares and set its ``dt_qh_ha`` to ``ha``."""

    layer: str
    code: str
    ha: float

    def _check(self, plan: Plan) -> int:
        row = _locate(plan, self.layer, self.code)
        ha = self.ha
        if isinstance(ha, bool) or not isinstance(ha, (int, float)) or not math.isfinite(ha) \
                or ha <= 0:
            raise WhatIfError("whatif.resize_args", layer=self.layer, code=self.code, ha=ha)
        return row

    def apply(self, plan: Plan) -> Plan:
        row = self._check(plan)
        frame = plan.layers[self.layer]
        geom = frame.geometry.iloc[row]
        measured = geometry_ha(geom, plan.crs) if geom is not None and not geom.is_empty else 0.0
        if measured <= 0:
            raise WhatIfError("whatif.empty_geometry", layer=self.layer, code=self.code)
        k = (float(self.ha) / measured) ** 0.5
        scaled = shapely.affinity.scale(geom, k, k, origin="centroid")
        out = set_geometry(plan, self.layer, row, scaled)
        out.iloc[row, out.columns.get_loc("dt_qh_ha")] = float(self.ha)
        return with_layer(plan, self.layer, out)

    def describe(self, plan: Plan, lang: str | None = None) -> str:
        lang = lang or messages.default_lang()
        row = self._check(plan)
        old = plan.layers[self.layer]["dt_qh_ha"].iloc[row]
        return messages.text("whatif.edit_resize", lang, noun=NOUN[self.layer][lang],
                             code=self.code, old=num(old, lang),
                             new=num(float(self.ha), lang))


@dataclass(frozen=True)
class Set(Edit):
    """Change attributes of a feature: ``Set("ccn", "CCN-608-02", {"trang_thai": "hoat_dong"})``."""

    layer: str
    code: str
    attrs: Mapping[str, Any] = field(default_factory=dict)

    def _values(self, plan: Plan) -> tuple[int, dict[str, Any]]:
        row = _locate(plan, self.layer, self.code)
        if not self.attrs:
            raise WhatIfError("whatif.no_change", layer=self.layer, code=self.code)
        frame = plan.layers[self.layer]
        values = {k: _coerce(self.layer, self.code, k, v, frame) for k, v in self.attrs.items()}
        new_code = values.get("ma")
        if new_code is not None and new_code != self.code and (frame["ma"] == new_code).any():
            raise WhatIfError("whatif.duplicate_code", layer=self.layer,
                              file=_file(plan, self.layer), code=new_code)
        return row, values

    def apply(self, plan: Plan) -> Plan:
        row, values = self._values(plan)
        frame = plan.layers[self.layer].copy()
        for name, value in values.items():
            column = frame[name].copy()
            if column.dtype == object:
                column.iloc[row] = value
            elif value is None:
                extension = isinstance(column.dtype, pd.api.extensions.ExtensionDtype)
                column.iloc[row] = pd.NA if extension else np.nan
            else:  # _coerce made ints int and floats float
                column.iloc[row] = value
            frame[name] = column
        return with_layer(plan, self.layer, frame)

    def describe(self, plan: Plan, lang: str | None = None) -> str:
        lang = lang or messages.default_lang()
        _, values = self._values(plan)
        changes = ", ".join(f"{k} = {v if v is not None else '∅'}" for k, v in values.items())
        return messages.text("whatif.edit_set", lang, noun=NOUN[self.layer][lang],
                             code=self.code, changes=changes)


def add(plan: Plan, layer: str, geometry: Any, *, crs: Any = None, **attrs: Any) -> Plan:
    """A copy of ``plan`` with a new feature in ``layer`` (see :class:`Add`).

    Examples
    --------
    >>> plan2 = add(plan, "ccn", (107.75, 14.42), ma="CCN-616-04", ten="CCN Sa Thầy 4",
    ...             ma_huyen="616", dt_qh_ha=40)  # doctest: +SKIP
    """
    return Add(layer, geometry, attrs, crs).apply(plan)


def remove(plan: Plan, layer: str, code: str) -> Plan:
    """A copy of ``plan`` without feature ``code`` of ``layer``."""
    return Remove(layer, code).apply(plan)


def move(plan: Plan, layer: str, code: str, *, dx: float | None = None, dy: float | None = None,
         to: tuple[float, float] | None = None) -> Plan:
    """A copy of ``plan`` with ``code`` moved by ``dx``/``dy`` metres or to WGS 84 ``to``."""
    return Move(layer, code, dx, dy, tuple(to) if to is not None else None).apply(plan)


def resize(plan: Plan, layer: str, code: str, *, ha: float) -> Plan:
    """A copy of ``plan`` with ``code`` scaled about its centroid to ``ha`` ha (and dt_qh_ha)."""
    return Resize(layer, code, ha).apply(plan)


def set_attributes(plan: Plan, layer: str, code: str, **attrs: Any) -> Plan:
    """A copy of ``plan`` with attributes of ``code`` changed, e.g. ``trang_thai="hoat_dong"``."""
    return Set(layer, code, attrs).apply(plan)

