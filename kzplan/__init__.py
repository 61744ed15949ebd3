"""kzplan: keeps a province's industrial-land plan honest (the plan is data: kzplan/plans/)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from kzplan._errors import KzplanError
from kzplan.findings import Finding, Report
from kzplan.plan import Plan, load_plan
from kzplan.rules import check, load_pack

try:
    __version__ = version("kzplan")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"



def __getattr__(name: str) -> object:
    """``kzplan.render_map`` / ``kzplan.write_map`` without importing folium at ``import kzplan``."""
    if name in ("render_map", "write_map"):
        from kzplan import maps

        return getattr(maps, name)
    msg = f"module 'kzplan' has no attribute {name!r}"
    raise AttributeError(msg)


__all__ = [
    "Finding",
    "KzplanError",
    "Plan",
    "Report",
    "__version__",
    "check",
    "load_pack",
    "load_plan",
    "render_map",
    "write_map",
]
