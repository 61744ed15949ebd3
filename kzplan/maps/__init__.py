"""The officials' map: one self-contained HTML file (Leaflet via folium), in Vietnamese or English.

Rooms: :mod:`~kzplan.maps.render` builds the page, :mod:`~kzplan.maps.data` turns a plan and its
report into plain data (layers, popups, finding marks), :mod:`~kzplan.maps.summary` the legend and
the plan-vs-target panel, :mod:`~kzplan.maps.styles` how each layer is drawn,
:mod:`~kzplan.maps.text` the map's sentences and :mod:`~kzplan.maps.assets` the inlined Leaflet,
scripts and styles (``static/``, no CDN).
"""

from __future__ import annotations

from kzplan.maps.render import SIZE_LIMIT, default_filename, human_size, render_map, write_map

__all__ = ["SIZE_LIMIT", "default_filename", "human_size", "render_map", "write_map"]
