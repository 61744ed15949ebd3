"""``kzplan info``: what kzplan read, layer by layer."""

from __future__ import annotations

from kzplan.cli._common import (
    CrsOpt,
    DistrictsOpt,
    EncodingOpt,
    Lang,
    LangOpt,
    PathsArg,
    ReaderOpt,
    guarded,
    load,
    make_console,
)


def info(paths: PathsArg = None, crs: CrsOpt = None, encoding: EncodingOpt = None,
         districts: DistrictsOpt = None, lang: LangOpt = Lang.vi,
         reader: ReaderOpt = None) -> None:
    """Describe the plan's layers: file, driver, CRS, encoding, features, areas.
    Mô tả các lớp: tệp, định dạng, hệ tọa độ, bảng mã, số đối tượng, diện tích.

    Examples: `kzplan info` (bundled plan) · `kzplan info geodata/` ·
    `kzplan info ccn=edits/ccn.shp --crs EPSG:9218`
    """
    from kzplan.report import terminal

    def go() -> None:
        plan = load(paths, crs, encoding, districts, reader=reader)
        terminal.print_info(plan, console=make_console(), lang=lang.value)

    guarded(go, lang.value)
