"""Exceptions for "could not check": the tool or its input failed, not the plan's rules.

Each error carries a message key and its parameters, so it can be rendered in Vietnamese or
English; ``str(err)`` is English (for logs and tracebacks), the CLI renders the user's language.
"""

from __future__ import annotations

from kzplan import messages


class KzplanError(Exception):
    """Base class: kzplan could not check (exit code 2)."""

    def __init__(self, key: str, /, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(messages.text(key, "en", **params))

    def render(self, lang: str | None = None) -> str:
        """The message in ``lang`` (default: the user's language)."""
        return messages.text(self.key, lang, **self.params)


class SourceError(KzplanError):
    """A file or folder cannot be opened or is not what it claims to be."""


class ConfigError(KzplanError, ValueError):
    """The plan configuration is wrong."""


class RuleConfigError(ConfigError):
    """A rule pack or a rule parameter is wrong."""


class LayerError(KzplanError):
    """A layer cannot be used: schema, geometry type, emptiness."""


class CRSError(LayerError):
    """A layer's coordinate reference system is missing, deprecated or wrong."""


class EncodingError(LayerError):
    """A layer's attribute text cannot be decoded."""
