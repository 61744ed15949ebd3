"""Run by tests/test_qgis.py with Debian's /usr/bin/python3 (PyQGIS): report what QGIS sees.

Usage: inspect_project.py RESULT.json [--project P.qgs] [--findings F.gpkg ...] [--files F.shp ...]
Writes one JSON document: the project's layers (validity, CRS, renderer, labels, aliases, widgets,
constraint checks on edited values), plain files (CRS, first feature's text) and findings
GeoPackages (renderer and labels loaded from the stored default style).
"""

import argparse
import json
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (
    QgsApplication,
    QgsFeature,
    QgsFieldConstraints,
    QgsProject,
    QgsVectorLayer,
    QgsVectorLayerUtils,
)

# value -> must QGIS accept it while editing?
EDITS = {
    "trang_thai": ["hoat_dong", "dang_xay"],
    "ma_huyen": ["612", "999"],
    "lap_day": [55.0, 150.0],
    "nam_tl": [2015, 1800],
    "ma": [None],
    "tin_cay": ["suy_ra", "chac_chan"],
}

# soft constraints (warnings): value -> accepted?
SOFT_EDITS = {
    "nganh": ["nong_lam; vlxd", "nong_lam;xyz"],
    "dt_qh_ha": [50.0, 400000.0],
}


def renderer(layer):
    r = layer.renderer()
    out = {"type": r.type() if r else None}
    if r is not None and r.type() == "categorizedSymbol":
        out["attr"] = r.classAttribute()
        out["categories"] = [[str(c.value()), c.label(), c.symbol().color().name()]
                             for c in r.categories()]
    return out


def labels(layer):
    if not layer.labelsEnabled() or layer.labeling() is None:
        return None
    return layer.labeling().settings().fieldName


def checks(layer):
    feature = next(layer.getFeatures(), None)
    if feature is None:
        return {}
    out = {}
    for edits, strength in ((EDITS, QgsFieldConstraints.ConstraintStrengthHard),
                            (SOFT_EDITS, QgsFieldConstraints.ConstraintStrengthSoft)):
        for name, values in edits.items():
            idx = layer.fields().indexOf(name)
            if idx < 0:
                continue
            out.setdefault(name, {})
            for value in values:
                edited = QgsFeature(feature)
                edited.setAttribute(idx, value)
                ok, errors = QgsVectorLayerUtils.validateAttribute(
                    layer, edited, idx, strength, QgsFieldConstraints.ConstraintOriginNotSet)
                out[name][str(value)] = [bool(ok), list(errors)]
    return out


def describe(layer):
    fields = layer.fields()
    info = {
        "name": layer.name(), "id": layer.id(), "valid": layer.isValid(),
        "crs": layer.crs().authid() if layer.isSpatial() else None,
        "spatial": layer.isSpatial(), "count": layer.featureCount(),
        "tag": layer.customProperty("kzplan/layer"),
        "source": layer.source(),
        "aliases": {f.name(): layer.attributeAlias(i) for i, f in enumerate(fields)},
        "widgets": {f.name(): [layer.editorWidgetSetup(i).type(),
                               layer.editorWidgetSetup(i).config()]
                    for i, f in enumerate(fields)},
        "constraints": {f.name(): [int(f.constraints().constraints()),
                                   f.constraints().constraintExpression()]
                        for f in fields},
    }
    if layer.isSpatial():
        info["renderer"] = renderer(layer)
        info["labels"] = labels(layer)
    info["checks"] = checks(layer)
    return info


def inspect(args):
    """Everything QGIS reports; every layer object is gone when this returns."""
    result = {"qgis": __import__("qgis.core").core.Qgis.version()}
    if args.project:
        project = QgsProject.instance()
        result["project_read"] = project.read(args.project)
        result["project_crs"] = project.crs().authid()
        result["layers"] = [describe(node.layer()) for node in project.layerTreeRoot().findLayers()]
        result["tables"] = [describe(layer) for layer in project.mapLayers().values()
                            if not layer.isSpatial()]
    result["files"] = {}
    for path in args.files:
        layer = QgsVectorLayer(path, "f", "ogr")
        first = next(layer.getFeatures(), None)
        result["files"][path] = {
            "valid": layer.isValid(), "crs": layer.crs().authid(),
            "ten": first["ten"] if first is not None and "ten" in first.fields().names() else None,
        }
    result["findings"] = {}
    for path in args.findings:
        for table in ("kzplan_findings", "kzplan_findings_points"):
            layer = QgsVectorLayer(f"{path}|layername={table}", table, "ogr")
            info = describe(layer)
            info["readonly_severity"] = layer.editFormConfig().readOnly(
                layer.fields().indexOf("severity"))
            info["readonly_assignee"] = layer.editFormConfig().readOnly(
                layer.fields().indexOf("assignee"))
            result["findings"][f"{path}:{table}"] = info
    QgsProject.instance().clear()
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("result")
    parser.add_argument("--project")
    parser.add_argument("--findings", nargs="*", default=[])
    parser.add_argument("--files", nargs="*", default=[])
    args = parser.parse_args()
    app = QgsApplication([], False)
    app.initQgis()
    result = inspect(args)
    with open(args.result, "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=1, default=str)
    app.exitQgis()


if __name__ == "__main__":
    main()
