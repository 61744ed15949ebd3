"""Terminal output: readable tables at a glance (rich)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from kzplan import io, messages, schema
from kzplan._format import fmt_number
from kzplan.findings import SEVERITIES, SEVERITY_LABELS

if TYPE_CHECKING:
    from kzplan.findings import Report
    from kzplan.plan import Plan
    from kzplan.rules.pack import RulePack


_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _t(key: str, lang: str, **kw: Any) -> str:
    return messages.text(key, lang, **kw)


def _num(value: Any, lang: str, digits: int = 2) -> str:
    """Numbers in ``lang``'s style with their trailing zeros (vi ``1.729,70``, en ``1,729.70``)."""
    return fmt_number(value, lang, digits, trim=False)


def print_info(plan: Plan, *, console: Console, lang: str = "vi") -> None:
    """Per layer: file, driver, CRS, encoding, count, total and per-feature areas."""
    table = Table(title=_t("term.info_title", lang, name=plan.config.name), title_justify="left")
    for key in ("term.layer", "term.file", "term.driver", "term.crs", "term.encoding"):
        table.add_column(_t(key, lang))
    for key in ("term.features", "term.planned", "term.measured"):
        table.add_column(_t(key, lang), justify="right")
    summary = plan.summary(lang)
    for row in summary.itertuples():
        info = plan.info[row.layer]
        enc = f"{info.encoding or '–'} ({info.encoding_source})" if info.encoding_source else "–"
        crs = f"{info.crs} ({info.crs_source})" if info.crs else "–"
        table.add_row(f"{row.layer}: {row.label}", info.label, info.driver, crs, enc,
                      str(row.features), _num(row.planned_ha, lang), _num(row.measured_ha, lang))
    console.print(table)
    for name in schema.PLAN_LAYERS:
        if name not in plan:
            continue
        frame = plan[name]
        ft = Table(title=_t("term.features_title", lang, layer=schema.LAYER_LABELS[name][lang]),
                   title_justify="left")
        for key in ("term.code", "term.name", "term.district", "term.status", "term.confidence"):
            ft.add_column(_t(key, lang))
        ft.add_column(_t("term.planned", lang), justify="right")
        ft.add_column(_t("term.measured", lang), justify="right")
        for r in frame.itertuples():
            ft.add_row(Text(str(r.ma or "")), Text(str(r.ten or "")), Text(str(r.ma_huyen or "")),
                       Text(str(r.trang_thai or "")), Text(str(r.tin_cay or "")),
                       _num(r.dt_qh_ha, lang), _num(r.dt_do_ha, lang))
        console.print(ft)
    notes = [(n, info) for n, info in plan.info.items() for _ in info.notes]
    if notes:
        console.print(f"[bold]{_t('term.notes', lang)}[/bold]")
        for name, info in plan.info.items():
            for note in info.notes:
                console.print(Text(f"  {name} ({info.label}): "
                                   + messages.text(note.key, lang, **note.params)))


def print_description(desc: Any, guess: Any, *, console: Console, lang: str = "vi") -> None:
    """Any vector file (``kzplan info FILE``): driver, features, geometry, fields with samples,
    CRS, encoding, extent in degrees, and the plan layer it looks like (:mod:`kzplan.describe`)."""
    from kzplan.describe import extent_text

    console.print(Text(_t("describe.title", lang, file=desc.file.name, driver=desc.driver,
                          count=fmt_number(desc.count, lang),
                          geometry=desc.geometry_type or "–")))
    if desc.crs_problem:
        console.print(Text(_t("describe.crs_problem", lang, problem=desc.crs_problem[lang])))
    else:
        console.print(Text(_t("describe.crs", lang, crs=desc.crs or "–")))
    for note in desc.crs_notes:
        console.print(Text("  " + note[lang]))
    enc = desc.encoding_problem[lang] if desc.encoding_problem else (
        f"{desc.encoding or '–'} ({desc.encoding_source}: {desc.encoding_reason})")
    console.print(Text(_t("describe.encoding", lang, encoding=enc)))
    if desc.lonlat is not None:
        console.print(Text(_t("describe.extent_line", lang, extent=extent_text(desc.lonlat, lang))))
    table = Table(title=_t("describe.fields_title", lang), title_justify="left")
    for key in ("describe.col.field", "describe.col.type", "describe.col.samples",
                "describe.col.maps_to"):
        table.add_column(_t(key, lang))
    maps_to = {their: canon for canon, (their, _) in guess.fields.items()}
    for f in desc.fields:
        samples = ", ".join(fmt_number(v, lang) if isinstance(v, (int, float)) else repr(v)
                            for v in f.samples)
        table.add_row(Text(f.name), f.dtype, Text(samples), maps_to.get(f.name, ""))
    console.print(table)
    if guess.layer is None:
        console.print(Text(_t("describe.no_layer", lang, evidence=guess.layer_evidence[lang])))
    else:
        console.print(Text(_t("describe.layer_guess", lang, layer=guess.layer,
                              evidence=guess.layer_evidence[lang])))
    if guess.missing:
        console.print(Text(_t("describe.missing", lang, fields=", ".join(guess.missing))))


def print_targets(report: Report, console: Console, lang: str) -> None:
    """The targets table."""
    table = Table(title=_t("term.targets_title", lang), title_justify="left")
    table.add_column(_t("term.layer", lang))
    for key in ("term.count", "term.target", "term.planned", "term.measured", "term.diff"):
        table.add_column(_t(key, lang), justify="right")
    for r in report.targets.itertuples():
        label = r.label_vi if lang == "vi" else r.label_en
        count_ok = r.count_target is None or r.count == r.count_target
        table.add_row(
            label,
            Text(f"{r.count}/{_num(r.count_target, lang)}", style="" if count_ok else "bold red"),
            _num(r.area_target_ha, lang), _num(r.area_planned_ha, lang),
            _num(r.area_measured_ha, lang),
            _num(r.diff_planned_ha, lang),
        )
    console.print(table)


def print_districts(report: Report, console: Console, lang: str) -> None:
    """The per-district table."""
    table = Table(title=_t("term.districts_title", lang), title_justify="left")
    table.add_column(_t("term.code", lang))
    table.add_column(_t("term.district", lang))
    for key in ("term.count", "term.min", "term.operating", "term.planned"):
        table.add_column(_t(key, lang), justify="right")
    table.add_column(_t("term.ok", lang))
    for r in report.districts.itertuples():
        ok = Text(_t("term.yes", lang), style="green") if r.ok else Text(_t("term.no", lang),
                                                                        style="bold red")
        table.add_row(r.ma_huyen, Text(str(r.ten)), str(r.ccn), str(r.min_ccn),
                      str(r.ccn_operating), _num(r.ccn_planned_ha, lang), ok)
    console.print(table)


def indicators_line(report: Report, lang: str) -> str:
    """One sentence of occupancy and wastewater figures."""
    ind = report.indicators
    pct = _num(ind.get("occupancy_target_pct"), lang, 0)
    target = (f"{pct} % ({ind.get('occupancy_target_year')})"
              if ind.get("occupancy_target_year") else _t("term.none_target", lang))
    return _t("term.indicators", lang, known=ind.get("occupancy_known", 0),
              established=ind.get("established", 0),
              mean=_num(ind.get("occupancy_mean_pct"), lang, 1),
              target=target, ok=ind.get("wastewater_ok", 0),
              missing=ind.get("wastewater_missing", 0), unknown=ind.get("wastewater_unknown", 0),
              unverified=ind.get("wastewater_unverified", 0),
              op_without=ind.get("operating_without_wastewater", 0))


def print_report(report: Report, *, console: Console, lang: str = "vi") -> None:
    """Summary (targets, districts, indicators), then the findings, then the verdict."""
    console.print(Text(_t("term.report_title", lang, plan=report.plan_name,
                          pack=report.rule_pack, as_of=report.as_of), style="bold"))
    print_targets(report, console, lang)
    print_districts(report, console, lang)
    console.print(Text(indicators_line(report, lang)))
    if report.findings:
        table = Table(title=_t("term.findings_title", lang), title_justify="left",
                      show_lines=False)
        table.add_column(_t("term.severity", lang))
        table.add_column(_t("term.rule", lang))
        table.add_column(_t("term.feature", lang))
        table.add_column(_t("term.message", lang), overflow="fold")
        for f in report.findings:
            body = Text(f.message(lang))
            body.append("\n→ " + f.fix(lang), style="dim")
            table.add_row(Text(SEVERITY_LABELS[f.severity][lang], style=_STYLE[f.severity]),
                          f"{f.rule_id}\n{f.rule_name}",
                          Text(f"{f.layer or ''} {f.feature or ''}".strip()), body)
        console.print(table)
    stats = report.stats
    key = "term.verdict_ok" if report.valid else "term.verdict_fail"
    console.print(Text(_t(key, lang, **{s: stats[s] for s in SEVERITIES}),
                       style="bold green" if report.valid else "bold red"))
    for note in report.verdict_notes(lang):
        console.print(Text(note))


def print_rules(pack: RulePack, *, console: Console, lang: str = "vi",
                verbose: bool = False) -> None:
    """The rules of a pack with severity, source (and parameters, templates when verbose)."""
    table = Table(title=_t("term.rules_title", lang, pack=pack.id, version=pack.version),
                  title_justify="left", show_lines=verbose)
    table.add_column("ID")
    table.add_column(_t("term.rule", lang))
    table.add_column(_t("term.severity", lang))
    table.add_column(_t("term.source", lang), overflow="fold")
    if verbose:
        table.add_column(_t("term.params", lang), overflow="fold")
    for r in pack.rules:
        quote = r.source.quote_vi if lang == "vi" else r.source.quote_en
        source = r.source.label() + (f"\n“{quote}”" if verbose and quote else "")
        row = [r.id, Text(f"{r.name}\n{r.title(lang)}"),
               Text(SEVERITY_LABELS[r.severity][lang], style=_STYLE[r.severity]), Text(source)]
        if verbose:
            row.append(Text("\n".join(f"{k} = {v}" for k, v in r.params.items()) or "–"))
        table.add_row(*row)
    console.print(table)


def write(report: Report, target: Path, *, lang: str = "vi", plan: Plan | None = None) -> Path:
    """Write the terminal report as plain text."""
    console = Console(record=True, width=140, file=StringIO())
    print_report(report, console=console, lang=lang)
    return io.write_text(target, console.export_text())
