"""``kzplan rules``: the rule pack, with severities, parameters and sources."""

from __future__ import annotations

from typing import Annotated

import typer

from kzplan.cli._common import (
    Lang,
    LangOpt,
    guarded,
    make_console,
)
from kzplan.cli._help import h


def rules(
    lang: LangOpt = Lang.vi,
    pack: Annotated[str | None, typer.Option("--pack", help=h("pack"))] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help=h("verbose"))] = False,
) -> None:
    """List the rules of a pack with their severity, parameters and legal source.
    Liệt kê các luật với mức độ, tham số và căn cứ pháp lý.

    Examples: `kzplan rules` · `kzplan rules --lang en -v`
    """
    from kzplan.report import terminal
    from kzplan.rules import load_pack

    guarded(lambda: terminal.print_rules(load_pack(pack), console=make_console(), lang=lang.value,
                                      verbose=verbose), lang.value)
