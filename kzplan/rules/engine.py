"""Running a rule pack over a plan: every selected rule runs, findings are collected, never raised."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from kzplan import io, messages, schema
from kzplan import lots as klots
from kzplan._errors import ConfigError
from kzplan._format import fmt_number
from kzplan.findings import Finding, Report, fingerprint, now, sort_findings
from kzplan.plan import Plan, shown_path
from kzplan.rules.pack import RuleDef, RulePack, load_pack
from kzplan.rules.registry import Hit

ZONE_LAYERS = ("kcn", "ccn")


@dataclass
class Context:
    """What a rule sees: the plan, the year checked, and shared derived data (computed once)."""

    plan: Plan
    as_of: int
    pack: RulePack
    cache: dict[str, Any] = field(default_factory=dict)
    #: Where the lot checks run: ``"memory"`` or ``"dask"`` (see :mod:`kzplan.lots`).
    lot_engine: str = "memory"
    #: A dask scheduler's address for ``lot_engine="dask"`` (None: a local cluster).
    dask_address: str | None = None

    def layer(self, name: str) -> gpd.GeoDataFrame | None:
        """A plan layer, or None when the plan does not have it."""
        frame = self.plan.layers.get(name)
        return frame if frame is not None else None

    @cached_property
    def zones(self) -> gpd.GeoDataFrame:
        """KCN and CCN together, with a ``layer`` column and the row's ``fid`` in its layer."""
        parts = []
        for name in ZONE_LAYERS:
            frame = self.layer(name)
            if frame is not None and len(frame):
                part = frame.copy()
                part["layer"] = name
                part["fid"] = range(1, len(part) + 1)
                parts.append(part)
        if not parts:
            return gpd.GeoDataFrame({"layer": [], "fid": [], "ma": []}, geometry=[],
                                    crs=self.plan.crs)
        return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=self.plan.crs)

    @cached_property
    def lots(self) -> gpd.GeoDataFrame | None:
        """The lot layer (``lo_dat``), or None when the plan has none."""
        frame = self.layer("lo_dat")
        return frame if frame is not None and len(frame) else None

    @cached_property
    def lot_zones(self) -> dict[str, shapely.Geometry]:
        """Zone or cluster code -> its outline (made valid), for the lot checks."""
        return klots.measure.zone_geometries(self.zones)

    @cached_property
    def lot_geometry(self) -> klots.LotGeometry | None:
        """Validity, overlaps and containment of the lots, computed once by the chosen engine."""
        if self.lots is None:
            return None
        if self.lot_engine == "dask":
            from kzplan.lots import distributed

            return distributed.geometry_checks(self.lots, self.lot_zones,
                                               address=self.dask_address)
        return klots.geometry_checks(self.lots, self.lot_zones)

    @cached_property
    def lot_usable(self) -> np.ndarray:
        """Mask of lots with a present, polygonal, valid geometry (the others are left out)."""
        if self.lots is None:
            return np.zeros(0, dtype=bool)
        geo = self.lot_geometry
        ok = np.ones(len(self.lots), dtype=bool)
        ok[geo.invalid] = False
        ok[geo.unusable] = False
        return ok

    @cached_property
    def lot_occupancy(self) -> pd.DataFrame:
        """Per zone or cluster with lots (index ``ma``): occupancy measured on the lots
        (``occupancy_pct`` = leased industrial land ÷ industrial land, equal-area), areas and
        land-use shares (``share_cn`` … ``share_khac``, %); empty without a lot layer."""
        if self.lots is None:
            return klots.occupancy(self.zones.iloc[:0].assign(
                ma_khu=[], loai_dat=[], thue=[], dt_do_ha=[]), np.zeros(0, dtype=bool),
                self.zones)
        return klots.occupancy(self.lots, self.lot_usable, self.zones)

    @cached_property
    def districts_table(self) -> pd.DataFrame:
        """The district-level units with their cluster minimum."""
        return self.plan.district_table()

    @cached_property
    def boundaries(self) -> gpd.GeoDataFrame | None:
        """The district boundary layer, when configured."""
        return self.layer("districts")

    @cached_property
    def district_geoms(self) -> dict[str, shapely.Geometry]:
        """District code -> its (valid) boundary geometry, when boundaries are configured."""
        b = self.boundaries
        if b is None or not len(b):
            return {}
        geoms = shapely.make_valid(b.geometry.values)
        codes = b["ma_huyen"].astype(str).to_numpy()
        return {c: shapely.union_all(geoms[codes == c]) for c in dict.fromkeys(codes)}

    @cached_property
    def province(self) -> shapely.Geometry | None:
        """The union of the district boundaries (the province outline), when configured."""
        if self.boundaries is None or not len(self.boundaries):
            return None
        return shapely.union_all(shapely.make_valid(self.boundaries.geometry.values))


def feature_label(frame: pd.DataFrame, i: int) -> tuple[str, int]:
    """The feature's code (or ``#row``) and its 1-based row number."""
    code = frame["ma"].iloc[i] if "ma" in frame.columns else None
    fid = i + 1
    return (code if isinstance(code, str) and code else f"#{fid}"), fid


def sentence(key: str, /, **values: Any) -> dict[str, str]:
    """Message ``key`` in every language, floats written in each language's style (1.729,72 /
    1,729.72): the fragments rules pass into their templates (``{detail}``)."""
    return {lang: messages.text(key, lang, **{
        k: fmt_number(v, lang) if isinstance(v, float) else v for k, v in values.items()})
        for lang in messages.LANGS}


def _fmt(value: Any, lang: str) -> Any:
    """Floats and large integers in ``lang``'s style for message templates; the rest as is."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) or (isinstance(value, int) and abs(value) >= 10_000):
        return fmt_number(value, lang, missing="?")
    return value


def _render(rule: RuleDef, hit: Hit, lang: str) -> tuple[str, str]:
    notice = hit.params.get("notice")
    if isinstance(notice, Mapping):
        # A notice in the rule's place ("not checked: ..."): its own sentence and fix.
        fix = hit.params.get("notice_fix") or {}
        return str(notice[lang]), str(fix.get(lang, ""))
    labels = schema.LAYER_LABELS.get(hit.layer or "", {})
    params: dict[str, Any] = {k: _fmt(v, lang) for k, v in rule.params.items()}
    params.update({
        "layer": hit.layer or "",
        "layer_vi": labels.get("vi", hit.layer or ""),
        "layer_en": labels.get("en", hit.layer or ""),
        "feature": hit.feature or "",
        "measured": _fmt(hit.measured, lang),
        "expected": _fmt(hit.expected, lang),
    })
    for key, value in hit.params.items():
        if isinstance(value, Mapping) and set(value) == {"vi", "en"}:
            params[key] = value[lang]
        else:
            params[key] = _fmt(value, lang)
    message = (rule.message_vi if lang == "vi" else rule.message_en).format(**params)
    fix = (rule.fix_vi if lang == "vi" else rule.fix_en).format(**params)
    return message, fix


def _confidence(ctx: Context, hit: Hit) -> str | None:
    """The ``tin_cay`` of the feature a hit is on (None for a layer- or plan-level hit)."""
    if hit.layer is None or hit.fid is None:
        return None
    frame = ctx.layer(hit.layer)
    if frame is None or "tin_cay" not in frame.columns or not 1 <= hit.fid <= len(frame):
        return None
    value = frame["tin_cay"].iloc[hit.fid - 1]
    return value if isinstance(value, str) and value else None


def _province_meta(plan: Plan) -> dict[str, Any]:
    d = plan.definition
    out: dict[str, Any] = {"name_vi": d.province["vi"], "name_en": d.province["en"],
                           "unit_kind_vi": d.unit_kind["vi"], "unit_kind_en": d.unit_kind["en"],
                           "period": list(d.period)}
    if d.successor:
        out.update({"successor_vi": d.successor["vi"], "successor_en": d.successor["en"],
                    "since": str(d.successor_since or ""), "basis": d.successor_basis})
    return out


def _to_finding(rule: RuleDef, hit: Hit, *, strict: bool,
                confidence: str | None = None) -> Finding:
    msg_vi, fix_vi = _render(rule, hit, "vi")
    msg_en, fix_en = _render(rule, hit, "en")
    severity = hit.severity or rule.severity
    if strict and severity == "warning":
        severity = "error"
    return Finding(
        rule_id=rule.id, rule_name=rule.name, severity=severity, layer=hit.layer,
        feature=hit.feature, message_vi=msg_vi, message_en=msg_en, fix_vi=fix_vi, fix_en=fix_en,
        measured=hit.measured, expected=hit.expected, source=rule.source, geometry=hit.geometry,
        key=hit.key, fid=hit.fid,
        fingerprint=fingerprint(rule.id, hit.layer, hit.feature, hit.key),
        confidence=confidence,
    )


def _unique_fingerprints(findings: list[Finding]) -> list[Finding]:
    """Findings in the given (sorted) order, a repeated fingerprint made distinct (``key#2``...).

    Rule keys tell several hits on one feature apart; when they do not (two features sharing a
    code, say), the second, third... hit gets the occurrence number in its key, so that diffs and
    triage, which pair findings by fingerprint, see every finding. Unique ones are unchanged.
    """
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        n = seen[f.fingerprint] = seen.get(f.fingerprint, 0) + 1
        out.append(f if n == 1 else dataclasses.replace(
            f, fingerprint=fingerprint(f.rule_id, f.layer, f.feature, f"{f.key}#{n}")))
    return out


PLACEHOLDER_SUMMARY_MIN = 3  # this many placeholder warnings of one rule on one layer: one


def summarise_placeholders(findings: list[Finding], pack: RulePack) -> list[Finding]:
    """Warnings of one rule on one layer's placeholder features (``tin_cay = gia_dinh``) become
    one warning per layer, so that findings on real data are not buried. Errors are never
    summarised."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.severity == "warning" and f.confidence == "gia_dinh" and f.layer and f.feature:
            groups.setdefault((f.rule_id, f.layer), []).append(f)
    drop: set[int] = set()
    out: list[Finding] = []
    for (rule_id, layer), group in groups.items():
        if len(group) < PLACEHOLDER_SUMMARY_MIN:
            continue
        drop.update(id(f) for f in group)
        rule = pack.get(rule_id)
        codes = ", ".join(f.feature or "" for f in group)
        labels = schema.LAYER_LABELS.get(layer, {})
        texts = {lang: messages.text("report.placeholder_summary", lang,
                                     title=rule.title(lang), n=len(group),
                                     layer=labels.get(lang, layer), codes=codes)
                 for lang in messages.LANGS}
        fix = messages.both("report.placeholder_summary_fix")
        out.append(Finding(
            rule_id=rule_id, rule_name=rule.name, severity="warning", layer=layer, feature=None,
            message_vi=texts["vi"], message_en=texts["en"], fix_vi=fix["vi"], fix_en=fix["en"],
            measured=len(group), expected=[f.feature for f in group], source=rule.source,
            geometry=shapely.union_all([f.geometry for f in group if f.geometry is not None])
            if any(f.geometry is not None for f in group) else None,
            key="placeholders", fingerprint=fingerprint(rule_id, layer, None, "placeholders"),
            confidence="gia_dinh"))
    return [f for f in findings if id(f) not in drop] + out


def _versions() -> dict[str, str]:
    try:
        kz = metadata.version("kzplan")
    except metadata.PackageNotFoundError:
        kz = "unknown"
    db = pyproj.database.get_database_metadata("EPSG.VERSION") or "?"
    return {
        "kzplan": kz, "shapely": shapely.__version__, "geos": shapely.geos_version_string,
        "pyproj": pyproj.__version__, "proj": pyproj.proj_version_str, "epsg": db,
        "validity_model": "OGC Simple Features as implemented by GEOS (shapely.is_valid)",
    }


def _input_files(plan: Plan) -> list[dict[str, Any]]:
    files = []
    for name, info in plan.info.items():
        if info.file is None or not info.file.exists():
            continue
        digest = io.sha256_file(info.file)  # streamed: a huge .shp is never held in memory
        # Reports are shared and committed: the file as the plan names it, never an absolute path.
        files.append({"layer": name, "file": info.shown or shown_path(info.file, None),
                      "sha256": digest,
                      "driver": info.driver, "crs": info.crs, "encoding": info.encoding})
    return files


def lot_indicators(ctx: Context) -> dict[str, Any]:
    """``{"lots": [...]}``: per zone or cluster with lots, occupancy and land-use shares measured
    on them (JSON-ready; nothing when the plan has no lot layer)."""
    if ctx.lots is None:
        return {}
    rows = []
    for code, row in ctx.lot_occupancy.iterrows():
        rows.append({"ma": code, **{k: (None if isinstance(v, float) and v != v else
                                        round(v, 3) if isinstance(v, float) else
                                        int(v) if isinstance(v, (int, np.integer)) else v)
                                    for k, v in row.items()}})
    return {"lots": rows}


def check(
    plan: Plan,
    *,
    as_of: int | None = None,
    pack: RulePack | str | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    params: Mapping[str, Mapping[str, Any]] | None = None,
    strict: bool | None = None,
    engine: str = "memory",
    dask_address: str | None = None,
    summarise: bool = True,
) -> Report:
    """Check ``plan`` against a rule pack and return the :class:`~kzplan.findings.Report`.

    Every selected rule runs; findings never stop the run. ``select``/``ignore``/``params`` add to
    what the plan's configuration says under ``[rules]``; ``strict`` makes warnings errors;
    ``summarise`` folds many placeholder warnings of one rule on one layer into one.
    ``engine`` runs the lot checks in memory or on dask (``dask_address``: an existing cluster;
    None starts a local one); both give the same findings.

    Examples
    --------
    >>> from kzplan import load_plan, check
    >>> report = check(load_plan(), as_of=2030)  # doctest: +SKIP
    >>> report.to_frame().groupby("rule_id").size()  # doctest: +SKIP
    """
    settings = plan.config.rules
    if not isinstance(pack, RulePack):
        pack = load_pack(pack or plan.config.rule_pack)
    if settings.params:
        pack = pack.with_params(settings.params, where="kzplan.toml [rules.params]")
    if params:
        pack = pack.with_params(params, where="--param")
    chosen_select = tuple(select) or settings.select
    chosen = pack.select(chosen_select, tuple(ignore) + settings.ignore)
    year = as_of or settings.as_of or datetime.date.today().year
    strict = settings.strict if strict is None else strict
    if engine not in klots.ENGINES:
        raise ConfigError("lots.unknown_engine", engine=engine, known=", ".join(klots.ENGINES))
    ctx = Context(plan=plan, as_of=year, pack=pack, lot_engine=engine, dask_address=dask_address)
    findings: list[Finding] = []
    for rule in chosen:
        for hit in rule.impl.func(ctx, rule.params):
            findings.append(_to_finding(rule, hit, strict=strict,
                                        confidence=_confidence(ctx, hit)))
    from kzplan.rules import summary

    if summarise:
        findings = summarise_placeholders(findings, pack)
    return Report(
        plan_name=plan.config.name,
        rule_pack=f"{pack.id} v{pack.version}",
        as_of=year,
        crs=plan.crs,
        findings=_unique_fingerprints(sort_findings(findings)),
        targets=summary.targets_table(ctx),
        districts=summary.districts_table(ctx),
        indicators={**summary.indicators(ctx), **lot_indicators(ctx)},
        rules=[r.to_dict() for r in chosen],
        meta={
            "versions": _versions(),
            "inputs": _input_files(plan),
            "rule_pack_sha256": pack.sha256,
            "generated": now().isoformat(timespec="seconds"),
            "province": _province_meta(plan),
            "lang_default": messages.default_lang(),
        },
    )
