"""The findings GeoPackage: layers, geometry placement, triage kept across runs, stored styles.

Read back with GDAL (pyogrio) and sqlite3 here; tests/test_qgis.py opens it in real QGIS.
"""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import factory
import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import GeometryCollection, LineString, Point, box

import kzplan
from kzplan._errors import SourceError
from kzplan.findings import Finding, Report, fingerprint
from kzplan.report import gpkg, write_report


def _finding(rule: str, feature: str | None, geom: object, severity: str = "error",
             key: str = "") -> Finding:
    return Finding(
        rule_id=rule, rule_name=f"test.{rule.lower()}", severity=severity, layer="ccn",
        feature=feature, message_vi=f"{rule} {feature} thông điệp", message_en=f"{rule} message",
        fix_vi="sửa", fix_en="fix", measured=1.5, expected=[1, 2], geometry=geom, key=key,
        fid=1 if feature else None, fingerprint=fingerprint(rule, "ccn", feature, key),
    )


def _report(findings: list[Finding]) -> Report:
    return Report(plan_name="test", rule_pack="kontum-2030 v1", as_of=2025, crs="EPSG:9216",
                  findings=findings)


X0, Y0 = factory.xy(*factory.ANCHORS["608"])
SQUARE = box(X0, Y0, X0 + 100, Y0 + 100)


def _mixed_report() -> Report:
    return _report([
        _finding("GM01", "CCN-1", Point(X0 + 5, Y0 + 5)),
        _finding("GM02", "CCN-2", SQUARE),
        _finding("GM03", "CCN-3",
                 GeometryCollection([SQUARE, LineString([(X0, Y0), (X0, Y0 + 9)])])),
        _finding("GM04", "CCN-4", LineString([(X0, Y0), (X0 + 50, Y0)]), severity="warning"),
        _finding("CT01", None, None, severity="info"),
        _finding("GM05", "CCN-5", GeometryCollection([Point(X0, Y0), Point(X0 + 1, Y0)])),
    ])


def _read(path: Path, layer: str) -> gpd.GeoDataFrame:
    return pyogrio.read_dataframe(path, layer=layer, use_arrow=False)


def test_layers_geometry_types_and_crs(tmp_path: Path) -> None:
    report = _mixed_report()
    out = gpkg.write(report, tmp_path / "f.gpkg")
    layers = dict(pyogrio.list_layers(out))
    assert layers[gpkg.LAYER] == "MultiPolygon"
    assert layers[gpkg.POINTS_LAYER] == "MultiPoint"
    assert gpkg.RUN_LAYER in layers and "layer_styles" in layers
    polys, points = _read(out, gpkg.LAYER), _read(out, gpkg.POINTS_LAYER)
    assert polys.crs.to_epsg() == 9216 and points.crs.to_epsg() == 9216
    # every finding exactly once
    assert sorted([*polys["fingerprint"], *points["fingerprint"]]) == sorted(
        f.fingerprint for f in report.findings)
    by_rule = {r: g for r, g in zip(polys["rule_id"], polys.geometry, strict=True)}
    assert set(points["rule_id"]) == {"GM01", "GM05"}
    assert by_rule["CT01"] is None  # no place: listed, not drawn
    assert by_rule["GM02"].area == pytest.approx(SQUARE.area)
    assert by_rule["GM03"].area == pytest.approx(SQUARE.area)  # the polygonal part of a collection
    assert by_rule["GM04"].area > 0  # a line becomes a thin clickable polygon
    assert len(points.set_index("rule_id").loc["GM05"].geometry.geoms) == 2


def test_columns_and_types(tmp_path: Path) -> None:
    out = gpkg.write(_mixed_report(), tmp_path / "f.gpkg")
    info = pyogrio.read_info(out, layer=gpkg.LAYER)
    fields = list(info["fields"])
    assert fields == list(gpkg.COLUMNS)
    types = dict(zip(fields, info["ogr_subtypes"], strict=True))
    assert types["fixed"] == "OFSTBoolean"
    frame = _read(out, gpkg.LAYER)
    assert not frame["fixed"].any()
    assert frame["assignee"].isna().all() and frame["comment"].isna().all()
    assert frame["message_vi"].str.contains("thông điệp").all()
    assert frame["first_seen"].notna().all()


def _set_triage(path: Path, fp: str, assignee: str, fixed: bool, comment: str) -> None:
    """What a team does in QGIS's attribute table, done with plain SQL."""
    with sqlite3.connect(path) as con:
        # the GeoPackage's R-tree triggers name these functions; they only run when the feature
        # id or the geometry change, which this update does not do
        for name in ("ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
            con.create_function(name, 1, lambda _blob: None)
        for table in (gpkg.LAYER, gpkg.POINTS_LAYER):
            con.execute(f'UPDATE "{table}" SET assignee=?, fixed=?, comment=?, first_seen=?'
                        " WHERE fingerprint=?", (assignee, int(fixed), comment, "2020-01-01", fp))
    con.close()


def test_triage_kept_for_persisting_findings(tmp_path: Path) -> None:
    first = _mixed_report()
    out = gpkg.write(first, tmp_path / "f.gpkg")
    kept = first.findings[1].fingerprint  # GM02, polygon layer
    gone = first.findings[0].fingerprint  # GM01, points layer
    _set_triage(out, kept, "Chị Lan", True, "đã gửi phòng TN&MT")
    _set_triage(out, gone, "Anh Minh", False, "xem lại")
    second = _report([*first.findings[1:], _finding("AT02", "CCN-9", SQUARE)])
    gpkg.write(second, out)
    frame = _read(out, gpkg.LAYER).set_index("fingerprint")
    assert frame.loc[kept, "assignee"] == "Chị Lan"
    assert bool(frame.loc[kept, "fixed"]) is True
    assert frame.loc[kept, "comment"] == "đã gửi phòng TN&MT"
    assert frame.loc[kept, "first_seen"] == "2020-01-01"
    new = second.findings[-1].fingerprint
    assert pd.isna(frame.loc[new, "assignee"]) and not frame.loc[new, "fixed"]
    points = _read(out, gpkg.POINTS_LAYER)
    assert gone not in set(points["fingerprint"])
    run = pyogrio.read_dataframe(out, layer=gpkg.RUN_LAYER, read_geometry=False).iloc[0]
    assert (run["new"], run["persisting"], run["resolved"]) == (1, 5, 1)


def test_refuses_foreign_geopackage_and_inputs(tmp_path: Path) -> None:
    folder = factory.small_plan(tmp_path / "plan")
    ccn = gpd.read_file(folder / "ccn.shp")
    data = tmp_path / "plan.gpkg"
    ccn.to_file(data, layer="ccn", driver="GPKG")
    before = data.read_bytes()
    with pytest.raises(SourceError) as err:
        gpkg.write(_mixed_report(), data)
    assert err.value.key == "gpkg.not_findings" and "ccn" in str(err.value)
    assert data.read_bytes() == before
    plan = kzplan.load_plan(data)
    with pytest.raises(SourceError) as err:
        gpkg.write(_mixed_report(), data, plan=plan)
    assert err.value.key == "gpkg.is_input"
    assert data.read_bytes() == before


def test_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = gpkg.write(_mixed_report(), tmp_path / "f.gpkg")
    before = out.read_bytes()

    def boom(*args: object, **kwargs: object) -> None:
        msg = "disk full"
        raise OSError(msg)

    monkeypatch.setattr(gpkg, "write_layer_styles", boom)
    with pytest.raises(SourceError):
        gpkg.write(_report([]), out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["f.gpkg"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_stored_styles(tmp_path: Path, lang: str) -> None:
    out = gpkg.write(_mixed_report(), tmp_path / "f.gpkg", lang=lang)
    with sqlite3.connect(out) as con:
        rows = con.execute(
            "SELECT f_table_name, f_geometry_column, useAsDefault, styleQML, styleSLD"
            " FROM layer_styles ORDER BY f_table_name").fetchall()
        kinds = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall())
    con.close()
    assert kinds["layer_styles"] == "attributes"
    assert [r[0] for r in rows] == [gpkg.LAYER, gpkg.POINTS_LAYER]
    labels = {"vi": "Lỗi", "en": "Error"}
    for table, geom_col, default, qml, sld in rows:
        assert geom_col == "geom" and default == 1
        root = ET.fromstring(qml.split("\n", 1)[1])
        renderer = root.find("renderer-v2")
        assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "severity"
        cats = {c.get("value"): c.get("label") for c in renderer.iter("category")}
        assert set(cats) == {"error", "warning", "info"} and cats["error"] == labels[lang]
        kinds_ = {s.get("type") for s in renderer.find("symbols")}
        assert kinds_ == ({"fill"} if table == gpkg.LAYER else {"marker"})
        label = root.find("labeling/settings/text-style").get("fieldName")
        assert f'"message_{lang}"' in label
        editable = {f.get("name"): f.get("editable") for f in root.find("editable")}
        assert editable["assignee"] == "1" and editable["severity"] == "0"
        sld_root = ET.fromstring(sld.split("\n", 1)[1])
        literals = [e.text for e in sld_root.iter("{http://www.opengis.net/ogc}Literal")]
        assert literals == ["error", "warning", "info"]


def test_check_command_writes_geopackage(tmp_path: Path) -> None:
    folder = factory.small_plan(tmp_path / "plan")
    plan = kzplan.load_plan(folder)
    report = kzplan.check(plan, as_of=2025)
    out = write_report(report, "gpkg", tmp_path / "out" / "findings.gpkg", lang="en", plan=plan)
    polys = _read(out, gpkg.LAYER)
    points = _read(out, gpkg.POINTS_LAYER)
    assert len(polys) + len(points) == len(report.findings) > 0
    run = pyogrio.read_dataframe(out, layer=gpkg.RUN_LAYER, read_geometry=False).iloc[0]
    assert run["errors"] == report.stats["error"] and run["lang"] == "en"
    assert bool(run["valid"]) == report.valid
