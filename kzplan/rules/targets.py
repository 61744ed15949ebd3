"""Counts and area targets of the plan (CT, AR)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kzplan import messages, schema
from kzplan.rules.engine import Context, feature_label
from kzplan.rules.registry import Hit, Param, rule


def _layer_map(kind: type) -> Param:
    return Param(
        dict, f"per plan layer ({', '.join(schema.PLAN_LAYERS)}): {kind.__name__}",
        check=lambda v: all(k in schema.PLAN_LAYERS and isinstance(x, (int, float))
                            and x >= 0 for k, x in v.items()),
        check_doc="a table such as { kcn = 4, ccn = 33, kkt = 1 }",
    )


_PCT = Param((int, float), "tolerance in percent", check=lambda v: 0 <= v <= 100,
             check_doc="a percentage between 0 and 100")


@rule("CT01", params={"expected": _layer_map(int)})
def count_layer(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Each plan layer has the number of features the plan sets."""
    for name, expected in p["expected"].items():
        frame = ctx.layer(name)
        n = 0 if frame is None else len(frame)
        if n != expected:
            yield Hit(layer=name, measured=n, expected=expected, key=name)


def _area_targets(ctx: Context, p: Mapping[str, Any], column: str) -> Iterator[Hit]:
    for name, target in p["targets"].items():
        frame = ctx.layer(name)
        total = 0.0 if frame is None else float(frame[column].sum())
        diff = total - target
        if abs(diff) > target * p["tolerance_pct"] / 100:
            yield Hit(layer=name, measured=round(total, 2), expected=target, key=name,
                      params={"diff": round(diff, 2), "pct": round(100 * diff / target, 1)})


@rule("AR01", params={"targets": _layer_map(float), "tolerance_pct": _PCT},
      placeholders=("diff", "pct"))
def area_target_planned(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """The planned areas (attribute ``dt_qh_ha``) of each layer add up to the plan's target."""
    yield from _area_targets(ctx, p, "dt_qh_ha")


@rule("AR02", params={"targets": _layer_map(float), "tolerance_pct": _PCT},
      placeholders=("diff", "pct"))
def area_target_measured(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """The measured areas (geometry) of each layer add up to the plan's target."""
    yield from _area_targets(ctx, p, "dt_do_ha")


_UNIT_HINT = {
    "m2": messages.raw("rules.targets.unit_hint.m2"),
    "": {"vi": "", "en": ""},
}


@rule("AR03", params={"tolerance_pct": _PCT}, placeholders=("diff", "pct", "hint"))
def declared_vs_measured(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Each feature's planned area matches the area of its geometry."""
    for name in schema.PLAN_LAYERS:
        frame = ctx.layer(name)
        if frame is None:
            continue
        for i in range(len(frame)):
            planned, measured = frame["dt_qh_ha"].iloc[i], frame["dt_do_ha"].iloc[i]
            if planned != planned or measured != measured or measured <= 0 or planned <= 0:
                continue
            diff = planned - measured
            if abs(diff) <= measured * p["tolerance_pct"] / 100:
                continue
            ratio = planned / measured
            code, fid = feature_label(frame, i)
            yield Hit(
                layer=name, feature=code, fid=fid, geometry=frame.geometry.iloc[i],
                measured=round(float(measured), 2), expected=float(planned),
                params={"diff": round(float(diff), 2), "pct": round(100 * diff / measured, 1),
                        "hint": _UNIT_HINT["m2" if 5_000 <= ratio <= 20_000 else ""]},
            )


_HA = Param((int, float), "an area in hectares", lambda v: v >= 0, "≥ 0")
_FLOOR_BASIS = {
    "general": messages.raw("rules.targets.floor.general"),
    "mountainous": messages.raw("rules.targets.floor.mountainous"),
    "craft": messages.raw("rules.targets.floor.craft"),
}


@rule("AR04", params={"min_ha": _HA, "max_ha": Param((int, float), "largest area",
                                                     lambda v: v > 0, "> 0"),
                      "min_ha_mountainous": _HA, "min_ha_craft_village": _HA},
      placeholders=("low", "basis"))
def cluster_size(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Each cluster's planned area lies within the national size range for clusters: its floor
    is lower in mountainous units (``mountainous`` in the plan's units) and for craft-village
    clusters (field ``lang_nghe`` = ``co``, when the layer carries it)."""
    frame = ctx.layer("ccn")
    if frame is None:
        return
    mountain = {u.code for u in ctx.plan.definition.units if u.mountainous}
    craft_col = frame["lang_nghe"] if "lang_nghe" in frame.columns else None
    unjudged: list[str] = []
    for i in range(len(frame)):
        area = frame["dt_qh_ha"].iloc[i]
        if area != area:
            continue
        craft = craft_col is not None and craft_col.iloc[i] == "co"
        if str(frame["ma_huyen"].iloc[i]) in mountain:
            low, basis = p["min_ha_mountainous"], "mountainous"
        elif craft:
            low, basis = p["min_ha_craft_village"], "craft"
        else:
            low, basis = p["min_ha"], "general"
        if basis == "general" and craft_col is None and p["min_ha_craft_village"] <= area < low:
            unjudged.append(feature_label(frame, i)[0])
            continue
        if not (low <= area <= p["max_ha"]):
            code, fid = feature_label(frame, i)
            yield Hit(layer="ccn", feature=code, fid=fid, geometry=frame.geometry.iloc[i],
                      measured=float(area), expected=[low, p["max_ha"]], key=basis,
                      params={"low": float(low), "basis": _FLOOR_BASIS[basis]})
    if unjudged:
        yield Hit(layer="ccn", severity="info", key="not_checked", params={
            "notice": messages.both("rules.not_checked.field_missing", rule="AR04",
                                    field="lang_nghe", features=", ".join(unjudged)),
            "notice_fix": messages.both("rules.not_checked.field_missing_fix",
                                        field="lang_nghe")})
