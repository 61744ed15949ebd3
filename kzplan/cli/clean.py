"""``kzplan clean``: write clean copies of layers QGIS would misread (see :mod:`kzplan.clean`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kzplan import messages
from kzplan.clean import Cleaned, clean
from kzplan.cli._common import (
    CrsOpt,
    EncodingOpt,
    Lang,
    LangOpt,
    check_encoding,
    guarded,
    make_console,
)
from kzplan.cli._help import h


def print_results(results: list[Cleaned], *, lang: str, plan_crs: str
                  ) -> None:
    """A table of what was done, then which files to open."""
    from rich.table import Table
    from rich.text import Text

    console = make_console()
    table = Table(title=messages.text("clean.title", lang), show_lines=True)
    for key in ("layer", "original", "done", "open"):
        table.add_column(messages.text(f"clean.col.{key}", lang), overflow="fold")
    for r in results:
        done = "; ".join(reason[lang] for reason in r.reasons) if r.needed else \
            messages.text("clean.already", lang, target=plan_crs)
        # paths and reasons are user data, never rich markup
        table.add_row(Text(r.layer), Text(str(r.original)), Text(done), Text(str(r.open_path())))
    console.print(table)
    written = [str(r.target) for r in results if r.needed]
    if written:
        console.print(Text(messages.text("clean.open", lang, files=", ".join(written))))
    else:
        console.print(Text(messages.text("clean.nothing", lang, target=plan_crs)))


def clean_command(
    paths: Annotated[list[str], typer.Argument(help=h("sources"),
                                               show_default=False)],
    crs: CrsOpt = None,
    encoding: EncodingOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=h("clean_output"))] = None,
    lang: LangOpt = Lang.vi,
) -> None:
    """Write clean copies (UTF-8 .cpg, .prj of the plan's CRS) of layers QGIS would misread.
    Ghi bản sạch (UTF-8 .cpg, .prj theo hệ tọa độ của kế hoạch) của các lớp QGIS có thể đọc sai.

    Never writes over an original; says which file to open in QGIS.

    Examples: `kzplan clean edits/` · `kzplan clean ccn=cu/ccn_tcvn3.shp --encoding tcvn3` ·
    `kzplan clean edits/ccn.shp --crs EPSG:9218 -o clean/`
    """

    def go() -> None:
        check_encoding(encoding)
        results = clean(paths, crs=crs, encoding=encoding, output=output)
        print_results(results, lang=lang.value,
                      plan_crs=results[0].plan_crs if results else "")

    guarded(go, lang.value)
    sys.stdout.flush()
