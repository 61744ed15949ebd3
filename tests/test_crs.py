"""kzplan.crs: guesses, resolution, deprecated codes, equal-area measurement, control points.

Expected figures come from the plan doc (../shared/plan/kontum-2030.md §3.2, §4, §5) or from
independent pyproj calls, never from kzplan.crs's own output.
"""

from __future__ import annotations

import math
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS, Geod, Transformer

from kzplan import crs as kcrs
from kzplan.plandef import load_plandef
from kzplan import messages, schema
from kzplan._errors import CRSError

GEOD = Geod(ellps="WGS84")

# Plan doc §4: Kon Tum's extent in EPSG:9216.
PROVINCE_9216 = (482_245.0, 1_539_398.0, 612_374.0, 1_709_456.0)
# Plan doc §3.2: Bờ Y gate, WGS 84 and EPSG:9216.
BO_Y_LONLAT = (107.562192, 14.705320)
BO_Y_9216 = (506_502.0, 1_626_335.0)
# Plan doc §5.3: Lý Sơn LS1 (TT 37/2019/TT-BGTVT) and what EPSG:6960 gives.
LS1_WGS84 = (109 + 6 / 60 + 7 / 3600, 15 + 22 / 60 + 29 / 3600)
LS1_VN2000_PUBLISHED = (109 + 6 / 60 + 0.5 / 3600, 15 + 22 / 60 + 32.7 / 3600)
LS1_VN2000_EPSG6960 = (109 + 6 / 60 + 0.48 / 3600, 15 + 22 / 60 + 32.72 / 3600)
# Plan doc §5.3: EPSG:6960 in Position Vector signs, and the often-quoted wrong (CF-sign) string.
_SHIFT = "-191.90441429,-39.30318279,-111.45032835"
TOWGS84_PV = _SHIFT + ",0.00928836,-0.01975479,0.00427372,0.252906278"
TOWGS84_CF = _SHIFT + ",-0.00928836,0.01975479,-0.00427372,0.252906278"


def tm3_proj4(lon0: float = 107.5, datum: str = "+ellps=WGS84", towgs84: str | None = None) -> str:
    tw = f" +towgs84={towgs84}" if towgs84 else ""
    return (f"+proj=tmerc +lat_0=0 +lon_0={lon0} +k=0.9999 +x_0=500000 +y_0=0 {datum}{tw}"
            " +units=m +no_defs")


def strip_authority(wkt: str) -> str:
    return re.sub(r',AUTHORITY\["EPSG","\d+"\]', "", wkt)


def box_around(x: float, y: float, half: float = 500.0) -> tuple[float, float, float, float]:
    return (x - half, y - half, x + half, y + half)


def resolve(declared, bounds=PROVINCE_9216, **kw):
    kw.setdefault("file", "ccn.shp")
    kw.setdefault("layer", "ccn")
    return kcrs.resolve_crs(declared, bounds, **kw)


def error(declared, bounds=PROVINCE_9216, **kw) -> CRSError:
    with pytest.raises(CRSError) as info:
        resolve(declared, bounds, **kw)
    err = info.value
    for lang in messages.LANGS:
        text = err.render(lang)
        assert "\n" not in text
        assert "'ccn.shp'" in text and "ccn)" in text
    assert err.render("vi") != err.render("en")
    return err


def km_in(text: str, word: str) -> float:
    m = re.search(r"about ([\d,.]+) km " + word, text)
    assert m, text
    return float(m.group(1).replace(",", ""))


def note_keys(resolved) -> list[str]:
    return [n.key for n in resolved.notes]


def shift_km(wrong: int, right: int, xy: tuple[float, float]) -> float:
    """Independent pyproj: how far ``xy`` moves when read in ``wrong`` instead of ``right``."""
    a = Transformer.from_crs(right, 4326, always_xy=True).transform(*xy)
    b = Transformer.from_crs(wrong, 4326, always_xy=True).transform(*xy)
    return GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000


# --- deprecated codes -------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new"), sorted(kcrs.DEPRECATED.items()))
def test_deprecated_mapping_matches_pyproj(old: int, new: int) -> None:
    o, n = CRS.from_epsg(old), CRS.from_epsg(new)
    assert o.is_deprecated and not n.is_deprecated
    po = {p.code: p.value for p in o.coordinate_operation.params}
    pn = {p.code: p.value for p in n.coordinate_operation.params}
    assert po["8802"] == pn["8802"] and po["8805"] == pn["8805"] == 0.9999  # lon0, k0
    assert (po["8806"], po["8807"]) == (0, 500_000) and (pn["8806"], pn["8807"]) == (500_000, 0)
    assert o.datum == n.datum and "VN-2000" in o.name and "VN-2000" in n.name


def test_deprecated_code_names_replacement() -> None:
    err = error("EPSG:6959")
    assert "EPSG:5899" in str(err) and "EPSG:5899" in err.render("vi")
    assert "6959" in str(err)


def test_deprecated_wkt_without_authority_is_recognised() -> None:
    wkt = strip_authority(CRS.from_epsg(6958).to_wkt("WKT1_GDAL"))
    assert "EPSG:5898" in str(error(wkt))


def test_deprecated_override_is_refused() -> None:
    err = error("EPSG:9216", override="EPSG:6957")
    assert "EPSG:5897" in str(err) and "override" in str(err)


# --- guesses ----------------------------------------------------------------------------------


def test_guess_province_extent_is_9216_only() -> None:
    guesses = kcrs.guess_crs(PROVINCE_9216)
    assert [g.epsg for g in guesses] == [9216]
    assert not guesses[0].swapped and guesses[0].crs == "EPSG:9216"


def test_guess_small_layer_ranks_9216_first() -> None:
    guesses = kcrs.guess_crs(box_around(*BO_Y_9216))
    codes = [g.epsg for g in guesses]
    assert codes[0] == 9216 and {5899, 9215} <= set(codes)
    assert not any(g.swapped for g in guesses)
    for g in guesses:
        for lang in messages.LANGS:
            assert g.label[lang] and g.reason[lang]
            assert f"EPSG:{g.epsg}" in g.label[lang]


def test_guess_swapped_xy() -> None:
    x, y = BO_Y_9216
    guesses = kcrs.guess_crs(box_around(y, x))  # X = northing, Y = easting
    assert guesses and guesses[0].epsg == 9216 and guesses[0].swapped
    assert all(g.swapped for g in guesses)
    lon, lat = BO_Y_LONLAT
    w, s, e, n = guesses[0].lonlat_bounds
    assert w < lon < e and s < lat < n


def test_guess_degrees() -> None:
    lon, lat = BO_Y_LONLAT
    codes = [g.epsg for g in kcrs.guess_crs((lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01))]
    assert codes[:2] == [4326, 4756]
    swapped = kcrs.guess_crs((lat - 0.01, lon - 0.01, lat + 0.01, lon + 0.01))
    assert swapped[0].epsg == 4326 and swapped[0].swapped


@pytest.mark.parametrize(("epsg", "lonlat", "expected"), [
    (32648, BO_Y_LONLAT, {3405, 32648}),
    (3406, (108.0083, 14.3617), {3406, 32649}),  # TP Kon Tum centre (plan §4)
    (3857, BO_Y_LONLAT, {3857}),
])
def test_guess_other_projections(epsg: int, lonlat, expected: set[int]) -> None:
    x, y = Transformer.from_crs(4326, epsg, always_xy=True).transform(*lonlat)
    codes = {g.epsg for g in kcrs.guess_crs(box_around(x, y))}
    assert codes == expected


@pytest.mark.parametrize("bounds", [(0, 0, 1, 1), (1e7, 1e7, 2e7, 2e7), (math.nan,) * 4])
def test_guess_nothing(bounds) -> None:
    assert kcrs.guess_crs(bounds) == []


# --- resolution: errors -----------------------------------------------------------------------


def test_missing_crs_suggests_9216() -> None:
    err = error(None)
    en = str(err)
    assert "EPSG:9216" in en and "--crs" in en and "[layers.ccn]" in en and ".prj" in en
    assert "EPSG:9216" in err.render("vi") and "--crs" in err.render("vi")


def test_missing_crs_swapped_says_swap() -> None:
    x0, y0, x1, y1 = PROVINCE_9216
    en = str(error(None, (y0, x0, y1, x1)))
    assert "EPSG:9216" in en and "swap" in en.lower()


def test_missing_crs_empty_and_hopeless() -> None:
    assert "EPSG:9216" in str(error(None, (math.nan,) * 4))
    assert "--crs" in str(error("", (0, 0, 1, 1)))


def test_5898_on_9216_data_is_53_8_km_east() -> None:
    en = str(error("EPSG:5898"))
    km = km_in(en, "east")
    assert abs(km - 53.8) < 0.3  # plan §5.4
    centre = ((PROVINCE_9216[0] + PROVINCE_9216[2]) / 2, (PROVINCE_9216[1] + PROVINCE_9216[3]) / 2)
    assert abs(km - shift_km(5898, 9216, centre)) < 0.06  # message rounds to 0.1 km
    assert "EPSG:9216" in en.split("km east")[1]


def test_3405_on_9216_data_is_269_km_west() -> None:
    en = str(error(CRS.from_epsg(3405)))
    assert abs(km_in(en, "west") - 269) < 1.0  # plan §5.4


def test_5899_and_9218_offsets() -> None:
    # plan §5.4: 107.5 data read as 107.75 / 108.5 -> ≈ 26.9 / 107.7 km
    assert abs(km_in(str(error("EPSG:5899")), "east") - 26.9) < 0.3
    assert abs(km_in(str(error("EPSG:9218")), "east") - 107.7) < 0.5


def test_geographic_crs_on_metres() -> None:
    err = error("EPSG:4326")
    assert "EPSG:9216" in str(err) and "degrees" in str(err)


def test_metre_crs_on_degrees_suggests_4326() -> None:
    lon, lat = BO_Y_LONLAT
    en = str(error("EPSG:9216", (lon - 0.1, lat - 0.1, lon + 0.1, lat + 0.1)))
    assert "EPSG:4326" in en.split("km")[-1]


def test_swapped_data_with_right_crs() -> None:
    x0, y0, x1, y1 = PROVINCE_9216
    assert "swap" in str(error("EPSG:9216", (y0, x0, y1, x1))).lower()


def test_unreadable_crs() -> None:
    assert "EPSG:9216" in str(error("not a crs"))
    assert "override" in str(error("EPSG:9216", override="EPSG:999999999"))


# --- resolution: accepted ---------------------------------------------------------------------


def test_epsg_9216_plain() -> None:
    r = resolve("EPSG:9216")
    assert (r.epsg, r.source, r.notes) == (9216, "prj", [])
    assert r.crs == CRS.from_epsg(9216)


def test_wkt_without_authority_identified_as_9216() -> None:
    wkt = strip_authority(CRS.from_epsg(9216).to_wkt("WKT1_GDAL"))
    wkt = wkt.replace('"VN-2000 / TM-3 107-30"', '"Kon Tum mui 3 do"')
    assert "9216" not in wkt and "AUTHORITY" not in wkt
    r = resolve(wkt)
    assert r.epsg == 9216 and r.crs == CRS.from_epsg(9216)
    assert {"crs.identified_from_wkt", "crs.no_towgs84"} <= set(note_keys(r))


def test_esri_wkt_identified_as_9216() -> None:
    r = resolve(CRS.from_epsg(9216).to_wkt("WKT1_ESRI"))
    assert r.epsg == 9216


def test_wkt_contradicting_its_code_is_refused_when_both_fit() -> None:
    wkt = CRS.from_epsg(9216).to_wkt("WKT1_GDAL").replace('"central_meridian",107.5',
                                                          '"central_meridian",108')
    with pytest.raises(CRSError) as err:
        resolve(wkt, box_around(*BO_Y_9216))  # small enough to fit either meridian
    text = err.value.render("en")
    assert "EPSG:9216" in text and "EPSG:5898" in text and "cannot choose" in text


def test_wkt_contradicting_its_code_follows_the_one_that_fits() -> None:
    wkt = CRS.from_epsg(9216).to_wkt("WKT1_GDAL").replace('"central_meridian",107.5',
                                                          '"central_meridian",108')
    r = resolve(wkt)  # the whole province in EPSG:9216 coordinates: only the code fits
    assert r.epsg == 9216 and "crs.conflict.took_code" in note_keys(r)
    note = next(n for n in r.notes if n.key == "crs.conflict.took_code")
    assert "EPSG:5898" in note.render("en") and " km" in note.render("vi")
    moved = Transformer.from_crs(9216, 5898, always_xy=True).transform_bounds(*PROVINCE_9216)
    r = resolve(wkt, moved)  # the same area in the parameters' coordinates
    assert r.epsg == 5898 and "crs.conflict.took_params" in note_keys(r)
    assert resolve(wkt, None).epsg == 5898  # nothing to place: the parameters, with a note
    assert "crs.wkt_epsg_mismatch" in note_keys(resolve(wkt, None))


def test_tm3_on_wgs84_datum_is_not_9216() -> None:
    r = resolve(tm3_proj4(datum="+datum=WGS84"))
    assert r.epsg is None and "crs.twin_other_datum" in note_keys(r)
    note = next(n for n in r.notes if n.key == "crs.twin_other_datum")
    assert "EPSG:9216" in note.render("en") and "225 m" in note.render("en")


def test_correct_towgs84_is_equivalent_to_epsg_6960() -> None:
    bound = CRS.from_user_input(tm3_proj4(towgs84=TOWGS84_PV))
    r = resolve(bound)
    assert r.epsg == 9216
    assert not {"crs.towgs84_cf_signs", "crs.towgs84_ignored"} & set(note_keys(r))
    a = Transformer.from_crs(bound, 4326, always_xy=True).transform(*BO_Y_9216)
    b = Transformer.from_crs(r.crs, 4326, always_xy=True).transform(*BO_Y_9216)
    assert GEOD.inv(*a, *b)[2] < 0.001  # plan §5.3: 0.000 m at Bờ Y


def test_cf_signs_in_towgs84_get_a_note() -> None:
    r = resolve(tm3_proj4(towgs84=TOWGS84_CF), box_around(*BO_Y_9216))
    assert r.epsg == 9216 and r.crs == CRS.from_epsg(9216)
    note = next(n for n in r.notes if n.key == "crs.towgs84_cf_signs")
    assert abs(note.params["err_m"] - 0.62) < 0.02  # plan §5.3: 0.62 m at Bờ Y


def test_override_wins_over_file() -> None:
    r = resolve("EPSG:5898", override="EPSG:9216")
    assert (r.epsg, r.source) == (9216, "override") and r.crs == CRS.from_epsg(9216)
    note = next(n for n in r.notes if n.key == "crs.override")
    assert "EPSG:9216" in note.render("en") and "5898" in note.render("en")
    r = resolve(None, override="EPSG:9216")
    assert r.source == "override" and r.epsg == 9216


def test_geographic_and_web_mercator_notes() -> None:
    lon, lat = BO_Y_LONLAT
    r = resolve("EPSG:4326", (lon - 0.1, lat - 0.1, lon + 0.1, lat + 0.1))
    assert r.epsg == 4326 and "crs.geographic" in note_keys(r)
    x, y = Transformer.from_crs(4326, 3857, always_xy=True).transform(lon, lat)
    r = resolve("EPSG:3857", box_around(x, y))
    note = next(n for n in r.notes if n.key == "crs.web_mercator")
    assert abs(note.params["factor"] - 1 / math.cos(math.radians(lat)) ** 2) < 0.01


def test_notes_render_in_both_languages() -> None:
    r = resolve(strip_authority(CRS.from_epsg(9216).to_wkt("WKT1_GDAL")), override="EPSG:9216")
    for n in r.notes:
        assert n.render("vi") and n.render("en") and n.render("vi") != n.render("en")


# --- lon/lat bounds, equal area ---------------------------------------------------------------


def test_to_lonlat_bounds_province() -> None:
    got = kcrs.to_lonlat_bounds("EPSG:9216", PROVINCE_9216)
    assert np.allclose(got, load_plandef().extent, atol=0.01)


@pytest.mark.parametrize("epsg", [9216, 4326, 3857, 32648])
def test_equal_area_crs_keeps_the_datum(epsg: int) -> None:
    src = CRS.from_epsg(epsg)
    eq = kcrs.equal_area_crs(src)
    assert eq.geodetic_crs == src.geodetic_crs
    params = {p.code: p.value for p in eq.coordinate_operation.params}
    assert eq.coordinate_operation.method_code == "9820"  # Lambert Azimuthal Equal Area
    w, s, e, n = load_plandef().extent  # centred on the default plan's extent
    assert (params["8801"], params["8802"]) == (round((s + n) / 2, 1), round((w + e) / 2, 1))


def square_9216() -> gpd.GeoSeries:
    x, y = 500_000.0, 1_604_000.0  # ≈ 107.5 E, 14.5 N
    return gpd.GeoSeries([shapely.box(x, y, x + 1000, y + 1000)], crs="EPSG:9216")


def test_area_of_a_1km_square_is_100_ha() -> None:
    ha = kcrs.area_ha(square_9216())
    assert isinstance(ha, np.ndarray) and ha.shape == (1,)
    assert abs(ha[0] - 100) / 100 < 0.0005


@pytest.mark.parametrize("epsg", [4326, 3857])
def test_area_after_reprojection_matches_geodesic(epsg: int) -> None:
    sq = square_9216().to_crs(epsg)
    ha = kcrs.area_ha(sq)[0]
    lonlat = sq.to_crs(4326).iloc[0]
    geodesic = abs(GEOD.geometry_area_perimeter(lonlat)[0]) / 10_000
    assert abs(ha - 100) / 100 < 0.0005
    assert abs(ha - geodesic) / geodesic < 0.0001


def test_area_is_vectorised() -> None:
    geoms = gpd.GeoSeries([shapely.box(500_000, 1_604_000, 500_000 + s, 1_604_000 + s)
                           for s in (100, 1000, 2000)] + [shapely.Polygon()], crs="EPSG:9216")
    ha = kcrs.area_ha(geoms)
    assert ha.shape == (4,) and ha[3] == 0
    assert np.allclose(ha[:3], [1, 100, 400], rtol=0.0005)


def test_area_refuses_missing_crs() -> None:
    with pytest.raises(CRSError) as info:
        kcrs.area_ha(gpd.GeoSeries([shapely.box(0, 0, 1, 1)]), file="kcn.gpkg", layer="kcn")
    assert "kcn.gpkg" in str(info.value) and "EPSG:9216" in str(info.value)


# --- control points ---------------------------------------------------------------------------


def test_control_points_against_plan_doc() -> None:
    points = {p.name: p for p in kcrs.control_point_selftest()}
    bo_y, ls1 = points["Bờ Y"], points["Lý Sơn LS1"]
    # Bờ Y: E/N in EPSG:9216 -> WGS 84 agrees with the published gate position within 1 m.
    assert (bo_y.x, bo_y.y) == BO_Y_9216
    assert GEOD.inv(bo_y.lon, bo_y.lat, *BO_Y_LONLAT)[2] < 1.0
    # ... and independently, pyproj's forward transformation gives the plan's E/N within 1 m.
    e, n = Transformer.from_crs(4326, 9216, always_xy=True).transform(*BO_Y_LONLAT)
    assert math.hypot(e - BO_Y_9216[0], n - BO_Y_9216[1]) < 1.0
    # Lý Sơn LS1: the WGS 84 published to whole seconds, so agree within 0.5″.
    assert abs(ls1.lon - LS1_WGS84[0]) * 3600 < 0.5 and abs(ls1.lat - LS1_WGS84[1]) * 3600 < 0.5
    assert ls1.error_m < 16
    # Reverse (independent pyproj): WGS 84 -> VN-2000 gives the plan's 32.72″ / 00.48″.
    lon, lat = Transformer.from_crs(4326, 4756, always_xy=True).transform(*LS1_WGS84)
    assert abs(lon - LS1_VN2000_EPSG6960[0]) * 3600 < 0.01
    assert abs(lat - LS1_VN2000_EPSG6960[1]) * 3600 < 0.01
    assert abs(lon - LS1_VN2000_PUBLISHED[0]) * 3600 < 0.05


# --- messages ---------------------------------------------------------------------------------
