"""The officials' map: its legend and its summary panel, as plain data in the chosen language."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kzplan import schema
from kzplan._format import is_missing
from kzplan.findings import SEVERITIES, SEVERITY_COLOURS, SEVERITY_LABELS
from kzplan.maps.styles import DOT_LAYERS, DRAW_ORDER, STYLES, fmt_num
from kzplan.maps.text import t

if TYPE_CHECKING:
    from kzplan.findings import Report
    from kzplan.plan import Plan


def legend(layers: list[dict[str, Any]], marks: dict[str, list[dict[str, Any]]],
           lang: str) -> list[dict[str, Any]]:
    """Sections of the categorical legend, one per styled layer that is drawn."""
    drawn = {spec["key"]: spec for spec in layers}
    sections: list[dict[str, Any]] = []
    for name in reversed(DRAW_ORDER):
        if name not in drawn:
            continue
        styles = STYLES[name]
        title = schema.LAYER_LABELS[name][lang]
        present = {f["properties"]["k"] for f in drawn[name]["fc"]["features"]}
        if name == "ccn":
            items = [{"label": schema.STATUS_LABELS[s][lang], "style": styles[s], "shape": "poly"}
                     for s in schema.STATUS]
            if "_" in present:
                items.append({"label": t("legend.other_status", lang), "style": styles["_"],
                              "shape": "poly"})
        elif name == "districts":
            items = [{"label": t("district_ok", lang), "style": styles["ok"], "shape": "poly"},
                     {"label": t("district_bad", lang), "style": styles["bad"],
                      "shape": "poly"},
                     {"label": t("province", lang), "style": styles["province"],
                      "shape": "line"}]
            if "_" in present:
                items.insert(2, {"label": t("district_unknown", lang), "style": styles["_"],
                                 "shape": "poly"})
        elif name == "lo_dat":
            items = [{"label": schema.LEASE_LABELS[k][lang], "style": styles[k], "shape": "poly"}
                     for k in schema.LEASE]
            items += [{"label": schema.LAND_USE_LABELS[k][lang], "style": styles[k],
                       "shape": "poly"} for k in ("gt", "cx") if k in present]
            items.append({"label": t("legend.lots_zoom", lang), "style": styles["_"],
                          "shape": "poly"})
        else:  # one category: the item says it all
            items, title = [{"label": title, "style": styles["_"], "shape": "poly"}], ""
        sections.append({"title": title, "items": items})
    notes = []
    if any(f["properties"].get("sch") for spec in layers for f in spec["fc"]["features"]):
        notes.append({"label": t("legend.schematic", lang), "shape": "poly", "style": {
            "color": "#525252", "weight": 1.5, "fillColor": "#ffffff", "fillOpacity": 0,
            "dashArray": "5 4"}})
    if any(name in drawn for name in DOT_LAYERS):
        notes.append({"label": t("legend.dot", lang), "shape": "dot",
                      "style": STYLES["ccn"]["thanh_lap"]})
    if notes:
        sections.append({"title": "", "items": notes})
    items = [{"label": SEVERITY_LABELS[s][lang], "shape": "ring",
              "style": {"color": SEVERITY_COLOURS[s], "weight": 3, "fill": False}}
             for s in SEVERITIES]
    sections.append({"title": t("legend.findings", lang), "items": items, "inline": True})
    if any(m["properties"]["m"] in ("shape", "outline", "point")
           for ms in marks.values() for m in ms):
        sections.append({"title": "", "items": [{
            "label": t("legend.shape", lang), "shape": "poly", "style": {
                "color": SEVERITY_COLOURS["error"], "weight": 2.5, "dashArray": "6 4",
                "fillColor": SEVERITY_COLOURS["error"], "fillOpacity": 0.3}}]})
    return sections


def _cell(text: str, flag: str | None = None) -> list[str | None]:
    return [text, flag]


def summary(plan: Plan, report: Report, unplaced: list[dict[str, str]], lang: str,
            offline: bool, version: str) -> dict[str, Any]:
    """The summary panel: verdict, targets, districts, indicators, data reliability, footer."""
    stats = report.stats
    sections: list[dict[str, Any]] = []
    verdict = t("verdict.ok", lang) if report.valid else t(
        "verdict.bad", lang, errors=stats["error"], warnings=stats["warning"], info=stats["info"])
    failing = {(f.rule_id, f.layer) for f in report.findings}

    def flag(rule: str, layer: str) -> str:
        return "bad" if (rule, layer) in failing else "ok"

    rows = []
    for _, r in report.targets.iterrows():
        layer = str(r["layer"])
        count = f"{int(r['count'])}" + ("" if is_missing(r.get("count_target"))
                                        else f" / {int(r['count_target'])}")
        rows.append([
            _cell(layer.upper()),
            _cell(count, None if is_missing(r.get("count_target")) else flag("CT01", layer)),
            _cell(fmt_num(r.get("area_target_ha"), lang)),
            _cell(fmt_num(r.get("area_planned_ha"), lang), flag("AR01", layer)),
            _cell(fmt_num(r.get("area_measured_ha"), lang), flag("AR02", layer)),
        ])
    if rows:
        sections.append({"title": t("s.targets", lang), "table": {
            "head": [t(f"s.{k}", lang) for k in ("layer", "count", "area_target", "area_planned",
                                                 "area_measured")],
            "rows": rows, "numeric": [False, True, True, True, True]}})
    rows = []
    for _, d in report.districts.iterrows():
        ok = bool(d["ok"])
        rows.append([_cell(str(d["ten"])), _cell(str(int(d["ccn"]))),
                     _cell(str(int(d["min_ccn"]))),
                     _cell(t("s.met" if ok else "s.not_met", lang), "ok" if ok else "bad")])
    if rows:
        sections.append({"title": t("s.districts", lang), "table": {
            "head": [t(f"s.{k}", lang) for k in ("district", "clusters", "minimum", "verdict")],
            "rows": rows, "numeric": [False, True, True, False]}})
    sections.append({"title": t("s.indicators", lang, year=report.as_of),
                     "lines": _indicator_lines(report.indicators, lang)})
    data_lines = []
    for name in schema.PLAN_LAYERS:
        frame = plan.layers.get(name)
        if frame is None or not len(frame):
            continue
        conf = frame["tin_cay"].value_counts().to_dict()
        data_lines.append(t("d.layer", lang, label=schema.LAYER_LABELS[name][lang],
                            total=len(frame), confirmed=conf.get("xac_nhan", 0),
                            derived=conf.get("suy_ra", 0), placeholder=conf.get("gia_dinh", 0),
                            schematic=int((frame["hinh_hoc"] == "so_do").sum())))
    if data_lines:
        sections.append({"title": t("s.data", lang), "lines": data_lines})
    notes = report.verdict_notes(lang)
    if notes:
        sections.insert(0, {"title": t("s.verdict_notes", lang), "lines": notes})
    if unplaced:
        sections.append({"title": t("s.unplaced", lang), "findings": unplaced})
    footer = [t("s.footer", lang, version=version, pack=report.rule_pack,
                generated=report.meta.get("generated", "?"))]
    if offline:
        footer.insert(0, t("s.offline", lang))
    return {"title": t("title", lang, plan=report.plan_name),
            "subtitle": t("as_of", lang, year=report.as_of),
            "verdict": verdict, "valid": report.valid, "sections": sections, "footer": footer}


def _indicator_lines(ind: dict[str, Any], lang: str) -> list[str]:
    n = int(ind.get("established") or 0)
    known = int(ind.get("occupancy_known") or 0)
    mean = ind.get("occupancy_mean_pct")
    lines = [
        t("i.established", lang, n=n, operating=int(ind.get("operating") or 0)),
        t("i.occupancy", lang, known=known, n=n, mean="—" if is_missing(mean)
          else t("v.pct", lang, value=fmt_num(mean, lang, 1))),
    ]
    if ind.get("occupancy_target_pct") is not None and ind.get("meeting_target") is not None:
        lines.append(t("i.target", lang, pct=fmt_num(ind["occupancy_target_pct"], lang, 1),
                       year=ind.get("occupancy_target_year"), meeting=ind["meeting_target"],
                       known=known))
    if ind.get("next_target_pct") is not None:
        lines.append(t("i.next_target", lang, pct=fmt_num(ind["next_target_pct"], lang, 1),
                       year=ind.get("next_target_year")))
    lines.append(t("i.wastewater", lang, ok=int(ind.get("wastewater_ok") or 0),
                   missing=int(ind.get("wastewater_missing") or 0),
                   unknown=int(ind.get("wastewater_unknown") or 0),
                   unverified=int(ind.get("wastewater_unverified") or 0)))
    lines.append(t("i.operating_without", lang, n=int(ind.get("operating_without_wastewater")
                                                      or 0)))
    return lines
