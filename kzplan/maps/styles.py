"""How the map draws each layer: draw order, styles, which layers get dots, map numbers."""

from __future__ import annotations

from typing import Any

from kzplan._format import fmt_number

DRAW_ORDER = ("districts", "kkt", "kcn", "ccn", "lo_dat")
# Layers drawn only from this zoom on (lots are many and small: the page stays light).
MIN_ZOOM = {"lo_dat": 14}
# Finding polygons smaller than this are filled (overlap pieces); larger ones only outlined.
FILL_BELOW_M2 = 5e6

STYLES: dict[str, dict[str, dict[str, Any]]] = {
    "districts": {
        "ok": {"color": "#525252", "weight": 1.5, "fillColor": "#d9d9d9", "fillOpacity": 0.35},
        "bad": {"color": "#525252", "weight": 1.5, "fillColor": "#fb6a4a", "fillOpacity": 0.3},
        "_": {"color": "#525252", "weight": 1.5, "fillColor": "#ffffff", "fillOpacity": 0.1},
        "province": {"color": "#252525", "weight": 3, "fill": False},
    },
    "kkt": {"_": {"color": "#6a3d9a", "weight": 2.5, "fillColor": "#cab2d6", "fillOpacity": 0.3}},
    "kcn": {"_": {"color": "#08306b", "weight": 1.5, "fillColor": "#2171b5", "fillOpacity": 0.65}},
    "ccn": {
        "quy_hoach": {"color": "#238b45", "weight": 1.5, "fillColor": "#c7e9c0",
                      "fillOpacity": 0.8},
        "thanh_lap": {"color": "#00441b", "weight": 1.5, "fillColor": "#41ab5d",
                      "fillOpacity": 0.8},
        "hoat_dong": {"color": "#00220d", "weight": 1.5, "fillColor": "#005a32",
                      "fillOpacity": 0.85},
        "_": {"color": "#636363", "weight": 1.5, "fillColor": "#bdbdbd", "fillOpacity": 0.8},
    },
}
DOT_LAYERS = ("kcn", "ccn")
STYLES["lo_dat"] = {
    "da_thue": {"color": "#7f2704", "weight": 0.8, "fillColor": "#f16913", "fillOpacity": 0.7},
    "con_trong": {"color": "#7f2704", "weight": 0.8, "fillColor": "#fdd0a2", "fillOpacity": 0.6},
    "gt": {"color": "#636363", "weight": 0.5, "fillColor": "#d9d9d9", "fillOpacity": 0.8},
    "cx": {"color": "#238b45", "weight": 0.5, "fillColor": "#a1d99b", "fillOpacity": 0.8},
    "_": {"color": "#636363", "weight": 0.5, "fillColor": "#bdbdbd", "fillOpacity": 0.6},
}


# --- formatting -------------------------------------------------------------------------------


def fmt_num(value: Any, lang: str, decimals: int = 2) -> str:
    """``1234.56`` -> ``1.234,56`` (vi) or ``1,234.56`` (en); trailing zeros dropped, ``—`` when
    missing."""
    return fmt_number(value, lang, decimals, missing="—")
