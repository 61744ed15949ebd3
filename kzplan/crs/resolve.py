"""Resolving a layer's CRS: what the file declares, an override, identification, and the fit to the
plan's area; refusals carry a guess and the fix."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pyproj import CRS

from kzplan import messages
from kzplan._errors import CRSError
from kzplan._format import fmt_number
from kzplan.crs._common import (
    Bounds,
    Note,
    _base,
    _centre_lonlat,
    _degree_like,
    _direction,
    _epsg_crs,
    _finite,
    _geodesic_km,
    _name,
    _safe_lonlat,
    _swap,
)
from kzplan.crs.area import beyond_km, fits, plan_or_default, province
from kzplan.crs.guess import _hint, family, guess_crs
from kzplan.crs.identify import (
    DEPRECATED,
    _claimed,
    _datum_family,
    _describe,
    _identify,
    _parse,
    _summary,
    _towgs84_notes,
)

if TYPE_CHECKING:
    from kzplan.plandef import PlanDef

@dataclass(frozen=True)
class Resolved:
    """A layer's resolved CRS."""

    crs: CRS
    epsg: int | None
    source: str  # "prj" | "override"
    notes: list[Note] = field(default_factory=list)


@dataclass(frozen=True)
class UnreadablePrj:
    """What a shapefile declares when its ``.prj`` exists but holds no coordinate system that can
    be read (garbage, empty, truncated WKT): refused as such, never taken for a missing ``.prj``."""

    file: str
    sample: str


def _outside(crs: CRS, epsg: int | None, b: Bounds, *, file: str, layer: str,
             origin: dict[str, str], plan: PlanDef) -> CRSError:
    guesses = guess_crs(b, plan)
    hint = _hint(guesses, layer, b, plan)
    centre, lonlat = _centre_lonlat(crs, b), _safe_lonlat(crs, b)
    if centre is None or lonlat is None:
        where = messages.both("crs.where.nowhere")
    else:
        w, s, e, n = lonlat
        where = messages.both("crs.where.at", w=w, s=s, e=e, n=n, dist_km=beyond_km(lonlat, plan))
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
                    crs_name=_name(crs, epsg), where=where, shift=shift, hint=hint,
                    province=province(plan))


def _where_text(crs: CRS, b: Bounds) -> dict[str, str]:
    """Where ``crs`` puts the centre of ``b``, in both languages."""
    c = _centre_lonlat(crs, b)
    if c is None:
        return messages.both("crs.where.nowhere")
    return {lang: messages.text("crs.conflict.at", lang, lon=fmt_number(c[0], lang, 3, trim=False),
                                lat=fmt_number(c[1], lang, 3, trim=False))
            for lang in messages.LANGS}


def _settle_conflict(crs_in: CRS, claimed: int, epsg: int | None, b: Bounds | None, *,
                     where: dict[str, str], plan: PlanDef
                     ) -> tuple[CRS, int | None, Note]:
    """A .prj whose EPSG code contradicts its own parameters: take the reading that places the data
    in the plan's area (the code's or the parameters'), naming both; refuse if both or neither
    do. Returns the CRS to go on with, its EPSG code and the note."""
    by_code = _epsg_crs(claimed)
    by_params = _epsg_crs(epsg) if epsg is not None else crs_in
    actual = _name(by_params, epsg) if epsg else _summary(crs_in)
    params = {**where, "claimed": claimed, "claimed_name": by_code.name, "actual": actual}
    if b is None:  # nothing to place: follow the parameters, as the file's own definition
        return crs_in, epsg, Note("crs.wkt_epsg_mismatch", params)
    fit_code = fits(_safe_lonlat(by_code, b), plan)
    fit_params = fits(_safe_lonlat(by_params, b), plan)
    code_at, params_at = _centre_lonlat(by_code, b), _centre_lonlat(by_params, b)
    off_km = _geodesic_km(code_at, params_at)[0] if code_at and params_at else float("nan")
    params |= {"code_where": _where_text(by_code, b), "params_where": _where_text(by_params, b),
               "off_km": {lang: fmt_number(off_km, lang, 1) for lang in messages.LANGS},
               "province": province(plan)}
    if fit_code == fit_params:
        key = "crs.conflict.both_fit" if fit_code else "crs.conflict.none_fit"
        raise CRSError(key, **params)
    if fit_code:
        return by_code, claimed, Note("crs.conflict.took_code", params)
    return crs_in, epsg, Note("crs.conflict.took_params", params)

def resolve_crs(declared: CRS | str | None, bounds: Bounds | None, *, override: str | None = None,
                file: str, layer: str, plan: PlanDef | None = None) -> Resolved:
    """Resolve a layer's CRS from what the file declares and an optional override.

    Parameters
    ----------
    declared
        The file's CRS: a pyproj CRS, WKT / authority string, None when there is none, or
        :class:`UnreadablePrj` for a ``.prj`` that cannot be read (refused unless overridden).
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
        No CRS and no override (with the best guess); an unreadable ``.prj`` and no override;
        a deprecated code (with its replacement);
        a CRS that puts the data outside the plan's area (with the distance and a CRS that fits); a
        geographic CRS on coordinates that are not degrees; an unreadable CRS.
    """
    plan = plan_or_default(plan)
    file, notes = str(file), []
    b = _finite(bounds)
    if override is not None and str(override).strip():
        source, origin = "override", messages.both("crs.origin.override")
        crs_in = _parse(override, file=file, layer=layer, origin=origin)
        notes.append(Note("crs.override", {"file": file, "layer": layer,
                                           "declared": _describe(declared),
                                           "override": str(override).strip()}))
    elif isinstance(declared, UnreadablePrj):
        hint = _hint(guess_crs(b, plan), layer, b, plan) if b else {"vi": "", "en": ""}
        sample = (messages.both("crs.prj_sample", sample=declared.sample) if declared.sample
                  else messages.both("crs.prj_empty"))
        raise CRSError("crs.prj_unreadable", file=declared.file, layer=layer, sample=sample,
                       hint=hint)
    elif declared is None or (isinstance(declared, str) and not declared.strip()):
        hint = _hint(guess_crs(b, plan) if b else [], layer, b, plan)
        raise CRSError("crs.missing", file=file, layer=layer, hint=hint)
    else:
        source, origin = "prj", messages.both("crs.origin.prj")
        crs_in = _parse(declared, file=file, layer=layer, origin=origin)

    claimed = _claimed(crs_in)
    epsg = _identify(crs_in)
    code = epsg if epsg is not None else claimed
    if code in DEPRECATED:
        repl = DEPRECATED[code]
        if b is None or fits(_safe_lonlat(_epsg_crs(repl), b), plan):
            fix = messages.both("crs.fix.replacement", replacement=repl, layer=layer)
        elif fits(_safe_lonlat(_epsg_crs(code), b), plan):
            fix = messages.both("crs.fix.reproject", code=code, replacement=repl, layer=layer)
        else:
            fix = _hint(guess_crs(b, plan), layer, b, plan)
        raise CRSError("crs.deprecated", file=file, layer=layer, origin=origin, code=code,
                       replacement=repl, fix=fix)

    where = {"file": file, "layer": layer}
    vn2000 = _datum_family(crs_in) == "vn2000"
    if claimed is not None and epsg != claimed:
        crs_in, epsg, note = _settle_conflict(crs_in, claimed, epsg, b, where=where, plan=plan)
        notes.append(note)
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
                           hint=_hint(guess_crs(b, plan), layer, b, plan))
        if not fits(_safe_lonlat(crs, b), plan):
            raise _outside(crs, epsg, b, file=file, layer=layer, origin=origin, plan=plan)
        if epsg != plan.epsg and family(epsg, plan) == "tm3":
            own = _centre_lonlat(_epsg_crs(plan.epsg), b)
            here = _centre_lonlat(crs, b)
            if fits(_safe_lonlat(_epsg_crs(plan.epsg), b), plan) and own and here:
                notes.append(Note("crs.not_provincial", {**where, "name": crs.name, "epsg": epsg,
                                                         "plan_crs": plan.crs,
                                                         "off_km": _geodesic_km(own, here)[0]}))

    if crs.is_geographic:
        notes.append(Note("crs.geographic", {**where, "name": _name(crs, epsg),
                                               "plan_crs": plan.crs}))
    elif crs.coordinate_operation is not None and crs.coordinate_operation.method_code == "1024":
        lat = (plan.extent[1] + plan.extent[3]) / 2
        if b is not None and (c := _centre_lonlat(crs, b)):
            lat = c[1]
        notes.append(Note("crs.web_mercator", {**where, "name": _name(crs, epsg),
                                               "factor": 1 / math.cos(math.radians(lat)) ** 2}))
    return Resolved(crs=crs, epsg=epsg, source=source, notes=notes)
