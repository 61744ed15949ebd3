"""Command-line help: each text in English and Vietnamese, shown together (``help.*`` messages)."""

from __future__ import annotations

from kzplan import messages


def h(key: str) -> str:
    """The help text ``key``: English / Vietnamese."""
    return f"{messages.text('help.' + key, 'en')} / {messages.text('help.' + key, 'vi')}"
