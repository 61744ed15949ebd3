"""Guessing a CRS from the coordinates' magnitude: which usual CRSs put them inside the plan."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from pyproj import CRS
from pyproj.database import query_crs_info

from kzplan import messages
from kzplan.crs._common import Bounds, _dms, _epsg_crs, _finite, _params, _safe_lonlat, _swap
from kzplan.crs.area import fits, plan_or_default, province

if TYPE_CHECKING:
    from kzplan.plandef import PlanDef

@dataclass(frozen=True)
class Guess:
    """A CRS under which a layer's coordinates fall inside the plan's area."""

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


@cache
def vn2000_tm3() -> dict[int, float]:
    """Every current VN-2000 TM-3 code with its central meridian, from PROJ's database."""
    out = {}
    for info in query_crs_info(auth_name="EPSG"):
        if info.name.startswith("VN-2000 / TM-3") and not info.deprecated:
            crs = CRS.from_epsg(int(info.code))
            out[int(info.code)] = _meridian(crs)
    return out


def _meridian(crs: CRS) -> float:
    params = {p.code: p.value for p in crs.coordinate_operation.params}
    return float(params["8802"])


@cache
def candidates(plan: PlanDef) -> tuple[tuple[int, str], ...]:
    """Guess candidates in rank order, ``(epsg, family)``: the plan's own projection, the other
    VN-2000 TM-3 meridians within 1° of it (nearest first, east before west), VN-2000 and WGS 84
    UTM zones of the extent, degrees, Web Mercator."""
    tm3 = vn2000_tm3()
    own = tm3.get(plan.epsg, (plan.extent[0] + plan.extent[2]) / 2)
    near = sorted((c for c, lon0 in tm3.items() if c != plan.epsg and abs(lon0 - own) <= 1.0),
                  key=lambda c: (abs(tm3[c] - own), -tm3[c]))
    zones = sorted({int((lon + 180) // 6) + 1 for lon in (plan.extent[0], plan.extent[2])})
    vn_utm = [c for z, c in ((48, 3405), (49, 3406)) if z in zones]
    wgs_utm = [32600 + z for z in zones]
    out = [(plan.epsg, "tm3")] + [(c, "tm3") for c in near]
    out += [(c, "utm") for c in vn_utm + wgs_utm]
    out += [(4326, "geographic"), (4756, "geographic"), (3857, "webmerc")]
    return tuple(dict.fromkeys(out))


def family(epsg: int | None, plan: PlanDef) -> str | None:
    """The candidate family of ``epsg`` (``tm3``, ``utm`` …), or None."""
    if epsg in vn2000_tm3():
        return "tm3"
    return dict(candidates(plan)).get(epsg or 0)

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

def guess_crs(bounds: Bounds, plan: PlanDef | None = None) -> list[Guess]:
    """CRSs under which ``bounds`` (minx, miny, maxx, maxy) fall inside the plan's area, best
    first (``plan``: the default plan when None).

    A candidate fits when the bounds, transformed to lon/lat, lie inside
    the plan's extent widened by its margin. Candidates (:func:`candidates`) are VN-2000
    TM-3 zones (the plan's own first), VN-2000 and WGS 84 UTM 48N/49N, degrees
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
    plan = plan_or_default(plan)
    b = _finite(bounds)
    if b is None:
        return []
    out: list[Guess] = []
    for swapped in (False, True):
        bb = _swap(b) if swapped else b
        for epsg, fam in candidates(plan):
            lonlat = _safe_lonlat(_epsg_crs(epsg), bb)
            if not fits(lonlat, plan):
                continue
            assert lonlat is not None
            label = _label(epsg, fam)
            parts = ["crs.reason.fit"]
            if epsg == plan.epsg:
                parts.append("crs.reason.province")
            elif fam == "tm3":
                parts.append("crs.reason.meridian")
            elif fam in ("utm", "geographic"):
                parts.append("crs.reason.datum")
            if swapped:
                parts.append("crs.reason.swapped")
                label = {lg: messages.text("crs.label.swapped", lg, label=text)
                         for lg, text in label.items()}
            w, s, e, n = lonlat
            reason = {
                lg: "; ".join(messages.text(k, lg, w=w, s=s, e=e, n=n, province=province(plan),
                                             note=plan.crs_note) for k in parts)
                for lg in messages.LANGS
            }
            out.append(Guess(epsg, swapped, _epsg_crs(epsg).name, label, reason, lonlat))
    return out

def _hint(guesses: list[Guess], layer: str, bounds: Bounds | None, plan: PlanDef) -> dict[str, str]:
    if bounds is None:
        return messages.both("crs.hint.empty", layer=layer, plan_crs=plan.crs)
    if not guesses:
        minx, miny, maxx, maxy = bounds
        return messages.both("crs.hint.unknown", layer=layer, minx=minx, miny=miny, maxx=maxx,
                             maxy=maxy, province=province(plan), plan_crs=plan.crs)
    best = guesses[0]
    others = [g.crs for g in guesses[1:] if g.swapped == best.swapped]
    also_key = "crs.hint.also_tm3" if family(best.epsg, plan) == "tm3" else "crs.hint.also"
    also = messages.both(also_key, codes=", ".join(others)) if others else {"vi": "", "en": ""}
    key = "crs.hint.swap" if best.swapped else "crs.hint.declare"
    return messages.both(key, name=best.name, epsg=best.epsg, layer=layer, also=also)
