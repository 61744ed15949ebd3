"""Bilingual (Vietnamese / English) message catalogue.

Every sentence a user reads lives in ``kzplan/locale/<lang>.toml``, one key per sentence; the code
carries keys only. ``tests/test_messages.py`` proves that every key exists in both languages with
the same placeholders, and that every key is used somewhere.
"""

from __future__ import annotations

import numbers
import os
import string
import tomllib
from functools import cache
from pathlib import Path

LANGS = ("vi", "en")
LOCALE = Path(__file__).resolve().parent / "locale"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The messages of ``lang``: ``{key: template}``."""
    if lang not in LANGS:
        msg = f"Unknown language {lang!r}; kzplan speaks {list(LANGS)}."
        raise ValueError(msg)
    path = LOCALE / f"{lang}.toml"
    return tomllib.loads(path.read_text("utf-8"))


def default_lang() -> str:
    """The language for messages when none is given: ``KZPLAN_LANG`` or Vietnamese."""
    lang = os.environ.get("KZPLAN_LANG", "vi")
    return lang if lang in LANGS else "vi"


def has(key: str) -> bool:
    """True when ``key`` is a message."""
    return key in catalogue(LANGS[0])


class _VietnameseNumbers(string.Formatter):
    """Numbers formatted with a spec (``{off_km:,.1f}``) the Vietnamese way: ``1.034,5``."""

    _SWAP = str.maketrans({",": ".", ".": ","})

    def format_field(self, value: object, format_spec: str) -> str:
        out = super().format_field(value, format_spec)
        if format_spec and isinstance(value, numbers.Real) and not isinstance(value, bool):
            return out.translate(self._SWAP)
        return out


_VI_FORMATTER = _VietnameseNumbers()


def text(key: str, lang: str | None = None, /, **params: object) -> str:
    """Render message ``key`` in ``lang`` with ``params`` (in Vietnamese, numbers with a format
    spec are written the Vietnamese way: ``{n:,.1f}`` gives ``1.034,5``)."""
    lang = lang or default_lang()
    try:
        template = catalogue(lang)[key]
    except (KeyError, ValueError):
        msg = f"Unknown message {key!r} (language {lang!r})."
        raise KeyError(msg) from None
    if lang == "vi":
        return _VI_FORMATTER.vformat(template, (), params)
    return template.format(**params)


def both(key: str, /, **params: object) -> dict[str, str]:
    """Render message ``key`` in every language: ``{"vi": ..., "en": ...}``."""
    return {lang: text(key, lang, **params) for lang in LANGS}


def raw(key: str, /) -> dict[str, str]:
    """The templates of ``key`` in every language, unformatted (labels, or templates that are
    filled in later)."""
    return {lang: catalogue(lang)[key] for lang in LANGS}


def labels(prefix: str, codes: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """``{code: {"vi": ..., "en": ...}}`` for the messages ``<prefix>.<code>``."""
    return {code: raw(f"{prefix}.{code}") for code in codes}


def placeholders(template: str) -> set[str]:
    """The format fields of ``template`` (``{n:,}`` -> ``n``, ``{hint[vi]}`` -> ``hint[vi]``)."""
    return {f"{name}!{conv}" if conv else name
            for _, name, _, conv in string.Formatter().parse(template) if name is not None}


def keys() -> list[str]:
    """All message keys."""
    return sorted(catalogue(LANGS[0]))
