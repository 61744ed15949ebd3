#!/usr/bin/python3
"""Build the QGIS project of a kzplan plan (default: the bundled one, into qgis/kontum-2030.qgs).

Run it with the Python that has PyQGIS (Debian: ``/usr/bin/python3``, package ``python3-qgis``),
headless if need be::

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tools/build_qgis_project.py
    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tools/build_qgis_project.py \
        --config edits/kzplan.toml --districts ranh_huyen.gpkg --output edits/qgis/plan.qgs

What the project holds, for every layer of the configuration:

- the layer, by a path relative to the project file, in EPSG:9216 (the build fails otherwise);
- its style: KCN and CCN categorised by status (planned, established, operating, and a red
  "other value" class that shows a wrong status at a glance), the KKT hatched, district boundaries
  (when configured) as dashed outlines; labels with the Vietnamese names;
- the data dictionary of ``kzplan/schema.py``: Vietnamese field aliases, drop-down value maps for
  ``trang_thai``, ``tin_cay``, ``hinh_hoc``, ``xlnt`` and ``ma_huyen`` (the ten district codes), and
  constraints QGIS enforces while editing: required fields not null, unique codes, the coded
  domains, occupancy within 0–100 %, year established from the rule pack's ``min_year`` to this
  year, planned area above zero (a CCN's 10–75 ha range as a soft warning);
- a tag (custom property ``kzplan/layer``) the "Validate plan (kzplan)" Processing algorithm reads
  to know which layer is which.

The file is reproducible: the same inputs give the same bytes (layer ids are stable, save dates
and user names are left out), so it can be kept in git and rebuilt by CI.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import os
import re
import sys
import tomllib
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Qt writes XML attributes in QHash order, randomised per process unless the seed is fixed
os.environ["QT_HASH_SEED"] = "0"

from qgis.core import (
    QgsApplication,
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsEditorWidgetSetup,
    QgsFieldConstraints,
    QgsFillSymbol,
    QgsLinePatternFillSymbolLayer,
    QgsPalLayerSettings,
    QgsProject,
    QgsRectangle,
    QgsReferencedRectangle,
    QgsRendererCategory,
    QgsSimpleFillSymbolLayer,
    QgsSingleSymbolRenderer,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsUnitTypes,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtCore import QDateTime, Qt
from qgis.PyQt.QtGui import QColor, QFont

REPO = Path(__file__).resolve().parents[1]
TAG_LAYER = "kzplan/layer"
NULL_VALUE = "{2839923C-8B7D-419E-B84B-CA2FE9B80EC7}"  # QGIS's value-map entry for NULL
LAYER_ORDER = ("ccn", "kcn", "kkt", "districts", "huyen")  # top of the legend first
HARD = QgsFieldConstraints.ConstraintStrengthHard
SOFT = QgsFieldConstraints.ConstraintStrengthSoft
FIXED_DATE = QDateTime.fromString("2025-01-01T00:00:00", Qt.ISODate)

STATUS_STYLE = {
    # layer: {status: (fill, outline, dashed outline)}
    "kcn": {"quy_hoach": ("#e7d4e8", "#762a83", True), "thanh_lap": ("#c2a5cf", "#762a83", False),
            "hoat_dong": ("#9970ab", "#40004b", False)},
    "ccn": {"quy_hoach": ("#fee0b6", "#b35806", True), "thanh_lap": ("#fdb863", "#b35806", False),
            "hoat_dong": ("#e08214", "#7f3b08", False)},
}
OTHER_STYLE = ("#ffffff", "#d7191c")


def load_module(name: str, path: Path):
    """Import one pure-Python kzplan module by path (kzplan itself needs geopandas)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


from _pure import pure  # noqa: E402

schema = pure("schema")
PLAN = pure("plandef").load_plandef()


def rule_params() -> dict[str, dict]:
    """Parameters of the bundled rule pack, by rule id."""
    out: dict[str, dict] = {}

    def fold(path: Path) -> None:
        data = tomllib.loads(path.read_text("utf-8"))
        for base in data.get("pack", {}).get("extends", []):
            fold(REPO / "kzplan" / "packs" / f"{base}.toml")
        for rule in data.get("rule", []):
            out[rule["id"]] = {**out.get(rule["id"], {}), **rule.get("params", {})}

    fold(PLAN.rules_path)
    return out


def read_config(path: Path, districts: str | None) -> dict[str, dict]:
    """``{layer: {"path", "layer", "fields", "crs"}}`` from a kzplan.toml (paths absolute)."""
    data = tomllib.loads(path.read_text("utf-8"))
    layers = {}
    for name, spec in data.get("layers", {}).items():
        file = Path(spec["path"])
        layers[name] = {
            "path": file if file.is_absolute() else (path.parent / file).resolve(),
            "layer": spec.get("layer"), "fields": spec.get("fields", {}),
            "crs": spec.get("crs") or data.get("plan", {}).get("crs"),
        }
    if districts:
        layers["districts"] = {"path": Path(districts).resolve(), "layer": None, "fields": {},
                               "crs": None}
    return layers


def _quote(values) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def _fill(fill: str, outline: str, *, dashed: bool = False, width: float = 0.5) -> QgsFillSymbol:
    symbol = QgsFillSymbol.createSimple({
        "color": fill, "outline_color": outline, "outline_width": str(width),
        "outline_width_unit": "MM", "outline_style": "dash" if dashed else "solid",
        "style": "solid", "joinstyle": "round",
    })
    return symbol


def status_renderer(name: str, field: str) -> QgsCategorizedSymbolRenderer:
    """KCN / CCN coloured by status; any other value stands out in red."""
    categories = []
    for status in schema.STATUS:
        fill, outline, dashed = STATUS_STYLE[name][status]
        categories.append(QgsRendererCategory(status, _fill(fill, outline, dashed=dashed),
                                              schema.STATUS_LABELS[status]["vi"], True))
    fill, outline = OTHER_STYLE
    categories.append(QgsRendererCategory("", _fill(fill, outline, width=1.0),
                                          "Giá trị khác (sai trạng thái)", True))
    return QgsCategorizedSymbolRenderer(field, categories)


def kkt_renderer() -> QgsSingleSymbolRenderer:
    """The economic zone: hatched, green outline."""
    symbol = QgsFillSymbol()
    symbol.deleteSymbolLayer(0)
    hatch = QgsLinePatternFillSymbolLayer()
    hatch.setLineAngle(45)
    hatch.setDistance(3)
    hatch.setDistanceUnit(QgsUnitTypes.RenderMillimeters)
    hatch.setColor(QColor("#5aae61"))
    hatch.setLineWidth(0.3)
    symbol.appendSymbolLayer(hatch)
    outline = QgsSimpleFillSymbolLayer.create({
        "style": "no", "outline_color": "#1b7837", "outline_width": "0.8",
        "outline_width_unit": "MM"})
    symbol.appendSymbolLayer(outline)
    return QgsSingleSymbolRenderer(symbol)


def districts_renderer() -> QgsSingleSymbolRenderer:
    symbol = QgsFillSymbol.createSimple({
        "style": "no", "outline_color": "#636363", "outline_width": "0.6",
        "outline_width_unit": "MM", "outline_style": "dash"})
    return QgsSingleSymbolRenderer(symbol)


def labels(field: str, *, size: float, colour: str, italic: bool = False
           ) -> QgsVectorLayerSimpleLabeling:
    """Labels with the Vietnamese name, white halo."""
    settings = QgsPalLayerSettings()
    settings.fieldName = field
    settings.enabled = True
    settings.placement = QgsPalLayerSettings.OverPoint
    text = QgsTextFormat()
    font = QFont("Noto Sans")
    font.setItalic(italic)
    text.setFont(font)
    text.setSize(size)
    text.setColor(QColor(colour))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    buffer.setColor(QColor("#ffffff"))
    text.setBuffer(buffer)
    settings.setFormat(text)
    settings.autoWrapLength = 24
    return QgsVectorLayerSimpleLabeling(settings)


def value_map(pairs) -> QgsEditorWidgetSetup:
    return QgsEditorWidgetSetup("ValueMap", {"map": [{label: value} for label, value in pairs]})


def configure_fields(layer: QgsVectorLayer, name: str, mapping: dict[str, str],
                     params: dict[str, dict]) -> None:
    """Aliases, value maps and constraints from the data dictionary."""
    fields = layer.fields()
    lower = {f.name().lower(): f.name() for f in fields}
    min_year = int(params.get("AT03", {}).get("min_year", 1990))
    size = params.get("AR04", {})
    domains = {
        "trang_thai": [(schema.STATUS_LABELS[v]["vi"], v) for v in schema.STATUS],
        "tin_cay": [(schema.CONFIDENCE_LABELS[v]["vi"], v) for v in schema.CONFIDENCE],
        "hinh_hoc": [(schema.GEOMETRY_KIND_LABELS[v]["vi"], v) for v in schema.GEOMETRY_KIND],
        "xlnt": [(schema.WASTEWATER_LABELS[v]["vi"], v) for v in schema.WASTEWATER]
        + [(schema.WASTEWATER_LABELS[None]["vi"], NULL_VALUE)],
        "ma_huyen": [(f"{u.code} – {u.name}", u.code) for u in PLAN.units],
        "loai": [("Thành phố", "thanh_pho"), ("Huyện", "huyen")],
    }
    for spec in schema.LAYER_FIELDS[name]:
        actual = lower.get(mapping.get(spec.name, spec.name).lower())
        if actual is None:
            continue
        idx = fields.indexOf(actual)
        ref = f'"{actual}"'
        layer.setFieldAlias(idx, spec.vi)
        if spec.name in domains and (spec.domain or spec.name in ("ma_huyen",)):
            layer.setEditorWidgetSetup(idx, value_map(domains[spec.name]))
        if spec.required:
            layer.setFieldConstraint(idx, QgsFieldConstraints.ConstraintNotNull, HARD)
        if spec.name == "ma" and name in schema.PLAN_LAYERS:
            layer.setFieldConstraint(idx, QgsFieldConstraints.ConstraintUnique, HARD)
        expression, strength, description = None, HARD, ""
        if spec.domain:
            allowed = _quote(spec.domain)
            expression = f"{ref} IN ({allowed})" if spec.required else \
                f"{ref} IS NULL OR {ref} IN ({allowed})"
            description = f"{spec.vi}: một trong {', '.join(spec.domain)}"
        elif spec.name == "ma_huyen":
            expression = f"{ref} IN ({_quote(PLAN.unit_codes)})"
            description = "Mã huyện phải là một trong 10 mã TCTK của Kon Tum (608, 610–618)"
        elif spec.name == "lap_day":
            expression = f"{ref} IS NULL OR ({ref} >= 0 AND {ref} <= 100)"
            description = "Tỷ lệ lấp đầy từ 0 đến 100 %"
        elif spec.name == "nam_tl":
            expression = f"{ref} IS NULL OR ({ref} >= {min_year} AND {ref} <= year(now()))"
            description = f"Năm thành lập từ {min_year} đến năm nay"
        elif spec.name == "dt_qh_ha" and name == "ccn" and size:
            expression = f"{ref} >= {size['min_ha']} AND {ref} <= {size['max_ha']}"
            strength = SOFT
            description = (f"Cụm công nghiệp: {size['min_ha']:g}–{size['max_ha']:g} ha"
                           " (NĐ 32/2024/NĐ-CP); kiểm tra đơn vị ha, không phải m²")
        elif spec.name == "dt_qh_ha":
            expression = f"{ref} > 0"
            description = "Diện tích quy hoạch (ha) lớn hơn 0"
        elif spec.name == "nganh":
            codes = _quote(schema.INDUSTRY_GROUPS)
            expression = (f"{ref} IS NULL OR array_length(array_filter(array_foreach("
                          f"string_to_array({ref}, ';'), trim(@element)), "
                          f"@element <> '' AND NOT array_contains(array({codes}), @element)))"
                          " = 0")
            strength = SOFT
            description = "Mã nhóm ngành, cách nhau bởi ';': " + ", ".join(schema.INDUSTRY_GROUPS)
        if expression:
            layer.setConstraintExpression(idx, expression, description)
            layer.setFieldConstraint(idx, QgsFieldConstraints.ConstraintExpression, strength)
    # the measured area is kzplan's, never typed: show it read-only when present
    for i, f in enumerate(fields):
        if f.name().lower() == "dt_do_ha":
            config = layer.editFormConfig()
            config.setReadOnly(i, True)
            layer.setEditFormConfig(config)


def uri(spec: dict) -> str:
    path = str(spec["path"])
    return f"{path}|layername={spec['layer']}" if spec.get("layer") else path


def add_layer(project: QgsProject, name: str, spec: dict, params: dict[str, dict]
              ) -> QgsVectorLayer:
    title = schema.LAYER_LABELS[name]["vi"]
    layer = QgsVectorLayer(uri(spec), title, "ogr")
    if not layer.isValid():
        msg = f"{spec['path']}: QGIS cannot open layer {name}."
        raise SystemExit(msg)
    mapping = spec.get("fields", {})
    if name not in schema.TABLE_LAYERS:
        crs = layer.crs()
        if spec.get("crs") and crs.authid() != spec["crs"]:
            crs = QgsCoordinateReferenceSystem(spec["crs"])
            layer.setCrs(crs)
        if crs.authid() != PLAN.crs:
            msg = (f"{spec['path']}: layer {name} is in {crs.authid() or crs.description()!r},"
                   f" not {PLAN.crs}; write a clean copy with `kzplan clean`"
                   " and use it.")
            raise SystemExit(msg)
        name_field = next((f.name() for f in layer.fields()
                           if f.name().lower() == mapping.get("ten", "ten").lower()), None)
        status_field = next((f.name() for f in layer.fields()
                             if f.name().lower() == mapping.get("trang_thai", "trang_thai")
                             .lower()), None)
        if name in STATUS_STYLE and status_field:
            layer.setRenderer(status_renderer(name, status_field))
        elif name == "kkt":
            layer.setRenderer(kkt_renderer())
        elif name == "districts":
            layer.setRenderer(districts_renderer())
        if name_field:
            style = {"kcn": (9, "#40004b", False), "ccn": (8, "#7f3b08", False),
                     "kkt": (10, "#1b7837", True), "districts": (9, "#525252", True)}[name]
            layer.setLabeling(labels(name_field, size=style[0], colour=style[1],
                                     italic=style[2]))
            layer.setLabelsEnabled(True)
        layer.setDisplayExpression(
            f'"{name_field}"' if name_field else f'"{mapping.get("ma", "ma")}"')
    configure_fields(layer, name, mapping, params)
    layer.setCustomProperty(TAG_LAYER, name)
    project.addMapLayer(layer, False)
    return layer


def stable(text: str, ids: dict[str, str]) -> str:
    """The project XML without what changes from one build to the next."""
    for old, new in ids.items():
        text = text.replace(old, new)
    text = re.sub(r"Annotations_[0-9a-f]{8}(_[0-9a-f]{4}){3}_[0-9a-f]{12}", "Annotations_kzplan",
                  text)
    # snapping settings are kept in a hash keyed by layer: sort them
    text = re.sub(r"(<individual-layer-settings>\n)(.*?)(\n\s*</individual-layer-settings>)",
                  lambda m: m[1] + "\n".join(sorted(m[2].split("\n"))) + m[3], text,
                  flags=re.S)
    text = re.sub(r' saveDateTime="[^"]*"', "", text)
    text = re.sub(r' saveUser="[^"]*"', "", text)
    text = re.sub(r' saveUserFull="[^"]*"', "", text)
    return text


def build(config: Path, output: Path, *, districts: str | None = None,
          title: str = "Quy hoạch đất công nghiệp tỉnh Kon Tum 2030 (kzplan)") -> Path:
    """Write the project ``output`` for the plan ``config``; return its path."""
    layers = read_config(config, districts)
    params = rule_params()
    project = QgsProject.instance()
    project.clear()
    project.setTitle(title)
    project.setCrs(QgsCoordinateReferenceSystem(PLAN.crs))
    project.setEllipsoid("EPSG:7030")
    project.setDistanceUnits(QgsUnitTypes.DistanceMeters)
    project.setAreaUnits(QgsUnitTypes.AreaHectares)
    project.writeEntryBool("Paths", "/Absolute", False)
    metadata = project.metadata()
    metadata.setTitle(title)
    metadata.setAuthor("kzplan")
    metadata.setLanguage("vi")
    metadata.setAbstract("Dự án QGIS dựng bởi tools/build_qgis_project.py từ cấu hình "
                         f"{config.name}; chạy lại công cụ thay vì sửa tay.")
    metadata.setCreationDateTime(FIXED_DATE)
    project.setMetadata(metadata)
    root = project.layerTreeRoot()
    ids: dict[str, str] = {}
    extent = QgsRectangle()
    for name in LAYER_ORDER:
        if name not in layers:
            continue
        layer = add_layer(project, name, layers[name], params)
        root.addLayer(layer)
        ids[layer.id()] = f"kzplan_layer_{name}"  # QGIS ignores ids of 10 characters or fewer
        if layer.isSpatial() and name != "districts":
            extent.combineExtentWith(layer.extent())
    if not extent.isEmpty():
        extent.grow(max(extent.width(), extent.height()) * 0.05)
        project.viewSettings().setDefaultViewExtent(
            QgsReferencedRectangle(extent, project.crs()))
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.tmp{output.suffix}")
    if not project.write(str(tmp)):
        msg = f"{output}: QGIS could not write the project ({project.error()})."
        raise SystemExit(msg)
    text = stable(tmp.read_text("utf-8"), ids)
    tmp.unlink()
    for aux in tmp.parent.glob(f"{tmp.stem}*.qgd"):
        aux.unlink()
    output.write_text(text, encoding="utf-8")
    os.utime(output)
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", type=Path, default=REPO / "geodata" / "kzplan.toml",
                        help="the plan's kzplan.toml (default: the bundled plan)")
    parser.add_argument("--output", type=Path, default=REPO / "qgis" / "kontum-2030.qgs",
                        help="the project file to write (.qgs)")
    parser.add_argument("--districts", help="a district boundary layer to add (not copied)")
    args = parser.parse_args(argv)
    app = QgsApplication([], False)
    app.initQgis()
    try:
        out = build(args.config.resolve(), args.output.resolve(), districts=args.districts)
    finally:
        QgsProject.instance().clear()
        app.exitQgis()
    print(f"Wrote {out} ({datetime.date.today().isoformat()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
