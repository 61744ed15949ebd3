"""Import kzplan's pure-Python modules (schema, messages, the plan definitions) without running
``kzplan/__init__.py``, which needs geopandas: the build tools run under QGIS's own Python too."""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import types
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def pure(module: str) -> types.ModuleType:
    """``pure("schema")`` imports ``kzplan.schema`` from this checkout, with a bare ``kzplan``."""
    if "kzplan" not in sys.modules:
        spec = importlib.machinery.ModuleSpec("kzplan", None, is_package=True)
        spec.submodule_search_locations = [str(REPO / "kzplan")]
        package = importlib.util.module_from_spec(spec)
        sys.modules["kzplan"] = package
    return importlib.import_module(f"kzplan.{module}")
