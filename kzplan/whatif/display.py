"""How a :class:`~kzplan.whatif.Diff` shows itself: an escaped HTML fragment (Jupyter) and the
headroom tables that ``kzplan diff`` prints (:mod:`kzplan.cli.diff`)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from kzplan import messages, schema
from kzplan.findings import SEVERITY_COLOURS, SEVERITY_LABELS, Finding
from kzplan.whatif._messages import EPS, num

if TYPE_CHECKING:
    from kzplan.whatif.diff import Diff


def to_html(diff: Diff, lang: str) -> str:
    """A self-contained HTML fragment: headline, sentences, headroom and finding tables."""
    t = lambda key, **kw: html.escape(messages.text(key, lang, **kw))  # noqa: E731
    esc = html.escape
    b, a = diff.before, diff.after
    verdict = (t("diff.verdict_fail", n=len(diff.new_errors)) if diff.new_errors
               else t("diff.verdict_ok"))
    colour = SEVERITY_COLOURS["error"] if diff.new_errors else "#1a9641"
    title = t("diff.title", before=b.plan_name, before_as_of=b.as_of, after=a.plan_name,
              after_as_of=a.as_of)
    headline = t("diff.headline", **diff.counts)
    parts = [
        '<div class="kzplan-diff">',
        f"<p><strong>kzplan: {title}</strong><br>{headline} "
        f'<strong style="color:{colour}">{verdict}</strong></p>',
    ]
    if diff.edits:
        items = "".join(f"<li>{esc(e[lang])}</li>" for e in diff.edits)
        parts.append(f"<p>{t('diff.edits')}:</p><ul>{items}</ul>")
    items = "".join(f"<li>{esc(s)}</li>" for s in diff.sentences(lang) + diff.notes(lang))
    parts.append(f"<ul>{items}</ul>")
    parts.append(f"<h4>{t('diff.headroom')}</h4>")
    parts.append(_html_table(targets_view(diff, lang)))
    districts = districts_view(diff, lang)
    if len(districts):
        parts.append(f"<h4>{t('diff.districts')}</h4>")
        parts.append(_html_table(districts))
    for key, findings in (("diff.new", diff.new), ("diff.resolved", diff.resolved)):
        parts.append(f"<h4>{t(key)} ({len(findings)})</h4>")
        parts.append(_html_table(findings_view(findings, lang)) if findings
                     else f"<p>{t('diff.none')}</p>")
    parts.append(f"<h4>{t('diff.changed')} ({len(diff.changed)})</h4>")
    if diff.changed:
        view = findings_view([a for _, a in diff.changed], lang)
        view[messages.text("diff.col_was", lang)] = [f.message(lang) for f, _ in diff.changed]
        parts.append(_html_table(view))
    else:
        parts.append(f"<p>{t('diff.none')}</p>")
    parts.append("</div>")
    return "\n".join(parts)


def targets_view(diff: Diff, lang: str) -> pd.DataFrame:
    """Per layer: area target, planned area and headroom before → after, counts."""
    c = lambda key: messages.text(key, lang)  # noqa: E731
    cell = lambda value: "" if value is None else num(value, lang)  # noqa: E731
    rows = []
    for r in diff.targets.to_dict(orient="records"):
        rows.append({
            c("diff.col_layer"): schema.LAYER_LABELS.get(r["layer"], {}).get(lang, r["layer"]),
            c("diff.col_target") + " (ha)": cell(r["area_target_ha"]),
            c("diff.col_area"): f"{cell(r['area_planned_before'])} → "
                                f"{cell(r['area_planned_after'])}",
            c("diff.col_left_before"): cell(r["headroom_before_ha"]),
            c("diff.col_left_after"): cell(r["headroom_after_ha"]),
            c("diff.col_count"): f"{r['count_before']} → {r['count_after']}"
            + (f" / {r['count_target']}" if r["count_target"] is not None else ""),
        })
    return pd.DataFrame(rows)


def districts_view(diff: Diff, lang: str) -> pd.DataFrame:
    """The districts whose clusters or cluster area changed: minimum, clusters, area."""
    c = lambda key: messages.text(key, lang)  # noqa: E731
    rows = []
    for r in diff.districts.to_dict(orient="records"):
        if r["ccn_before"] == r["ccn_after"] and abs(
                r["ccn_planned_ha_before"] - r["ccn_planned_ha_after"]) < EPS:
            continue
        rows.append({
            c("diff.col_district"): r["ten"] or r["ma_huyen"],
            c("diff.col_min"): r["min_ccn"],
            c("diff.col_before"): r["ccn_before"],
            c("diff.col_after"): r["ccn_after"],
            c("diff.col_area"): f"{num(r['ccn_planned_ha_before'], lang)} → "
                                f"{num(r['ccn_planned_ha_after'], lang)}",
        })
    return pd.DataFrame(rows)


def findings_view(findings: Sequence[Finding], lang: str) -> pd.DataFrame:
    """Severity, rule, layer, feature and message of each finding."""
    c = lambda key: messages.text(key, lang)  # noqa: E731
    return pd.DataFrame({
        c("diff.col_severity"): [SEVERITY_LABELS[f.severity][lang] for f in findings],
        c("diff.col_rule"): [f"{f.rule_id} {f.rule_name}" for f in findings],
        c("diff.col_layer"): [f.layer or "" for f in findings],
        c("diff.col_feature"): [f.feature or "" for f in findings],
        c("diff.col_message"): [f.message(lang) for f in findings],
    })


def _html_table(frame: pd.DataFrame) -> str:
    """An escaped HTML table (attribute text is data, never markup)."""
    return frame.to_html(index=False, escape=True, na_rep="", border=0,
                         classes="kzplan-table")
