"""What every command shares: option types, the console, loading, and turning errors into one line."""

from __future__ import annotations

import enum
import os
import sys
import warnings
from typing import Annotated

import typer
from rich.console import Console

from kzplan import messages
from kzplan._errors import ConfigError, KzplanError
from kzplan.cli._help import h
from kzplan.findings import EXIT_ERROR


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


def make_console() -> Console:
    return Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 120)


def fail(err: KzplanError, lang: str) -> typer.Exit:
    print(messages.text("cli.error_prefix", lang) + err.render(lang), file=sys.stderr)
    return typer.Exit(EXIT_ERROR)


def guarded(func, lang: str):  # noqa: ANN001, ANN202 - tiny wrapper
    """Turn kzplan errors (and anything unexpected) into one line and exit code 2."""
    from kzplan import io

    try:
        with io.guarding_inputs(), warnings.catch_warnings():
            # GDAL's and the libraries' warnings are not the user's business: what matters
            # reaches them as notes and findings, the rest stays off the terminal.
            warnings.simplefilter("ignore")
            return func()
    except KzplanError as err:
        raise fail(err, lang) from None
    except typer.Exit:
        raise
    except OSError as err:  # the system refused a file operation: name the file, one line
        file = err.filename if err.filename is not None else "?"
        print(messages.text("cli.error_prefix", lang)
              + messages.text("cli.os_error", lang, file=str(file),
                              reason=err.strerror or type(err).__name__), file=sys.stderr)
        raise typer.Exit(EXIT_ERROR) from None
    except RecursionError:
        print(messages.text("cli.error_prefix", lang) + messages.text("cli.too_deep", lang),
              file=sys.stderr)
        raise typer.Exit(EXIT_ERROR) from None
    except Exception as err:  # noqa: BLE001 - the user gets one line, never a traceback
        if os.environ.get("KZPLAN_DEBUG"):
            raise
        print(messages.text("cli.error_prefix", lang)
              + messages.text("cli.unexpected", lang, kind=type(err).__name__, error=err),
              file=sys.stderr)
        raise typer.Exit(EXIT_ERROR) from None


AS_OF_RANGE = (1990, 2100)


def check_as_of(as_of: int | None) -> int | None:
    """``--as-of`` is a year of the plan's horizon (1990..2100); ``None`` means this year."""
    low, high = AS_OF_RANGE
    if as_of is not None and not low <= as_of <= high:
        raise ConfigError("cli.bad_as_of", value=as_of, low=low, high=high)
    return as_of


def check_encoding(encoding: str | None) -> str | None:
    """``--encoding`` must name a text encoding kzplan can decode (tcvn3, vni, utf-8, cp1258…)."""
    if encoding is None:
        return None
    import codecs

    from kzplan import encoding as enc

    try:
        enc.decode(b"abc", encoding)
        if not codecs.lookup(enc.normalize_cpg(encoding) or encoding)._is_text_encoding:
            raise LookupError(encoding)
    except LookupError:
        if (enc.normalize_cpg(encoding) or encoding) not in ("tcvn3", "vni"):
            raise ConfigError("cli.bad_encoding", value=encoding) from None
    except (UnicodeError, ValueError, TypeError):
        raise ConfigError("cli.bad_encoding", value=encoding) from None
    return encoding


def load(paths: list[str] | None, crs: str | None, encoding: str | None,
         districts: str | None, before_read=None,  # noqa: ANN001
         reader: str | None = None):  # noqa: ANN202
    from kzplan.plan import load_plan

    check_encoding(encoding)

    return load_plan(paths or None, crs=crs, encoding=encoding, districts=districts,
                     before_read=before_read, reader=reader)


def validate_rules(select: tuple[str, ...], ignore: tuple[str, ...],
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


def parse_params(values: list[str], lang: str) -> dict[str, dict[str, object]]:
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


def split_csv(values: list[str] | None) -> tuple[str, ...]:
    return tuple(v.strip() for item in values or [] for v in item.split(",") if v.strip())
