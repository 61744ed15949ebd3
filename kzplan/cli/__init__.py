"""The ``kzplan`` command: one module per sub-command, all registered here and nowhere else.

Exit codes: 0 all rules hold, 1 checked and some error-severity rule fails, 2 could not check.
Each command module defines a plain function; importing a module registers nothing.
"""

from __future__ import annotations

import typer

from kzplan.cli import check, clean, diff, info, init, map, rules, run
from kzplan.cli._help import h

app = typer.Typer(
    name="kzplan",
    help=h("app"),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Every sub-command, in the order ``kzplan --help`` lists them.
COMMANDS = (
    ("info", info.info),
    ("check", check.check),
    ("rules", rules.rules),
    ("map", map.map_),
    ("run", run.run),
    ("diff", diff.diff),
    ("clean", clean.clean_command),
    ("init", init.init),
)
for _name, _func in COMMANDS:
    app.command(_name)(_func)


def main() -> None:
    """Entry point of the ``kzplan`` console script."""
    app()


__all__ = ["COMMANDS", "app", "main"]
