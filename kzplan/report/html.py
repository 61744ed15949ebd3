"""The HTML report: one self-contained page an official can read, print or mail.

The page holds the verdict, the targets and districts tables, the occupancy and wastewater
indicators, a small map drawn as inline SVG from the plan's layers (no tiles, no scripts), the
findings grouped by legal source and rule, what the data rests on (HY02), and the versions and
input files. It is rendered by Jinja2 with autoescaping on, so every piece of attribute text
(feature names, codes, messages) reaches the page escaped; nothing is marked safe. The page loads
nothing from anywhere: no script, no font, no image, no stylesheet outside the file.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from kzplan import _format, io, messages, schema
from kzplan.findings import SEVERITIES, SEVERITY_COLOURS, SEVERITY_LABELS

if TYPE_CHECKING:
    import jinja2
    from shapely.geometry.base import BaseGeometry

    from kzplan.findings import Finding, Report
    from kzplan.plan import Plan

TEMPLATE = "report.html.j2"
MAP_MAX_W, MAP_MAX_H, MAP_PAD = 720.0, 560.0, 12.0
SIMPLIFY_PX = 0.4  # display-only simplification tolerance, in screen pixels
MIN_VISIBLE_PX = 4.0  # shapes smaller than this on the map also get a dot, so they can be seen

STATUS_FILL = {"quy_hoach": "#e5f5e0", "thanh_lap": "#a1d99b", "hoat_dong": "#31a354"}
UNKNOWN_FILL = "#ffffff"
LAYER_STYLE = {  # stroke, stroke width (px), dash, fill opacity
    "kkt": ("#54278f", 1.2, "6 3", 0.35),
    "kcn": ("#252525", 1.4, "", 0.95),
    "ccn": ("#636363", 0.7, "", 0.95),
}
MAP_LAYERS = ("kkt", "kcn", "ccn")  # drawing order: the economic zone below its members
SEVERITY_TEXT = {"error": "#ffffff", "warning": "#1a1a1a", "info": "#ffffff"}



# --- formatting --------------------------------------------------------------------------------


def fmt_number(value: Any, lang: str = "vi", digits: int = 2) -> str:
    """``value`` with thousands separators in ``lang``'s style (vi: 1.729,72; en: 1,729.72):
    trailing zeros kept so columns line up, a typeset minus sign (−)."""
    return _format.fmt_number(value, lang, digits, trim=False, minus="−")


def _severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def _worst(severities: list[str]) -> str | None:
    return min(severities, key=_severity_rank) if severities else None


# --- the map -----------------------------------------------------------------------------------


@dataclass
class _Shape:
    """One shape on the map: a path (``d``) or a point (``cx``/``cy``), with its style."""

    kind: str
    title: str
    d: str = ""
    cx: float = 0.0
    cy: float = 0.0
    layer: str = ""
    status: str = ""
    fill: str = ""
    stroke: str = ""
    width: float = 1.0
    dash: str = ""
    opacity: float = 1.0
    severity: str = ""
    href: str = ""


def _ring(coords: np.ndarray, close: bool) -> str:
    pts = np.round(coords, 1)
    if len(pts) > 1:  # drop points that round onto their predecessor
        keep = np.ones(len(pts), dtype=bool)
        keep[1:] = np.any(pts[1:] != pts[:-1], axis=1)
        pts = pts[keep]
    if close and len(pts) > 1 and np.array_equal(pts[0], pts[-1]):
        pts = pts[:-1]
    body = "L".join(f"{x:g} {y:g}" for x, y in pts)
    return f"M{body}{'Z' if close else ''}"


def _path(geom: BaseGeometry) -> str:
    """SVG path data of a (multi)polygon or (multi)line already in screen coordinates."""
    out = []
    for part in shapely.get_parts(geom):
        kind = part.geom_type
        if kind == "Polygon":
            rings = [part.exterior, *part.interiors]
            out.extend(_ring(np.asarray(r.coords)[:, :2], True) for r in rings)
        elif kind in ("LineString", "LinearRing"):
            out.append(_ring(np.asarray(part.coords)[:, :2], False))
        elif kind.startswith(("Multi", "Geometry")):
            out.append(_path(part))
    return "".join(out)


def _with_dot(geom: BaseGeometry, d: str, radius: float) -> str:
    """``d`` plus a circle of ``radius`` px when the shape is too small to see at map scale."""
    x0, y0, x1, y1 = shapely.bounds(geom)
    if not d or x1 - x0 >= MIN_VISIBLE_PX or y1 - y0 >= MIN_VISIBLE_PX:
        return d
    cx, cy = round((x0 + x1) / 2, 1), round((y0 + y1) / 2, 1)
    return (f"{d}M{cx - radius:g} {cy:g}a{radius:g} {radius:g} 0 1 0 {2 * radius:g} 0"
            f"a{radius:g} {radius:g} 0 1 0 {-2 * radius:g} 0Z")


def _points(geom: BaseGeometry) -> list[tuple[float, float]]:
    parts = shapely.get_parts(geom)
    return [(round(p.x, 1), round(p.y, 1)) for p in parts if p.geom_type == "Point"]


def _nice_length(metres: float) -> float:
    """The largest 1, 2 or 5 × 10^k not above ``metres``."""
    if metres <= 0:
        return 1.0
    base = 10 ** math.floor(math.log10(metres))
    return max(m * base for m in (1, 2, 5) if m * base <= metres)


def _to_map_crs(geoms: np.ndarray, crs: Any, map_crs: str) -> np.ndarray:
    """``geoms`` in the plan's projected CRS, the one the SVG map is drawn in."""
    import geopandas as gpd

    series = gpd.GeoSeries(geoms, crs=crs)
    if series.crs is not None and not series.crs.equals(map_crs):
        series = series.to_crs(map_crs)
    return np.asarray(series.values, dtype=object)


def _text(value: Any, default: str = "") -> str:
    """Attribute text, or ``default`` for missing values (None, NaN)."""
    return value if isinstance(value, str) and value else default


def _feature_title(row: Any, layer: str, lang: str) -> str:
    status = _text(row.get("trang_thai"))
    label = schema.STATUS_LABELS.get(status, {}).get(lang, status or "–")
    area = fmt_number(row.get("dt_qh_ha"), lang)
    return (f"{layer.upper()} {_text(row.get('ma'), '–')} – {_text(row.get('ten'))}"
            f" ({label}, {area} ha)")


def map_svg(report: Report, plan: Plan, *, lang: str = "vi",
            anchors: dict[str, str] | None = None) -> dict[str, Any] | None:
    """The map's shapes in screen coordinates: features by status, findings by severity.

    Returns None when there is nothing to draw. ``anchors`` maps a finding's fingerprint to the id
    of its row in the page, so a mark links to its finding.
    """
    anchors = anchors or {}
    feats: list[tuple[str, Any, BaseGeometry]] = []
    for name in MAP_LAYERS:
        frame = plan.layers.get(name)
        if frame is None or not len(frame) or "geometry" not in frame:
            continue
        geoms = _to_map_crs(np.asarray(frame.geometry.values, dtype=object), frame.crs or plan.crs,
                            plan.crs)
        for (_, row), geom in zip(frame.iterrows(), geoms, strict=True):
            if geom is not None and not shapely.is_empty(geom):
                feats.append((name, row, geom))
    base: list[tuple[str, BaseGeometry]] = []  # district boundaries, for orientation only
    districts = plan.layers.get("districts")
    if districts is not None and len(districts) and "geometry" in districts:
        geoms = _to_map_crs(np.asarray(districts.geometry.values, dtype=object),
                            districts.crs or plan.crs, plan.crs)
        names = districts["ten"] if "ten" in districts else districts["ma_huyen"]
        for name, geom in zip(names, geoms, strict=True):
            if geom is not None and not shapely.is_empty(geom):
                base.append((str(name) if isinstance(name, str) else "", geom))
    marks: dict[tuple[bytes, str], list[Finding]] = {}
    with_geom = [f for f in report.findings if f.geometry is not None and not f.geometry.is_empty]
    if with_geom:
        fgeoms = _to_map_crs(np.array([f.geometry for f in with_geom], dtype=object), report.crs,
                             plan.crs)
        for f, g in zip(with_geom, fgeoms, strict=True):
            marks.setdefault((shapely.to_wkb(g), f.severity), []).append(f)
    all_geoms = ([g for _, _, g in feats] + [g for _, g in base]
                 + [shapely.from_wkb(k[0]) for k in marks])
    if not all_geoms:
        return None
    minx, miny, maxx, maxy = shapely.total_bounds(np.array(all_geoms, dtype=object))
    dx, dy = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    scale = min(MAP_MAX_W / dx, MAP_MAX_H / dy)
    width, height = dx * scale + 2 * MAP_PAD, dy * scale + 2 * MAP_PAD + 24

    def screen(geom: BaseGeometry) -> BaseGeometry:
        simple = shapely.simplify(geom, SIMPLIFY_PX / scale, preserve_topology=True)
        return shapely.transform(
            simple,
            lambda c: np.column_stack(((c[:, 0] - minx) * scale + MAP_PAD,
                                       (maxy - c[:, 1]) * scale + MAP_PAD)),
        )

    shapes: list[_Shape] = []
    for name, geom in base:
        on_screen = screen(geom)
        label = shapely.point_on_surface(on_screen)
        shapes.append(_Shape(kind="district", title=name, d=_path(on_screen),
                             cx=round(label.x, 1), cy=round(label.y, 1)))
    for name, row, geom in feats:
        stroke, width_px, dash, opacity = LAYER_STYLE[name]
        status = _text(row.get("trang_thai"))
        on_screen = screen(geom)
        shapes.append(_Shape(
            kind="feature", title=_feature_title(row, name, lang),
            d=_with_dot(on_screen, _path(on_screen), 3.0),
            layer=name, status=status if status in STATUS_FILL else "other",
            fill=STATUS_FILL.get(status, UNKNOWN_FILL), stroke=stroke, width=width_px, dash=dash,
            opacity=opacity,
        ))
    ordered = sorted(marks.items(), key=lambda kv: -_severity_rank(kv[0][1]))  # errors on top
    for (wkb, severity), findings in ordered:
        geom = screen(shapely.from_wkb(wkb))
        first = findings[0]
        title = "; ".join(
            f"{SEVERITY_LABELS[f.severity][lang]} {f.rule_id} {f.feature or ''}: {f.message(lang)}"
            for f in findings[:3]
        ) + (f" (+{len(findings) - 3})" if len(findings) > 3 else "")
        href = anchors.get(first.fingerprint, "")
        colour = SEVERITY_COLOURS.get(severity, "#000000")
        for cx, cy in _points(geom):
            shapes.append(_Shape(kind="point", title=title, cx=cx, cy=cy, fill=colour,
                                 severity=severity, href=href))
        d = _with_dot(geom, _path(geom), 6.0)
        if d:
            shapes.append(_Shape(kind="mark", title=title, d=d, stroke=colour, width=2.4,
                                 severity=severity, href=href))
    bar_m = _nice_length(dx / 4)
    bar_label = (f"{fmt_number(bar_m / 1000, lang, 0)} km" if bar_m >= 1000
                 else f"{fmt_number(bar_m, lang, 0)} m")
    return {
        "width": round(width, 1), "height": round(height, 1),
        "shapes": shapes,
        "features": sum(1 for s in shapes if s.kind == "feature"),
        "scalebar": {"x": MAP_PAD, "y": round(height - 14, 1), "px": round(bar_m * scale, 1),
                     "label": bar_label},
        "north": {"x": round(width - MAP_PAD - 8, 1), "y": MAP_PAD + 2},
        "layers": [n for n in MAP_LAYERS if any(s.layer == n for s in shapes)],
        "districts": bool(base),
        "statuses": sorted({s.status for s in shapes if s.kind == "feature"},
                           key=lambda s: (*schema.STATUS, "other").index(s)),
        "severities": [s for s in SEVERITIES if any(sh.severity == s for sh in shapes)],
    }


# --- the page ----------------------------------------------------------------------------------


def _feature_names(plan: Plan | None) -> Callable[[str | None, int | None], str]:
    def name(layer: str | None, fid: int | None) -> str:
        if plan is None or layer is None or fid is None or layer not in plan.layers:
            return ""
        frame = plan.layers[layer]
        if "ten" not in frame or not 1 <= fid <= len(frame):
            return ""
        return _text(frame["ten"].iloc[fid - 1])

    return name


def _target_rows(report: Report, lang: str) -> list[dict[str, Any]]:
    target_rules = {r["id"] for r in report.rules if "targets" in r.get("groups", ())}
    rows = []
    for r in report.targets.to_dict(orient="records") if not report.targets.empty else []:
        layer = r["layer"]
        sev = _worst([f.severity for f in report.findings
                      if f.rule_id in target_rules and f.layer == layer and f.feature is None])
        count_target = r.get("count_target")
        count_ok = count_target is None or count_target != count_target or \
            r["count"] == count_target
        rows.append({
            "layer": layer, "label": r.get(f"label_{lang}") or layer,
            "count": r["count"], "count_target": count_target, "count_ok": count_ok,
            "area_target": r.get("area_target_ha"), "planned": r.get("area_planned_ha"),
            "measured": r.get("area_measured_ha"), "diff_planned": r.get("diff_planned_ha"),
            "diff_measured": r.get("diff_measured_ha"), "severity": sev,
        })
    return rows


def _district_rows(report: Report) -> list[dict[str, Any]]:
    if report.districts is None or report.districts.empty:
        return []
    return [dict(r) for r in report.districts.to_dict(orient="records")]


def _indicator_rows(report: Report, lang: str) -> dict[str, list[tuple[str, str, bool]]]:
    ind = report.indicators
    t = _translator(lang)

    def target(year: Any, pct: Any) -> str:
        if not year:
            return t("html.no_target")
        return t("html.target_value", pct=fmt_number(pct, lang, 0), year=year)

    mean = ind.get("occupancy_mean_pct")
    meeting = ind.get("meeting_target")
    known = ind.get("occupancy_known", 0)
    occupancy = [
        (t("html.ind_established"), fmt_number(ind.get("established", 0), lang), False),
        (t("html.ind_operating"), fmt_number(ind.get("operating", 0), lang), False),
        (t("html.ind_known"), f"{fmt_number(known, lang)}/"
                              f"{fmt_number(ind.get('established', 0), lang)}", False),
        (t("html.ind_mean"), "–" if mean is None else f"{fmt_number(mean, lang, 1)} %", False),
        (t("html.ind_target"), target(ind.get("occupancy_target_year"),
                                      ind.get("occupancy_target_pct")), False),
        (t("html.ind_next"), target(ind.get("next_target_year"), ind.get("next_target_pct")),
         False),
        (t("html.ind_meeting"), "–" if meeting is None else
         f"{fmt_number(meeting, lang)}/{fmt_number(known, lang)}", bool(meeting is not None
                                                                    and meeting < known)),
    ]
    op_without = ind.get("operating_without_wastewater", 0)
    wastewater = [
        (t("html.ind_ww_ok"), fmt_number(ind.get("wastewater_ok", 0), lang), False),
        (t("html.ind_ww_unverified"), fmt_number(ind.get("wastewater_unverified", 0), lang),
         False),
        (t("html.ind_ww_missing"), fmt_number(ind.get("wastewater_missing", 0), lang), False),
        (t("html.ind_ww_unknown"), fmt_number(ind.get("wastewater_unknown", 0), lang), False),
        (t("html.ind_ww_op_without"), fmt_number(op_without, lang), bool(op_without)),
    ]
    return {"occupancy": occupancy, "wastewater": wastewater}


def _groups(report: Report, lang: str, names: Callable[[str | None, int | None], str],
            anchors: dict[str, str]) -> list[dict[str, Any]]:
    """Findings grouped by source document, then rule; worst first, then rule-pack order."""
    t = _translator(lang)
    rules = {r["id"]: (i, r) for i, r in enumerate(report.rules)}
    by_rule = report.by_rule()
    docs: dict[str, list[dict[str, Any]]] = {}
    for rule_id, findings in by_rule.items():
        index, meta = rules.get(rule_id, (len(rules), {}))
        first = findings[0]
        source = first.source
        doc = source.doc if source and source.doc else t("html.no_source")
        rows = []
        for f in findings:
            where = f.feature or (t("html.whole_layer") if f.layer else t("html.whole_plan"))
            rows.append({
                "id": anchors.get(f.fingerprint, ""), "fingerprint": f.fingerprint,
                "severity": f.severity, "severity_label": SEVERITY_LABELS[f.severity][lang],
                "layer": (f.layer or "").upper(), "feature": where,
                "name": names(f.layer, f.fid), "message": f.message(lang), "fix": f.fix(lang),
            })
        quote = ""
        if source:
            quote = source.quote_vi if lang == "vi" else source.quote_en
        severity = _worst([f.severity for f in findings]) or "info"
        docs.setdefault(doc, []).append({
            "id": rule_id, "name": first.rule_name, "index": index, "severity": severity,
            "severity_label": SEVERITY_LABELS[severity][lang],
            "title": meta.get(f"title_{lang}") or first.rule_name,
            "article": source.article if source else "", "quote": quote, "findings": rows,
        })
    groups = []
    for doc, rule_list in docs.items():
        rule_list.sort(key=lambda r: (_severity_rank(r["severity"]), r["index"]))
        groups.append({
            "doc": doc, "rules": rule_list,
            "severity": _worst([r["severity"] for r in rule_list]) or "info",
            "count": sum(len(r["findings"]) for r in rule_list),
            "index": min(r["index"] for r in rule_list),
        })
    groups.sort(key=lambda g: (_severity_rank(g["severity"]), g["index"]))
    return groups


def _provenance(report: Report, plan: Plan | None, lang: str) -> dict[str, Any]:
    ran = any(r.get("id") == "HY02" for r in report.rules)
    hy02 = [f for f in report.findings if f.rule_id == "HY02"]
    rows = []
    ind = report.indicators
    totals = {r["layer"]: r["count"] for r in _target_rows(report, lang)}
    for name in schema.PLAN_LAYERS:
        conf = ind.get(f"{name}_confidence")
        if not conf and not totals.get(name):
            continue
        conf = conf or {}
        schematic = None
        if plan is not None and name in plan.layers and "hinh_hoc" in plan.layers[name]:
            schematic = int((plan.layers[name]["hinh_hoc"] == "so_do").sum())
        else:
            for f in hy02:
                if f.layer == name and isinstance(f.measured, dict):
                    schematic = f.measured.get("so_do")
        rows.append({
            "label": schema.LAYER_LABELS[name][lang], "total": totals.get(name, 0),
            "counts": [conf.get(k, 0) for k in schema.CONFIDENCE], "schematic": schematic,
        })
    return {
        "ran": ran, "sentences": [f.message(lang) for f in hy02], "rows": rows,
        "columns": [schema.CONFIDENCE_LABELS[k][lang] for k in schema.CONFIDENCE],
    }


def _translator(lang: str) -> Callable[..., str]:
    def t(key: str, **params: Any) -> str:
        return messages.text(key, lang, **params)

    return t


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment: package templates, autoescape always on, undefined is an error."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kzplan.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def context(report: Report, *, lang: str = "vi", plan: Plan | None = None) -> dict[str, Any]:
    """Everything the template shows, as plain values (text is escaped by the template)."""
    anchors: dict[str, str] = {}
    for i, f in enumerate(report.findings, start=1):
        anchors.setdefault(f.fingerprint, f"f{i}")
    names = _feature_names(plan)
    stats = report.stats
    districts = _district_rows(report)
    meta = report.meta or {}
    return {
        "lang": lang,
        "t": _translator(lang),
        "num": lambda value, digits=2: fmt_number(value, lang, digits),
        "report": report,
        "stats": stats,
        "valid": report.valid,
        "verdict_notes": report.verdict_notes(lang),
        "severities": [
            {"id": s, "label": SEVERITY_LABELS[s][lang], "count": stats[s],
             "colour": SEVERITY_COLOURS[s], "text": SEVERITY_TEXT[s]}
            for s in SEVERITIES
        ],
        "severity_colours": SEVERITY_COLOURS,
        "severity_labels": {s: SEVERITY_LABELS[s][lang] for s in SEVERITIES},
        "severity_text": SEVERITY_TEXT,
        "targets": _target_rows(report, lang),
        "districts": districts,
        "districts_ok": sum(1 for d in districts if d.get("ok")),
        "indicators": _indicator_rows(report, lang),
        "map": map_svg(report, plan, lang=lang, anchors=anchors) if plan is not None else None,
        "has_plan": plan is not None,
        "status_fill": STATUS_FILL,
        "unknown_fill": UNKNOWN_FILL,
        "status_labels": {k: v[lang] for k, v in schema.STATUS_LABELS.items()},
        "layer_labels": {k: v[lang] for k, v in schema.LAYER_LABELS.items()},
        "layer_style": LAYER_STYLE,
        "groups": _groups(report, lang, names, anchors),
        "provenance": _provenance(report, plan, lang),
        "versions": sorted((meta.get("versions") or {}).items()),
        "inputs": meta.get("inputs") or [],
        "rule_pack_sha256": meta.get("rule_pack_sha256") or "",
        "generated": meta.get("generated") or "",
        "kzplan_version": (meta.get("versions") or {}).get("kzplan", "?"),
    }


def render(report: Report, *, lang: str = "vi", plan: Plan | None = None) -> str:
    """The report as one self-contained HTML page in ``lang``."""
    template = environment().get_template(TEMPLATE)
    return template.render(**context(report, lang=lang, plan=plan))


def write(report: Report, target: Path, *, lang: str = "vi", plan: Plan | None = None) -> Path:
    """Write the HTML report to ``target`` atomically; with ``plan``, the page has a map."""
    return io.write_text(target, render(report, lang=lang, plan=plan))
