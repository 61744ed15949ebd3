"""The summary tables every report shows: targets, districts, indicators."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from kzplan import schema

if TYPE_CHECKING:
    from kzplan.rules.engine import Context

ESTABLISHED = ("thanh_lap", "hoat_dong")


def _param(ctx: Context, rule_id: str, key: str, default: Any) -> Any:
    try:
        return ctx.pack.get(rule_id).params.get(key, default)
    except KeyError:
        return default


def _r(value: float) -> float:
    """Round to 0.01 ha without a negative zero."""
    return round(value, 2) + 0.0


def targets_table(ctx: Context) -> pd.DataFrame:
    """Per plan layer: count and area, target vs planned (attributes) vs measured (geometry)."""
    counts = _param(ctx, "CT01", "expected", {})
    areas = _param(ctx, "AR01", "targets", {})
    rows = []
    for name in schema.PLAN_LAYERS:
        frame = ctx.layer(name)
        planned = float(frame["dt_qh_ha"].sum()) if frame is not None else 0.0
        measured = float(frame["dt_do_ha"].sum()) if frame is not None else 0.0
        target = areas.get(name)
        rows.append(
            {
                "layer": name,
                "label_vi": schema.LAYER_LABELS[name]["vi"],
                "label_en": schema.LAYER_LABELS[name]["en"],
                "count_target": counts.get(name),
                "count": 0 if frame is None else len(frame),
                "area_target_ha": target,
                "area_planned_ha": _r(planned),
                "area_measured_ha": _r(measured),
                "diff_planned_ha": None if target is None else _r(planned - target),
                "diff_measured_ha": None if target is None else _r(measured - target),
                "headroom_ha": None if target is None else _r(target - planned),
            }
        )
    return pd.DataFrame(rows)


def district_minimums(ctx: Context) -> dict[str, int]:
    """The plan's minimum number of clusters per district code."""
    return {u.code: u.min_ccn for u in ctx.plan.definition.units}


def districts_table(ctx: Context) -> pd.DataFrame:
    """Per district: clusters (all, established, operating), zones, minimum, verdict."""
    ccn = ctx.layer("ccn")
    kcn = ctx.layer("kcn")
    mins = district_minimums(ctx)
    rows = []
    for _, d in ctx.districts_table.iterrows():
        code = str(d["ma_huyen"])
        sel = ccn[ccn["ma_huyen"] == code] if ccn is not None else pd.DataFrame()
        n = len(sel)
        rows.append(
            {
                "ma_huyen": code,
                "ten": d["ten"],
                "ccn": n,
                "ccn_established": int(sel["trang_thai"].isin(ESTABLISHED).sum()) if n else 0,
                "ccn_operating": int((sel["trang_thai"] == "hoat_dong").sum()) if n else 0,
                "ccn_planned_ha": round(float(sel["dt_qh_ha"].sum()), 2) if n else 0.0,
                "kcn": int((kcn["ma_huyen"] == code).sum()) if kcn is not None else 0,
                "min_ccn": mins[code],
                "ok": n >= mins[code],
            }
        )
    return pd.DataFrame(rows)


def established_at(row: Any, as_of: int, statuses: Any = ESTABLISHED) -> bool:
    """True when the zone's status is one of ``statuses`` and it was established by ``as_of``
    (a zone established after the year checked is not established then; no year: trusted)."""
    if row.trang_thai not in statuses:
        return False
    year = row.nam_tl
    return bool(pd.isna(year)) or int(year) <= as_of


def occupancy_target(ctx: Context) -> tuple[int | None, float | None, int | None, float | None]:
    """(year, % of the target in force, next year, % of the next target) as of ``ctx.as_of``."""
    targets = sorted((int(y), float(v)) for y, v in _param(ctx, "OC01", "targets", {}).items())
    current = [t for t in targets if t[0] <= ctx.as_of]
    upcoming = [t for t in targets if t[0] > ctx.as_of]
    cy, cv = current[-1] if current else (None, None)
    ny, nv = upcoming[0] if upcoming else (None, None)
    return cy, cv, ny, nv


def indicators(ctx: Context) -> dict[str, Any]:
    """Occupancy and wastewater figures of the established zones and clusters."""
    zones = ctx.zones
    est = zones[[established_at(r, ctx.as_of) for r in zones.itertuples()]] if len(zones) \
        else zones
    operating = est[est["trang_thai"] == "hoat_dong"] if len(est) else est
    year, target, next_year, next_target = occupancy_target(ctx)
    known = est[est["lap_day"].notna()] if len(est) else est
    from_year = int(_param(ctx, "OC01", "from_year", ctx.plan.definition.period[0]))
    scope = known[pd.to_numeric(known["nam_tl"], errors="coerce") >= from_year] if len(known) \
        else known
    period = ctx.plan.definition.period
    out: dict[str, Any] = {
        "as_of": ctx.as_of,
        "occupancy_target_year": year,
        "occupancy_target_pct": target,
        "next_target_year": next_year,
        "next_target_pct": next_target,
        "established": len(est),
        "operating": len(operating),
        "occupancy_known": len(known),
        "occupancy_mean_pct": round(float(known["lap_day"].mean()), 1) if len(known) else None,
        "meeting_target": int((scope["lap_day"] >= target).sum()) if target and len(scope)
        else None,
        # OC01's reading: the target binds each zone established from ``from_year``; the
        # province reports a plan-wide average ("tỷ lệ lấp đầy bình quân"), shown beside it.
        "occupancy_reading": "per_feature",
        "occupancy_from_year": from_year,
        "occupancy_in_scope": len(scope),
        "occupancy_in_scope_mean_pct": round(float(scope["lap_day"].mean()), 1) if len(scope)
        else None,
        "plan_period": list(period),
        "period_over": ctx.as_of > period[1],
        "wastewater_ok": int((est["xlnt"] == "co").sum()) if len(est) else 0,
        "wastewater_unverified": int((est["xlnt"] == "chua_dat_chuan").sum()) if len(est) else 0,
        "wastewater_missing": int((est["xlnt"] == "khong").sum()) if len(est) else 0,
        "wastewater_unknown": int(est["xlnt"].isna().sum()) if len(est) else 0,
        "operating_without_wastewater": int((operating["xlnt"] == "khong").sum())
        if len(operating) else 0,
        "operating_wastewater_unknown": int(operating["xlnt"].isna().sum())
        if len(operating) else 0,
    }
    for name in schema.PLAN_LAYERS:
        frame = ctx.layer(name)
        if frame is not None and len(frame):
            out[f"{name}_confidence"] = {
                k: int(v) for k, v in frame["tin_cay"].value_counts(dropna=False).items()
                if isinstance(k, str)
            }
    return out
