"""The JSON report: valid against docs/report-schema.json, true to the Report, read back safely."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import factory as fx
import jsonschema
import pytest
import shapely
from shapely.geometry import Polygon

import kzplan
from kzplan._errors import SourceError
from kzplan.report import json as report_json
from kzplan.report import write_report

DOCS_SCHEMA = Path(__file__).resolve().parents[1] / "docs" / "report-schema.json"


def build_plan(folder: Path) -> Path:
    """A plan with findings of every kind of geometry: none, polygon (overlap), point (bow-tie)."""
    lon, lat = fx.ANCHORS["608"]
    x, y = fx.xy(lon, lat)
    bowtie = Polygon([(x + 6000, y), (x + 6500, y + 500), (x + 6500, y), (x + 6000, y + 500)])
    kcn = fx.frame([fx.feature("KCN-01", dt=100.0, ten="KCN Hòa Bình", trang_thai="hoat_dong",
                               nam_tl=2015, lap_day=40.0, xlnt="khong")],
                   [fx.square(lon, lat, 100.0)])
    ccn = fx.frame(
        [fx.feature("CCN-01", dt=40.0, ten="CCN Đắk Cấm"), fx.feature("CCN-02", dt=40.0),
         fx.feature("CCN-03", dt=25.0)],
        [fx.square(lon, lat, 40.0, dx=2000.0), fx.square(lon, lat, 40.0, dx=2300.0, dy=200.0),
         bowtie],
    )
    return fx.write(folder, kcn=kcn, ccn=ccn)


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Any:
    try:
        kzplan.plan.bundled_path()
        return kzplan.load_plan()
    except kzplan.KzplanError:
        return kzplan.load_plan(build_plan(tmp_path_factory.mktemp("plan")))


@pytest.fixture(scope="module")
def factory_plan(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return kzplan.load_plan(build_plan(tmp_path_factory.mktemp("factory")))


@pytest.fixture(scope="module")
def report(plan: Any) -> Any:
    return kzplan.check(plan, as_of=2026)


@pytest.fixture(scope="module")
def factory_report(factory_plan: Any) -> Any:
    return kzplan.check(factory_plan, as_of=2026)


@pytest.fixture(scope="module")
def docs_schema() -> dict[str, Any]:
    return json.loads(DOCS_SCHEMA.read_text(encoding="utf-8"))


def _written(report: Any, folder: Path) -> tuple[Path, dict[str, Any]]:
    path = report_json.write(report, folder / "report.json")
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_schema_is_draft_2020_12_and_shipped(docs_schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(docs_schema)
    assert docs_schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert docs_schema["properties"]["schema"]["const"] == report_json.SCHEMA_ID
    # the package ships the same schema, so `read` works from an installed wheel
    assert report_json.schema() == docs_schema, (
        "kzplan/report/templates/report-schema.json differs from docs/report-schema.json: copy it"
    )


@pytest.mark.parametrize("which", ["report", "factory_report"])
def test_written_report_validates(which: str, request: pytest.FixtureRequest,
                                  docs_schema: dict[str, Any], tmp_path: Path) -> None:
    report = request.getfixturevalue(which)
    _, data = _written(report, tmp_path)
    jsonschema.Draft202012Validator(docs_schema).validate(data)
    assert report_json.read(tmp_path / "report.json") == data


def test_round_trips_key_figures(report: Any, tmp_path: Path) -> None:
    _, data = _written(report, tmp_path)
    assert data["schema"] == "kzplan-report/1"
    assert data["plan"] == report.plan_name
    assert data["rule_pack"] == report.rule_pack
    assert data["as_of"] == report.as_of == 2026
    assert data["valid"] is report.valid
    assert data["stats"] == report.stats
    assert data["crs"] == report.crs
    targets = {r["layer"]: r for r in data["targets"]}
    for row in report.targets.to_dict(orient="records"):
        got = targets[row["layer"]]
        assert got["count"] == row["count"]
        for key in ("area_planned_ha", "area_measured_ha"):
            assert got[key] == pytest.approx(row[key], abs=1e-4)
    assert [(d["ma_huyen"], d["ccn"], d["min_ccn"], d["ok"]) for d in data["districts"]] == [
        (r["ma_huyen"], r["ccn"], r["min_ccn"], r["ok"])
        for r in report.districts.to_dict(orient="records")
    ]
    assert data["indicators"]["established"] == report.indicators["established"]
    assert [r["id"] for r in data["rules"]] == [r["id"] for r in report.rules]
    assert [f["fingerprint"] for f in data["findings"]] == [f.fingerprint for f in report.findings]
    for got, f in zip(data["findings"], report.findings, strict=True):
        assert (got["rule_id"], got["severity"], got["layer"], got["feature"]) == \
            (f.rule_id, f.severity, f.layer, f.feature)
        assert (got["message_vi"], got["message_en"], got["fix_vi"], got["fix_en"]) == \
            (f.message_vi, f.message_en, f.fix_vi, f.fix_en)
        if f.source is not None:
            assert got["source"]["doc"] == f.source.doc
            assert got["source"]["quote_vi"] == f.source.quote_vi
    assert {i["sha256"] for i in data["meta"]["inputs"]} == \
        {i["sha256"] for i in report.meta["inputs"]}


def test_geometries_are_wkt_in_the_plan_crs(factory_report: Any, tmp_path: Path) -> None:
    _, data = _written(factory_report, tmp_path)
    kinds = set()
    for got, f in zip(data["findings"], factory_report.findings, strict=True):
        if f.geometry is None or f.geometry.is_empty:
            assert got["geometry"] is None
            continue
        geom = shapely.from_wkt(got["geometry"])
        kinds.add(geom.geom_type)
        assert shapely.equals_exact(geom, f.geometry, tolerance=0.001)
        # EPSG:9216 metres, not degrees
        assert 300_000 < geom.centroid.x < 800_000 and 1_400_000 < geom.centroid.y < 1_800_000
    assert {"Polygon", "Point"} <= kinds  # OV01 overlap / feature outlines, GM01 bow-tie point
    assert any(f["geometry"] is None for f in data["findings"])


def test_text_is_utf8_indented_and_deterministic(plan: Any, report: Any, tmp_path: Path) -> None:
    path, data = _written(report, tmp_path)
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    assert "\\u" not in text  # Vietnamese is written as it is
    assert "Khu công nghiệp" in text
    assert text.startswith('{\n  "schema": "kzplan-report/1",\n')
    assert text.endswith("}\n")
    assert report_json.dumps(report) == text
    assert list(data) == list(report_json.schema()["properties"])
    assert list(data["findings"][0]) == list(report_json.schema()["$defs"]["finding"]["properties"])
    # free-form objects (measured, params, indicators' extras) come out sorted
    for rule in data["rules"]:
        assert list(rule["params"]) == sorted(rule["params"])
    # two checks of the same plan differ only in when they ran
    again = json.loads(report_json.dumps(kzplan.check(plan, as_of=2026)))
    data["meta"].pop("generated")
    again["meta"].pop("generated")
    assert again == data


def _described(value: Any, node: dict[str, Any], schema: dict[str, Any], where: str,
               missing: list[str]) -> None:
    while "$ref" in node or "oneOf" in node:
        if "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        else:
            node = next(n for n in node["oneOf"] if n.get("type") != "null")
    if isinstance(value, dict) and ("properties" in node or "patternProperties" in node):
        for key, item in value.items():
            if key in node.get("properties", {}):
                _described(item, node["properties"][key], schema, f"{where}/{key}", missing)
            elif not node.get("patternProperties"):
                missing.append(f"{where}/{key}")
    elif isinstance(value, list) and "items" in node:
        for i, item in enumerate(value):
            _described(item, node["items"], schema, f"{where}/{i}", missing)


def test_schema_describes_every_field(report: Any, factory_report: Any,
                                      docs_schema: dict[str, Any]) -> None:
    for r in (report, factory_report):
        missing: list[str] = []
        _described(r.to_dict(), docs_schema, docs_schema, "", missing)
        assert not missing, f"fields not described in docs/report-schema.json: {missing[:10]}"


def test_written_through_the_dispatcher_atomically(report: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    old = out / "kzplan-report.json"
    old.parent.mkdir()
    old.write_text("stale", encoding="utf-8")
    path = write_report(report, "json", out, several=True)
    assert path == old
    assert report_json.read(path)["stats"] == report.stats
    assert sorted(p.name for p in out.iterdir()) == ["kzplan-report.json"]


def _damaged(data: dict[str, Any]) -> dict[str, Any]:
    data = json.loads(json.dumps(data))
    data["findings"][0]["severity"] = "fatal"
    return data


@pytest.mark.parametrize(
    ("content", "key", "mentions"),
    [
        (None, "io.missing", ""),
        ("{not json", "report.json.not_json", ""),
        ('{"type": "FeatureCollection", "features": []}', "report.json.not_report",
         "kzplan-report/1"),
        ("[1, 2]", "report.json.not_report", "list"),
        ("newer", "report.json.newer", "kzplan-report/2"),
        ("damaged", "report.json.invalid", "/findings/0/severity"),
    ],
)
def test_read_refuses_what_is_not_a_report(report: Any, tmp_path: Path, content: str | None,
                                           key: str, mentions: str) -> None:
    path = tmp_path / "input.json"
    data = report.to_dict()
    if content == "newer":
        path.write_text(json.dumps({**data, "schema": "kzplan-report/2"}), encoding="utf-8")
    elif content == "damaged":
        path.write_text(json.dumps(_damaged(data)), encoding="utf-8")
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(SourceError) as info:
        report_json.read(path)
    err = info.value
    assert err.key == key
    for lang in ("vi", "en"):
        line = err.render(lang)
        assert "\n" not in line
        assert str(path) in line
        assert mentions in line


def test_validate_keeps_long_reasons_on_one_short_line(report: Any) -> None:
    data = report.to_dict()
    data["findings"][0]["fingerprint"] = "x" * 5000
    with pytest.raises(SourceError) as info:
        report_json.validate(data, file="r.json")
    assert info.value.key == "report.json.invalid"
    assert len(info.value.render("en")) < 400
    assert "/findings/0/fingerprint" in info.value.render("vi")


def test_documented_example_is_a_valid_report(docs_schema: dict[str, Any]) -> None:
    doc = (DOCS_SCHEMA.parent / "report-json.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)\n```", doc, flags=re.DOTALL)
    assert blocks, "docs/report-json.md has no ```json example"
    example = json.loads(blocks[0])
    jsonschema.Draft202012Validator(docs_schema).validate(example)
    assert report_json.validate(example, file="example") is example
    documented = set(re.findall(r"^\| `([a-z_]+)`", doc, flags=re.MULTILINE))
    assert set(docs_schema["properties"]) <= documented  # every top-level field has a row


def test_read_without_jsonschema_still_checks_structure(report: Any, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """jsonschema is a test dependency; without it, `read` still refuses a broken report."""
    import sys

    monkeypatch.setitem(sys.modules, "jsonschema", None)
    monkeypatch.setitem(sys.modules, "jsonschema.exceptions", None)
    path = report_json.write(report, tmp_path / "ok.json")
    assert report_json.read(path)["stats"] == report.stats
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_damaged(report.to_dict())), encoding="utf-8")
    with pytest.raises(SourceError) as info:
        report_json.read(bad)
    assert "/findings/0/severity" in info.value.render("en")
    data = report.to_dict()
    del data["findings"][0]["fingerprint"]
    with pytest.raises(SourceError, match="fingerprint"):
        report_json.validate(data, file="r.json")
