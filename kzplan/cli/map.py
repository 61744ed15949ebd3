"""``kzplan map``: the officials' map as one HTML file (see :mod:`kzplan.maps`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kzplan import messages
from kzplan.cli._common import (
    CrsOpt,
    DistrictsOpt,
    EncodingOpt,
    Lang,
    LangOpt,
    PathsArg,
    ReaderOpt,
    check_as_of,
    guarded,
    load,
)
from kzplan.cli._help import h


def map_(
    paths: PathsArg = None,
    as_of: Annotated[int | None, typer.Option("--as-of", help=h("map_as_of"))] = None,
    districts: DistrictsOpt = None,
    lang: LangOpt = Lang.vi,
    offline: Annotated[bool, typer.Option("--offline", help=h("offline"))] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help=h("map_output"))] = None,
    crs: CrsOpt = None,
    encoding: EncodingOpt = None,
    reader: ReaderOpt = None,
) -> None:
    """Write an interactive HTML map of the plan and its compliance for officials.
    Ghi bản đồ HTML tương tác về quy hoạch và kết quả kiểm tra cho lãnh đạo.

    The file opens in any browser, without Python. Exit code 0 when written (findings are shown
    on the map; `kzplan check` is the gate), 2 when the plan could not be read.

    Examples: `kzplan map` · `kzplan map geodata/ --as-of 2030 --lang en -o maps/` ·
    `kzplan map --districts ranh_huyen.gpkg --offline -o ban-do.html`
    """
    from kzplan.maps import SIZE_LIMIT, default_filename, human_size, write_map

    def go() -> None:
        check_as_of(as_of)
        plan = load(paths, crs, encoding, districts, reader=reader)
        target = output if output is not None else Path(default_filename(lang.value,
                                                                         offline=offline))
        path = write_map(plan, target, lang=lang.value, offline=offline, as_of=as_of)
        size = path.stat().st_size
        print(messages.text("map.wrote", lang.value, path=path,
                            size=human_size(size, lang.value)), file=sys.stderr)
        if size > SIZE_LIMIT:
            print(messages.text("map.too_big", lang.value, size=human_size(size, lang.value),
                                limit=human_size(SIZE_LIMIT, lang.value)), file=sys.stderr)

    guarded(go, lang.value)
