"""Occupancy and wastewater targets for established zones and clusters (OC, WW)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd

from kzplan import messages
from kzplan.rules.engine import Context, sentence
from kzplan.rules.registry import Hit, Param, rule
from kzplan.rules.summary import established_at, occupancy_target

_STATUSES = Param(list, "statuses the rule applies to",
                  lambda v: set(v) <= {"quy_hoach", "thanh_lap", "hoat_dong"},
                  "a list of quy_hoach / thanh_lap / hoat_dong")
_YEAR = Param(int, "a year", lambda v: 1900 < v < 2200, "a 4-digit year")





def _missing(value: Any) -> bool:
    return bool(pd.isna(value))


def _measured(ctx: Context) -> dict[str, float]:
    """Occupancy measured on the lots (``lo_dat``), by zone code, where a zone has industrial
    lots: the rules use it instead of the typed ``lap_day`` and say so."""
    occ = ctx.lot_occupancy
    if occ is None or not len(occ) or "occupancy_pct" not in occ:
        return {}
    return {str(code): float(v) for code, v in occ["occupancy_pct"].items() if not pd.isna(v)}


def _with_source(detail: dict[str, str], from_lots: bool) -> dict[str, str]:
    if not from_lots:
        return detail
    return {lang: text + messages.text("occupancy.from_lots", lang) for lang, text in detail.items()}


@rule(
    "OC01",
    params={
        "targets": Param(dict, "occupancy targets {year: percent}",
                         lambda v: all(str(k).isdigit() and 0 <= x <= 100 for k, x in v.items()),
                         "a table such as { 2025 = 60, 2030 = 90 }"),
        "statuses": _STATUSES,
        "from_year": _YEAR,
    },
    placeholders=("name", "detail"),
)
def occupancy(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Zones and clusters established from ``from_year`` (the plan period) reach the occupancy
    target in force (60 % 2025, 90 % 2030); older ones are not bound by it.

    A zone whose year of establishment is unknown gets a warning (whether the target binds it
    cannot be told). Before the first target year, progress toward it is reported as info.
    """
    year, target, next_year, next_target = occupancy_target(ctx)
    lots = _measured(ctx)
    for row in ctx.zones.itertuples():
        if not established_at(row, ctx.as_of, p["statuses"]):
            continue
        base = {"layer": row.layer, "feature": row.ma or f"#{row.fid}", "fid": row.fid,
                "geometry": row.geometry}
        from_lots = str(row.ma) in lots
        if _missing(row.nam_tl):
            yield Hit(**base, severity="warning", key="no_year",
                      params={"name": row.ten, "detail": sentence(
                          "occupancy.no_year", from_year=p["from_year"])})
            continue
        if int(row.nam_tl) < p["from_year"] or (_missing(row.lap_day) and not from_lots):
            continue
        occ = round(lots[str(row.ma)], 1) if from_lots else float(row.lap_day)
        if target is not None and occ < target:
            yield Hit(**base, measured=occ, expected=target,
                      params={"name": row.ten, "detail": _with_source(sentence(
                          "occupancy.below", occ=occ, target=float(target), year=year,
                          gap=round(target - occ, 1), est=int(row.nam_tl),
                          from_year=p["from_year"]), from_lots)})
        elif target is None and next_target is not None and occ < next_target:
            yield Hit(**base, measured=occ, expected=next_target, severity="info",
                      params={"name": row.ten, "detail": _with_source(sentence(
                          "occupancy.progress", occ=occ, target=float(next_target),
                          year=next_year, gap=round(next_target - occ, 1)), from_lots)})


@rule("OC02", params={"statuses": _STATUSES}, placeholders=("name", "status"))
def occupancy_missing(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Every zone or cluster established as of the year checked has an occupancy figure."""
    lots = _measured(ctx)
    for row in ctx.zones.itertuples():
        if established_at(row, ctx.as_of, p["statuses"]) and _missing(row.lap_day) \
                and str(row.ma) not in lots:  # measured on its lots: known
            yield Hit(layer=row.layer, feature=row.ma or f"#{row.fid}", fid=row.fid,
                      geometry=row.geometry,
                      params={"name": row.ten, "status": _status_label(row.trang_thai)})


def _status_label(status: Any) -> dict[str, str]:
    from kzplan import schema

    return schema.STATUS_LABELS.get(status, {"vi": str(status), "en": str(status)})


def _wastewater(ctx: Context, status: str, values: tuple[Any, ...]) -> Iterator[Hit]:
    for row in ctx.zones.itertuples():
        value = row.xlnt if isinstance(row.xlnt, str) else None
        if established_at(row, ctx.as_of, (status,)) and value in values:
            yield Hit(layer=row.layer, feature=row.ma or f"#{row.fid}", fid=row.fid,
                      geometry=row.geometry, measured=value, expected="co",
                      params={"name": row.ten})


@rule("WW01", placeholders=("name",))
def operating_without_plant(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """No zone or cluster operates without a centralised wastewater plant meeting the standard."""
    yield from _wastewater(ctx, "hoat_dong", ("khong",))


@rule("WW02", placeholders=("name",))
def operating_plant_unknown(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """An operating zone or cluster says whether it has a wastewater plant meeting the standard
    (a plant not shown to meet it, ``chua_dat_chuan``, is reported here too)."""
    yield from _wastewater(ctx, "hoat_dong", (None, "chua_dat_chuan"))


@rule("WW03", placeholders=("name",))
def established_without_plant(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """An established zone or cluster gets its wastewater plant before it starts operating."""
    yield from _wastewater(ctx, "thanh_lap", ("khong", None, "chua_dat_chuan"))


_GRADE = {
    "before": messages.raw("wastewater.before_deadline"),
    "after": messages.raw("wastewater.after_deadline"),
    "zone": messages.raw("wastewater.zone_no_grace"),
    "unverified": messages.raw("wastewater.plant_unverified"),
}


@rule("WW04", params={"cluster_deadline_year": _YEAR},
      placeholders=("name", "deadline", "grade"))
def wastewater_law(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """The Law on Environmental Protection: an operating zone needs its centralised wastewater
    plant; an operating cluster needs it by the law's deadline (a warning before the deadline,
    an error after it)."""
    deadline = int(p["cluster_deadline_year"])
    for row in ctx.zones.itertuples():
        value = row.xlnt if isinstance(row.xlnt, str) else None
        if not established_at(row, ctx.as_of, ("hoat_dong",)) or value not in ("khong",
                                                                              "chua_dat_chuan"):
            continue
        before = row.layer == "ccn" and ctx.as_of <= deadline
        # A plant that exists but is not shown to meet the standard is never graded an error.
        yield Hit(layer=row.layer, feature=row.ma or f"#{row.fid}", fid=row.fid,
                  geometry=row.geometry, measured=value, expected="co", key=value,
                  severity="warning" if before or value == "chua_dat_chuan" else "error",
                  params={"name": row.ten, "deadline": deadline, "grade": _GRADE[
                      "unverified" if value == "chua_dat_chuan" else "before" if before
                      else "after" if row.layer == "ccn" else "zone"]})
