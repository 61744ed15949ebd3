"""Running a rule pack over a plan: every selected rule runs, findings are collected, never raised."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from typing import Any

import geopandas as gpd
import pandas as pd
import pyproj
import shapely

from kzplan import io, messages, schema
from kzplan._format import fmt_number
from kzplan.findings import Finding, Report, fingerprint, sort_findings
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


def _fmt(value: Any, lang: str) -> Any:
    """Floats and large integers in ``lang``'s style for message templates; the rest as is."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) or (isinstance(value, int) and abs(value) >= 10_000):
        return fmt_number(value, lang, missing="?")
    return value


def _render(rule: RuleDef, hit: Hit, lang: str) -> tuple[str, str]:
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


def _to_finding(rule: RuleDef, hit: Hit, *, strict: bool) -> Finding:
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
    )


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


def check(
    plan: Plan,
    *,
    as_of: int | None = None,
    pack: RulePack | str | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    params: Mapping[str, Mapping[str, Any]] | None = None,
    strict: bool | None = None,
) -> Report:
    """Check ``plan`` against a rule pack and return the :class:`~kzplan.findings.Report`.

    Every selected rule runs; findings never stop the run. ``select``/``ignore``/``params`` add to
    what the plan's configuration says under ``[rules]``; ``strict`` makes warnings errors.

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
    ctx = Context(plan=plan, as_of=year, pack=pack)
    findings: list[Finding] = []
    for rule in chosen:
        for hit in rule.impl.func(ctx, rule.params):
            findings.append(_to_finding(rule, hit, strict=strict))
    from kzplan.rules import summary

    return Report(
        plan_name=plan.config.name,
        rule_pack=f"{pack.id} v{pack.version}",
        as_of=year,
        crs=plan.crs,
        findings=sort_findings(findings),
        targets=summary.targets_table(ctx),
        districts=summary.districts_table(ctx),
        indicators=summary.indicators(ctx),
        rules=[r.to_dict() for r in chosen],
        meta={
            "versions": _versions(),
            "inputs": _input_files(plan),
            "rule_pack_sha256": pack.sha256,
            "generated": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "lang_default": messages.default_lang(),
        },
    )
