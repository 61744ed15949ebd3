"""``kzplan info``: what kzplan read, layer by layer; or, for any other vector file, what it is."""

from __future__ import annotations

from pathlib import Path

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


def _single_foreign_file(paths: list[str] | None) -> Path | None:
    """The one file given, when it is a vector file not named like a plan layer."""
    from kzplan import io
    from kzplan.plan import _layer_name

    if not paths or len(paths) != 1 or "=" in paths[0]:
        return None
    path = Path(paths[0])
    suffix = path.suffix.lower()
    if not path.is_file() or suffix not in io.VECTOR_SUFFIXES or suffix == ".zip":
        return None
    return path if _layer_name(path, loose=True) is None else None


def info(paths: PathsArg = None, crs: CrsOpt = None, encoding: EncodingOpt = None,
         districts: DistrictsOpt = None, lang: LangOpt = Lang.vi,
         reader: ReaderOpt = None) -> None:
    """Describe the plan's layers: file, driver, CRS, encoding, features, areas; or any vector
    file: fields, CRS, encoding, extent and which plan layer it looks like.
    Mô tả các lớp: tệp, định dạng, hệ tọa độ, bảng mã, số đối tượng, diện tích; hoặc một tệp bất
    kỳ: trường, hệ tọa độ, bảng mã, phạm vi và lớp quy hoạch mà nó giống.

    Examples: `kzplan info` (bundled plan) · `kzplan info geodata/` ·
    `kzplan info ccn=edits/ccn.shp --crs EPSG:9218` · `kzplan info cum_cn_2023.shp`
    """
    from kzplan.report import terminal

    def go() -> None:
        foreign = _single_foreign_file(paths)
        if foreign is not None:
            from kzplan import describe
            from kzplan.config import PlanConfig

            plan = PlanConfig().definition
            desc = describe.describe(foreign, plan=plan, crs=crs, encoding=encoding)
            terminal.print_description(desc, describe.guess(desc, plan), console=make_console(),
                                       lang=lang.value)
            return
        plan = load(paths, crs, encoding, districts, reader=reader)
        terminal.print_info(plan, console=make_console(), lang=lang.value)

    guarded(go, lang.value)
