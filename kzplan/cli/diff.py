"""``kzplan diff OLD NEW``: what changed between two checked versions of a plan.

OLD and NEW are each a plan (folder, ``kzplan.toml``, zip, GeoPackage: checked now) or a JSON report
written by ``kzplan check -f json``. Findings are paired by fingerprint (new, resolved, changed,
unchanged) and the headroom to every target is compared (:mod:`kzplan.whatif`).

Exit codes (``--fail-on``): ``new-errors`` (default) 1 only when NEW has error findings OLD did not
have, so CI on a plan repository fails only on new errors; ``any-errors`` 1 when NEW has any error;
``never`` 0. Exit code 2 when a side could not be read or checked.
"""

from __future__ import annotations

import enum
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from kzplan import io, messages
from kzplan.cli._common import (
    CrsOpt,
    EncodingOpt,
    Lang,
    LangOpt,
    check_as_of,
    check_encoding,
    guarded,
    make_console,
)
from kzplan.cli._help import h
from kzplan.findings import SEVERITY_COLOURS, SEVERITY_LABELS

if TYPE_CHECKING:
    from kzplan.findings import Finding, Report
    from kzplan.whatif import Diff

class FailOn(str, enum.Enum):
    """When ``kzplan diff`` exits with 1."""

    new_errors = "new-errors"
    any_errors = "any-errors"
    never = "never"


class DiffFormat(str, enum.Enum):
    """Output formats of ``kzplan diff``."""

    terminal = "terminal"
    json = "json"


def _is_report(path: Path) -> bool:
    """True when ``path`` is a kzplan JSON report (by its content: see
    :func:`kzplan.report.json.is_report_file`); anything else is a plan to check."""
    from kzplan.report.json import is_report_file

    return is_report_file(path)


def _reports(old: str, new: str, *, as_of: int | None, crs: str | None,
             encoding: str | None) -> tuple[Report, Report]:
    from kzplan.plan import load_plan
    from kzplan.rules import check
    from kzplan.whatif import read_report

    sides: list[Report | None] = []
    for arg in (old, new):
        path = Path(arg)
        sides.append(read_report(path) if _is_report(path) else None)
    years = {r.as_of for r in sides if r is not None}
    year = as_of or (years.pop() if len(years) == 1 else None)
    out = []
    for arg, report in zip((old, new), sides, strict=True):
        if report is None:
            report = check(load_plan(arg, crs=crs, encoding=encoding), as_of=year)
        out.append(report)
    return out[0], out[1]


def _exit_code(diff: Diff, fail_on: FailOn) -> int:
    if fail_on is FailOn.never:
        return 0
    if fail_on is FailOn.any_errors:
        return diff.after.exit_code
    return diff.exit_code


def _severity(f: Finding, lang: str) -> Text:
    return Text(SEVERITY_LABELS[f.severity][lang], style=SEVERITY_COLOURS[f.severity])


def _findings_table(title: str, findings: list[Finding], lang: str,
                    was: list[Finding] | None = None) -> Table:
    t = lambda key: messages.text(key, lang)  # noqa: E731
    table = Table(title=f"{title} ({len(findings)})", title_justify="left", expand=False)
    table.add_column(t("diff.col_severity"))
    table.add_column(t("diff.col_rule"))
    table.add_column(t("diff.col_feature"))
    table.add_column(t("diff.col_message"), overflow="fold")
    for i, f in enumerate(findings):
        message = f.message(lang)
        if was is not None:
            message = f"{message}\n[{t('diff.col_was')}] {was[i].message(lang)}"
        table.add_row(_severity(f, lang), f"{f.rule_id}\n{f.rule_name}",
                      " ".join(p for p in (f.layer, f.feature) if p), Text(message))
    return table


def print_diff(diff: Diff, *, console: Console, lang: str) -> None:
    """The diff as rich tables: headline, sentences, headroom, findings."""
    b, a = diff.before, diff.after
    console.print(Text(messages.text("diff.title", lang, before=b.plan_name,
                                     before_as_of=b.as_of, after=a.plan_name,
                                     after_as_of=a.as_of), style="bold"))
    console.print(Text(diff.headline(lang)))
    for sentence in diff.sentences(lang) + diff.notes(lang):
        console.print(Text("• " + sentence))
    from kzplan.whatif.display import districts_view, targets_view

    views = ((messages.text("diff.headroom", lang), targets_view(diff, lang)),
             (messages.text("diff.districts", lang), districts_view(diff, lang)))
    for title, view in views:
        if not len(view):
            continue
        table = Table(title=title, title_justify="left")
        for column in view.columns:
            table.add_column(str(column))
        for row in view.itertuples(index=False):
            table.add_row(*(Text(str(v)) for v in row))
        console.print(table)
    for key, findings in (("diff.new", diff.new), ("diff.resolved", diff.resolved)):
        if findings:
            console.print(_findings_table(messages.text(key, lang), findings, lang))
    if diff.changed:
        console.print(_findings_table(messages.text("diff.changed", lang),
                                      [x for _, x in diff.changed], lang,
                                      was=[x for x, _ in diff.changed]))
    verdict = (messages.text("diff.verdict_fail", lang, n=len(diff.new_errors))
               if diff.new_errors else messages.text("diff.verdict_ok", lang))
    console.print(Text(verdict, style="bold red" if diff.new_errors else "bold green"))


def diff(
    old: Annotated[str, typer.Argument(help=h("diff_old"),
                                       show_default=False)],
    new: Annotated[str, typer.Argument(help=h("diff_new"),
                                       show_default=False)],
    as_of: Annotated[int | None, typer.Option("--as-of", help=h("diff_as_of"))] = None,
    lang: LangOpt = Lang.vi,
    fmt: Annotated[DiffFormat, typer.Option("--format", "-f", help=h("format"))] =
    DiffFormat.terminal,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help=h("fail_on"))] = FailOn.new_errors,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=h("diff_output"))] = None,
    crs: CrsOpt = None,
    encoding: EncodingOpt = None,
) -> None:
    """Show what changed between two versions of a plan: new, resolved and changed findings and
    the headroom to each target. In CI, fails only on new errors.
    So sánh hai phiên bản quy hoạch: phát hiện mới, đã khắc phục, thay đổi, và dư địa chỉ tiêu.

    Examples: `kzplan diff main/ edits/` · `kzplan diff old.json new.json --lang en` ·
    `kzplan diff base.json geodata/ --fail-on new-errors -f json -o diff.json`
    """
    from kzplan.whatif import compare

    def go() -> int:
        check_as_of(as_of)
        check_encoding(encoding)
        before, after = _reports(old, new, as_of=as_of, crs=crs, encoding=encoding)
        result = compare(before, after, lang=lang.value)
        if fmt is DiffFormat.json:
            text = json.dumps(_clean(result.to_dict()), ensure_ascii=False, indent=2,
                              allow_nan=False) + "\n"
            if output is None:
                sys.stdout.write(text)
            else:
                io.write_text(output, text)
                print(messages.text("cli.wrote", lang.value, path=output), file=sys.stderr)
        else:
            print_diff(result, console=make_console(), lang=lang.value)
        return _exit_code(result, fail_on)

    code = guarded(go, lang.value)
    raise typer.Exit(code)


def _clean(value: Any) -> Any:
    """NaN and ±inf -> None everywhere, so the JSON is strict."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value
