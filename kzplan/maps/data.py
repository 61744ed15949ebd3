"""What the officials' map shows, as plain data: layers, popups, finding marks, legend, summary.

Everything here is text and numbers already rendered in the chosen language; the page's script only
places it (with ``textContent``, never as markup). Geometries are reprojected to EPSG:4326 for
display and their coordinates rounded to 6 decimals (about 0.1 m); nothing is simplified.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping

from kzplan import schema
from kzplan._format import is_missing
from kzplan.encoding import fold_diacritics
from kzplan.findings import SEVERITIES, SEVERITY_COLOURS, SEVERITY_LABELS
from kzplan.maps.styles import DOT_LAYERS, DRAW_ORDER, FILL_BELOW_M2, MIN_ZOOM, STYLES, fmt_num
from kzplan.maps.summary import legend, summary
from kzplan.maps.text import t, ui

if TYPE_CHECKING:
    from kzplan.findings import Finding, Report
    from kzplan.plan import Plan

DISPLAY_CRS = "EPSG:4326"
DECIMALS = 6
# Layers drawn, bottom to top.
def _text(value: Any) -> str | None:
    return None if is_missing(value) or str(value).strip() == "" else str(value)


def _label(table: dict[Any, dict[str, str]], value: Any, lang: str) -> str | None:
    if is_missing(value):
        return None
    if value in table:
        return table[value][lang]
    return t("v.unknown_status", lang, value=value)


# --- geometry ---------------------------------------------------------------------------------


def _round(geoms: Iterable[Any]) -> np.ndarray:
    arr = np.asarray(list(geoms), dtype=object)
    return shapely.transform(arr, lambda c: np.round(c, DECIMALS))


def to_display(geoms: Iterable[Any], crs: str) -> np.ndarray:
    """Geometries reprojected to EPSG:4326 (PROJ picks the transformation) and rounded."""
    series = gpd.GeoSeries(list(geoms), crs=crs)
    return _round(series.to_crs(DISPLAY_CRS).values)


def _point(geom: Any) -> list[float] | None:
    """A point inside the (display) geometry as ``[lat, lon]``."""
    if geom is None or shapely.is_empty(geom):
        return None
    try:
        p = shapely.point_on_surface(geom)
    except shapely.errors.GEOSException:
        p = shapely.centroid(geom)
    if p.is_empty:
        return None
    return [round(p.y, DECIMALS), round(p.x, DECIMALS)]


def _feature(geom: Any, props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": mapping(geom), "properties": props}


# --- findings ---------------------------------------------------------------------------------


def finding_item(f: Finding, lang: str) -> dict[str, str]:
    """A finding as the popup and the panel show it."""
    basis = f.source.label() if f.source else ""
    return {"s": f.severity, "l": SEVERITY_LABELS[f.severity][lang], "r": f.rule_id,
            "m": f.message(lang), "x": f.fix(lang), "b": f"{f.rule_id} · {basis}" if basis
            else f.rule_id}


@dataclass
class _Attach:
    """Which findings belong to which drawn feature."""

    by_feature: dict[str, list[int]] = field(default_factory=dict)
    owner: dict[int, str] = field(default_factory=dict)

    def add(self, fid: str, index: int) -> None:
        if index not in self.owner:
            self.owner[index] = fid
            self.by_feature.setdefault(fid, []).append(index)


def _attach(report: Report, plan: Plan) -> _Attach:
    found = _Attach()
    for name in schema.PLAN_LAYERS:
        frame = plan.layers.get(name)
        if frame is None:
            continue
        codes = {str(c): row for row, c in enumerate(frame["ma"]) if _text(c)}
        for i, f in enumerate(report.findings):
            if f.layer != name:
                continue
            if f.fid is not None and 1 <= int(f.fid) <= len(frame):
                found.add(f"{name}-{int(f.fid)}", i)
            elif f.fid is None and f.feature is not None:
                row = codes.get(f.feature)
                if row is None and f.feature.startswith("#") and f.feature[1:].isdigit():
                    row = int(f.feature[1:]) - 1
                if row is not None and 0 <= row < len(frame):
                    found.add(f"{name}-{row + 1}", i)
    if "districts" in plan.layers:
        codes = {str(c): row for row, c in enumerate(plan.layers["districts"]["ma_huyen"])}
        for i, f in enumerate(report.findings):
            if i not in found.owner and f.fid is None and f.feature in codes:
                found.add(f"districts-{codes[f.feature] + 1}", i)
    return found


# --- the data ---------------------------------------------------------------------------------


@dataclass
class MapData:
    """Everything the page needs, plus the figures the Python side reports."""

    data: dict[str, Any]
    counts: dict[str, int]


class _Builder:
    def __init__(self, plan: Plan, report: Report, lang: str, offline: bool) -> None:
        self.plan, self.report, self.lang, self.offline = plan, report, lang, offline
        self.attach = _attach(report, plan)
        table = plan.district_table()
        self.district_names = {str(c): str(n) for c, n in zip(table["ma_huyen"], table["ten"],
                                                               strict=True)}
        self.items = [finding_item(f, lang) for f in report.findings]
        self.points: dict[str, list[float] | None] = {}
        self.geoms: dict[str, Any] = {}
        self.search: list[dict[str, str]] = []
        self.bounds: list[float] | None = None

    # --- features --------------------------------------------------------------------------
    def _findings_of(self, fid: str) -> list[dict[str, str]]:
        return [self.items[i] for i in self.attach.by_feature.get(fid, [])]

    def _tooltip(self, head: str, extra: str | None, findings: list[dict[str, str]]) -> str:
        parts = [head] + ([extra] if extra else [])
        errors = sum(1 for f in findings if f["s"] == "error")
        warnings = sum(1 for f in findings if f["s"] == "warning")
        if errors or warnings:
            parts.append(t("tt.findings", self.lang, errors=errors, warnings=warnings))
        return " · ".join(parts)

    def _district(self, code: Any) -> str | None:
        if is_missing(code):
            return None
        code = str(code)
        if code in self.district_names:
            return f"{self.district_names[code]} ({code})"
        return t("v.unknown_district", self.lang, code=code)

    def plan_props(self, name: str, row: pd.Series, fid: str) -> dict[str, Any]:
        lang = self.lang
        code, title = _text(row.get("ma")), _text(row.get("ten"))
        status = _text(row.get("trang_thai"))
        findings = self._findings_of(fid)
        ha = [("planned", row.get("dt_qh_ha")), ("measured", row.get("dt_do_ha"))]
        occupancy = row.get("lap_day")
        groups = [g.strip() for g in str(row.get("nganh") or "").split(";") if g.strip()]
        rows = [
            (t("f.code", lang), code),
            (t("f.district", lang), self._district(row.get("ma_huyen"))),
            *[(t(f"f.{k}", lang), None if is_missing(v) else
               t("v.ha", lang, value=fmt_num(v, lang))) for k, v in ha],
            (t("f.status", lang), _label(schema.STATUS_LABELS, status, lang)),
            (t("f.year", lang), None if is_missing(row.get("nam_tl"))
             else str(int(row.get("nam_tl")))),
            (t("f.occupancy", lang), t("v.none", lang) if is_missing(occupancy)
             else t("v.pct", lang, value=fmt_num(occupancy, lang, 1))),
            (t("f.wastewater", lang), schema.WASTEWATER_LABELS.get(
                _text(row.get("xlnt")), {"vi": str(row.get("xlnt")), "en": str(row.get("xlnt"))}
            )[lang]),
            (t("f.industries", lang), "; ".join(
                schema.INDUSTRY_GROUPS[g][lang] if g in schema.INDUSTRY_GROUPS else g
                for g in groups) or None),
            (t("f.source", lang), _text(row.get("nguon"))),
            (t("f.confidence", lang), _label(schema.CONFIDENCE_LABELS,
                                             _text(row.get("tin_cay")), lang)),
            (t("f.geometry", lang), _label(schema.GEOMETRY_KIND_LABELS,
                                           _text(row.get("hinh_hoc")), lang)),
            (t("f.note", lang), _text(row.get("ghi_chu"))),
        ]
        notes = []
        if row.get("hinh_hoc") == "so_do":
            notes.append(t("note.schematic", lang))
        if row.get("tin_cay") == "gia_dinh":
            notes.append(t("note.placeholder", lang))
        elif row.get("tin_cay") == "suy_ra":
            notes.append(t("note.derived", lang))
        layer_label = schema.LAYER_LABELS[name][lang]
        head = title or code or fid
        self.search.append({"id": fid, "n": head, "d": " · ".join(
            x for x in (layer_label, code, self.district_names.get(str(row.get("ma_huyen"))))
            if x), "q": _fold(" ".join(x for x in (title, code) if x))})
        return {
            "id": fid, "k": status if name == "ccn" and status in schema.STATUS else "_",
            "sch": row.get("hinh_hoc") == "so_do", "h": head,
            "sub": " · ".join(x for x in (layer_label, code) if x),
            "tt": self._tooltip(head, _label(schema.STATUS_LABELS, status, lang), findings),
            "rows": [[k, v] for k, v in rows if v is not None], "notes": notes,
            "fh": t("findings_heading", lang, count=len(findings)), "f": findings,
        }

    def lot_props(self, row: pd.Series, fid: str) -> dict[str, Any]:
        """A lot's popup: its code, zone, land use, lease, areas, source."""
        lang = self.lang
        code, use, lease = _text(row.get("ma_lo")), _text(row.get("loai_dat")), _text(row.get("thue"))
        findings = self._findings_of(fid)
        use_label = _label(schema.LAND_USE_LABELS, use, lang)
        lease_label = _label(schema.LEASE_LABELS, lease, lang)
        rows = [
            (t("f.code", lang), code), (t("f.zone", lang), _text(row.get("ma_khu"))),
            (t("f.land_use", lang), use_label),
            (t("f.lease", lang), lease_label if use == "cn" else None),
            *[(t(f"f.{k}", lang), None if is_missing(v) else
               t("v.ha", lang, value=fmt_num(v, lang))) for k, v in
              (("planned", row.get("dt_ha")), ("measured", row.get("dt_do_ha")))],
            (t("f.source", lang), _text(row.get("nguon"))),
        ]
        notes = [t("note.schematic", lang)] if row.get("hinh_hoc") == "so_do" else []
        head = code or fid
        return {
            "id": fid, "k": lease if use == "cn" else (use if use in ("gt", "cx") else "_"),
            "sch": False, "h": head,
            "sub": " · ".join(x for x in (schema.LAYER_LABELS["lo_dat"][lang], use_label) if x),
            "tt": self._tooltip(head, use_label if use != "cn" else lease_label, findings),
            "rows": [[k, v] for k, v in rows if v is not None], "notes": notes,
            "fh": t("findings_heading", lang, count=len(findings)), "f": findings,
        }

    def district_props(self, row: pd.Series, fid: str, verdicts: dict[str, pd.Series]
                       ) -> dict[str, Any]:
        lang = self.lang
        code = str(row.get("ma_huyen"))
        name = _text(row.get("ten")) or self.district_names.get(code) or code
        findings = self._findings_of(fid)
        v = verdicts.get(code)
        rows: list[tuple[str, str | None]] = [(t("f.code", lang), code)]
        if v is None:
            status, verdict = "_", t("district_unknown", lang)
        else:
            status = "ok" if bool(v["ok"]) else "bad"
            verdict = t("district_ok" if status == "ok" else "district_bad", lang)
            rows += [
                (t("f.clusters", lang), t("f.clusters_value", lang, n=int(v["ccn"]),
                                          established=int(v["ccn_established"]),
                                          operating=int(v["ccn_operating"]))),
                (t("f.minimum", lang), str(int(v["min_ccn"]))),
                (t("s.verdict", lang), verdict),
                (t("f.zones", lang), str(int(v["kcn"]))),
                (t("f.cluster_area", lang), t("v.ha", lang, value=fmt_num(v["ccn_planned_ha"],
                                                                       lang))),
            ]
        self.search.append({"id": fid, "n": name, "d": schema.LAYER_LABELS["districts"][lang],
                            "q": _fold(f"{name} {code}")})
        return {"id": fid, "k": status, "sch": False, "h": name,
                "sub": f"{schema.LAYER_LABELS['districts'][lang]} · {code}",
                "tt": self._tooltip(name, verdict, findings), "lbl": name,
                "rows": [[k, val] for k, val in rows if val is not None], "notes": [],
                "fh": t("findings_heading", lang, count=len(findings)), "f": findings}

    def layer(self, name: str) -> dict[str, Any] | None:
        frame = self.plan.layers.get(name)
        if frame is None or not isinstance(frame, gpd.GeoDataFrame) or not len(frame):
            return None
        shown = to_display(frame.geometry.values, self.plan.crs)
        verdicts = {str(r["ma_huyen"]): r for _, r in self.report.districts.iterrows()} \
            if len(self.report.districts) else {}
        features = []
        for i, geom in enumerate(shown):
            fid = f"{name}-{i + 1}"
            row = frame.iloc[i]
            if geom is None or shapely.is_empty(geom):
                continue
            props = self.district_props(row, fid, verdicts) if name == "districts" \
                else self.lot_props(row, fid) if name == "lo_dat" \
                else self.plan_props(name, row, fid)
            props["pt"] = self.points[fid] = _point(geom)
            self.geoms[fid] = frame.geometry.iloc[i]
            features.append(_feature(geom, props))
        present = [g for g in shown if g is not None and not shapely.is_empty(g)]
        if present:
            b = shapely.total_bounds(np.asarray(present, dtype=object))
            self.bounds = list(b) if self.bounds is None else [
                min(self.bounds[0], b[0]), min(self.bounds[1], b[1]),
                max(self.bounds[2], b[2]), max(self.bounds[3], b[3])]
        spec: dict[str, Any] = {"key": name, "styles": STYLES[name], "dots": name in DOT_LAYERS,
                                "fc": {"type": "FeatureCollection", "features": features}}
        if name in MIN_ZOOM:
            spec["minZoom"] = MIN_ZOOM[name]
        if name == "districts" and present:
            outline = shapely.union_all(shapely.make_valid(np.asarray(present, dtype=object)))
            spec["outline"] = mapping(_round([outline.boundary])[0])
        return spec

    # --- findings marks --------------------------------------------------------------------
    def marks(self) -> tuple[dict[str, list[dict[str, Any]]], list[int]]:
        """Per severity, one mark per finding that has a place; the others' indices."""
        marks: dict[str, list[dict[str, Any]]] = {s: [] for s in SEVERITIES}
        unplaced: list[int] = []
        own: list[tuple[int, Any]] = []
        for i, f in enumerate(self.report.findings):
            fid = self.attach.owner.get(i)
            geom = f.geometry
            has_geom = geom is not None and not shapely.is_empty(geom)
            same = fid is not None and has_geom and fid in self.geoms and \
                _same_place(geom, self.geoms[fid])
            if fid is not None and fid in self.points and self.points[fid] and \
                    (not has_geom or same):
                # The finding is about the whole feature: point at it, do not copy its shape.
                lat, lon = self.points[fid]
                kind = "outline" if fid.startswith("districts-") else "ring"
                marks[f.severity].append({"type": "Feature", "geometry": {
                    "type": "Point", "coordinates": [lon, lat]},
                    "properties": {"m": kind, "ref": fid, "f": [self.items[i]]}})
            elif has_geom:
                own.append((i, geom))
            else:
                unplaced.append(i)
        if own:
            shown = to_display([g for _, g in own], self.report.crs)
            for (i, geom), disp in zip(own, shown, strict=True):
                f = self.report.findings[i]
                kind = "point" if shapely.get_type_id(disp) in (0, 4) else "shape"
                fill = kind == "shape" and float(shapely.area(geom)) < FILL_BELOW_M2
                marks[f.severity].append(_feature(disp, {
                    "m": kind, "fill": fill, "ref": self.attach.owner.get(i),
                    "h": t("mark.place", self.lang), "f": [self.items[i]]}))
        return marks, unplaced


def _same_place(a: Any, b: Any) -> bool:
    """True when two geometries cover the same place (a finding about a whole feature)."""
    if a is b or shapely.equals_exact(a, b, 1e-3):
        return True
    try:
        return bool(shapely.equals(a, b))
    except shapely.errors.GEOSException:
        return False


def _fold(text: str) -> str:
    return " ".join(fold_diacritics(text).lower().split())


def build(plan: Plan, report: Report, *, lang: str, offline: bool,
          version: str) -> MapData:
    """The map's data for ``plan`` checked as ``report``."""
    b = _Builder(plan, report, lang, offline)
    layers = [spec for name in DRAW_ORDER if (spec := b.layer(name)) is not None]
    marks, unplaced = b.marks()
    bounds = b.bounds or list(plan.definition.extent)
    data = {
        "lang": lang,
        "offline": offline,
        "t": ui(lang),
        "bounds": [[bounds[1], bounds[0]], [bounds[3], bounds[2]]],
        "layers": layers,
        "findings": [{"severity": s, "colour": SEVERITY_COLOURS[s],
                      "fc": {"type": "FeatureCollection", "features": marks[s]}}
                     for s in SEVERITIES],
        "search": b.search,
        "legend": legend(layers, marks, lang),
        "summary": summary(plan, report, [b.items[i] for i in unplaced], lang, offline, version),
        "graticule": _graticule(bounds) if offline else None,
    }
    counts = {spec["key"]: len(spec["fc"]["features"]) for spec in layers}
    counts.update({f"findings_{s}": len(marks[s]) for s in SEVERITIES})
    counts["unplaced"] = len(unplaced)
    return MapData(data=data, counts=counts)


def _graticule(bounds: list[float], step: float = 0.25) -> dict[str, Any]:
    west = math.floor(bounds[0] / step) * step - step
    south = math.floor(bounds[1] / step) * step - step
    east = math.ceil(bounds[2] / step) * step + step
    north = math.ceil(bounds[3] / step) * step + step
    return {"step": step, "bounds": [south, west, north, east]}
