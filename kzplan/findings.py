"""Findings and the report that collects them.

A :class:`Finding` is one rule's verdict on one feature (or one layer, or the whole plan): the rule,
its severity, where (layer, feature, a geometry that shows the place), what was measured and what
was expected, the sentence in Vietnamese and English, the fix, and the legal source of the rule.
A :class:`Report` holds the findings of one check with the summary tables every output shows;
each output format (terminal, JSON, HTML, GeoPackage, map) is a thin writer on top of it.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from kzplan import messages

SEVERITIES = ("error", "warning", "info")
SEVERITY_LABELS = {
    "error": messages.raw("findings.severity_labels.error"),
    "warning": messages.raw("findings.severity_labels.warning"),
    "info": messages.raw("findings.severity_labels.info"),
}
SEVERITY_COLOURS = {"error": "#d7191c", "warning": "#fdae61", "info": "#2c7bb6"}

# Reports are read in Vietnam: their times are Vietnam's (UTC+7).
TIMEZONE = "Asia/Ho_Chi_Minh"


def now() -> datetime.datetime:
    """The current time in Vietnam's time zone."""
    from zoneinfo import ZoneInfo

    return datetime.datetime.now(ZoneInfo(TIMEZONE))


EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


@dataclass(frozen=True)
class Source:
    """The document a rule comes from."""

    doc: str
    article: str = ""
    quote_vi: str = ""
    quote_en: str = ""
    clause: str = ""
    in_force_from: str = ""  # ISO date the provision is in force from ("" unknown)
    in_force_to: str = ""  # ISO date it ceased to be ("" still in force)
    read_at: str = ""  # where the text quoted was read ("" not said)
    quote_verbatim: bool | None = None  # True: the quote is the text's own words; False: a
    # paraphrase (the text could not be read); None: not said
    note_vi: str = ""  # what is unverified about this basis (e.g. a deadline)
    note_en: str = ""

    def label(self) -> str:
        """``doc, article, clause``."""
        return ", ".join(p for p in (self.doc, self.article, self.clause) if p)

    def in_force(self, year: int) -> bool:
        """True when the provision is in force in ``year`` (unknown dates count as in force)."""
        start = int(self.in_force_from[:4]) if self.in_force_from else None
        end = int(self.in_force_to[:4]) if self.in_force_to else None
        return (start is None or year >= start) and (end is None or year <= end)


@dataclass(frozen=True)
class Finding:
    """One rule's verdict on one place of the plan."""

    rule_id: str
    rule_name: str
    severity: str
    layer: str | None
    feature: str | None
    message_vi: str
    message_en: str
    fix_vi: str = ""
    fix_en: str = ""
    measured: Any = None
    expected: Any = None
    source: Source | None = None
    geometry: BaseGeometry | None = None
    key: str = ""
    fid: int | None = None
    fingerprint: str = ""
    confidence: str | None = None  # the feature's ``tin_cay`` (None: a layer- or plan-level one)

    def message(self, lang: str = "vi") -> str:
        """The sentence in ``lang``."""
        return self.message_vi if lang == "vi" else self.message_en

    def fix(self, lang: str = "vi") -> str:
        """The fix in ``lang``."""
        return self.fix_vi if lang == "vi" else self.fix_en

    def to_dict(self, *, geometry: bool = True) -> dict[str, Any]:
        """A JSON-ready dict (geometry as WKT in the plan's CRS)."""
        data = asdict(self)
        data["source"] = asdict(self.source) if self.source else None
        data["geometry"] = (
            shapely.to_wkt(self.geometry, rounding_precision=3)
            if geometry and self.geometry is not None and not self.geometry.is_empty
            else None
        )
        data["measured"] = _jsonable(self.measured)
        data["expected"] = _jsonable(self.expected)
        return data


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return None if value != value else round(value, 4)  # NaN -> None
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    try:
        return _jsonable(float(value))
    except (TypeError, ValueError):
        return str(value)


def fingerprint(rule_id: str, layer: str | None, feature: str | None, key: str = "") -> str:
    """A stable id of a finding: rule, layer, feature and a rule-specific discriminator."""
    raw = "|".join((rule_id, layer or "", feature or "", key))
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


FINDING_COLUMNS = (
    "fingerprint", "rule_id", "rule_name", "severity", "layer", "feature", "fid", "message_vi",
    "message_en", "fix_vi", "fix_en", "measured", "expected", "source_doc", "source_article",
    "tin_cay",
)

# How a finding's data is graded in the verdict: by the feature's ``tin_cay``.
CONFIDENCE_GRADES = ("xac_nhan", "suy_ra", "gia_dinh", "none")


@dataclass
class Report:
    """The result of checking a plan.

    Attributes
    ----------
    plan_name, rule_pack, as_of
        What was checked, against which rules, as of which year.
    findings
        Every finding, sorted by severity, rule and feature (deterministic).
    targets
        One row per plan layer: target, planned (attributes), measured (geometry), differences.
    districts
        One row per district-level unit: clusters counted, minimum, whether it holds.
    indicators
        Occupancy and wastewater figures as of ``as_of``.
    rules
        The rules that ran: id, name, severity, source.
    meta
        Versions (kzplan, GEOS, PROJ, EPSG database), input files with hashes, the CRS.
    """

    plan_name: str
    rule_pack: str
    as_of: int
    crs: str
    findings: list[Finding] = field(default_factory=list)
    targets: pd.DataFrame = field(default_factory=pd.DataFrame)
    districts: pd.DataFrame = field(default_factory=pd.DataFrame)
    indicators: dict[str, Any] = field(default_factory=dict)
    rules: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    # --- verdicts ------------------------------------------------------------------------------
    @property
    def valid(self) -> bool:
        """True when no finding has severity ``error``."""
        return not any(f.severity == "error" for f in self.findings)

    @property
    def exit_code(self) -> int:
        """0 when valid, 1 when some error finding."""
        return EXIT_OK if self.valid else EXIT_FINDINGS

    @property
    def stats(self) -> dict[str, int]:
        """Number of findings per severity, and in total."""
        counts = {s: 0 for s in SEVERITIES}
        for f in self.findings:
            counts[f.severity] += 1
        counts["total"] = len(self.findings)
        return counts

    @property
    def error_confidence(self) -> dict[str, int]:
        """How many errors rest on confirmed, derived and placeholder data, and how many are
        layer- or plan-level (``none``: no single feature's data)."""
        counts = {g: 0 for g in CONFIDENCE_GRADES}
        for f in self.findings:
            if f.severity == "error":
                grade = f.confidence if f.confidence in CONFIDENCE_GRADES else "none"
                counts[grade] += 1
        return counts

    def verdict_notes(self, lang: str = "vi") -> list[str]:
        """The sentences every verdict carries beside its counts: what the errors rest on, whose
        plan it is and what became of the province, whether the plan period is over."""
        notes = []
        conf = self.error_confidence
        if self.stats["error"]:
            notes.append(messages.text("report.verdict.confidence", lang,
                                       errors=self.stats["error"], confirmed=conf["xac_nhan"],
                                       derived=conf["suy_ra"], placeholder=conf["gia_dinh"],
                                       plan=conf["none"]))
        prov = self.meta.get("province") or {}
        if prov.get("successor_vi"):
            notes.append(messages.text(
                "report.verdict.successor", lang, province=prov[f"name_{lang}"],
                successor=prov[f"successor_{lang}"], since=_date(prov.get("since", ""), lang),
                basis=prov.get("basis", ""), unit_kind=prov.get(f"unit_kind_{lang}", "")))
        ind = self.indicators or {}
        if ind.get("occupancy_reading") and not ind.get("occupancy_in_scope"):
            from kzplan._format import fmt_number

            notes.append(messages.text(
                "report.verdict.occupancy_none", lang, from_year=ind.get("occupancy_from_year"),
                n=ind.get("occupancy_known", 0),
                mean=fmt_number(ind.get("occupancy_mean_pct"), lang, 1, missing="–")))
        if ind.get("occupancy_in_scope"):
            from kzplan._format import fmt_number

            notes.append(messages.text(
                "report.verdict.occupancy_mean", lang, n=ind["occupancy_in_scope"],
                from_year=ind.get("occupancy_from_year"),
                mean=fmt_number(ind.get("occupancy_in_scope_mean_pct"), lang, 1),
                target=fmt_number(ind.get("occupancy_target_pct") or ind.get("next_target_pct"),
                                  lang, 1)))
        period = prov.get("period")
        if period and self.as_of > int(period[1]):
            notes.append(messages.text("report.verdict.period_over", lang, start=period[0],
                                       end=period[1], as_of=self.as_of))
        return notes

    def by_rule(self) -> dict[str, list[Finding]]:
        """Findings grouped by rule id, in rule order."""
        grouped: dict[str, list[Finding]] = {}
        for f in self.findings:
            grouped.setdefault(f.rule_id, []).append(f)
        return grouped

    def flatten(self, spec: Sequence[str] = ("rule_id", "feature")) -> list[list[Any]]:
        """``[[f.rule_id, f.feature], ...]``: handy for tests and quick looks."""
        return [[getattr(f, name) for name in spec] for f in self.findings]

    def select(self, *, rule: str | None = None, severity: str | None = None,
               layer: str | None = None) -> list[Finding]:
        """Findings matching every given filter."""
        return [
            f for f in self.findings
            if (rule is None or rule in (f.rule_id, f.rule_name))
            and (severity is None or f.severity == severity)
            and (layer is None or f.layer == layer)
        ]

    # --- tables --------------------------------------------------------------------------------
    def to_frame(self) -> gpd.GeoDataFrame:
        """The findings as a GeoDataFrame in the plan's CRS (one row per finding)."""
        rows = []
        for f in self.findings:
            rows.append(
                {
                    "fingerprint": f.fingerprint,
                    "rule_id": f.rule_id,
                    "rule_name": f.rule_name,
                    "severity": f.severity,
                    "layer": f.layer,
                    "feature": f.feature,
                    "fid": f.fid,
                    "message_vi": f.message_vi,
                    "message_en": f.message_en,
                    "fix_vi": f.fix_vi,
                    "fix_en": f.fix_en,
                    "measured": json.dumps(_jsonable(f.measured), ensure_ascii=False)
                    if f.measured is not None else None,
                    "expected": json.dumps(_jsonable(f.expected), ensure_ascii=False)
                    if f.expected is not None else None,
                    "source_doc": f.source.doc if f.source else None,
                    "source_article": f.source.article if f.source else None,
                    "tin_cay": f.confidence,
                    "geometry": f.geometry,
                }
            )
        frame = pd.DataFrame(rows, columns=[*FINDING_COLUMNS, "geometry"])
        return gpd.GeoDataFrame(frame, geometry="geometry", crs=self.crs)

    def to_summary(self) -> dict[str, Any]:
        """Headline figures: validity, counts, targets, districts, indicators."""
        return {
            "plan": self.plan_name,
            "rule_pack": self.rule_pack,
            "as_of": self.as_of,
            "valid": self.valid,
            "stats": self.stats,
            "error_confidence": self.error_confidence,
            "verdict_notes": {lang: self.verdict_notes(lang) for lang in ("vi", "en")},
            "targets": _records(self.targets),
            "districts": _records(self.districts),
            "indicators": _jsonable(self.indicators),
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything, JSON-ready (the schema is documented in docs/report-schema.json)."""
        return {
            "schema": "kzplan-report/1",
            **self.to_summary(),
            "crs": self.crs,
            "rules": _jsonable(self.rules),
            "findings": [f.to_dict() for f in self.findings],
            "meta": _jsonable(self.meta),
        }

    def _repr_html_(self) -> str:
        """Jupyter: verdict, targets, districts and findings in the user's language, escaped."""
        lang = messages.default_lang()
        stats = self.stats
        verdict = messages.text("report.repr_valid" if self.valid else "report.repr_invalid",
                                lang, **stats)
        colour = "#1a9641" if self.valid else SEVERITY_COLOURS["error"]
        what = messages.text("report.repr_head", lang, pack=self.rule_pack, as_of=self.as_of)
        head = (
            f"<p><strong>kzplan: {html.escape(self.plan_name)}</strong> — {html.escape(what)}: "
            f'<strong style="color:{colour}">{html.escape(verdict)}</strong></p>'
        )
        targets = self.targets.drop(columns=[c for c in ("label_vi", "label_en", "diff_planned_ha",
                                                         "diff_measured_ha")
                                             if c in self.targets], errors="ignore")
        districts = self.districts[[c for c in ("ma_huyen", "ten", "ccn", "min_ccn", "ok")
                                    if c in self.districts]]
        frame = pd.DataFrame({
            "severity": [SEVERITY_LABELS[f.severity][lang] for f in self.findings],
            "rule": [f"{f.rule_id} {f.rule_name}" for f in self.findings],
            "layer": [f.layer for f in self.findings],
            "feature": [f.feature for f in self.findings],
            "message": [f.message(lang) for f in self.findings],
            "fix": [f.fix(lang) for f in self.findings],
        })
        tables = [t.to_html(index=False, na_rep="", max_rows=100) for t in (targets, districts,
                                                                            frame) if len(t)]
        return f'<div class="kzplan-report">{head}{"".join(tables)}</div>'

    def __repr__(self) -> str:
        s = self.stats
        return (f"<Report {self.plan_name!r} as_of={self.as_of} valid={self.valid} "
                f"errors={s['error']} warnings={s['warning']} info={s['info']}>")


def _date(iso: str, lang: str) -> str:
    """``2025-07-01`` as ``01/7/2025`` (vi) or ``1 July 2025`` (en)."""
    import calendar

    try:
        y, m, d = (int(x) for x in str(iso)[:10].split("-"))
    except ValueError:
        return str(iso)
    return f"{d:02d}/{m}/{y}" if lang == "vi" else f"{d} {calendar.month_name[m]} {y}"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    if frame is None or frame.empty:
        return []
    return [_jsonable(r) for r in frame.to_dict(orient="records")]


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Deterministic order: severity, rule id, layer, feature, key."""
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(
        findings,
        key=lambda f: (order[f.severity], f.rule_id, f.layer or "", f.fid or 0, f.feature or "",
                       f.key),
    )
