"""The officials' map: one self-contained HTML file showing the plan and how it complies.

:func:`render_map` builds a :class:`folium.Map` with the KKT, KCN and CCN (clusters styled by
status), the district boundaries when the plan has them (shaded by whether the district meets its
cluster minimum), and the findings of ``kzplan check`` as one layer group per severity; popups,
tooltips, a categorical legend, a summary panel, search by name that ignores diacritics, full
screen, measuring and a scale bar. :func:`write_map` writes it atomically.

Every script and style is inlined (``kzplan/maps/static/``), so the file needs no CDN; online maps fetch
only basemap tiles, and ``offline=True`` maps fetch nothing at all (plain background, district and
province outlines when the plan has them, a longitude/latitude grid). Attribute text travels as
escaped JSON and is placed with ``textContent``: a name is never markup.

Examples
--------
>>> import kzplan
>>> from kzplan.maps import render_map, write_map
>>> plan = kzplan.load_plan()  # doctest: +SKIP
>>> m = render_map(plan, lang="en")  # doctest: +SKIP
>>> write_map(plan, "maps/", offline=True)  # doctest: +SKIP
"""

from __future__ import annotations

import html
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from kzplan import io, schema
from kzplan.findings import SEVERITIES, SEVERITY_LABELS
from kzplan.maps import assets as _maps_assets
from kzplan.maps import data as _maps_data
from kzplan.maps.text import t

if TYPE_CHECKING:
    from kzplan.findings import Report
    from kzplan.plan import Plan

SIZE_LIMIT = 2 * 1024 * 1024
LANGS = ("vi", "en")

# Basemaps for online maps: (message key, URL, attribution, max zoom). OpenStreetMap's own tiles
# need an HTTP Referer, which a page opened from a file cannot send, so they are not the default.
BASEMAPS: tuple[tuple[str, str, str, int], ...] = (
    ("base.gray", "https://server.arcgisonline.com/ArcGIS/rest/services/Canvas/"
     "World_Light_Gray_Base/MapServer/tile/{z}/{y}/{x}", "Tiles © Esri — Esri, HERE, Garmin", 16),
    ("base.topo", "https://server.arcgisonline.com/ArcGIS/rest/services/World_Topo_Map/"
     "MapServer/tile/{z}/{y}/{x}", "Tiles © Esri — Esri, HERE, Garmin, USGS, FAO, NPS", 19),
    ("base.imagery", "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/"
     "MapServer/tile/{z}/{y}/{x}", "Tiles © Esri — Esri, Maxar, Earthstar Geographics", 19),
    ("base.osm", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
     "© OpenStreetMap contributors", 19),
    ("base.opentopo", "https://{s}.tile.opentopomap.org/{z}/{x}/{y}.png",
     "© OpenStreetMap contributors, SRTM | © OpenTopoMap (CC-BY-SA)", 17),
)


def _kzplan_version() -> str:
    try:
        return version("kzplan")
    except PackageNotFoundError:
        return "0.0.0"


def _escaped_json(data: Any) -> str:
    """JSON that is safe inside a ``<script>`` element (no ``<``, ``>``, ``&``, line separators)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


class _Page(Figure):
    """The HTML page: language, charset first, an escaped title, the inlined assets."""

    _template = Template(
        "<!DOCTYPE html>\n"
        '<html lang="{{ this.lang }}">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        "<title>{{ this.page_title }}</title>\n"
        "    {{ this.header.render(**kwargs) }}\n"
        "</head>\n"
        "<body>\n"
        "    {{ this.html.render(**kwargs) }}\n"
        "</body>\n"
        "<script>\n"
        "    {{ this.script.render(**kwargs) }}\n"
        "</script>\n"
        "</html>\n"
    )

    def __init__(self, *, lang: str, title: str) -> None:
        super().__init__()
        self.lang = lang
        self.page_title = html.escape(title)


class _Raw(Element):
    """Literal markup for the page (branca's ``Element`` would parse it as a template)."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.markup = markup

    def render(self, **kwargs: Any) -> str:
        """The markup, as is."""
        return self.markup


class _PlanLayers(MacroElement):
    """Calls kzplan's map script with the escaped data and the folium groups to fill."""

    _template = Template(
        "{% macro html(this, kwargs) %}"
        '<script type="application/json" id="{{ this.get_name() }}">{{ this.payload }}</script>'
        "{% endmacro %}"
        "{% macro script(this, kwargs) %}"
        "window.kzplanMap.init({{ this._parent.get_name() }}, { "
        "{% for key, group in this.groups.items() %}"
        "{{ key|tojson }}: {{ group.get_name() }},"
        "{% endfor %}"
        '}, "{{ this.get_name() }}");'
        "{% endmacro %}"
    )

    def __init__(self, payload: str, groups: dict[str, folium.FeatureGroup]) -> None:
        super().__init__()
        self._name = "KzplanData"
        self.payload = payload
        self.groups = groups


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        msg = f"lang must be one of {LANGS}, not {lang!r}."
        raise ValueError(msg)
    return lang


def render_map(plan: Plan, report: Report | None = None, *, lang: str = "vi",
               offline: bool = False, as_of: int | None = None) -> folium.Map:
    """The officials' map of ``plan`` and its findings.

    Parameters
    ----------
    plan
        The plan (``kzplan.load_plan(...)``); a ``districts`` layer adds district boundaries.
    report
        The result of ``kzplan.check(plan)``; when ``None`` the plan is checked here.
    lang
        ``"vi"`` or ``"en"``: every label, popup and the summary.
    offline
        No basemap and no request at all when the file is opened.
    as_of
        Year to check as of when ``report`` is ``None`` (default: the plan's, or this year).

    Returns
    -------
    folium.Map
        Save it with ``m.save(path)`` or use :func:`write_map`.
    """
    _check_lang(lang)
    if report is None:
        from kzplan.rules import check

        report = check(plan, as_of=as_of)
    built = _maps_data.build(plan, report, lang=lang, offline=offline,
                             version=_kzplan_version())
    west_south, east_north = built.data["bounds"]
    centre = [(west_south[0] + east_north[0]) / 2, (west_south[1] + east_north[1]) / 2]
    m = folium.Map(location=centre, zoom_start=9, tiles=None, control_scale=False,
                   prefer_canvas=False, zoom_snap=0.25, zoom_delta=0.5, max_zoom=19)
    m.default_js, m.default_css = [], []  # everything is inlined by _Page's header
    page = _Page(lang=lang, title=f"{built.data['summary']['title']} — "
                                  f"{built.data['summary']['subtitle']}")
    page.add_child(m)
    page.header.add_child(_Raw(_maps_assets.head_html(lang)), name="kzplan_assets")

    if not offline:
        for i, (key, url, attribution, max_zoom) in enumerate(BASEMAPS):
            extra = {"referrer_policy": "strict-origin-when-cross-origin"} if key == "base.osm" \
                else {}
            folium.TileLayer(url, name=html.escape(t(key, lang)), attr=html.escape(attribution),
                             max_zoom=19, max_native_zoom=max_zoom, show=i == 0,
                             **extra).add_to(m)
        folium.FeatureGroup(name=html.escape(t("base.none", lang)), overlay=False,
                            show=False).add_to(m)

    groups: dict[str, folium.FeatureGroup] = {}
    if built.data.get("graticule"):
        groups["graticule"] = folium.FeatureGroup(name=html.escape(t("graticule", lang)))
    for spec in built.data["layers"]:
        label = schema.LAYER_LABELS[spec["key"]][lang]
        name = t("layer_count", lang, label=label, count=built.counts[spec["key"]])
        groups[spec["key"]] = folium.FeatureGroup(name=html.escape(name))
    for severity in SEVERITIES:
        name = t("findings_group", lang, severity=SEVERITY_LABELS[severity][lang],
                 count=built.counts[f"findings_{severity}"])
        groups[f"findings_{severity}"] = folium.FeatureGroup(
            name=html.escape(name), show=severity != "info")
    for group in groups.values():
        group.add_to(m)
    m.add_child(_PlanLayers(_escaped_json(built.data), groups))
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    return m


def default_filename(lang: str = "vi", *, offline: bool = False) -> str:
    """``kzplan-map.html``, ``kzplan-map-en.html``, ``kzplan-map-offline.html``…"""
    return "kzplan-map" + ("-en" if lang == "en" else "") + ("-offline" if offline else "") \
        + ".html"


def write_map(plan: Plan, target: str | Path, *, report: Report | None = None,
              lang: str = "vi", offline: bool = False, as_of: int | None = None) -> Path:
    """Render the map (see :func:`render_map`) and write it atomically.

    ``target`` is the HTML file, or a folder (existing, or a path without suffix) to write
    :func:`default_filename` into. Returns the path written.
    """
    target = Path(target)
    if target.is_dir() or not (target.suffix or target.exists()):  # /dev/null is a file
        target = target / default_filename(lang, offline=offline)
    m = render_map(plan, report, lang=lang, offline=offline, as_of=as_of)
    return io.write_text(target, m.get_root().render())


def human_size(n_bytes: int, lang: str = "vi") -> str:
    """``1.2 MB`` / ``1,2 MB``."""
    value, unit = (n_bytes / 1024 / 1024, "MB") if n_bytes >= 1024 * 1024 else \
        (n_bytes / 1024, "kB")
    return f"{_maps_data.fmt_num(value, lang, 1)} {unit}"


__all__ = ["default_filename", "render_map", "write_map"]
