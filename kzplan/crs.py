"""Coordinate reference systems: resolution, guesses, province fit and equal-area measurement.

A layer's CRS comes from the file (``.prj`` or the GeoPackage's SRS) or from an override
(``crs = "EPSG:…"`` under ``[layers.<name>]`` in ``kzplan.toml``, or ``--crs``).
:func:`resolve_crs` turns that into a :class:`Resolved` CRS or refuses with a one-line
:class:`~kzplan._errors.CRSError` that names the file, the layer, what is wrong and the fix:

- no CRS at all: the error carries the best guess from the coordinates' magnitude
  (:func:`guess_crs`);
- a deprecated VN-2000 TM-3 code (:data:`DEPRECATED`): the error names the replacement;
- a CRS that puts the data outside Kon Tum: the error says how far off (km) and which CRS fits.

Transformations to WGS 84 are always left to PROJ and its EPSG database (for VN-2000 it picks
EPSG:6960); this module never writes a ``+towgs84`` string. Areas are measured on a Lambert
azimuthal equal-area projection centred on Kon Tum and built on the layer's own datum
(:func:`area_ha`), so measuring needs no datum shift.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from pyproj import CRS, Geod, Transformer
from pyproj.crs import CoordinateOperation, ProjectedCRS
from pyproj.crs.coordinate_operation import LambertAzimuthalEqualAreaConversion
from pyproj.exceptions import CRSError as ProjCRSError
from pyproj.exceptions import ProjError

from kzplan import messages, schema
from kzplan._errors import CRSError

if TYPE_CHECKING:
    import geopandas

Bounds = tuple[float, float, float, float]

# Deprecated VN-2000 TM-3 codes -> replacements. Checked against the pyproj 3.7.2 / PROJ 9.5.1
# database: 6956/6957/6958/6959 ("TM-3 zone 481", "zone 482", "zone 491", "Da Nang zone") are
# flagged deprecated and have FE = 0, FN = 500000 (swapped); 5896/5897/5898/5899 have the same
# names (5899 is now "TM-3 107-45"), the same lon0 (102, 105, 108, 107.75), k0 = 0.9999 and
# FE = 500000, FN = 0. tests/test_crs.py re-checks this against pyproj.
DEPRECATED: dict[int, int] = {6956: 5896, 6957: 5897, 6958: 5898, 6959: 5899}

PROVINCE_EPSG = 9216  # VN-2000 / TM-3 107-30, Kon Tum's own projection (schema.PROVINCE_CRS)
FIT_MARGIN_DEG = 0.05  # slack around schema.PROVINCE_BOUNDS_LONLAT when testing "fits"
EQUAL_AREA_CENTRE = (14.5, 107.9)  # lat, lon of the equal-area projection's origin
VN2000_TRANSFORMATIONS = (6960, 5194)  # EPSG "VN-2000 to WGS 84 (2)" and "(1)", read from proj.db

# Guess candidates in rank order: (EPSG, family). The province's own projection first, then the
# other VN-2000 TM-3 meridians nearest to 107.5, then 6-degree UTM, degrees, Web Mercator.
_CANDIDATES: tuple[tuple[int, str], ...] = (
    (9216, "tm3"), (5899, "tm3"), (9215, "tm3"), (5898, "tm3"), (9217, "tm3"), (9214, "tm3"),
    (9218, "tm3"), (3405, "utm"), (3406, "utm"), (32648, "utm"), (32649, "utm"),
    (4326, "geographic"), (4756, "geographic"), (3857, "webmerc"),
)
_FAMILY = dict(_CANDIDATES)
_GEOD = Geod(ellps="WGS84")



@dataclass(frozen=True)
class Note:
    """A hygiene remark about a layer's CRS, shown as an info finding."""

    key: str
    params: dict = field(default_factory=dict)

    def render(self, lang: str | None = None) -> str:
        """The note in ``lang`` (default: the user's language)."""
        return messages.text(self.key, lang, **self.params)


@dataclass(frozen=True)
class Guess:
    """A CRS under which a layer's coordinates fall inside Kon Tum."""

    epsg: int
    swapped: bool
    name: str  # pyproj's name, language-neutral
    label: dict[str, str]
    reason: dict[str, str]
    lonlat_bounds: Bounds

    @property
    def crs(self) -> str:
        """``"EPSG:<code>"``."""
        return f"EPSG:{self.epsg}"


@dataclass(frozen=True)
class Resolved:
    """A layer's resolved CRS."""

    crs: CRS
    epsg: int | None
    source: str  # "prj" | "override"
    notes: list[Note] = field(default_factory=list)


@dataclass(frozen=True)
class ControlPoint:
    """A published control point converted to WGS 84 by PROJ, against its published WGS 84 value."""

    name: str
    source_epsg: int
    x: float
    y: float
    lon: float
    lat: float
    ref_lon: float
    ref_lat: float
    error_m: float


# ---------------------------------------------------------------------------------------------
# helpers


@lru_cache(maxsize=64)
def _epsg_crs(code: int) -> CRS:
    return CRS.from_epsg(code)


@lru_cache(maxsize=64)
def _to_lonlat(crs: CRS) -> Transformer:
    return Transformer.from_crs(crs, "EPSG:4326", always_xy=True)


def _as_crs(value: object) -> CRS:
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        return _epsg_crs(int(value))
    return CRS.from_user_input(value)


def _finite(bounds: object) -> Bounds | None:
    if bounds is None:
        return None
    b = tuple(float(v) for v in bounds)  # type: ignore[union-attr]
    if len(b) != 4 or not all(math.isfinite(v) for v in b):
        return None
    return b  # type: ignore[return-value]


def _swap(b: Bounds) -> Bounds:
    return (b[1], b[0], b[3], b[2])


def _degree_like(b: Bounds) -> bool:
    return all(abs(v) <= 180 for v in (b[0], b[2])) and all(abs(v) <= 90 for v in (b[1], b[3]))


def _fits(lonlat: Bounds | None) -> bool:
    if lonlat is None:
        return False
    w, s, e, n = schema.PROVINCE_BOUNDS_LONLAT
    m = FIT_MARGIN_DEG
    return lonlat[0] >= w - m and lonlat[2] <= e + m and lonlat[1] >= s - m and lonlat[3] <= n + m


def _base(crs: CRS) -> CRS:
    return crs.source_crs if crs.is_bound else crs


def _name(crs: CRS, epsg: int | None = None) -> str:
    code = epsg if epsg is not None else crs.to_epsg(min_confidence=100)
    return f"{crs.name} (EPSG:{code})" if code else crs.name


def to_lonlat_bounds(crs: CRS | str | int, bounds: Bounds) -> Bounds:
    """Transform ``bounds`` to WGS 84 longitude/latitude.

    Parameters
    ----------
    crs
        The CRS of ``bounds`` (pyproj CRS, string or EPSG code).
    bounds
        (minx, miny, maxx, maxy) in ``crs``.

    Returns
    -------
    tuple of float
        (west, south, east, north) in degrees. PROJ picks the transformation (EPSG:6960 for
        VN-2000 -> WGS 84); the edges are densified (21 points each).
    """
    t = _to_lonlat(_as_crs(crs))
    w, s, e, n = t.transform_bounds(*bounds, densify_pts=21)
    return (float(w), float(s), float(e), float(n))


def _safe_lonlat(crs: CRS, b: Bounds) -> Bounds | None:
    if crs.is_geographic and not _degree_like(b):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = to_lonlat_bounds(crs, b)
    except (ProjError, ProjCRSError, ValueError):
        return None
    return out if all(math.isfinite(v) for v in out) else None


def _centre_lonlat(crs: CRS, b: Bounds) -> tuple[float, float] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lon, lat = _to_lonlat(crs).transform((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)
    except (ProjError, ProjCRSError, ValueError):
        return None
    return (lon, lat) if math.isfinite(lon) and math.isfinite(lat) else None


def _direction(az: float) -> dict[str, str]:
    names = ("n", "ne", "e", "se", "s", "sw", "w", "nw")
    return messages.both("crs.dir." + names[round((az % 360) / 45) % 8])


def _dms(deg: float) -> str:
    d, minutes = int(deg), round((deg - int(deg)) * 60)
    return f"{d}°{minutes:02d}′"


# ---------------------------------------------------------------------------------------------
# guesses


def _label(epsg: int, family: str) -> dict[str, str]:
    crs = _epsg_crs(epsg)
    datum = "VN-2000" if "2000" in crs.datum.name else "WGS 84"
    if family == "tm3":
        lon0 = _params(crs)["8802"]
        return messages.both("crs.label.tm3", meridian=_dms(lon0), epsg=epsg)
    if family == "utm":
        zone = crs.name.rsplit(" ", 1)[-1]
        return messages.both("crs.label.utm", datum=datum, zone=zone, epsg=epsg)
    if family == "geographic":
        return messages.both("crs.label.geographic", datum=datum, epsg=epsg)
    return messages.both("crs.label.webmerc", epsg=epsg)


def guess_crs(bounds: Bounds) -> list[Guess]:
    """CRSs under which ``bounds`` (minx, miny, maxx, maxy) fall inside Kon Tum, best first.

    A candidate fits when the bounds, transformed to lon/lat, lie inside
    ``schema.PROVINCE_BOUNDS_LONLAT`` widened by :data:`FIT_MARGIN_DEG`. Candidates are VN-2000
    TM-3 zones (EPSG:9216, Kon Tum's own, first), VN-2000 and WGS 84 UTM 48N/49N, degrees
    (EPSG:4326, 4756) and Web Mercator, each also with X and Y swapped (Vietnamese surveying
    writes X for the northing). Unswapped guesses rank before swapped ones.

    Parameters
    ----------
    bounds
        (minx, miny, maxx, maxy) of the layer in its unknown CRS.

    Returns
    -------
    list of Guess
        The fitting candidates, best first; empty when nothing fits or the bounds are not
        finite (an empty layer).
    """
    b = _finite(bounds)
    if b is None:
        return []
    out: list[Guess] = []
    for swapped in (False, True):
        bb = _swap(b) if swapped else b
        for epsg, family in _CANDIDATES:
            lonlat = _safe_lonlat(_epsg_crs(epsg), bb)
            if not _fits(lonlat):
                continue
            assert lonlat is not None
            label = _label(epsg, family)
            parts = ["crs.reason.fit"]
            if epsg == PROVINCE_EPSG:
                parts.append("crs.reason.province")
            elif family == "tm3":
                parts.append("crs.reason.meridian")
            elif family in ("utm", "geographic"):
                parts.append("crs.reason.datum")
            if swapped:
                parts.append("crs.reason.swapped")
                label = {lg: messages.text("crs.label.swapped", lg, label=text)
                         for lg, text in label.items()}
            w, s, e, n = lonlat
            reason = {
                lg: "; ".join(messages.text(k, lg, w=w, s=s, e=e, n=n) for k in parts)
                for lg in messages.LANGS
            }
            out.append(Guess(epsg, swapped, _epsg_crs(epsg).name, label, reason, lonlat))
    return out


def _hint(guesses: list[Guess], layer: str, bounds: Bounds | None) -> dict[str, str]:
    if bounds is None:
        return messages.both("crs.hint.empty", layer=layer)
    if not guesses:
        minx, miny, maxx, maxy = bounds
        return messages.both("crs.hint.unknown", layer=layer, minx=minx, miny=miny, maxx=maxx,
                             maxy=maxy)
    best = guesses[0]
    others = [g.crs for g in guesses[1:] if g.swapped == best.swapped]
    also_key = "crs.hint.also_tm3" if _FAMILY[best.epsg] == "tm3" else "crs.hint.also"
    also = messages.both(also_key, codes=", ".join(others)) if others else {"vi": "", "en": ""}
    key = "crs.hint.swap" if best.swapped else "crs.hint.declare"
    return messages.both(key, name=best.name, epsg=best.epsg, layer=layer, also=also)


# ---------------------------------------------------------------------------------------------
# identification


def _params(crs: CRS) -> dict[str, float]:
    """Conversion parameters by EPSG parameter code, in SI units (radians: back to degrees)."""
    op = crs.coordinate_operation
    out: dict[str, float] = {}
    for p in op.params if op is not None else ():
        si = p.value * p.unit_conversion_factor
        out[p.code or p.name] = math.degrees(si) if p.unit_category == "angular" else si
    return out


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
    codes += [c for c, _ in _CANDIDATES] + list(DEPRECATED) + list(DEPRECATED.values())
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


# ---------------------------------------------------------------------------------------------
# resolution


def _parse(value: object, *, file: str, layer: str, origin: dict[str, str]) -> CRS:
    if isinstance(value, CRS):
        return value
    try:
        return _as_crs(value)
    except (ProjCRSError, TypeError, ValueError) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise CRSError("crs.invalid", file=file, layer=layer, origin=origin, value=str(value)[:80],
                       error=first[:120]) from None


def _geodesic_km(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    az, _, dist = _GEOD.inv(a[0], a[1], b[0], b[1])
    return dist / 1000, az


def _beyond_km(lonlat: Bounds) -> float:
    """How far the corners of ``lonlat`` reach beyond the province's extent, at most (km)."""
    w, s, e, n = schema.PROVINCE_BOUNDS_LONLAT
    worst = 0.0
    for lon in (lonlat[0], lonlat[2]):
        for lat in (lonlat[1], lonlat[3]):
            inside = (min(max(lon, w), e), min(max(lat, s), n))
            worst = max(worst, _geodesic_km(inside, (lon, lat))[0])
    return worst


def _outside(crs: CRS, epsg: int | None, b: Bounds, *, file: str, layer: str,
             origin: dict[str, str]) -> CRSError:
    guesses = guess_crs(b)
    hint = _hint(guesses, layer, b)
    centre, lonlat = _centre_lonlat(crs, b), _safe_lonlat(crs, b)
    if centre is None or lonlat is None:
        where = messages.both("crs.where.nowhere")
    else:
        w, s, e, n = lonlat
        where = messages.both("crs.where.at", w=w, s=s, e=e, n=n, dist_km=_beyond_km(lonlat))
    shift = {"vi": "", "en": ""}
    if guesses and centre is not None:
        g = guesses[0]
        gb = _swap(b) if g.swapped else b
        gc = _centre_lonlat(_epsg_crs(g.epsg), gb)
        if gc is not None:
            off_km, az = _geodesic_km(gc, centre)
            shift = messages.both("crs.shift", off_km=off_km, direction=_direction(az),
                                  guess_name=g.name, guess_epsg=g.epsg)
    return CRSError("crs.outside", file=file, layer=layer, origin=origin,
                    crs_name=_name(crs, epsg), where=where, shift=shift, hint=hint)


def _towgs84_notes(crs_in: CRS, canonical: CRS, b: Bounds | None, *, file: str,
                   layer: str) -> list[Note]:
    towgs = _towgs84(crs_in)
    if towgs is None:
        return []
    refs = _reference_helmerts()
    if any(all(abs(x - y) < 1e-6 for x, y in zip(towgs, r, strict=True)) for r in refs):
        return []
    # Effect at the data's centre, or at the Bờ Y gate when the layer is empty.
    pt = ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) if b else _BO_Y_TM3
    a, c = _centre_lonlat(crs_in, pt * 2), _centre_lonlat(canonical, pt * 2)
    err_m = _GEOD.inv(a[0], a[1], c[0], c[1])[2] if a and c else float("nan")
    ref = refs[0]
    flipped = (*ref[:3], -ref[3], -ref[4], -ref[5], ref[6])
    key = ("crs.towgs84_cf_signs"
           if all(abs(x - y) < 1e-6 for x, y in zip(towgs, flipped, strict=True))
           else "crs.towgs84_ignored")
    return [Note(key, {"file": file, "layer": layer, "err_m": err_m})]


def _describe(declared: object) -> dict[str, str]:
    """What the file declared, for the override note."""
    if declared is None or (isinstance(declared, str) and not declared.strip()):
        return messages.both("crs.none")
    try:
        name = _name(declared if isinstance(declared, CRS) else _as_crs(declared))
    except (ProjCRSError, TypeError, ValueError):
        return messages.both("crs.unreadable")
    return {lang: name for lang in messages.LANGS}


def resolve_crs(declared: CRS | str | None, bounds: Bounds | None, *, override: str | None = None,
                file: str, layer: str) -> Resolved:
    """Resolve a layer's CRS from what the file declares and an optional override.

    Parameters
    ----------
    declared
        The file's CRS: a pyproj CRS, WKT / authority string, or None when there is none.
    bounds
        The layer's (minx, miny, maxx, maxy) in the file's coordinates (NaN when empty).
    override
        A CRS string from ``kzplan.toml`` or ``--crs``; wins over ``declared`` (noted).
    file, layer
        Named in every message.

    Returns
    -------
    Resolved
        The CRS to read the layer with (a canonical EPSG CRS when the definition matches one),
        its EPSG code, where it came from, and hygiene notes.

    Raises
    ------
    CRSError
        No CRS and no override (with the best guess); a deprecated code (with its replacement);
        a CRS that puts the data outside Kon Tum (with the distance and a CRS that fits); a
        geographic CRS on coordinates that are not degrees; an unreadable CRS.
    """
    file, notes = str(file), []
    b = _finite(bounds)
    if override is not None and str(override).strip():
        source, origin = "override", messages.both("crs.origin.override")
        crs_in = _parse(override, file=file, layer=layer, origin=origin)
        notes.append(Note("crs.override", {"file": file, "layer": layer,
                                           "declared": _describe(declared),
                                           "override": str(override).strip()}))
    elif declared is None or (isinstance(declared, str) and not declared.strip()):
        hint = _hint(guess_crs(b) if b else [], layer, b)
        raise CRSError("crs.missing", file=file, layer=layer, hint=hint)
    else:
        source, origin = "prj", messages.both("crs.origin.prj")
        crs_in = _parse(declared, file=file, layer=layer, origin=origin)

    claimed = _claimed(crs_in)
    epsg = _identify(crs_in)
    code = epsg if epsg is not None else claimed
    if code in DEPRECATED:
        repl = DEPRECATED[code]
        if b is None or _fits(_safe_lonlat(_epsg_crs(repl), b)):
            fix = messages.both("crs.fix.replacement", replacement=repl, layer=layer)
        elif _fits(_safe_lonlat(_epsg_crs(code), b)):
            fix = messages.both("crs.fix.reproject", code=code, replacement=repl, layer=layer)
        else:
            fix = _hint(guess_crs(b), layer, b)
        raise CRSError("crs.deprecated", file=file, layer=layer, origin=origin, code=code,
                       replacement=repl, fix=fix)

    where = {"file": file, "layer": layer}
    vn2000 = _datum_family(crs_in) == "vn2000"
    if claimed is not None and epsg != claimed:
        actual = _name(_epsg_crs(epsg), epsg) if epsg else _summary(crs_in)
        notes.append(Note("crs.wkt_epsg_mismatch", {**where, "claimed": claimed, "actual": actual,
                                                    "claimed_name": _epsg_crs(claimed).name}))
    elif epsg is not None and claimed is None:
        notes.append(Note("crs.identified_from_wkt",
                          {**where, "name": _epsg_crs(epsg).name, "epsg": epsg}))
    elif epsg is None:
        twin = _identify(crs_in, datum=False)
        if twin is not None and _datum_family(_epsg_crs(twin)) == "vn2000":
            datum = _base(crs_in).datum.name
            notes.append(Note("crs.twin_other_datum", {**where, "name": _epsg_crs(twin).name,
                                                       "epsg": twin, "datum": datum}))
        else:
            notes.append(Note("crs.unidentified", {**where, "summary": _summary(crs_in)}))

    if epsg is not None and (vn2000 or not crs_in.is_bound):
        crs = _epsg_crs(epsg)
        if vn2000:
            notes += _towgs84_notes(crs_in, crs, b, file=file, layer=layer)
    else:
        crs = crs_in
    if source == "prj" and vn2000 and epsg and not crs_in.is_bound and claimed is None:
        notes.append(Note("crs.no_towgs84", {**where, "epsg": epsg}))

    if b is not None:
        if crs.is_geographic and not _degree_like(b):
            minx, miny, maxx, maxy = b
            raise CRSError("crs.not_lonlat", file=file, layer=layer, origin=origin,
                           crs_name=_name(crs, epsg), minx=minx, miny=miny, maxx=maxx, maxy=maxy,
                           hint=_hint(guess_crs(b), layer, b))
        if not _fits(_safe_lonlat(crs, b)):
            raise _outside(crs, epsg, b, file=file, layer=layer, origin=origin)
        if epsg != PROVINCE_EPSG and _FAMILY.get(epsg or 0) == "tm3":
            own = _centre_lonlat(_epsg_crs(PROVINCE_EPSG), b)
            here = _centre_lonlat(crs, b)
            if _fits(_safe_lonlat(_epsg_crs(PROVINCE_EPSG), b)) and own and here:
                notes.append(Note("crs.not_provincial", {**where, "name": crs.name, "epsg": epsg,
                                                         "off_km": _geodesic_km(own, here)[0]}))

    if crs.is_geographic:
        notes.append(Note("crs.geographic", {**where, "name": _name(crs, epsg)}))
    elif crs.coordinate_operation is not None and crs.coordinate_operation.method_code == "1024":
        lat = EQUAL_AREA_CENTRE[0]
        if b is not None and (c := _centre_lonlat(crs, b)):
            lat = c[1]
        notes.append(Note("crs.web_mercator", {**where, "name": _name(crs, epsg),
                                               "factor": 1 / math.cos(math.radians(lat)) ** 2}))
    return Resolved(crs=crs, epsg=epsg, source=source, notes=notes)


# ---------------------------------------------------------------------------------------------
# measurement


@lru_cache(maxsize=16)
def equal_area_crs(crs: CRS) -> CRS:
    """Lambert azimuthal equal-area centred on Kon Tum (14.5 N, 107.9 E) on ``crs``'s datum.

    Parameters
    ----------
    crs
        Any CRS; its ``geodetic_crs`` (the source CRS's, for a bound CRS) is kept.

    Returns
    -------
    pyproj.CRS
        A projected CRS on the same geodetic CRS, so going from ``crs`` to it is a pure change
        of projection, with no datum shift.
    """
    crs = _as_crs(crs)
    geodetic = _base(crs).geodetic_crs
    lat, lon = EQUAL_AREA_CENTRE
    conv = LambertAzimuthalEqualAreaConversion(latitude_natural_origin=lat,
                                               longitude_natural_origin=lon)
    return ProjectedCRS(conversion=conv, geodetic_crs=geodetic,
                        name=f"{geodetic.name} / LAEA Kon Tum")


def area_ha(geoms: geopandas.GeoSeries, *, file: str | None = None,
            layer: str | None = None) -> np.ndarray:
    """Areas in hectares, measured on :func:`equal_area_crs` of the series' own CRS.

    Parameters
    ----------
    geoms
        Geometries with a CRS (any: projected, geographic, Web Mercator).
    file, layer
        Named in the error when ``geoms`` has no CRS.

    Returns
    -------
    numpy.ndarray
        One float per geometry (0 for empty geometries, NaN for missing ones).

    Raises
    ------
    CRSError
        ``geoms.crs`` is None.
    """
    if geoms.crs is None:
        raise CRSError("crs.area_no_crs", file=file or "GeoSeries",
                       layer=layer or (geoms.name or "geometry"))
    return np.asarray(geoms.to_crs(equal_area_crs(geoms.crs)).area, dtype=float) / 10_000


# ---------------------------------------------------------------------------------------------
# self-test

# Bờ Y gate in EPSG:9216 (plan §3.2, computed from the published WGS 84 position).
_BO_Y_TM3 = (506_502.0, 1_626_335.0)
_BO_Y_WGS84 = (107.562192, 14.705320)  # lon, lat (S21)
# Lý Sơn LS1 (TT 37/2019/TT-BGTVT, plan §5.3): VN-2000 15°22′32.7″N 109°06′00.5″E,
# WGS 84 15°22′29″N 109°06′07″E.
_LS1_VN2000 = (109 + 6 / 60 + 0.5 / 3600, 15 + 22 / 60 + 32.7 / 3600)
_LS1_WGS84 = (109 + 6 / 60 + 7 / 3600, 15 + 22 / 60 + 29 / 3600)


def control_point_selftest() -> tuple[ControlPoint, ...]:
    """Convert the plan's control points from VN-2000 to WGS 84 with PROJ's default pipeline.

    Returns
    -------
    tuple of ControlPoint
        The Bờ Y gate (from its EPSG:9216 E/N, plan §3.2) and Lý Sơn LS1 (from its VN-2000
        degrees, EPSG:4756, plan §5.3), each with the computed WGS 84 lon/lat, the published
        WGS 84 lon/lat and the distance between them (m).
    """
    out = []
    for name, epsg, (x, y), (rlon, rlat) in (
        ("Bờ Y", PROVINCE_EPSG, _BO_Y_TM3, _BO_Y_WGS84),
        ("Lý Sơn LS1", 4756, _LS1_VN2000, _LS1_WGS84),
    ):
        lon, lat = _to_lonlat(_epsg_crs(epsg)).transform(x, y)
        err = _GEOD.inv(lon, lat, rlon, rlat)[2]
        out.append(ControlPoint(name, epsg, x, y, float(lon), float(lat), rlon, rlat, float(err)))
    return tuple(out)
