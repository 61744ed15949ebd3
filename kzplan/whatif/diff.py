"""Comparing two checks of a plan: :class:`Diff` (findings paired by fingerprint, headroom to
every target, one sentence per changed target), :func:`compare` and :func:`evaluate` (edit, check
before and after, compare)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from kzplan import messages
from kzplan.findings import Finding, Report
from kzplan.findings import _jsonable as jsonable
from kzplan.plan import Plan
from kzplan.whatif import display
from kzplan.whatif._messages import EPS, NOUN_PLURAL, NOUN_TARGET, WhatIfError, cap, num
from kzplan.whatif.edits import Edit

DIFF_SCHEMA = "kzplan-diff/1"


def _same(a: Finding, b: Finding) -> bool:
    return (a.severity == b.severity and a.message_en == b.message_en
            and a.message_vi == b.message_vi and jsonable(a.measured) == jsonable(b.measured)
            and jsonable(a.expected) == jsonable(b.expected))


def _value(row: Mapping[str, Any] | None, key: str) -> Any:
    if row is None:
        return None
    value = row.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _paired(before: pd.DataFrame | None, after: pd.DataFrame | None, key: str
            ) -> Iterator[tuple[str, dict[str, Any] | None, dict[str, Any] | None]]:
    """``(key, row before, row after)`` for every key of either table, ``before``'s order
    first; a side without the key gives ``None``."""

    def rows(table: pd.DataFrame | None) -> dict[str, dict[str, Any]]:
        if table is None or table.empty or key not in table:
            return {}
        return {str(r[key]): r for r in table.to_dict(orient="records")}

    b, a = rows(before), rows(after)
    for k in [*b, *(k for k in a if k not in b)]:
        yield k, b.get(k), a.get(k)


def _targets_table(before: Report, after: Report) -> pd.DataFrame:
    out = []
    for layer, rb, ra in _paired(before.targets, after.targets, "layer"):
        target = _value(ra, "area_target_ha") or _value(rb, "area_target_ha")
        count_target = _value(ra, "count_target") or _value(rb, "count_target")
        pb = float(_value(rb, "area_planned_ha") or 0.0)
        pa = float(_value(ra, "area_planned_ha") or 0.0)
        nb = int(_value(rb, "count") or 0)
        na = int(_value(ra, "count") or 0)
        hb = None if target is None else round(float(target) - pb, 2)
        ha = None if target is None else round(float(target) - pa, 2)
        out.append({
            "layer": layer,
            "area_target_ha": target,
            "area_planned_before": round(pb, 2),
            "area_planned_after": round(pa, 2),
            "area_change_ha": round(pa - pb, 2),
            "headroom_before_ha": hb,
            "headroom_after_ha": ha,
            "headroom_change_ha": None if hb is None or ha is None else round(ha - hb, 2),
            "area_measured_before": _value(rb, "area_measured_ha"),
            "area_measured_after": _value(ra, "area_measured_ha"),
            "count_target": None if count_target is None else int(count_target),
            "count_before": nb,
            "count_after": na,
            "count_headroom_before": None if count_target is None else int(count_target) - nb,
            "count_headroom_after": None if count_target is None else int(count_target) - na,
        })
    return pd.DataFrame(out)


def _districts_table(before: Report, after: Report) -> pd.DataFrame:
    out = []
    for code, rb, ra in _paired(before.districts, after.districts, "ma_huyen"):
        minimum = int(_value(ra, "min_ccn") or _value(rb, "min_ccn") or 0)
        cb, ca = int(_value(rb, "ccn") or 0), int(_value(ra, "ccn") or 0)
        out.append({
            "ma_huyen": code,
            "ten": _value(ra, "ten") or _value(rb, "ten"),
            "min_ccn": minimum,
            "ccn_before": cb,
            "ccn_after": ca,
            "margin_before": cb - minimum,
            "margin_after": ca - minimum,
            "ccn_planned_ha_before": float(_value(rb, "ccn_planned_ha") or 0.0),
            "ccn_planned_ha_after": float(_value(ra, "ccn_planned_ha") or 0.0),
        })
    return pd.DataFrame(out)


@dataclass
class Diff:
    """What changed between two checks of a plan (``before`` → ``after``).

    Attributes
    ----------
    new, resolved, unchanged
        Findings only in ``after``, only in ``before``, and in both with the same verdict
        (matched by fingerprint).
    changed
        ``(before, after)`` pairs with the same fingerprint but another severity, message,
        measured or expected value.
    targets
        Per layer: area target, planned area and headroom (target − planned) before and after,
        counts against the plan's count.
    districts
        Per district: clusters before and after against the minimum (``margin`` = clusters −
        minimum).
    edits
        What was edited, ``{"vi": ..., "en": ...}`` per edit (from :func:`evaluate`).
    lang
        Language of ``repr`` and the HTML view (default: ``KZPLAN_LANG`` or Vietnamese).
    """

    before: Report
    after: Report
    new: list[Finding]
    resolved: list[Finding]
    changed: list[tuple[Finding, Finding]]
    unchanged: list[Finding]
    targets: pd.DataFrame
    districts: pd.DataFrame
    edits: tuple[Mapping[str, str], ...] = ()
    lang: str | None = None

    # --- verdicts ------------------------------------------------------------------------------
    @property
    def new_errors(self) -> list[Finding]:
        """Error findings of ``after`` that ``before`` did not have as errors."""
        out = [f for f in self.new if f.severity == "error"]
        out += [a for b, a in self.changed if a.severity == "error" and b.severity != "error"]
        return out

    @property
    def exit_code(self) -> int:
        """1 when the edit brings a new error, else 0."""
        return 1 if self.new_errors else 0

    @property
    def counts(self) -> dict[str, int]:
        """Number of new, new error, resolved, changed and unchanged findings."""
        return {"new": len(self.new), "new_errors": len(self.new_errors),
                "resolved": len(self.resolved), "changed": len(self.changed),
                "unchanged": len(self.unchanged)}

    # --- words ---------------------------------------------------------------------------------
    def _subject(self, lang: str) -> str:
        if len(self.edits) == 1:
            return self.edits[0][lang]
        if self.edits:
            return messages.text("whatif.subject_many", lang, count=len(self.edits))
        return messages.text("whatif.subject_none", lang)

    def headline(self, lang: str | None = None) -> str:
        """``2 new findings (1 new error), 3 resolved, ...``."""
        return messages.text("diff.headline", lang or self.lang, **self.counts)

    def sentences(self, lang: str | None = None) -> list[str]:
        """One sentence per target whose headroom changed (area, count, clusters per district)."""
        lang = lang or self.lang or messages.default_lang()
        subject = cap(self._subject(lang))
        out: list[str] = []
        for r in self.targets.to_dict(orient="records"):
            layer = r["layer"]
            delta = r["area_change_ha"]
            if abs(delta) >= EPS:
                out.append(_area_sentence(r, subject, lang))
            if r["count_before"] != r["count_after"]:
                target = r["count_target"]
                left = None if target is None else r["count_headroom_after"]
                state = (messages.text("whatif.count_exact", lang) if left == 0 else
                         messages.text("whatif.count_short", lang, n=left) if left and left > 0
                         else messages.text("whatif.count_over", lang, n=-left) if left
                         else "-")
                out.append(messages.text(
                    "whatif.count", lang, subject=subject, noun=NOUN_PLURAL.get(
                        layer, {"vi": layer, "en": layer})[lang], before=r["count_before"],
                    after=r["count_after"], target=target if target is not None else "-",
                    state=state))
        for r in self.districts.to_dict(orient="records"):
            if r["ccn_before"] == r["ccn_after"]:
                continue
            m = r["margin_after"]
            state = (messages.text("whatif.district_above", lang, n=m) if m > 0 else
                     messages.text("whatif.district_exact", lang) if m == 0 else
                     messages.text("whatif.district_below", lang, n=-m))
            out.append(messages.text("whatif.district", lang, subject=subject,
                                     district=r["ten"] or r["ma_huyen"], before=r["ccn_before"],
                                     after=r["ccn_after"], minimum=r["min_ccn"], state=state))
        if not out:
            out.append(messages.text("whatif.no_target_change", lang, subject=subject))
        return out

    def notes(self, lang: str | None = None) -> list[str]:
        """Warnings about the comparison itself (different years or rule packs)."""
        lang = lang or self.lang
        out = []
        if self.before.as_of != self.after.as_of:
            out.append(messages.text("diff.note_as_of", lang, before=self.before.as_of,
                                     after=self.after.as_of))
        if self.before.rule_pack != self.after.rule_pack:
            out.append(messages.text("diff.note_pack", lang, before=self.before.rule_pack,
                                     after=self.after.rule_pack))
        return out

    # --- tables --------------------------------------------------------------------------------
    def to_frame(self) -> gpd.GeoDataFrame:
        """New, resolved and changed findings as a GeoDataFrame with a ``change`` column."""
        rows = [(f, "new") for f in self.new] + [(f, "resolved") for f in self.resolved]
        rows += [(a, "changed") for _, a in self.changed]
        records = []
        for f, change in rows:
            d = f.to_dict(geometry=False)
            d.pop("source", None)
            d["measured"] = json.dumps(d["measured"], ensure_ascii=False) \
                if d["measured"] is not None else None
            d["expected"] = json.dumps(d["expected"], ensure_ascii=False) \
                if d["expected"] is not None else None
            d["change"] = change
            d["geometry"] = f.geometry
            records.append(d)
        columns = ["change", "fingerprint", "rule_id", "rule_name", "severity", "layer", "feature",
                   "fid", "message_vi", "message_en", "fix_vi", "fix_en", "measured", "expected",
                   "key", "geometry"]
        frame = pd.DataFrame(records, columns=columns)
        return gpd.GeoDataFrame(frame, geometry="geometry", crs=self.after.crs or None)

    def to_dict(self) -> dict[str, Any]:
        """Everything, JSON-ready (``schema = "kzplan-diff/1"``)."""

        def side(r: Report) -> dict[str, Any]:
            return {"plan": r.plan_name, "rule_pack": r.rule_pack, "as_of": r.as_of,
                    "valid": r.valid, "stats": r.stats}

        return {
            "schema": DIFF_SCHEMA,
            "before": side(self.before),
            "after": side(self.after),
            "edits": [dict(e) for e in self.edits],
            "counts": self.counts,
            "exit_code": self.exit_code,
            "new_errors": [f.fingerprint for f in self.new_errors],
            "sentences": {lang: self.sentences(lang) for lang in messages.LANGS},
            "notes": {lang: self.notes(lang) for lang in messages.LANGS},
            "targets": [jsonable(r) for r in self.targets.to_dict(orient="records")],
            "districts": [jsonable(r) for r in self.districts.to_dict(orient="records")],
            "new": [f.to_dict() for f in self.new],
            "resolved": [f.to_dict() for f in self.resolved],
            "changed": [{"before": b.to_dict(geometry=False), "after": a.to_dict()}
                        for b, a in self.changed],
            "unchanged": [{"fingerprint": f.fingerprint, "rule_id": f.rule_id,
                           "severity": f.severity, "layer": f.layer, "feature": f.feature}
                          for f in self.unchanged],
        }

    # --- display -------------------------------------------------------------------------------
    def to_html(self, lang: str | None = None) -> str:
        """A self-contained HTML fragment: headline, sentences, headroom and finding tables."""
        return display.to_html(self, lang or self.lang or messages.default_lang())

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        c = self.counts
        return (f"<Diff {self.before.plan_name!r} as_of={self.before.as_of} -> "
                f"{self.after.plan_name!r} as_of={self.after.as_of}: new={c['new']} "
                f"(errors={c['new_errors']}) resolved={c['resolved']} changed={c['changed']} "
                f"unchanged={c['unchanged']} exit_code={self.exit_code}>")


def _area_sentence(r: Mapping[str, Any], subject: str, lang: str) -> str:
    layer = r["layer"]
    noun = NOUN_TARGET.get(layer, {"vi": layer, "en": layer})[lang]
    delta = r["area_change_ha"]
    target = r["area_target_ha"]
    if target is None:
        return messages.text("whatif.area_no_target", lang, subject=subject, noun=noun,
                             before=num(r["area_planned_before"], lang),
                             after=num(r["area_planned_after"], lang))
    left_before, left_after = r["headroom_before_ha"], r["headroom_after_ha"]
    if left_after >= EPS:
        state = messages.text("whatif.area_left", lang, ha=num(left_after, lang))
    elif left_after > -EPS:
        state = messages.text("whatif.area_exact", lang)
    else:
        state = messages.text("whatif.area_over", lang, ha=num(-left_after, lang))
    common = {"subject": subject, "noun": noun, "target": num(target, lang),
              "state": state}
    if delta < 0:
        return messages.text("whatif.area_free", lang, freed=num(-delta, lang), **common)
    if left_before < EPS:
        return messages.text("whatif.area_add_over", lang, used=num(delta, lang), **common)
    key = "whatif.area_use" if delta <= left_before + EPS else "whatif.area_use_over"
    return messages.text(key, lang, used=num(delta, lang), left=num(left_before, lang),
                         **common)


def compare(before: Report, after: Report, *, edits: Iterable[Mapping[str, str]] = (),
            lang: str | None = None) -> Diff:
    """Pair the findings of ``before`` and ``after`` by fingerprint and compare the targets.

    Several findings with one fingerprint (rare) are paired in report order; the extra ones are
    new or resolved.

    Examples
    --------
    >>> edited = whatif.remove(plan, "ccn", "CCN-608-02")  # doctest: +SKIP
    >>> diff = compare(check(plan), check(edited))  # doctest: +SKIP
    >>> diff.resolved, diff.new_errors, diff.sentences("en")  # doctest: +SKIP
    """
    pool: dict[str, list[Finding]] = {}
    for f in before.findings:
        pool.setdefault(f.fingerprint, []).append(f)
    new: list[Finding] = []
    changed: list[tuple[Finding, Finding]] = []
    unchanged: list[Finding] = []
    for f in after.findings:
        candidates = pool.get(f.fingerprint)
        if not candidates:
            new.append(f)
            continue
        old = candidates.pop(0)
        (unchanged.append(f) if _same(old, f) else changed.append((old, f)))
    left = {id(f) for fs in pool.values() for f in fs}
    resolved = [f for f in before.findings if id(f) in left]
    return Diff(before=before, after=after, new=new, resolved=resolved, changed=changed,
                unchanged=unchanged, targets=_targets_table(before, after),
                districts=_districts_table(before, after), edits=tuple(edits), lang=lang)


def _as_edit(edit: Any) -> Edit | Callable[[Plan], Plan]:
    if isinstance(edit, Edit) or callable(edit):
        return edit
    raise WhatIfError("whatif.bad_edit", edit=edit)


def evaluate(plan: Plan, *edits: Edit | Callable[[Plan], Plan], as_of: int | None = None,
             baseline: Report | None = None, lang: str | None = None,
             **check_options: Any) -> Diff:
    """Apply ``edits`` in turn to a copy of ``plan``, check before and after, compare.

    Parameters
    ----------
    plan
        The plan as it is (never modified).
    edits
        :class:`Add`, :class:`Remove`, :class:`Move`, :class:`Resize`, :class:`Set`, or any
        function ``plan -> plan``.
    as_of
        Year both versions are checked as of.
    baseline
        The report of ``plan`` when you already have it (saves one check).
    check_options
        More options for :func:`kzplan.check` (``select``, ``ignore``, ``params``, ``strict``).

    Examples
    --------
    >>> diff = evaluate(plan, Add("ccn", (107.75, 14.42), {"ma": "CCN-616-04",
    ...                 "ma_huyen": "616", "dt_qh_ha": 40}), as_of=2030)  # doctest: +SKIP
    """
    from kzplan.rules import check

    checked = [_as_edit(e) for e in edits]
    current = plan
    described: list[dict[str, str]] = []
    for edit in checked:
        if isinstance(edit, Edit):
            described.append({lg: edit.describe(current, lg) for lg in messages.LANGS})
            current = edit.apply(current)
        else:
            name = getattr(edit, "__name__", type(edit).__name__)
            described.append(messages.both("whatif.edit_custom", name=name))
            current = edit(current)
    before = baseline if baseline is not None else check(plan, as_of=as_of, **check_options)
    after = check(current, as_of=as_of or before.as_of, **check_options)
    after.meta["whatif"] = [d["en"] for d in described]
    return compare(before, after, edits=described, lang=lang)

