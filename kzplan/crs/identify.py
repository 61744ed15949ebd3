"""Identifying a declared CRS: EPSG codes from the WKT's own parameters and datum, deprecated
codes, datum families, towgs84 checks."""

from __future__ import annotations

import math
import re
import warnings
from functools import lru_cache

from pyproj import CRS
from pyproj.crs import CoordinateOperation
from pyproj.exceptions import CRSError as ProjCRSError

from kzplan import messages
from kzplan._errors import CRSError
from kzplan.crs._common import (
    _GEOD,
    Bounds,
    Note,
    _as_crs,
    _base,
    _centre_lonlat,
    _epsg_crs,
    _name,
    _params,
)
from kzplan.crs.guess import vn2000_tm3

# Deprecated VN-2000 TM-3 codes -> replacements. Checked against the pyproj 3.7.2 / PROJ 9.5.1
# database: 6956/6957/6958/6959 ("TM-3 zone 481", "zone 482", "zone 491", "Da Nang zone") are
# flagged deprecated and have FE = 0, FN = 500000 (swapped); 5896/5897/5898/5899 have the same
# names (5899 is now "TM-3 107-45"), the same lon0 (102, 105, 108, 107.75), k0 = 0.9999 and
# FE = 500000, FN = 0. tests/test_crs.py re-checks this against pyproj.
DEPRECATED: dict[int, int] = {6956: 5896, 6957: 5897, 6958: 5898, 6959: 5899}

# VN-2000 and WGS 84 UTM 48N/49N: identified by parameters like the TM-3 zones.
_UTM = (3405, 3406, 32648, 32649)
VN2000_TRANSFORMATIONS = (6960, 5194)  # EPSG "VN-2000 to WGS 84 (2)" and "(1)", read from proj.db


def _towgs84(crs: CRS) -> tuple[float, ...] | None:
    """A bound CRS's 7 Helmert parameters, Position Vector convention (rotations in arc-seconds)."""
    if not crs.is_bound or crs.coordinate_operation is None:
        return None
    return _helmert_pv(crs.coordinate_operation)

def _helmert_pv(op: CoordinateOperation) -> tuple[float, ...]:
    vals = {p.code: p.value for p in op.params}
    tx, ty, tz, rx, ry, rz, ds = (float(vals.get(str(c), 0.0)) for c in range(8605, 8612))
    if op.method_code in ("9607", "1032"):  # Coordinate Frame: rotation signs opposite to PV
        rx, ry, rz = -rx, -ry, -rz
    return (tx, ty, tz, rx, ry, rz, ds)

@lru_cache(maxsize=1)
def _reference_helmerts() -> tuple[tuple[float, ...], ...]:
    return tuple(_helmert_pv(CoordinateOperation.from_epsg(c)) for c in VN2000_TRANSFORMATIONS)

def _datum_family(crs: CRS) -> str:
    base = _base(crs)
    name = re.sub(r"[^a-z0-9]", "", (base.datum.name if base.datum else "").lower())
    towgs = _towgs84(crs)
    if towgs is not None and any(
        all(abs(a - b) < 5 for a, b in zip(towgs[:3], ref[:3], strict=True))
        for ref in _reference_helmerts()
    ):
        return "vn2000"
    if "vietnam2000" in name or "vn2000" in name:
        return "vn2000"
    if name.startswith("unknown") or not name:
        return "unknown"
    if "wgs84" in name or "wgs1984" in name or "worldgeodeticsystem1984" in name:
        return "wgs84"
    return "other:" + name

def _same_definition(a: CRS, b: CRS, *, datum: bool = True) -> bool:
    """Whether ``a`` (from a file) and ``b`` (from the EPSG database) define the same CRS."""
    ba, bb = _base(a), _base(b)
    if (ba.is_geographic, ba.is_projected) != (bb.is_geographic, bb.is_projected):
        return False
    ea, eb = ba.ellipsoid, bb.ellipsoid
    if ea is None or eb is None or abs(ea.semi_major_metre - eb.semi_major_metre) > 1e-3:
        return False
    if abs(ea.inverse_flattening - eb.inverse_flattening) > 1e-6:
        return False
    if datum:
        fa, fb = _datum_family(a), _datum_family(b)
        if fa != fb or fa == "unknown":
            return False
    if abs(ba.axis_info[0].unit_conversion_factor - bb.axis_info[0].unit_conversion_factor) > 1e-12:
        return False
    if not ba.is_projected:
        return True
    oa, ob = ba.coordinate_operation, bb.coordinate_operation
    if oa is None or ob is None or oa.method_code != ob.method_code:
        return False
    pa, pb = _params(ba), _params(bb)
    return pa.keys() == pb.keys() and all(
        math.isclose(pa[k], pb[k], rel_tol=1e-10, abs_tol=1e-7) for k in pb
    )

def _claimed(crs: CRS) -> int | None:
    ident = _base(crs).to_json_dict().get("id") or {}
    if ident.get("authority") == "EPSG":
        return int(ident["code"])
    return None

def _identify(crs: CRS, *, datum: bool = True) -> int | None:
    """The EPSG code whose definition equals ``crs`` (parameter comparison), or None."""
    base = _base(crs)
    codes: list[int] = []
    if (c := _claimed(crs)) is not None:
        codes.append(c)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        codes += [int(m.code) for m in base.list_authority("EPSG", min_confidence=25)]
    codes += list(vn2000_tm3()) + list(_UTM) + list(DEPRECATED) + list(DEPRECATED.values())
    seen: set[int] = set()
    for code in codes:
        if code in seen:
            continue
        seen.add(code)
        try:
            ref = _epsg_crs(code)
        except ProjCRSError:
            continue
        if _same_definition(crs, ref, datum=datum):
            return code
    return None

def _summary(crs: CRS) -> str:
    base = _base(crs)
    parts = [base.coordinate_operation.method_name if base.is_projected else "geographic"]
    parts += [f"{k} {v:g}" for k, v in _params(base).items()]
    parts.append(f"datum {base.datum.name if base.datum else '?'}")
    return ", ".join(parts)

def _parse(value: object, *, file: str, layer: str, origin: dict[str, str]) -> CRS:
    if isinstance(value, CRS):
        return value
    try:
        return _as_crs(value)
    except (ProjCRSError, TypeError, ValueError) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise CRSError("crs.invalid", file=file, layer=layer, origin=origin, value=str(value)[:80],
                       error=first[:120]) from None

def _describe(declared: object) -> dict[str, str]:
    """What the file declared, for the override note."""
    if declared is None or (isinstance(declared, str) and not declared.strip()):
        return messages.both("crs.none")
    if not isinstance(declared, CRS | str):  # an unreadable .prj
        return messages.both("crs.unreadable")
    try:
        name = _name(declared if isinstance(declared, CRS) else _as_crs(declared))
    except (ProjCRSError, TypeError, ValueError):
        return messages.both("crs.unreadable")
    return {lang: name for lang in messages.LANGS}

def _towgs84_notes(crs_in: CRS, canonical: CRS, b: Bounds | None, *, file: str,
                   layer: str) -> list[Note]:
    towgs = _towgs84(crs_in)
    if towgs is None:
        return []
    refs = _reference_helmerts()
    if any(all(abs(x - y) < 1e-6 for x, y in zip(towgs, r, strict=True)) for r in refs):
        return []
    # Effect at the data's centre, or at the projection's origin when the layer is empty.
    pt = ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) if b else (500_000.0, 1_500_000.0)
    a, c = _centre_lonlat(crs_in, pt * 2), _centre_lonlat(canonical, pt * 2)
    err_m = _GEOD.inv(a[0], a[1], c[0], c[1])[2] if a and c else float("nan")
    ref = refs[0]
    flipped = (*ref[:3], -ref[3], -ref[4], -ref[5], ref[6])
    key = ("crs.towgs84_cf_signs"
           if all(abs(x - y) < 1e-6 for x, y in zip(towgs, flipped, strict=True))
           else "crs.towgs84_ignored")
    return [Note(key, {"file": file, "layer": layer, "err_m": err_m})]
