"""QGIS styles for kzplan's findings, written as QML and SLD without QGIS.

The findings GeoPackage carries its own default style in the ``layer_styles`` table, which QGIS
reads when a layer of the GeoPackage is opened: features coloured by severity, labelled with the
message in the report's language, Vietnamese or English field aliases, the triage fields
(``assignee``, ``fixed``, ``comment``) editable and everything else read-only, and the attribute
table's rows tinted by severity.

The QML written here is a small subset of what QGIS itself writes (QGIS fills in the rest with its
defaults); ``tests/test_qgis.py`` loads it in real QGIS and checks the renderer, the labels and the
field configuration.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kzplan import messages
from kzplan.findings import SEVERITIES, SEVERITY_COLOURS, SEVERITY_LABELS

#: Fields a team edits to triage findings; every other field of the findings layers is read-only.
TRIAGE_FIELDS = ("assignee", "fixed", "comment")
KINDS = ("polygon", "point")
QGIS_VERSION = "3.22.16-Białowieża"
_LIGHT = {"error": "#fbd5d5", "warning": "#feebd4", "info": "#d6e6f3"}


def _rgba(hex_colour: str, alpha: int = 255) -> str:
    value = hex_colour.lstrip("#")
    r, g, b = (int(value[i:i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{alpha}"


def _options(parent: ET.Element, props: Mapping[str, str]) -> None:
    """Symbol layer properties, both as QGIS ≥ 3.16 ``Option`` map and legacy ``prop`` list."""
    opt = ET.SubElement(parent, "Option", type="Map")
    for key, value in props.items():
        ET.SubElement(opt, "Option", name=key, type="QString", value=value)
    for key, value in props.items():
        ET.SubElement(parent, "prop", k=key, v=value)


def _symbol(kind: str, name: str, colour: str) -> ET.Element:
    if kind == "polygon":
        symbol = ET.Element("symbol", type="fill", name=name, alpha="1", clip_to_extent="1",
                            force_rhr="0")
        layer = ET.SubElement(symbol, "layer", {"class": "SimpleFill", "enabled": "1",
                                                "locked": "0", "pass": "0"})
        _options(layer, {
            "color": _rgba(colour, 90), "style": "solid", "outline_color": _rgba(colour),
            "outline_style": "solid", "outline_width": "0.8", "outline_width_unit": "MM",
            "joinstyle": "bevel",
        })
    else:
        symbol = ET.Element("symbol", type="marker", name=name, alpha="1", clip_to_extent="1",
                            force_rhr="0")
        layer = ET.SubElement(symbol, "layer", {"class": "SimpleMarker", "enabled": "1",
                                                "locked": "0", "pass": "0"})
        _options(layer, {
            "name": "circle", "color": _rgba(colour), "outline_color": "255,255,255,255",
            "outline_style": "solid", "outline_width": "0.4", "outline_width_unit": "MM",
            "size": "4", "size_unit": "MM", "scale_method": "diameter",
        })
    return symbol


def label_expression(lang: str) -> str:
    """The label of a finding: rule id and message, ticked when a team marked it fixed."""
    return (f"CASE WHEN \"fixed\" THEN '✔ ' ELSE '' END || \"rule_id\" || ': ' || "
            f"\"message_{lang}\"")


def _labeling(root: ET.Element, kind: str, lang: str) -> None:
    labeling = ET.SubElement(root, "labeling", type="simple")
    settings = ET.SubElement(labeling, "settings", calloutType="simple")
    style = ET.SubElement(settings, "text-style", {
        "fieldName": label_expression(lang), "isExpression": "1", "fontFamily": "Noto Sans",
        "fontSize": "8", "fontSizeUnit": "Point", "textColor": "35,35,35,255",
        "textOpacity": "1", "fontWeight": "50", "namedStyle": "Regular", "allowHtml": "0",
        "multilineHeight": "1", "blendMode": "0", "useSubstitutions": "0",
    })
    ET.SubElement(style, "text-buffer", {
        "bufferDraw": "1", "bufferSize": "0.8", "bufferSizeUnits": "MM",
        "bufferColor": "255,255,255,255", "bufferOpacity": "0.85", "bufferNoFill": "1",
        "bufferJoinStyle": "128", "bufferBlendMode": "0",
    })
    ET.SubElement(settings, "text-format", {
        "wrapChar": "", "autoWrapLength": "48", "useMaxLineLengthForAutoWrap": "1",
        "multilineAlign": "0", "formatNumbers": "0", "decimals": "3", "plussign": "0",
        "addDirectionSymbol": "0",
    })
    ET.SubElement(settings, "placement", {
        # points: around the point; polygons: horizontal, inside the polygon when it fits
        "placement": "0" if kind == "point" else "1", "dist": "1.5", "distUnits": "MM",
        "priority": "5" if kind == "polygon" else "7", "placementFlags": "10",
        "centroidInside": "1", "centroidWhole": "0", "fitInPolygonOnly": "0",
        "offsetType": "0", "quadOffset": "4", "xOffset": "0", "yOffset": "0",
        "offsetUnits": "MM",
    })
    ET.SubElement(settings, "rendering", {
        "drawLabels": "1", "obstacle": "1", "obstacleFactor": "1", "obstacleType": "1",
        "displayAll": "0", "upsidedownLabels": "0", "labelPerPart": "0", "mergeLines": "0",
        "scaleVisibility": "0", "limitNumLabels": "0", "maxNumLabels": "2000", "zIndex": "1",
        "fontLimitPixelSize": "0", "minFeatureSize": "0",
    })


def _field_config(root: ET.Element, fields: Sequence[str], lang: str) -> None:
    config = ET.SubElement(root, "fieldConfiguration")
    for name in fields:
        field = ET.SubElement(config, "field", name=name, configurationFlags="None")
        if name == "severity":
            widget = ET.SubElement(field, "editWidget", type="ValueMap")
            opt = ET.SubElement(ET.SubElement(widget, "config"), "Option", type="Map")
            lst = ET.SubElement(opt, "Option", name="map", type="List")
            for sev in SEVERITIES:
                entry = ET.SubElement(lst, "Option", type="Map")
                ET.SubElement(entry, "Option", name=SEVERITY_LABELS[sev][lang], type="QString",
                              value=sev)
        elif name == "fixed":
            widget = ET.SubElement(field, "editWidget", type="CheckBox")
            opt = ET.SubElement(ET.SubElement(widget, "config"), "Option", type="Map")
            ET.SubElement(opt, "Option", name="CheckedState", type="QString", value="")
            ET.SubElement(opt, "Option", name="UncheckedState", type="QString", value="")
        elif name in ("comment", "message_vi", "message_en", "fix_vi", "fix_en"):
            widget = ET.SubElement(field, "editWidget", type="TextEdit")
            opt = ET.SubElement(ET.SubElement(widget, "config"), "Option", type="Map")
            ET.SubElement(opt, "Option", name="IsMultiline", type="bool", value="true")
            ET.SubElement(opt, "Option", name="UseHtml", type="bool", value="false")
        else:
            widget = ET.SubElement(field, "editWidget", type="TextEdit")
            opt = ET.SubElement(ET.SubElement(widget, "config"), "Option", type="Map")
            ET.SubElement(opt, "Option", name="IsMultiline", type="bool", value="false")
            ET.SubElement(opt, "Option", name="UseHtml", type="bool", value="false")
    aliases = ET.SubElement(root, "aliases")
    for i, name in enumerate(fields):
        key = f"qgis.field.{name}"
        alias = messages.text(key, lang) if key in set(messages.keys()) else ""
        ET.SubElement(aliases, "alias", field=name, index=str(i), name=alias)
    defaults = ET.SubElement(root, "defaults")
    for name in fields:
        ET.SubElement(defaults, "default", field=name, applyOnUpdate="0",
                      expression="false" if name == "fixed" else "")


def _table_config(root: ET.Element, fields: Sequence[str]) -> None:
    table = ET.SubElement(root, "attributetableconfig", actionWidgetStyle="dropDown",
                          sortOrder="0", sortExpression="")
    columns = ET.SubElement(table, "columns")
    # triage fields first, then what the finding says; the long English/fix texts hidden
    hidden = {"fix_vi", "fix_en", "fingerprint", "rule_name", "source_article"}
    order = [*TRIAGE_FIELDS, *(f for f in fields if f not in TRIAGE_FIELDS)]
    for name in order:
        if name in fields:
            ET.SubElement(columns, "column", type="field", name=name, width="-1",
                          hidden="1" if name in hidden else "0")
    ET.SubElement(columns, "column", type="actions", width="-1", hidden="1")
    styles = ET.SubElement(root, "conditionalstyles")
    rows = ET.SubElement(styles, "rowstyles")
    for sev in SEVERITIES:
        ET.SubElement(rows, "style", {
            "name": sev, "rule": f"\"severity\" = '{sev}'", "background_color": _LIGHT[sev],
            "background_color_alpha": "255",
        })
    ET.SubElement(styles, "fieldstyles")


def findings_qml(kind: str, lang: str, *, fields: Sequence[str]) -> str:
    """The QML style of a findings layer.

    Parameters
    ----------
    kind
        ``"polygon"`` (the ``kzplan_findings`` layer) or ``"point"`` (``kzplan_findings_points``).
    lang
        Language of the labels, legend entries and field aliases (``"vi"`` or ``"en"``).
    fields
        The layer's attribute fields, in order.
    """
    if kind not in KINDS or lang not in messages.LANGS:
        msg = f"kind must be one of {KINDS} and lang one of {messages.LANGS}."
        raise ValueError(msg)
    root = ET.Element("qgis", {
        "version": QGIS_VERSION, "styleCategories": "AllStyleCategories", "labelsEnabled": "1",
        "hasScaleBasedVisibilityFlag": "0", "readOnly": "0", "minScale": "100000000",
        "maxScale": "0",
    })
    renderer = ET.SubElement(root, "renderer-v2", type="categorizedSymbol", attr="severity",
                             forceraster="0", symbollevels="0", enableorderby="1",
                             referencescale="-1")
    cats = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for i, sev in enumerate(SEVERITIES):
        ET.SubElement(cats, "category", value=sev, symbol=str(i),
                      label=SEVERITY_LABELS[sev][lang], render="true")
        symbols.append(_symbol(kind, str(i), SEVERITY_COLOURS[sev]))
    # errors drawn last (on top)
    order = ET.SubElement(renderer, "orderby")
    ET.SubElement(order, "orderByClause", asc="0", nullsFirst="0").text = (
        "CASE \"severity\" WHEN 'error' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END")
    _labeling(root, kind, lang)
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerOpacity").text = "1"
    ET.SubElement(root, "legend", type="default-vector", showLabelLegend="0")
    _field_config(root, fields, lang)
    _table_config(root, fields)
    ET.SubElement(root, "editorlayout").text = "generatedlayout"
    editable = ET.SubElement(root, "editable")
    ET.SubElement(editable, "field", name="id", editable="0")
    for name in fields:
        ET.SubElement(editable, "field", name=name,
                      editable="1" if name in TRIAGE_FIELDS else "0")
    ET.SubElement(root, "previewExpression").text = (
        "\"rule_id\" || ' ' || coalesce(\"feature\", \"layer\", '')")
    ET.SubElement(root, "mapTip").text = (
        f"<b>[% \"rule_id\" %] · [% \"rule_name\" %]</b><br>[% \"message_{lang}\" %]"
        f"<br><i>[% \"fix_{lang}\" %]</i>")
    ET.SubElement(root, "layerGeometryType").text = "2" if kind == "polygon" else "0"
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


_SLD_NS = {
    "": "http://www.opengis.net/sld",
    "se": "http://www.opengis.net/se",
    "ogc": "http://www.opengis.net/ogc",
    "xlink": "http://www.w3.org/1999/xlink",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}


def findings_sld(kind: str, lang: str, *, name: str) -> str:
    """The SLD 1.1 style of a findings layer (for GeoServer, QGIS Server and other SLD readers)."""
    if kind not in KINDS or lang not in messages.LANGS:
        msg = f"kind must be one of {KINDS} and lang one of {messages.LANGS}."
        raise ValueError(msg)
    sld, se, ogc = (f"{{{_SLD_NS[k]}}}" for k in ("", "se", "ogc"))
    for prefix, uri in _SLD_NS.items():
        ET.register_namespace(prefix, uri)
    root = ET.Element(f"{sld}StyledLayerDescriptor", {
        "version": "1.1.0",
        f"{{{_SLD_NS['xsi']}}}schemaLocation": "http://www.opengis.net/sld "
        "http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd",
    })
    layer = ET.SubElement(root, f"{sld}NamedLayer")
    ET.SubElement(layer, f"{se}Name").text = name
    user = ET.SubElement(layer, f"{sld}UserStyle")
    ET.SubElement(user, f"{se}Name").text = name
    fts = ET.SubElement(user, f"{se}FeatureTypeStyle")
    for sev in SEVERITIES:
        colour = SEVERITY_COLOURS[sev]
        rule = ET.SubElement(fts, f"{se}Rule")
        ET.SubElement(rule, f"{se}Name").text = sev
        desc = ET.SubElement(rule, f"{se}Description")
        ET.SubElement(desc, f"{se}Title").text = SEVERITY_LABELS[sev][lang]
        flt = ET.SubElement(rule, f"{ogc}Filter")
        eq = ET.SubElement(flt, f"{ogc}PropertyIsEqualTo")
        ET.SubElement(eq, f"{ogc}PropertyName").text = "severity"
        ET.SubElement(eq, f"{ogc}Literal").text = sev
        if kind == "polygon":
            sym = ET.SubElement(rule, f"{se}PolygonSymbolizer")
            fill = ET.SubElement(sym, f"{se}Fill")
            ET.SubElement(fill, f"{se}SvgParameter", name="fill").text = colour
            ET.SubElement(fill, f"{se}SvgParameter", name="fill-opacity").text = "0.35"
            stroke = ET.SubElement(sym, f"{se}Stroke")
            ET.SubElement(stroke, f"{se}SvgParameter", name="stroke").text = colour
            ET.SubElement(stroke, f"{se}SvgParameter", name="stroke-width").text = "3"
        else:
            sym = ET.SubElement(rule, f"{se}PointSymbolizer")
            graphic = ET.SubElement(sym, f"{se}Graphic")
            mark = ET.SubElement(graphic, f"{se}Mark")
            ET.SubElement(mark, f"{se}WellKnownName").text = "circle"
            fill = ET.SubElement(mark, f"{se}Fill")
            ET.SubElement(fill, f"{se}SvgParameter", name="fill").text = colour
            stroke = ET.SubElement(mark, f"{se}Stroke")
            ET.SubElement(stroke, f"{se}SvgParameter", name="stroke").text = "#ffffff"
            ET.SubElement(stroke, f"{se}SvgParameter", name="stroke-width").text = "1"
            ET.SubElement(graphic, f"{se}Size").text = "14"
    rule = ET.SubElement(fts, f"{se}Rule")
    text = ET.SubElement(rule, f"{se}TextSymbolizer")
    label = ET.SubElement(text, f"{se}Label")
    ET.SubElement(label, f"{ogc}PropertyName").text = f"message_{lang}"
    font = ET.SubElement(text, f"{se}Font")
    ET.SubElement(font, f"{se}SvgParameter", name="font-family").text = "Noto Sans"
    ET.SubElement(font, f"{se}SvgParameter", name="font-size").text = "11"
    halo = ET.SubElement(text, f"{se}Halo")
    ET.SubElement(halo, f"{se}Radius").text = "2"
    hfill = ET.SubElement(halo, f"{se}Fill")
    ET.SubElement(hfill, f"{se}SvgParameter", name="fill").text = "#ffffff"
    tfill = ET.SubElement(text, f"{se}Fill")
    ET.SubElement(tfill, f"{se}SvgParameter", name="fill").text = "#232323"
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def layer_styles_rows(layers: Mapping[str, tuple[str, Sequence[str]]], lang: str, *,
                      geometry_column: str = "geom",
                      when: datetime.datetime | None = None) -> list[dict[str, Any]]:
    """Rows of QGIS's ``layer_styles`` table: one default style per ``{layer: (kind, fields)}``."""
    when = when or datetime.datetime.now(datetime.UTC)
    rows = []
    for table, (kind, fields) in layers.items():
        rows.append({
            "f_table_catalog": "",
            "f_table_schema": "",
            "f_table_name": table,
            "f_geometry_column": geometry_column,
            "styleName": f"kzplan ({lang})",
            "styleQML": findings_qml(kind, lang, fields=fields),
            "styleSLD": findings_sld(kind, lang, name=table),
            "useAsDefault": True,
            "description": messages.text("qgis.style.description", lang),
            "owner": "kzplan",
            "ui": "",
            "update_time": when.replace(tzinfo=None),
        })
    return rows


def write_layer_styles(gpkg: str | Path, rows: Sequence[Mapping[str, Any]]) -> None:
    """Add a ``layer_styles`` table (as QGIS creates it) with ``rows`` to the GeoPackage ``gpkg``.

    The table is written through GDAL so the GeoPackage stays valid (``gpkg_contents`` lists it as
    an attribute table, as QGIS does). The file should be a fresh one: an existing
    ``layer_styles`` table is replaced.
    """
    import pandas as pd
    import pyogrio

    frame = pd.DataFrame(list(rows), columns=[
        "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName",
        "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time",
    ])
    frame["useAsDefault"] = frame["useAsDefault"].astype(bool)
    frame["update_time"] = pd.to_datetime(frame["update_time"])
    pyogrio.write_dataframe(frame, gpkg, layer="layer_styles", driver="GPKG",
                            layer_options={"FID": "id"})
