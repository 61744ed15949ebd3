"""``kzplan check``: every rule of the plan, every finding, in the chosen report formats."""

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
    Format,
    Lang,
    LangOpt,
    PathsArg,
    ReaderOpt,
    check_as_of,
    guarded,
    load,
    make_console,
    parse_params,
    split_csv,
    validate_rules,
)
from kzplan.cli._help import h


def check(
    paths: PathsArg = None,
    as_of: Annotated[int | None, typer.Option("--as-of", help=h("as_of"))] = None,
    districts: DistrictsOpt = None,
    lang: LangOpt = Lang.vi,
    fmt: Annotated[list[Format] | None, typer.Option("--format", "-f", help=h("formats"))] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=h("output"))] = None,
    select: Annotated[list[str] | None, typer.Option("--select", help=h("select"))] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help=h("ignore"))] = None,
    param: Annotated[list[str] | None, typer.Option("--param", help=h("param"))] = None,
    strict: Annotated[bool, typer.Option("--strict", help=h("strict"))] = False,
    crs: CrsOpt = None,
    encoding: EncodingOpt = None,
    reader: ReaderOpt = None,
    engine: Annotated[str, typer.Option("--engine", help=h("engine"))] = "memory",
    dask_address: Annotated[str | None, typer.Option("--dask-address",
                                                     help=h("dask_address"))] = None,
) -> None:
    """Check the plan against its rule pack and report every finding.
    Kiểm tra quy hoạch theo gói luật và báo cáo mọi phát hiện.

    Examples: `kzplan check` · `kzplan check geodata/ --as-of 2030 --lang en` ·
    `kzplan check edits/ --districts ranh_huyen.gpkg -f html -f gpkg -o out/` ·
    `kzplan check --select DT,OC --ignore AR04` ·
    `kzplan check geodata/ lo_dat=lots.parquet --engine dask`
    """
    from kzplan.report import write_report

    def go() -> int:
        from kzplan.rules import check as run_check

        check_as_of(as_of)
        params = parse_params(param or [], lang.value)
        plan = load(paths, crs, encoding, districts,
                     before_read=validate_rules(split_csv(select), split_csv(ignore), params),
                    reader=reader)
        report = run_check(plan, as_of=as_of, select=split_csv(select), ignore=split_csv(ignore),
                           params=params, strict=strict or None, engine=engine,
                           dask_address=dask_address)
        formats = [f.value for f in (fmt or [Format.terminal])]
        for f in formats:
            if f == "terminal" and output is None:
                from kzplan.report import terminal

                terminal.print_report(report, console=make_console(), lang=lang.value)
                continue
            target = write_report(report, f, output, lang=lang.value, plan=plan,
                                  several=len(formats) > 1)
            print(messages.text("cli.wrote", lang.value, path=target), file=sys.stderr)
        return report.exit_code

    code = guarded(go, lang.value)
    raise typer.Exit(code)
