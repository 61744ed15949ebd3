"""Tests that kill surviving mutants in kzplan.crs: the guesses (labels, reasons, order), the edge
of the province's extent, and what an error says (hint, where, shift). Expected texts are built
from the message catalogue with independently computed values, never copied from the output."""

from __future__ import annotations

import pytest
from pyproj import CRS, Geod, Transformer

from kzplan import messages
from kzplan._errors import KzplanError
from kzplan.crs import guess_crs, resolve_crs, to_lonlat_bounds
from kzplan.plandef import load_plandef

W, S, E, N = load_plandef().extent
FIT_MARGIN_DEG = load_plandef().margin_deg
# what the plan adds to every CRS message (str.format ignores the ones a template does not use)
EXTRA = {"province": load_plandef().province, "note": load_plandef().crs_note,
         "plan_crs": load_plandef().crs}
LON, LAT = 107.99, 14.36  # TP Kon Tum
GEOD = Geod(ellps="WGS84")


def _bounds(epsg: int, lon: float = LON, lat: float = LAT, size: float = 1000.0) -> tuple:
    x, y = Transformer.from_crs(4326, epsg, always_xy=True).transform(lon, lat)
    return (x, y, x + size, y + size)


def _by_epsg(bounds: tuple) -> dict[tuple[int, bool], object]:
    return {(g.epsg, g.swapped): g for g in guess_crs(bounds)}


def _reason(parts: list[str], lonlat: tuple) -> dict[str, str]:
    w, s, e, n = lonlat
    return {lg: "; ".join(messages.text(k, lg, **EXTRA, w=w, s=s, e=e, n=n) for k in parts)
            for lg in messages.LANGS}


# --- guesses ------------------------------------------------------------------------------------


def test_the_province_projection_comes_first_with_its_label_and_reason() -> None:
    guesses = guess_crs(_bounds(9216))
    best = guesses[0]
    assert (best.epsg, best.swapped, best.crs) == (9216, False, "EPSG:9216")
    assert best.name == CRS.from_epsg(9216).name
    assert best.label == messages.both("crs.label.tm3", meridian="107°30′", epsg=9216)
    assert best.reason == _reason(["crs.reason.fit", "crs.reason.province"], best.lonlat_bounds)
    assert best.lonlat_bounds == pytest.approx(to_lonlat_bounds(9216, _bounds(9216)))
    other = next(g for g in guesses if g.epsg == 5899)  # TM-3 107°45′
    assert other.label == messages.both("crs.label.tm3", meridian="107°45′", epsg=5899)
    assert other.reason == _reason(["crs.reason.fit", "crs.reason.meridian"], other.lonlat_bounds)
    assert all(not g.swapped for g in guesses)


@pytest.mark.parametrize(("epsg", "datum", "zone"), [(3405, "VN-2000", "48N"),
                                                     (32648, "WGS 84", "48N")])
def test_utm_guesses(epsg: int, datum: str, zone: str) -> None:
    g = _by_epsg(_bounds(epsg))[epsg, False]
    assert g.label == messages.both("crs.label.utm", **EXTRA, datum=datum, zone=zone, epsg=epsg)
    assert g.reason == _reason(["crs.reason.fit", "crs.reason.datum"], g.lonlat_bounds)


@pytest.mark.parametrize(("epsg", "datum"), [(4326, "WGS 84"), (4756, "VN-2000")])
def test_degree_guesses(epsg: int, datum: str) -> None:
    b = (LON, LAT, LON + 0.01, LAT + 0.01)
    g = _by_epsg(b)[epsg, False]
    assert g.label == messages.both("crs.label.geographic", **EXTRA, datum=datum, epsg=epsg)
    assert g.reason == _reason(["crs.reason.fit", "crs.reason.datum"], g.lonlat_bounds)


def test_web_mercator_guess() -> None:
    g = _by_epsg(_bounds(3857))[3857, False]
    assert g.label == messages.both("crs.label.webmerc", **EXTRA, epsg=3857)
    assert g.reason == _reason(["crs.reason.fit"], g.lonlat_bounds)


def test_swapped_guesses_follow_the_unswapped_ones() -> None:
    x0, y0, x1, y1 = _bounds(9216)
    guesses = guess_crs((y0, x0, y1, x1))
    best = guesses[0]
    assert (best.epsg, best.swapped) == (9216, True)
    plain = messages.both("crs.label.tm3", meridian="107°30′", epsg=9216)
    assert best.label == {lg: messages.text("crs.label.swapped", lg, **EXTRA, label=plain[lg])
                          for lg in messages.LANGS}
    assert best.reason == _reason(["crs.reason.fit", "crs.reason.province", "crs.reason.swapped"],
                                  best.lonlat_bounds)
    assert all(g.swapped for g in guesses)


def test_no_guess_for_empty_or_faraway_bounds() -> None:
    assert guess_crs((float("nan"),) * 4) == []
    assert guess_crs((0.0, 0.0, 1.0, float("inf"))) == []
    assert guess_crs((1e9, 1e9, 1e9 + 1, 1e9 + 1)) == []
    assert guess_crs((500.0, 300.0, 501.0, 301.0)) == []  # degrees out of range: no error


# --- the edge of the extent ---------------------------------------------------------------------


@pytest.mark.parametrize("side", ["w", "s", "e", "n"])
@pytest.mark.parametrize(("beyond", "fits"), [(-0.001, True), (0.001, False)])
def test_a_layer_near_the_edge_of_the_province(side: str, beyond: float, fits: bool) -> None:
    """Degrees: the layer reaches ``beyond`` past the margin on one side (negative: inside)."""
    m = FIT_MARGIN_DEG + beyond
    lon, lat = LON, LAT
    b = {"w": (W - m, lat, lon, lat + 0.01), "e": (lon, lat, E + m, lat + 0.01),
         "s": (lon, S - m, lon + 0.01, lat), "n": (lon, lat, lon + 0.01, N + m)}[side]
    assert ((4326, False) in _by_epsg(b)) is fits


# --- errors: hint, where, shift -----------------------------------------------------------------


def _error(declared: str | None, bounds: tuple) -> KzplanError:
    with pytest.raises(KzplanError) as err:
        resolve_crs(declared, bounds, file="f.shp", layer="ccn")
    return err.value


def test_missing_crs_hint_names_the_best_guess_and_the_others() -> None:
    b = _bounds(9216)
    err = _error(None, b)
    assert err.key == "crs.missing" and err.params["layer"] == "ccn"
    guesses = guess_crs(b)
    others = ", ".join(g.crs for g in guesses[1:] if not g.swapped)
    also = messages.both("crs.hint.also_tm3", codes=others)
    assert err.params["hint"] == messages.both("crs.hint.declare", **EXTRA, name=guesses[0].name,
                                               epsg=9216, layer="ccn", also=also)


def test_hint_for_utm_uses_the_plain_also_and_no_also_when_alone() -> None:
    b = _bounds(3405)
    guesses = guess_crs(b)
    assert guesses[0].epsg == 3405
    others = [g.crs for g in guesses[1:] if not g.swapped]
    assert others == ["EPSG:32648"]
    err = _error(None, b)
    also = messages.both("crs.hint.also", **EXTRA, codes="EPSG:32648")
    assert err.params["hint"] == messages.both("crs.hint.declare", **EXTRA, name=guesses[0].name,
                                               epsg=3405, layer="ccn", also=also)


def test_hint_when_nothing_fits() -> None:
    b = (1e7, 1e7, 1e7 + 5, 1e7 + 5)
    err = _error(None, b)
    assert err.params["hint"] == messages.both("crs.hint.unknown", **EXTRA, layer="ccn", minx=b[0],
                                               miny=b[1], maxx=b[2], maxy=b[3])


def test_swapped_coordinates_get_the_swap_hint() -> None:
    x0, y0, x1, y1 = _bounds(9216)
    b = (y0, x0, y1, x1)
    err = _error("EPSG:9216", b)
    assert err.key == "crs.outside"
    guesses = guess_crs(b)
    others = ", ".join(g.crs for g in guesses[1:] if g.swapped)
    also = messages.both("crs.hint.also_tm3", codes=others)
    assert err.params["hint"] == messages.both("crs.hint.swap", **EXTRA, name=guesses[0].name, epsg=9216,
                                               layer="ccn", also=also)


def _direction(az: float) -> dict[str, str]:
    names = ["n", "ne", "e", "se", "s", "sw", "w", "nw"]
    return messages.both("crs.dir." + names[int(((az % 360) + 22.5) // 45) % 8])


@pytest.mark.parametrize(("dx", "dy", "compass"), [(300_000, 0, "e"), (0, -250_000, "s"),
                                                   (-200_000, 200_000, "nw")])
def test_outside_says_where_and_how_far_from_the_guess(dx: float, dy: float,
                                                       compass: str) -> None:
    x0, y0, x1, y1 = _bounds(9216)
    b = (x0 + dx, y0 + dy, x1 + dx, y1 + dy)
    err = _error("EPSG:9216", b)
    assert err.key == "crs.outside"
    assert err.params["crs_name"] == f"{CRS.from_epsg(9216).name} (EPSG:9216)"
    w, s, e, n = to_lonlat_bounds(9216, b)
    beyond = max(GEOD.inv(min(max(lon, W), E), min(max(lat, S), N), lon, lat)[2]
                 for lon in (w, e) for lat in (s, n)) / 1000
    assert err.params["where"] == messages.both("crs.where.at", **EXTRA, w=w, s=s, e=e, n=n,
                                                dist_km=beyond)
    guesses = guess_crs(b)
    if not guesses:
        assert err.params["shift"] == {"vi": "", "en": ""}
        return
    g = guesses[0]
    to_ll = Transformer.from_crs(9216, 4326, always_xy=True)
    centre = to_ll.transform((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)
    gc = Transformer.from_crs(g.epsg, 4326, always_xy=True).transform((b[0] + b[2]) / 2,
                                                                      (b[1] + b[3]) / 2)
    az, _, dist = GEOD.inv(gc[0], gc[1], centre[0], centre[1])
    assert _direction(az) == messages.both("crs.dir." + compass)
    assert err.params["shift"] == messages.both(
        "crs.shift", off_km=dist / 1000, direction=_direction(az), guess_name=g.name,
        guess_epsg=g.epsg)
