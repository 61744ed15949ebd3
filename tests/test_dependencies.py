"""Dependencies are what the code uses: every third-party package kzplan imports is declared in
pyproject.toml, and every declared run-time dependency is imported by kzplan."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# import name -> distribution name, where they differ
DIST = {"tomli_w": "tomli-w", "dask_geopandas": "dask-geopandas"}
# imported by kzplan only inside try/except ImportError, with a fallback: test extra only
# (the dask engine's packages are imported only by `--engine dask`: the `dask` extra)
OPTIONAL = {"jsonschema"}
EXTRA = {"dask", "dask-geopandas", "distributed"}


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0].strip().lower() for r in requirements}


def _imports(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    local = {"kzplan", "kzplan_processing", "factory", "browser", "conftest", "tests"} | {
        p.stem for p in (REPO / "tests").glob("test_*.py")}
    return {DIST.get(n, n).lower() for n in found
            if n not in sys.stdlib_module_names and n not in local}


def _project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_runtime_dependencies_are_exactly_what_kzplan_imports() -> None:
    declared = _names(_project()["dependencies"])
    used = _imports(REPO / "kzplan")
    assert used - OPTIONAL - EXTRA - declared == set(), "imported by kzplan but not declared"
    assert EXTRA <= _names(_project()["optional-dependencies"]["dask"])
    assert declared - used == set(), "declared but never imported by kzplan"
    assert OPTIONAL & declared == set(), "optional at run time: belongs in the test extra only"


def test_the_test_extra_covers_what_the_tests_import() -> None:
    project = _project()
    available = _names(project["dependencies"]) | _names(project["optional-dependencies"]["test"])
    used = _imports(REPO / "tests") - {"qgis", "processing"}  # Debian's QGIS, not from PyPI
    assert used - available == set()
    assert OPTIONAL <= _names(project["optional-dependencies"]["test"])
