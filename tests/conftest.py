"""Shared fixtures.

``districts_path``: the real district boundaries kept beside the project in
``../shared/geodata/kontum_districts.geojson``. That file is a reference and test asset under a
licence we do not take into the product: it is read from ``../shared``, never copied. Tests that
need it skip where ``../shared`` is absent, and fail where ``CI`` is set.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DISTRICTS = REPO.parent / "shared" / "geodata" / "kontum_districts.geojson"


@pytest.fixture(scope="session")
def districts_path() -> Path:
    """Path of the shared district boundaries (skip locally when absent, fail in CI)."""
    if DISTRICTS.exists():
        return DISTRICTS
    msg = (f"{DISTRICTS} is absent: the real district boundaries live in ../shared beside the "
           "repository and are never copied into it")
    if os.environ.get("CI"):
        pytest.fail(msg + " (CI is set, so this is a failure)")
    pytest.skip(msg)
