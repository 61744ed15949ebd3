"""Run by tests/test_qgis.py with /usr/bin/python3: the planner's loop inside a QGIS project.

Usage: processing_loop.py RESULT.json PROJECT.qgs OUTPUT.gpkg PLUGIN_DIR

Opens the project, runs "Validate plan (kzplan)" with no input (so it uses the project's tagged
plan layers), ticks off a finding in the findings layer (a triage edit saved in QGIS), breaks the
plan in QGIS (a CCN with a status outside the domain, saved through the provider), runs the
algorithm again, and reports what the project holds after each run.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsApplication, QgsProject


def run_layers(project, name):
    return sorted((layer for layer in project.mapLayers().values()
                   if layer.customProperty("kzplan/run") == name), key=lambda lyr: lyr.name())


def snapshot(project, name):
    out = []
    for layer in run_layers(project, name):
        out.append({
            "id": layer.id(), "name": layer.name(), "count": layer.featureCount(),
            "renderer": layer.renderer().type(),
            "fingerprints": sorted(f["fingerprint"] for f in layer.getFeatures()),
            "rules": sorted({f["rule_id"] for f in layer.getFeatures()}),
        })
    groups = [g.name() for g in project.layerTreeRoot().findGroups()]
    return {"layers": out, "groups": groups}


def main():
    result_path, project_path, output, plugin_dir = sys.argv[1:5]
    app = QgsApplication([], False)
    app.initQgis()
    result = loop(project_path, output, plugin_dir)
    with open(result_path, "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=1, default=str)
    app.exitQgis()


def loop(project_path, output, plugin_dir):
    """The loop; every layer object is gone when this returns (before QGIS exits)."""
    sys.path.insert(0, "/usr/share/qgis/python/plugins")
    sys.path.insert(0, plugin_dir)
    from processing.core.Processing import Processing

    Processing.initialize()
    from kzplan_processing.plugin import KzplanProcessingPlugin

    plugin = KzplanProcessingPlugin()
    plugin.initProcessing()
    import processing

    project = QgsProject.instance()
    result = {"read": project.read(project_path)}
    params = {"OUTPUT": output, "LANG": 1, "AS_OF": 2025, "RUN_NAME": "loop"}
    first = processing.run("kzplan:validateplan", params)
    result["first_results"] = {k: v for k, v in first.items() if k != "SUMMARY"}
    result["first"] = snapshot(project, "loop")

    # triage in QGIS: assign and tick off one finding of the area layer
    findings = next(lyr for lyr in run_layers(project, "loop")
                    if lyr.customProperty("kzplan/run") and "points" not in lyr.name())
    feature = next(f for f in findings.getFeatures() if f["rule_id"] != "AT02")
    fields = findings.fields()
    findings.startEditing()
    findings.changeAttributeValue(feature.id(), fields.indexOf("assignee"), "Chị Lan")
    findings.changeAttributeValue(feature.id(), fields.indexOf("fixed"), True)
    findings.changeAttributeValue(feature.id(), fields.indexOf("comment"), "đã xem")
    result["triage_saved"] = findings.commitChanges()
    result["triaged"] = feature["fingerprint"]

    # the planner's mistake, saved in QGIS: a status outside the domain
    ccn = next(lyr for lyr in project.mapLayers().values()
               if lyr.customProperty("kzplan/layer") == "ccn")
    target = next(ccn.getFeatures())
    ccn.startEditing()
    ccn.changeAttributeValue(target.id(), ccn.fields().indexOf("trang_thai"), "dang_xay")
    result["edit_saved"] = ccn.commitChanges()
    result["broken"] = target["ma"]

    second = processing.run("kzplan:validateplan", params)
    result["second_results"] = {k: v for k, v in second.items() if k != "SUMMARY"}
    result["second"] = snapshot(project, "loop")
    area = next(lyr for lyr in run_layers(project, "loop") if "points" not in lyr.name())
    kept = [f for f in area.getFeatures() if f["fingerprint"] == result["triaged"]]
    result["kept"] = [[f["assignee"], bool(f["fixed"]), f["comment"]] for f in kept]
    result["summary"] = json.loads(second["SUMMARY"])
    project.clear()
    plugin.unload()
    return result


if __name__ == "__main__":
    main()
