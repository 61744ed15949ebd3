"""Numbers as kzplan writes them for people: ``1.729,72`` in Vietnamese, ``1,729.72`` in English.

One function, :func:`fmt_number`, serves every output (rule messages, terminal tables, the HTML
report, the officials' map, what-if sentences); the keyword arguments cover what the outputs
differ in (trailing zeros, the mark for a missing value, a typographic minus sign).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

_VI = str.maketrans({",": ".", ".": ","})


def is_missing(value: Any) -> bool:
    """True for ``None``, ``pd.NA``, ``NaT`` and NaN (scalars only; containers are not missing)."""
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_number(value: Any, lang: str = "vi", digits: int = 2, *, trim: bool = True,
               missing: str = "–", minus: str = "-") -> str:
    """``value`` with thousands separators in ``lang``'s style and ``digits`` decimals.

    - ``lang``: ``"vi"`` writes ``1.729,72``, anything else ``1,729.72``.
    - ``trim``: drop trailing decimal zeros (``40.50`` -> ``40.5``, ``40.00`` -> ``40``).
    - ``missing``: what ``None``, ``pd.NA`` and NaN become.
    - ``minus``: the sign of negative numbers (``"−"``, U+2212, for typeset pages).

    Integers (``int``, numpy integers, and whole numbers with ``digits=0``) have no decimals;
    bools and values that are not numbers are written with ``str``.

    >>> fmt_number(1234.56, "vi"), fmt_number(1234.56, "en"), fmt_number(40.0, "en")
    ('1.234,56', '1,234.56', '40')
    """
    if isinstance(value, bool):
        return str(value)
    if is_missing(value):
        return missing
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return missing
    if math.isfinite(number) and number.is_integer() and (
            isinstance(value, (int, np.integer)) or digits == 0):
        text = f"{int(value) if isinstance(value, (int, np.integer)) else int(number):,}"
    else:
        text = f"{number:,.{digits}f}"
        if trim and "." in text:
            text = text.rstrip("0").rstrip(".")
    if text.startswith("-"):
        text = minus + text[1:]
    if lang == "vi":
        text = text.translate(_VI)
    return text
