"""Every sentence of the officials' map, in Vietnamese and English (kzplan.messages).

The map's JavaScript never holds text of its own: :func:`ui` renders the labels it needs in the
chosen language and they travel to the page inside the escaped data JSON.
"""

from __future__ import annotations

from kzplan import messages

# leaflet-measure 3.1.0 has no Vietnamese build: its English phrases are replaced in the vendored
# script when the map is rendered in Vietnamese (see kzplan/_maps_assets.py).
MEASURE_VI: tuple[tuple[str, str], ...] = (
    ('title="Measure distances and areas">Measure<',
     'title="Đo khoảng cách và diện tích">Đo<'),
    (">Measure distances and areas<", ">Đo khoảng cách và diện tích<"),
    (">Create a new measurement<", ">Bắt đầu đo<"),
    (">Start creating a measurement by adding points to the map<",
     ">Bấm lên bản đồ để thêm các điểm đo<"),
    (">Cancel<", ">Hủy<"),
    (">Finish measurement<", ">Kết thúc đo<"),
    (">Last point<", ">Điểm cuối<"),
    (">Path distance<", ">Chiều dài<"),
    (">Area<", ">Diện tích<"),
    (">Point location<", ">Vị trí điểm<"),
    (">Center on this location<", ">Về giữa vị trí này<"),
    (">Delete<", ">Xóa<"),
    (">Linear measurement<", ">Đo chiều dài<"),
    (">Center on this line<", ">Về giữa đường này<"),
    (">Area measurement<", ">Đo diện tích<"),
    ("}} Perimeter<", "}} chu vi<"),
    (">Center on this area<", ">Về giữa vùng này<"),
)

_UI_KEYS = {
    "fix": "map.fix",
    "noFindings": "map.no_findings",
    "legend": "map.legend",
    "summary": "map.summary",
    "toggle": "map.summary.toggle",
    "search": "map.search",
    "searchNone": "map.search_none",
    "searchHint": "map.search_hint",
    "fullscreen": "map.fullscreen",
    "fullscreenExit": "map.fullscreen_exit",
    "m": "map.unit.m",
    "km": "map.unit.km",
    "ha": "map.unit.ha",
    "m2": "map.unit.m2",
    "place": "map.mark.place",
}


def ui(lang: str) -> dict[str, str]:
    """The labels the page's script needs, in ``lang``."""
    return {name: messages.text(key, lang) for name, key in _UI_KEYS.items()}


def t(key: str, lang: str, /, **params: object) -> str:
    """Shorthand for ``messages.text`` with the map's keys."""
    return messages.text(f"map.{key}", lang, **params)
