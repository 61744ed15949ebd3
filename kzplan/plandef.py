"""A plan definition: the province, its administrative units, projection, extent and rule pack, as
data in a folder (``kzplan/plans/<id>/`` or any folder given by path).

A plan folder holds ``plan.toml`` (names before and after the 2025 reform, the projection, the
extent, control points), ``units.csv`` (the administrative units the plan allocates to, with their
GSO codes, names, whether each is mountainous, and the per-unit cluster limits: the one source of
truth for those) and the plan's rule pack (``rules.toml``, which may extend national packs from
``kzplan/packs/``). The next province is a new folder, not new code.

This module is pure Python (stdlib only), so the build tools can use it under QGIS's Python.
"""

from __future__ import annotations

import csv
import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from kzplan._errors import ConfigError

PLANS_DIR = Path(__file__).resolve().parent / "plans"
PACKS_DIR = Path(__file__).resolve().parent / "packs"


def default_plan_id() -> str:
    """The plan kzplan uses when none is named: ``plans/DEFAULT``."""
    return (PLANS_DIR / "DEFAULT").read_text("utf-8").strip()


@dataclass(frozen=True)
class Unit:
    """One administrative unit the plan allocates clusters to (a pre-2025 district-level unit)."""

    code: str
    name: str
    name_ascii: str
    kind: str
    mountainous: bool
    min_ccn: int
    max_ccn: int | None


@dataclass(frozen=True)
class ControlPoint:
    """A published control point: its coordinates in ``epsg`` and its published WGS 84 lon/lat."""

    name: str
    epsg: int
    xy: tuple[float, float]
    wgs84: tuple[float, float]


@dataclass(frozen=True, eq=False)  # one object per plan (cached): hashed by identity
class PlanDef:
    """Everything kzplan knows about a plan besides its layers."""

    id: str
    folder: Path
    name: dict[str, str]
    title: dict[str, str]
    period: tuple[int, int]
    province: dict[str, str]
    province_short: str
    unit_kind: dict[str, str]
    successor: dict[str, str] | None
    successor_since: dt.date | None
    successor_basis: str
    epsg: int
    crs_note: dict[str, str]
    extent: tuple[float, float, float, float]
    margin_deg: float
    units: tuple[Unit, ...]
    control_points: tuple[ControlPoint, ...]
    rules_path: Path

    @property
    def crs(self) -> str:
        """The plan's CRS as ``"EPSG:<code>"``."""
        return f"EPSG:{self.epsg}"

    @property
    def unit_codes(self) -> tuple[str, ...]:
        """The units' codes, in the plan's order."""
        return tuple(u.code for u in self.units)

    def unit(self, code: str) -> Unit | None:
        """The unit with ``code``, or None."""
        return next((u for u in self.units if u.code == code), None)

    def units_records(self) -> list[dict[str, Any]]:
        """The units as records with the canonical field names (``ma_huyen``, ``ten``, …)."""
        return [{"ma_huyen": u.code, "ten": u.name, "ten_ascii": u.name_ascii, "loai": u.kind,
                 "mien_nui": u.mountainous, "min_ccn": u.min_ccn, "max_ccn": u.max_ccn}
                for u in self.units]


def _bad(file: Path, key: str, expected: str, value: object) -> ConfigError:
    return ConfigError("config.bad_value", file=str(file), section="plan", key=key,
                       expected=expected, value=value)


def _pair(table: dict[str, Any], key: str, file: Path) -> dict[str, str]:
    vi, en = table.get(f"{key}_vi"), table.get(f"{key}_en")
    if not (isinstance(vi, str) and isinstance(en, str) and vi and en):
        raise _bad(file, f"{key}_vi/{key}_en", "text in both languages", (vi, en))
    return {"vi": vi, "en": en}


def _units(path: Path) -> tuple[Unit, ...]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise ConfigError("plan.unreadable", file=str(path), reason=exc) from None
    out = []
    for i, row in enumerate(rows, start=2):
        try:
            out.append(Unit(
                code=row["ma_huyen"].strip(), name=row["ten"].strip(),
                name_ascii=row["ten_ascii"].strip(), kind=row["loai"].strip(),
                mountainous=row["mien_nui"].strip() in ("1", "true", "co"),
                min_ccn=int(row["min_ccn"]),
                max_ccn=int(row["max_ccn"]) if (row.get("max_ccn") or "").strip() else None,
            ))
        except (KeyError, ValueError, AttributeError) as exc:
            raise _bad(path, f"line {i}", "ma_huyen,ten,ten_ascii,loai,mien_nui,min_ccn,max_ccn",
                       exc) from None
    codes = [u.code for u in out]
    if not out or len(set(codes)) != len(codes):
        raise _bad(path, "ma_huyen", "one row per unit, each code once", codes)
    return tuple(out)


@cache
def load_plandef(name_or_path: str | Path | None = None) -> PlanDef:
    """Load a plan definition by id (a folder of ``kzplan/plans/``) or by folder path."""
    ref = str(name_or_path) if name_or_path is not None else default_plan_id()
    folder = Path(ref)
    if not (folder / "plan.toml").is_file():
        folder = PLANS_DIR / ref
    file = folder / "plan.toml"
    if not file.is_file():
        known = sorted(p.name for p in PLANS_DIR.iterdir() if (p / "plan.toml").is_file())
        raise ConfigError("plan.unknown", name=ref, available=", ".join(known))
    try:
        data = tomllib.loads(file.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError("plan.unreadable", file=str(file), reason=exc) from None
    plan, prov = data.get("plan", {}), data.get("province", {})
    succ, crs, extent = prov.get("successor"), data.get("crs", {}), data.get("extent", {})
    bounds = extent.get("lonlat")
    if not (isinstance(bounds, list) and len(bounds) == 4):
        raise _bad(file, "extent.lonlat", "[west, south, east, north] in degrees", bounds)
    if not isinstance(crs.get("epsg"), int):
        raise _bad(file, "crs.epsg", "an EPSG code", crs.get("epsg"))
    period = plan.get("period", [0, 0])
    return PlanDef(
        id=str(plan.get("id", folder.name)), folder=folder,
        name=_pair(plan, "name", file), title=_pair(plan, "title", file),
        period=(int(period[0]), int(period[1])),
        province=_pair(prov, "name", file), province_short=str(prov.get("short", "")),
        unit_kind=_pair(prov, "unit_kind", file),
        successor=_pair(succ, "name", file) if succ else None,
        successor_since=succ.get("since") if succ else None,
        successor_basis=str(succ.get("basis", "")) if succ else "",
        epsg=crs["epsg"], crs_note=_pair(crs, "note", file),
        extent=tuple(float(v) for v in bounds),  # type: ignore[arg-type]
        margin_deg=float(extent.get("margin_deg", 0.05)),
        units=_units(folder / str(plan.get("units", "units.csv"))),
        control_points=tuple(ControlPoint(str(c["name"]), int(c["epsg"]),
                                          (float(c["xy"][0]), float(c["xy"][1])),
                                          (float(c["wgs84"][0]), float(c["wgs84"][1])))
                             for c in data.get("control_point", [])),
        rules_path=folder / str(plan.get("rules", "rules.toml")),
    )
