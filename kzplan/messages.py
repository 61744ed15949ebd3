"""Bilingual (Vietnamese / English) message catalogue.

Every sentence a user reads exists in both languages. Modules keep their own message templates
next to the code that uses them and register them here with :func:`register`; a duplicate key
fails loudly, so two modules can never silently disagree on a sentence.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LANGS = ("vi", "en")
_CATALOGUE: dict[str, dict[str, str]] = {}


def register(messages: Mapping[str, Mapping[str, str]]) -> None:
    """Add message templates ``{key: {"vi": ..., "en": ...}}`` to the catalogue."""
    for key, texts in messages.items():
        missing = [lang for lang in LANGS if lang not in texts]
        if missing:
            msg = f"Message {key!r} has no text for {missing}."
            raise ValueError(msg)
        if key in _CATALOGUE and _CATALOGUE[key] != dict(texts):
            msg = f"Message {key!r} is already registered with other text."
            raise ValueError(msg)
        _CATALOGUE[key] = dict(texts)


def default_lang() -> str:
    """The language for messages when none is given: ``KZPLAN_LANG`` or Vietnamese."""
    lang = os.environ.get("KZPLAN_LANG", "vi")
    return lang if lang in LANGS else "vi"


def text(key: str, lang: str | None = None, /, **params: object) -> str:
    """Render message ``key`` in ``lang`` with ``params``."""
    lang = lang or default_lang()
    try:
        template = _CATALOGUE[key][lang]
    except KeyError:
        msg = f"Unknown message {key!r} (language {lang!r})."
        raise KeyError(msg) from None
    return template.format(**params)


def both(key: str, /, **params: object) -> dict[str, str]:
    """Render message ``key`` in every language: ``{"vi": ..., "en": ...}``."""
    return {lang: text(key, lang, **params) for lang in LANGS}


def keys() -> list[str]:
    """All registered message keys."""
    return sorted(_CATALOGUE)
