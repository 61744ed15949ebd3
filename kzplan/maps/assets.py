"""The scripts and styles of the officials' map, inlined into the HTML file.

Every map carries its own copy of Leaflet, leaflet.fullscreen, leaflet-measure and kzplan's map
script (``kzplan/maps/static/``, origins and licences in ``kzplan/maps/static/README.md``), so the file works
on a closed network and never depends on a CDN; the only requests a map can make are basemap tiles,
and an ``offline`` map has none. Images referenced by the style sheets become ``data:`` URIs.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from kzplan.maps.text import MEASURE_VI

ASSETS = resources.files("kzplan.maps") / "static"


@dataclass(frozen=True)
class Asset:
    """One vendored or own file inlined into the map."""

    path: str
    package: str
    version: str
    licence: str
    kind: str  # "js" or "css"


# In the order the page needs them: Leaflet first, then its plugins, then kzplan's own code.
BUNDLE: tuple[Asset, ...] = (
    Asset("leaflet/leaflet.css", "leaflet", "1.9.4", "BSD-2-Clause", "css"),
    Asset("leaflet.fullscreen/Control.FullScreen.css", "leaflet.fullscreen", "3.0.2", "MIT", "css"),
    Asset("leaflet-measure/leaflet-measure.css", "leaflet-measure", "3.1.0", "MIT", "css"),
    Asset("kzplan-map.css", "kzplan", "-", "MIT", "css"),
    Asset("leaflet/leaflet.js", "leaflet", "1.9.4", "BSD-2-Clause", "js"),
    Asset("leaflet.fullscreen/Control.FullScreen.js", "leaflet.fullscreen", "3.0.2", "MIT", "js"),
    Asset("leaflet-measure/leaflet-measure.en.js", "leaflet-measure", "3.1.0", "MIT", "js"),
    Asset("kzplan-map.js", "kzplan", "-", "MIT", "js"),
)

_MIME = {".png": "image/png", ".svg": "image/svg+xml"}
_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def _read(path: str) -> str:
    return (ASSETS / path).read_text(encoding="utf-8")


def _data_uri(css_path: str, ref: str) -> str:
    folder = css_path.rsplit("/", 1)[0] if "/" in css_path else ""
    target = ASSETS.joinpath(*(p for p in f"{folder}/{ref}".split("/") if p))
    suffix = "." + ref.rsplit(".", 1)[-1].lower()
    payload = base64.b64encode(target.read_bytes()).decode("ascii")
    return f"data:{_MIME[suffix]};base64,{payload}"


def _inline_css(path: str) -> str:
    """The style sheet without comments and with every image as a ``data:`` URI."""
    css = _CSS_COMMENT.sub("", _read(path))

    def swap(match: re.Match[str]) -> str:
        ref = match.group(2)
        if ref.startswith(("data:", "#")):
            return match.group(0)
        return f'url("{_data_uri(path, ref)}")'

    return _URL.sub(swap, css)


def translate_measure(script: str, lang: str) -> str:
    """leaflet-measure's English interface phrases in ``lang`` (every phrase must be found)."""
    if lang == "en":
        return script
    for english, vietnamese in MEASURE_VI:
        if english not in script:
            msg = f"leaflet-measure phrase {english!r} not found; update MEASURE_VI."
            raise RuntimeError(msg)
        script = script.replace(english, vietnamese)
    return script


@cache
def _css_bundle() -> str:
    return "\n".join(_inline_css(a.path) for a in BUNDLE if a.kind == "css")


@cache
def _js_parts(lang: str) -> tuple[str, ...]:
    parts = []
    for asset in BUNDLE:
        if asset.kind != "js":
            continue
        text = _read(asset.path)
        if asset.package == "leaflet-measure":
            text = translate_measure(text, lang)
        if re.search(r"</script|<!--", text, re.I):
            msg = f"{asset.path} cannot be inlined in a <script> element."
            raise RuntimeError(msg)
        parts.append(text)
    return tuple(parts)


def head_html(lang: str) -> str:
    """``<style>`` and ``<script>`` elements carrying every asset, for the page's ``<head>``."""
    scripts = "\n".join(f"<script>\n{js}\n</script>" for js in _js_parts(lang))
    return f"<style>\n{_css_bundle()}\n</style>\n{scripts}"
