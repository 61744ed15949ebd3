"""The ``kzplan`` command: one function per sub-command, meaningful exit codes.

Exit codes: 0 all rules hold, 1 checked and some error-severity rule fails, 2 could not check.
"""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kzplan import messages
from kzplan._errors import KzplanError
from kzplan._help import h
from kzplan.findings import EXIT_ERROR

messages.register(
    {
        "cli.error_prefix": {"vi": "kzplan: không kiểm tra được: ", "en": "kzplan: could not check: "},
        "cli.unexpected": {
            "vi": "lỗi nội bộ ({kind}: {error}). Hãy báo lỗi kèm lệnh đã chạy; đặt KZPLAN_DEBUG=1"
            " để xem chi tiết.",
            "en": "internal error ({kind}: {error}). Please report it with the command you ran;"
            " set KZPLAN_DEBUG=1 for details.",
        },
        "cli.wrote": {"vi": "Đã ghi {path}", "en": "Wrote {path}"},
        "cli.bad_param": {
            "vi": "--param {value!r}: cần dạng MÃ_LUẬT.tham_số=giá_trị, ví dụ OC01.targets={{2025=60}}"
            " hoặc AR03.tolerance_pct=2.",
            "en": "--param {value!r}: expected RULE.key=value, e.g. AR03.tolerance_pct=2.",
        },
    }
)

app = typer.Typer(
    name="kzplan",
    help=h("app"),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Lang(str, enum.Enum):
    """Language of the output."""

    vi = "vi"
    en = "en"


class Format(str, enum.Enum):
    """Report formats of ``kzplan check``."""

    terminal = "terminal"
    json = "json"
    html = "html"
    gpkg = "gpkg"


PathsArg = Annotated[
    list[str] | None,
    typer.Argument(help=h("paths"), show_default=False),
]
CrsOpt = Annotated[str | None, typer.Option("--crs", help=h("crs"))]
EncodingOpt = Annotated[str | None, typer.Option("--encoding", help=h("encoding"))]
DistrictsOpt = Annotated[str | None, typer.Option("--districts", help=h("districts"))]
ReaderOpt = Annotated[str | None, typer.Option("--reader", help=h("reader"))]
LangOpt = Annotated[Lang, typer.Option("--lang", help=h("lang"))]


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 120)


def _fail(err: KzplanError, lang: str) -> typer.Exit:
    print(messages.text("cli.error_prefix", lang) + err.render(lang), file=sys.stderr)
    return typer.Exit(EXIT_ERROR)


def _run(func, lang: str):  # noqa: ANN001, ANN202 - tiny wrapper
    """Turn kzplan errors (and anything unexpected) into one line and exit code 2."""
    try:
        return func()
    except KzplanError as err:
        raise _fail(err, lang) from None
    except typer.Exit:
        raise
    except Exception as err:  # noqa: BLE001 - the user gets one line, never a traceback
        if os.environ.get("KZPLAN_DEBUG"):
            raise
        print(messages.text("cli.error_prefix", lang)
              + messages.text("cli.unexpected", lang, kind=type(err).__name__, error=err),
              file=sys.stderr)
        raise typer.Exit(EXIT_ERROR) from None


def _load(paths: list[str] | None, crs: str | None, encoding: str | None,
          districts: str | None, before_read=None,  # noqa: ANN001
          reader: str | None = None):  # noqa: ANN202
    from kzplan.plan import load_plan

    return load_plan(paths or None, crs=crs, encoding=encoding, districts=districts,
                     before_read=before_read, reader=reader)


def _validate_rules(select: tuple[str, ...], ignore: tuple[str, ...],
                    params: dict[str, dict[str, object]]):  # noqa: ANN202
    """A ``before_read`` hook: the rule pack, selectors and parameters fail before any data."""
    from kzplan.rules import load_pack

    def validate(cfg) -> None:  # noqa: ANN001
        pack = load_pack(cfg.rule_pack)
        if cfg.rules.params:
            pack = pack.with_params(cfg.rules.params, where="kzplan.toml [rules.params]")
        if params:
            pack = pack.with_params(params, where="--param")
        pack.select(select or cfg.rules.select, ignore + cfg.rules.ignore)

    return validate


@app.command()
def info(paths: PathsArg = None, crs: CrsOpt = None, encoding: EncodingOpt = None,
         districts: DistrictsOpt = None, lang: LangOpt = Lang.vi,
         reader: ReaderOpt = None) -> None:
    """Describe the plan's layers: file, driver, CRS, encoding, features, areas.
    Mô tả các lớp: tệp, định dạng, hệ tọa độ, bảng mã, số đối tượng, diện tích.

    Examples: `kzplan info` (bundled plan) · `kzplan info geodata/` ·
    `kzplan info ccn=edits/ccn.shp --crs EPSG:9216`
    """
    from kzplan.report import terminal

    def go() -> None:
        plan = _load(paths, crs, encoding, districts, reader=reader)
        terminal.print_info(plan, console=_console(), lang=lang.value)

    _run(go, lang.value)


def _parse_params(values: list[str], lang: str) -> dict[str, dict[str, object]]:
    import tomllib

    out: dict[str, dict[str, object]] = {}
    for value in values:
        head, sep, raw = value.partition("=")
        rule_id, dot, key = head.partition(".")
        if not (sep and dot and rule_id and key):
            print(messages.text("cli.error_prefix", lang)
                  + messages.text("cli.bad_param", lang, value=value), file=sys.stderr)
            raise typer.Exit(EXIT_ERROR)
        try:
            parsed = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            parsed = raw
        out.setdefault(rule_id, {})[key] = parsed
    return out


def _split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(v.strip() for item in values or [] for v in item.split(",") if v.strip())


@app.command()
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
) -> None:
    """Check the plan against its rule pack and report every finding.
    Kiểm tra quy hoạch theo gói luật và báo cáo mọi phát hiện.

    Examples: `kzplan check` · `kzplan check geodata/ --as-of 2030 --lang en` ·
    `kzplan check edits/ --districts ranh_huyen.gpkg -f html -f gpkg -o out/` ·
    `kzplan check --select DT,OC --ignore AR04`
    """
    from kzplan.report import write_report

    def go() -> int:
        from kzplan.rules import check as run_check

        params = _parse_params(param or [], lang.value)
        plan = _load(paths, crs, encoding, districts,
                     before_read=_validate_rules(_split(select), _split(ignore), params),
                     reader=reader)
        report = run_check(plan, as_of=as_of, select=_split(select), ignore=_split(ignore),
                           params=params, strict=strict or None)
        formats = [f.value for f in (fmt or [Format.terminal])]
        for f in formats:
            if f == "terminal" and output is None:
                from kzplan.report import terminal

                terminal.print_report(report, console=_console(), lang=lang.value)
                continue
            target = write_report(report, f, output, lang=lang.value, plan=plan,
                                  several=len(formats) > 1)
            print(messages.text("cli.wrote", lang.value, path=target), file=sys.stderr)
        return report.exit_code

    code = _run(go, lang.value)
    raise typer.Exit(code)


@app.command()
def rules(
    lang: LangOpt = Lang.vi,
    pack: Annotated[str, typer.Option("--pack", help=h("pack"))] =
    "kontum-2030",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help=h("verbose"))] = False,
) -> None:
    """List the rules of a pack with their severity, parameters and legal source.
    Liệt kê các luật với mức độ, tham số và căn cứ pháp lý.

    Examples: `kzplan rules` · `kzplan rules --lang en -v`
    """
    from kzplan.report import terminal
    from kzplan.rules import load_pack

    _run(lambda: terminal.print_rules(load_pack(pack), console=_console(), lang=lang.value,
                                      verbose=verbose), lang.value)


def main() -> None:
    """Entry point of the ``kzplan`` console script."""
    app()


# Sub-commands defined beside their feature modules (run, map, diff, clean) register themselves.
from kzplan import extra_commands  # noqa: E402,F401

