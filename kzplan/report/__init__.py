"""Report writers: each output format is a thin writer on top of :class:`~kzplan.findings.Report`."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kzplan.findings import Report
    from kzplan.plan import Plan

SUFFIX = {"json": ".json", "html": ".html", "gpkg": ".gpkg", "terminal": ".txt"}
DEFAULT_NAME = "kzplan-report"


def target_path(fmt: str, output: Path | None, *, several: bool) -> Path:
    """Where format ``fmt`` goes: ``output`` itself, or ``output/kzplan-report.<ext>``."""
    if output is None:
        return Path(f"{DEFAULT_NAME}{SUFFIX[fmt]}")
    if several or output.is_dir() or not (output.suffix or output.exists()):
        return output / f"{DEFAULT_NAME}{SUFFIX[fmt]}"
    return output


def write_report(report: Report, fmt: str, output: Path | None = None, *, lang: str = "vi",
                 plan: Plan | None = None, several: bool = False) -> Path:
    """Write ``report`` as ``fmt`` (terminal, json, html, gpkg) and return the path written."""
    target = target_path(fmt, output, several=several)
    module = importlib.import_module(f"kzplan.report.{'terminal' if fmt == 'terminal' else fmt}")
    return module.write(report, target, lang=lang, plan=plan)
