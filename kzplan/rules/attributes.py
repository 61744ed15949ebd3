"""Attribute checks: codes, domains, ranges, status consistency, required values (AT)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd

from kzplan import messages, schema
from kzplan.rules.engine import Context, feature_label
from kzplan.rules.registry import Hit, Param, rule


def _rows(ctx: Context) -> Iterator[tuple[str, pd.DataFrame, int, str, int]]:
    for name in schema.PLAN_LAYERS:
        frame = ctx.layer(name)
        if frame is None:
            continue
        for i in range(len(frame)):
            label, fid = feature_label(frame, i)
            yield name, frame, i, label, fid


@rule("AT01", placeholders=("code", "others"))
def unique_code(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Every zone, cluster and KKT has a code of its own (across all layers)."""
    seen: dict[str, list[tuple[str, int]]] = {}
    for name, frame, i, _, fid in _rows(ctx):
        code = frame["ma"].iloc[i]
        if isinstance(code, str):
            seen.setdefault(code, []).append((name, fid))
    for code, where in seen.items():
        if len(where) < 2:
            continue
        for name, fid in where:
            frame = ctx.layer(name)
            others = ", ".join(f"{n} #{f}" for n, f in where if (n, f) != (name, fid))
            yield Hit(layer=name, feature=code, fid=fid, geometry=frame.geometry.iloc[fid - 1],
                      measured=len(where), expected=1, key=f"{name}#{fid}",
                      params={"code": code, "others": others})


_DOMAINS: dict[str, tuple[str, ...]] = {
    "trang_thai": schema.STATUS,
    "tin_cay": schema.CONFIDENCE,
    "hinh_hoc": schema.GEOMETRY_KIND,
    "xlnt": schema.WASTEWATER,
}


@rule("AT02", placeholders=("field", "value", "allowed"))
def domain(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Coded fields hold one of their allowed values (status, confidence, geometry kind,
    wastewater, industry groups)."""
    for name in schema.PLAN_LAYERS:
        frame = ctx.layer(name)
        if frame is None or not len(frame):
            continue
        bad: dict[int, list[tuple[str, Any, tuple[str, ...]]]] = {}
        for field, allowed in _DOMAINS.items():
            col = frame[field]
            mask = col.notna() & ~col.isin(allowed)
            for i in mask.to_numpy().nonzero()[0]:
                bad.setdefault(int(i), []).append((field, col.iloc[i], allowed))
        groups = frame["nganh"]
        for i in groups.notna().to_numpy().nonzero()[0]:
            wrong = [g.strip() for g in str(groups.iloc[i]).split(";")
                     if g.strip() and g.strip() not in schema.INDUSTRY_GROUPS]
            if wrong:
                bad.setdefault(int(i), []).append(("nganh", ";".join(wrong),
                                                   tuple(schema.INDUSTRY_GROUPS)))
        for i in sorted(bad):
            label, fid = feature_label(frame, i)
            for field, value, allowed in bad[i]:
                yield Hit(layer=name, feature=label, fid=fid, geometry=frame.geometry.iloc[i],
                          measured=value, expected=list(allowed), key=field,
                          params={"field": field, "value": value, "allowed": ", ".join(allowed)})


@rule("AT03", params={"min_year": Param(int, "earliest plausible year", lambda v: v > 1900,
                                        "a year after 1900"),
                      "max_year": Param(int, "latest plausible year", lambda v: v > 1900,
                                        "a year after 1900")},
      placeholders=("field", "value", "low", "high"))
def ranges(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Years, percentages and areas lie in their ranges."""
    # Plausible years do not depend on the year checked (AT04 flags a year after it).
    limits = {"nam_tl": (p["min_year"], p["max_year"]), "lap_day": (0, 100),
              "dt_qh_ha": (0.0001, float("inf"))}
    for name in schema.PLAN_LAYERS:
        frame = ctx.layer(name)
        if frame is None or not len(frame):
            continue
        hits: list[tuple[int, str, Any, Any, Any]] = []
        for field, (low, high) in limits.items():
            col = pd.to_numeric(frame[field], errors="coerce").astype("float64")
            mask = col.notna() & ((col < low) | (col > high))
            hits += [(int(i), field, col.iloc[i], low, high)
                     for i in mask.to_numpy().nonzero()[0]]
        for i, field, value, low, high in sorted(hits, key=lambda h: h[0]):
            label, fid = feature_label(frame, i)
            shown = int(value) if field == "nam_tl" else value
            yield Hit(layer=name, feature=label, fid=fid, geometry=frame.geometry.iloc[i],
                      measured=float(value), expected=[low, high], key=field,
                      params={"field": field, "value": shown, "low": low,
                              "high": "∞" if high == float("inf") else high})


_PROBLEMS = {
    "no_year": messages.raw("rules.attributes.problems.no_year"),
    "planned_occupied": messages.raw("rules.attributes.problems.planned_occupied"),
    "future_year": messages.raw("rules.attributes.problems.future_year"),
}


@rule("AT04", placeholders=("problem",))
def status_consistency(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Status, year established and occupancy agree with one another."""
    for name, frame, i, label, fid in _rows(ctx):
        status = frame["trang_thai"].iloc[i]
        year = frame["nam_tl"].iloc[i]
        occ = frame["lap_day"].iloc[i]
        problems = []
        if status in ("thanh_lap", "hoat_dong") and pd.isna(year):
            problems.append(("no_year", {"status": status}))
        if status == "quy_hoach" and not pd.isna(occ) and occ > 0:
            problems.append(("planned_occupied", {"occ": occ}))
        if status in ("thanh_lap", "hoat_dong") and not pd.isna(year) and year > ctx.as_of:
            problems.append(("future_year", {"status": status, "year": int(year),
                                             "as_of": ctx.as_of}))
        for key, values in problems:
            text = {}
            for lang in ("vi", "en"):
                shown = dict(values)
                if "status" in shown:
                    status_label = schema.STATUS_LABELS.get(shown["status"])
                    shown["status"] = status_label[lang] if status_label else shown["status"]
                text[lang] = _PROBLEMS[key][lang].format(**shown)
            yield Hit(layer=name, feature=label, fid=fid, geometry=frame.geometry.iloc[i],
                      key=key, params={"problem": text})


_REQUIRED = tuple(f.name for f in schema.PLAN_FIELDS if f.required)


@rule("AT05", placeholders=("field",))
def required_values(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Required fields have a value in every feature."""
    for name in schema.PLAN_LAYERS:
        frame = ctx.layer(name)
        if frame is None or not len(frame):
            continue
        missing = frame[list(_REQUIRED)].isna().to_numpy()
        for i, j in zip(*missing.nonzero(), strict=True):
            label, fid = feature_label(frame, int(i))
            yield Hit(layer=name, feature=label, fid=fid, geometry=frame.geometry.iloc[int(i)],
                      key=_REQUIRED[int(j)], params={"field": _REQUIRED[int(j)]})
