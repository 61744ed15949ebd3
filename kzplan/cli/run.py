"""``kzplan run``: the main job. Check the plan, write every report and the map into one folder."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kzplan import messages
from kzplan.cli._common import (
    CrsOpt,
    DistrictsOpt,
    EncodingOpt,
    Lang,
    LangOpt,
    PathsArg,
    ReaderOpt,
    check_as_of,
    guarded,
    load,
    make_console,
    validate_rules,
)
from kzplan.cli._help import h

REPORT_FORMATS = ("json", "html", "gpkg")
MAP_NAME = "kzplan-map.html"


def run(
    paths: PathsArg = None,
    output: Annotated[Path, typer.Option("--output", "-o", help=h("run_output"))] = Path("maps"),
    as_of: Annotated[int | None, typer.Option("--as-of", help=h("as_of"))] = None,
    districts: DistrictsOpt = None,
    lang: LangOpt = Lang.vi,
    offline: Annotated[bool, typer.Option("--offline/--online", help=h("run_offline"))] = True,
    crs: CrsOpt = None,
    encoding: EncodingOpt = None,
    reader: ReaderOpt = None,
    fail_on_errors: Annotated[bool, typer.Option("--fail-on-errors", help=h("run_gate"))] = False,
) -> None:
    """Check the plan, then write the reports (JSON, HTML, GeoPackage) and the map into a folder.
    Kiểm tra quy hoạch, rồi ghi báo cáo (JSON, HTML, GeoPackage) và bản đồ vào một thư mục.

    Exit code: 0 when everything was written (the verdict is printed and in the reports; with
    `--fail-on-errors`, 1 when some error-level rule fails, as `kzplan check`), 2 when it could
    not check.

    Examples: `kzplan run` (the bundled plan, into maps/) ·
    `kzplan run edits/ --districts ranh_huyen.gpkg -o out/ --lang en`
    """
    from kzplan.maps import write_map
    from kzplan.report import terminal, write_report
    from kzplan.rules import check

    def go() -> int:
        check_as_of(as_of)
        plan = load(paths, crs, encoding, districts,
                     before_read=validate_rules((), (), {}), reader=reader)
        report = check(plan, as_of=as_of)
        terminal.print_report(report, console=make_console(), lang=lang.value)
        written = [write_report(report, fmt, output, lang=lang.value, plan=plan, several=True)
                   for fmt in REPORT_FORMATS]
        map_path = write_map(plan, output / MAP_NAME, report=report, lang=lang.value,
                             offline=offline, as_of=report.as_of)
        written.append(map_path)
        print(messages.text("run.done", lang.value, folder=output,
                            files=", ".join(p.name for p in written), map=map_path),
              file=sys.stderr)
        return report.exit_code if fail_on_errors else 0

    raise typer.Exit(guarded(go, lang.value))
