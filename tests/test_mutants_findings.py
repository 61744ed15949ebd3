"""Tests that kill surviving mutants in kzplan.findings: Finding and Report on hand-made findings
(no plan needed), and the fingerprint of several hits of one rule on one feature."""

from __future__ import annotations

import html
import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon, box

from kzplan import messages
from kzplan.findings import (
    EXIT_FINDINGS,
    EXIT_OK,
    FINDING_COLUMNS,
    SEVERITY_COLOURS,
    SEVERITY_LABELS,
    Finding,
    Report,
    Source,
    fingerprint,
    sort_findings,
)

SRC = Source(doc="QĐ 1234/QĐ-TTg", article="Điều 5", quote_vi="trích", quote_en="quote")


def make(rule_id: str = "GM01", severity: str = "error", feature: str | None = "A", *,
         layer: str | None = "ccn", key: str = "", fid: int | None = 1, **kw: object) -> Finding:
    base: dict[str, object] = {
        "rule_id": rule_id, "rule_name": f"name.{rule_id}", "severity": severity, "layer": layer,
        "feature": feature, "message_vi": f"tin {rule_id} {feature}",
        "message_en": f"msg {rule_id} {feature}", "fix_vi": f"sửa {rule_id}",
        "fix_en": f"fix {rule_id}", "key": key, "fid": fid,
        "fingerprint": fingerprint(rule_id, layer, feature, key),
    }
    base.update(kw)
    return Finding(**base)  # type: ignore[arg-type]


def report(findings: list[Finding], **kw: object) -> Report:
    base: dict[str, object] = {"plan_name": "Thử <b>", "rule_pack": "kontum-2030 v1",
                               "as_of": 2026, "crs": "EPSG:9216", "findings": findings}
    base.update(kw)
    return Report(**base)  # type: ignore[arg-type]


# --- Source, Finding ----------------------------------------------------------------------------


def test_source_label_with_and_without_article() -> None:
    assert SRC.label() == "QĐ 1234/QĐ-TTg, Điều 5"
    assert Source(doc="Luật").label() == "Luật"


def test_message_and_fix_default_to_vietnamese_and_follow_the_language() -> None:
    f = make()
    assert f.message() == f.message_vi == f.message("vi") != f.message("en") == f.message_en
    assert f.fix() == f.fix_vi == f.fix("vi") != f.fix("en") == f.fix_en


def test_finding_to_dict_source_geometry_and_values() -> None:
    square = box(0.12345, 0.0, 1.0, 1.0)
    f = make(source=SRC, geometry=square, measured=np.float64(1.234567), expected=(1, "x"))
    d = f.to_dict()
    assert {k: d["source"][k] for k in ("doc", "article", "quote_vi", "quote_en")} == {
        "doc": SRC.doc, "article": SRC.article, "quote_vi": "trích", "quote_en": "quote"}
    assert "0.123 " in d["geometry"] and "0.1234" not in d["geometry"]  # 3 decimals
    assert d["measured"] == 1.2346 and d["expected"] == [1, "x"]
    assert json.dumps(d)  # JSON-ready
    assert f.to_dict(geometry=False)["geometry"] is None
    assert make(source=None, geometry=Polygon()).to_dict() == {
        **make().to_dict(), "source": None, "geometry": None}
    assert make(geometry=None).to_dict()["geometry"] is None
    assert make().to_dict()["measured"] is None


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), ("x", "x"), (True, True), (7, 7), (1.234567, 1.2346), (float("nan"), None),
    (np.int64(3), 3.0), (np.float32(0.5), 0.5), ({1: (2.00001, None)}, {"1": [2.0, None]}),
    ([np.nan, "a"], [None, "a"]), (pd.NA, "<NA>"), (object, str(object)),
])
def test_measured_values_become_json_values(value: object, expected: object) -> None:
    got = make(measured=value).to_dict()["measured"]
    assert got == expected and type(got) is type(expected)


# --- Report -------------------------------------------------------------------------------------


def test_validity_exit_code_stats_and_repr() -> None:
    warn, info = make("OC02", "warning"), make("HY01", "info", None)
    ok = report([warn, info])
    assert ok.valid and ok.exit_code == EXIT_OK
    bad = report([warn, make("GM01"), make("GM02", feature="B"), info])
    assert not bad.valid and bad.exit_code == EXIT_FINDINGS
    assert bad.stats == {"error": 2, "warning": 1, "info": 1, "total": 4}
    assert repr(bad) == ("<Report 'Thử <b>' as_of=2026 valid=False errors=2 warnings=1 "
                         "info=1>")
    assert list(bad.by_rule()) == ["OC02", "GM01", "GM02", "HY01"]


def test_select_by_rule_severity_and_layer() -> None:
    a, b, c = make("GM01"), make("OC02", "warning", layer="kcn"), make("OC02", "warning")
    r = report([a, b, c])
    assert r.select(rule="OC02") == [b, c] and r.select(rule="name.GM01") == [a]
    assert r.select(severity="warning") == [b, c] and r.select(severity="error") == [a]
    assert r.select(layer="kcn") == [b] and r.select(layer="ccn") == [a, c]
    assert r.select(rule="OC02", layer="ccn", severity="warning") == [c]
    assert r.select() == [a, b, c]


def test_to_frame_columns_values_and_crs() -> None:
    full = make(source=SRC, geometry=Point(1, 2), measured={"tên": "Đắk"}, expected=[0, 1.5])
    bare = make("HY01", "info", None, layer="kcn", fid=None)
    frame = report([full, bare]).to_frame()
    assert isinstance(frame, gpd.GeoDataFrame)
    assert list(frame.columns) == [*FINDING_COLUMNS, "geometry"]
    assert frame.geometry.name == "geometry" and frame.crs.to_epsg() == 9216
    row = frame.iloc[0]
    for name in ("fingerprint", "rule_id", "rule_name", "severity", "layer", "feature",
                 "message_vi", "message_en", "fix_vi", "fix_en"):
        assert row[name] == getattr(full, name)
    assert row["fid"] == 1
    assert row["measured"] == '{"tên": "Đắk"}'  # not ASCII-escaped
    assert json.loads(row["expected"]) == [0, 1.5]
    assert (row["source_doc"], row["source_article"]) == (SRC.doc, SRC.article)
    assert row["geometry"].equals(Point(1, 2))
    other = frame.iloc[1]
    assert pd.isna(other["measured"]) and pd.isna(other["expected"])
    assert pd.isna(other["source_doc"]) and pd.isna(other["source_article"])
    assert other["geometry"] is None and pd.isna(other["feature"])
    empty = report([]).to_frame()
    assert list(empty.columns) == [*FINDING_COLUMNS, "geometry"] and len(empty) == 0


def test_to_summary_and_to_dict() -> None:
    targets = pd.DataFrame({"layer": ["ccn"], "planned_ha": [1.23456]})
    districts = pd.DataFrame({"ma_huyen": ["608"], "ccn": [np.int64(2)], "ok": [True]})
    r = report([make()], targets=targets, districts=districts,
               indicators={"x": float("nan")}, rules=[{"id": "GM01"}], meta={"k": (1, 2)})
    s = r.to_summary()
    s = {k: v for k, v in s.items() if k not in ("error_confidence", "verdict_notes")}
    assert s == {"plan": "Thử <b>", "rule_pack": "kontum-2030 v1", "as_of": 2026,
                 "valid": False, "stats": r.stats,
                 "targets": [{"layer": "ccn", "planned_ha": 1.2346}],
                 "districts": [{"ma_huyen": "608", "ccn": 2, "ok": True}],
                 "indicators": {"x": None}}
    d = r.to_dict()
    assert d["schema"] == "kzplan-report/1" and d["crs"] == "EPSG:9216"
    assert d["rules"] == [{"id": "GM01"}] and d["meta"] == {"k": [1, 2]}
    assert d["findings"] == [r.findings[0].to_dict()]
    assert report([]).to_summary()["targets"] == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_repr_html_verdict_tables_and_escaping(monkeypatch: pytest.MonkeyPatch,
                                               lang: str) -> None:
    monkeypatch.setenv("KZPLAN_LANG", lang)
    targets = pd.DataFrame({"layer": ["ccn"], "label_vi": ["Cụm"], "label_en": ["Clusters"],
                            "diff_planned_ha": [1.0], "diff_measured_ha": [2.0],
                            "target_ha": [1729.72]})
    districts = pd.DataFrame({"ma_huyen": ["608"], "ten": ["TP Kon Tum"], "ccn": [3],
                              "min_ccn": [2], "ok": [True], "extra_col": ["zzz"]})
    bad = report([make(message_vi="<vi>", message_en="<en>")], targets=targets,
                 districts=districts)
    out = bad._repr_html_()
    verdict = messages.text("report.repr_invalid", lang, **bad.stats)
    head = messages.text("report.repr_head", lang, pack=bad.rule_pack, as_of=bad.as_of)
    assert html.escape(verdict) in out and html.escape(head) in out
    assert f"color:{SEVERITY_COLOURS['error']}" in out
    assert "kzplan: Thử &lt;b&gt;" in out
    assert out.count("<table") == 3
    for dropped in ("label_vi", "label_en", "diff_planned_ha", "diff_measured_ha", "extra_col"):
        assert dropped not in out
    for kept in ("target_ha", "ma_huyen", "TP Kon Tum", "min_ccn", "1729.72"):
        assert kept in out
    assert SEVERITY_LABELS["error"][lang] in out
    assert "GM01 name.GM01" in out and "sửa GM01" if lang == "vi" else "fix GM01" in out
    assert ("&lt;vi&gt;" in out) is (lang == "vi") and ("&lt;en&gt;" in out) is (lang == "en")
    good = report([make("OC02", "warning")])._repr_html_()
    assert html.escape(messages.text("report.repr_valid", lang, **report([make(
        "OC02", "warning")]).stats)) in good
    assert "color:#1a9641" in good and good.count("<table") == 1
    assert report([])._repr_html_().count("<table") == 0


def test_repr_html_without_summary_columns() -> None:
    r = report([], targets=pd.DataFrame({"other": [1]}), districts=pd.DataFrame({"x": [1]}))
    out = r._repr_html_()
    assert out.startswith('<div class="kzplan-report">') and "other" in out


# --- fingerprint, order -------------------------------------------------------------------------


def test_fingerprint_is_a_short_stable_hash_of_its_parts() -> None:
    fp = fingerprint("OV01", "ccn", "A", "B")
    assert len(fp) == 16 and int(fp, 16) >= 0
    assert fp == fingerprint("OV01", "ccn", "A", "B")
    parts = [("OV01", "ccn", "A", "B"), ("OV02", "ccn", "A", "B"), ("OV01", "kcn", "A", "B"),
             ("OV01", "ccn", "C", "B"), ("OV01", "ccn", "A", "D"), ("OV01", "ccn", "A", "")]
    assert len({fingerprint(*p) for p in parts}) == len(parts)
    assert fingerprint("CT01", None, None) == fingerprint("CT01", "", "", "")
    # The parts are separated: moving text from one part to the next changes the hash.
    assert fingerprint("X", "ab", "c") != fingerprint("X", "a", "bc")


def test_sort_findings_by_severity_rule_layer_row_feature_key() -> None:
    fs = [make("ZZ01", "info"), make("AT02", "warning", fid=2), make("AT02", "warning", fid=1),
          make("GM01", "error", layer="kcn"), make("GM01", "error", layer="ccn", key="b"),
          make("GM01", "error", layer="ccn", key="a"), make("AT02", "warning", fid=None,
                                                            feature="Z"),
          make("GM01", "error", layer=None, fid=None)]
    got = sort_findings(fs)
    assert [(f.severity, f.rule_id, f.layer, f.fid, f.key) for f in got] == [
        ("error", "GM01", None, None, ""), ("error", "GM01", "ccn", 1, "a"),
        ("error", "GM01", "ccn", 1, "b"), ("error", "GM01", "kcn", 1, ""),
        ("warning", "AT02", "ccn", None, ""), ("warning", "AT02", "ccn", 1, ""),
        ("warning", "AT02", "ccn", 2, ""), ("info", "ZZ01", "ccn", 1, "")]
    by_feature = sort_findings([make(feature="B", fid=1), make(feature="A", fid=1)])
    assert [f.feature for f in by_feature] == ["A", "B"]
    assert math.isfinite(len(got))


def test_repr_html_table_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KZPLAN_LANG", "en")
    districts = pd.DataFrame({"ma_huyen": ["608"], "ten": ["TP"], "ccn": [3], "min_ccn": [2],
                              "ok": [True]})
    targets = pd.DataFrame({"layer": ["ccn"], "target_ha": [float("nan")]})
    many = [make(feature=f"F{i:03d}", fid=i) for i in range(101)]
    out = report(many, districts=districts, targets=targets)._repr_html_()
    for header in ("severity", "rule", "layer", "feature", "message", "fix", "ma_huyen", "ten",
                   "ccn", "min_ccn", "ok", "target_ha"):
        assert f"<th>{header}</th>" in out
    assert "<td></td>" in out and "NaN" not in out  # missing values are empty cells
    assert "<th></th>" not in out  # no index column
    assert "F000" in out and "F100" in out and "F050" not in out  # 100 rows at most
    assert "</table><table" in out  # the tables follow one another
    assert "fix GM01" in out
