"""What-if and diff words: the message templates (vi + en), the nouns the sentences use, the
error they raise, and how they write numbers."""

from __future__ import annotations

from typing import Any

from kzplan import messages
from kzplan._errors import KzplanError
from kzplan._format import fmt_number

EPS = 0.005  # hectares / counts below this are "no change" (no sentence, no table row)


NOUN = {
    "kcn": messages.raw("whatif.messages.noun.kcn"),
    "ccn": messages.raw("whatif.messages.noun.ccn"),
    "kkt": messages.raw("whatif.messages.noun.kkt"),
}
NOUN_PLURAL = {
    "kcn": messages.raw("whatif.messages.noun_plural.kcn"),
    "ccn": messages.raw("whatif.messages.noun_plural.ccn"),
    "kkt": messages.raw("whatif.messages.noun_plural.kkt"),
}
NOUN_TARGET = {
    "kcn": messages.raw("whatif.messages.noun_target.kcn"),
    "ccn": messages.raw("whatif.messages.noun_target.ccn"),
    "kkt": messages.raw("whatif.messages.noun_target.kkt"),
}
EXPECTED = {
    "str": messages.raw("whatif.messages.expected.str"),
    "float": messages.raw("whatif.messages.expected.float"),
    "int": messages.raw("whatif.messages.expected.int"),
    "required": messages.raw("whatif.messages.expected.required"),
    "ma_huyen": messages.raw("whatif.messages.expected.ma_huyen"),
    "positive": messages.raw("whatif.messages.expected.positive"),
}


class WhatIfError(KzplanError, ValueError):
    """A what-if edit or a diff input is wrong (unknown layer, code, field or value)."""


def num(value: Any, lang: str) -> str:
    """Numbers in ``lang``'s style, as every kzplan output writes them (vi ``1.729,72``, en
    ``1,729.72``, ``40``); ``?`` when unknown."""
    return fmt_number(value, lang, missing="?")


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]
