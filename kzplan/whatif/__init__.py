"""What-if planning: edit a plan in one line and see what the edit changes.

Each edit returns a **new** :class:`~kzplan.plan.Plan` (the input is never touched) with the
measured area ``dt_do_ha`` of the edited feature recomputed by :func:`kzplan.crs.area_ha`:

>>> from kzplan import check, load_plan, whatif
>>> plan = load_plan()  # doctest: +SKIP
>>> plan2 = whatif.add(plan, "ccn", (107.75, 14.42), ma="CCN-616-04", ten="CCN Sa Thầy 4",
...                    ma_huyen="616", dt_qh_ha=40)  # doctest: +SKIP
>>> diff = whatif.compare(check(plan), check(plan2))  # doctest: +SKIP
>>> diff.new_errors, diff.sentences("en")  # doctest: +SKIP

:func:`evaluate` does both steps and words each sentence after the edits
(``whatif.evaluate(plan, whatif.Remove("ccn", "CCN-608-02"), as_of=2030)``). A :class:`Diff` pairs
the findings of two reports by :attr:`~kzplan.findings.Finding.fingerprint` (new, resolved,
changed, unchanged) and gives the change in headroom to every target: area and count per layer,
clusters per district against the minimum. It displays as HTML in Jupyter; ``kzplan diff``
(:mod:`kzplan.cli.diff`) prints the same for two plan folders or two JSON reports.

The package: :mod:`~kzplan.whatif.edits` (the edits), :mod:`~kzplan.whatif.diff` (:class:`Diff`,
:func:`compare`, :func:`evaluate`), :mod:`~kzplan.whatif.display` (HTML and table views of a
diff), :mod:`~kzplan.whatif.reports` (JSON reports read back); ``_messages`` holds the sentences
and ``_geometry`` the geometry helpers.
"""

from __future__ import annotations

from kzplan.whatif._geometry import square
from kzplan.whatif._messages import WhatIfError
from kzplan.whatif.diff import DIFF_SCHEMA, Diff, compare, evaluate  # noqa: F401
from kzplan.whatif.edits import (
    Add,
    Edit,
    Move,
    Remove,
    Resize,
    Set,
    add,
    move,
    remove,
    resize,
    set_attributes,
)
from kzplan.whatif.reports import REPORT_SCHEMA, read_report, report_from_dict  # noqa: F401

set = set_attributes  # `whatif.set(plan, layer, code, field=value)` reads best

__all__ = [
    "Add", "Diff", "Edit", "Move", "Remove", "Resize", "Set", "WhatIfError", "add", "compare",
    "evaluate", "move", "read_report", "remove", "report_from_dict", "resize", "set",
    "set_attributes", "square",
]
