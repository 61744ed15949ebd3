"""kzplan._format.fmt_number: the one way kzplan writes numbers, and what each output asks of it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kzplan._format import fmt_number, is_missing

NAN = float("nan")


@pytest.mark.parametrize(
    ("value", "args", "kwargs", "expected"),
    [
        # the two languages: thousands and decimal separators swap
        (1729.72, ("vi",), {}, "1.729,72"),
        (1729.72, ("en",), {}, "1,729.72"),
        (1234567.891, ("vi",), {}, "1.234.567,89"),
        (1234567.891, ("en", 1), {}, "1,234,567.9"),
        # trailing zeros go unless trim=False
        (16000.0, ("vi",), {}, "16.000"),
        (40.5, ("en",), {}, "40.5"),
        (40.5, ("en",), {"trim": False}, "40.50"),
        (16000.0, ("vi",), {"trim": False}, "16.000,00"),
        # integers have no decimals, numpy ones too; whole floats with digits=0 likewise
        (33, ("vi",), {"trim": False}, "33"),
        (np.int64(12345), ("vi",), {"trim": False}, "12.345"),
        (12345, ("en",), {}, "12,345"),
        (90.0, ("vi", 0), {"trim": False}, "90"),
        (89.6, ("en", 0), {}, "90"),
        (np.float64(0.125), ("en", 3), {}, "0.125"),
        # missing values, and the mark each output uses for them
        (None, ("en",), {}, "–"),
        (NAN, ("vi",), {}, "–"),
        (pd.NA, ("vi",), {}, "–"),
        (NAN, ("vi",), {"missing": "—"}, "—"),
        (None, ("en",), {"missing": "?"}, "?"),
        # the minus sign: a hyphen, or the typeset one where a page asks for it
        (-16000.0, ("vi",), {}, "-16.000"),
        (-16000.0, ("vi",), {"trim": False, "minus": "−"}, "−16.000,00"),
        (-3, ("en",), {"minus": "−"}, "−3"),
        # bools and things that are not numbers are written as they are
        (True, ("vi",), {}, "True"),
        ("CCN-1", ("vi",), {}, "CCN-1"),
        ("12.5", ("en",), {}, "12.5"),
        (float("inf"), ("en",), {}, "inf"),
    ],
)
def test_fmt_number(value: object, args: tuple, kwargs: dict, expected: str) -> None:
    assert fmt_number(value, *args, **kwargs) == expected


def test_default_is_vietnamese_with_two_decimals() -> None:
    assert fmt_number(1729.724) == "1.729,72"


@pytest.mark.parametrize(
    ("value", "missing"),
    [(None, True), (pd.NA, True), (pd.NaT, True), (NAN, True), (np.float64("nan"), True),
     (0, False), ("", False), ([1, None], False), ("nan", False)],
)
def test_is_missing(value: object, missing: bool) -> None:
    assert is_missing(value) is missing


def test_every_output_keeps_its_style() -> None:
    """The thin wrappers left at the call sites differ only in the options they pass."""
    from kzplan.maps.styles import fmt_num
    from kzplan.report import html
    from kzplan.report.terminal import _num
    from kzplan.rules.engine import _fmt
    from kzplan.whatif._messages import num

    value = -1729.7
    assert html.fmt_number(value, "vi") == "−1.729,70"  # typeset, columns line up
    assert fmt_num(value, "vi") == "-1.729,7"  # the officials' map
    assert fmt_num(None, "en") == "—"
    assert _num(value, "en") == "-1,729.70"  # terminal tables: trailing zeros kept
    assert _num(value, "vi") == "-1.729,70"
    assert _fmt(value, "vi") == "-1.729,7" and _fmt(NAN, "en") == "?"  # rule messages
    assert _fmt(12_345, "vi") == "12.345" and _fmt(33, "vi") == 33  # small ints stay ints
    assert num(value, "vi") == "-1.729,7" and num(value, "en") == "-1,729.7"  # what-if
    assert num(None, "vi") == "?"
