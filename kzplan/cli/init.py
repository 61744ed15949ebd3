"""``kzplan init``: a plan configuration for a planner's own files, every guess marked."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kzplan.cli._common import CrsOpt, EncodingOpt, Lang, LangOpt, guarded
from kzplan.cli._help import h


def init(files: Annotated[list[str], typer.Argument(help=h("init_files"), show_default=False)],
         output: Annotated[str, typer.Option("--output", "-o", help=h("init_output"))]
         = "kzplan.toml",
         crs: CrsOpt = None, encoding: EncodingOpt = None, lang: LangOpt = Lang.vi,
         force: Annotated[bool, typer.Option("--force", help=h("init_force"))] = False) -> None:
    """Write a kzplan.toml for your own files: a layer per file, fields, values, CRS and encoding
    guessed, each guess commented with its evidence for you to confirm; then `kzplan check`.
    Viết kzplan.toml cho tệp của bạn: mỗi tệp một lớp, đoán trường, giá trị, hệ tọa độ và bảng mã,
    mỗi phỏng đoán kèm bằng chứng để bạn xác nhận; sau đó chạy `kzplan check`.

    Examples: `kzplan init cum_cn.shp khu_cn.shp -o kzplan.toml`
    """
    from kzplan import describe, io, messages
    from kzplan._errors import SourceError
    from kzplan.config import PlanConfig

    def go() -> None:
        target = Path(output)
        if target.exists() and not force:
            raise SourceError("init.exists", file=str(target))
        plan = PlanConfig().definition
        items = []
        for name in files:
            desc = describe.describe(Path(name), plan=plan, crs=crs, encoding=encoding)
            items.append((desc, describe.guess(desc, plan)))
        io.write_text(target, describe.config_text(items, target=target, plan=plan,
                                                   lang=lang.value))
        for desc, g in items:
            layer = g.layer or "-"
            typer.echo(messages.text("init.wrote_layer", lang.value, file=desc.file.name,
                                     layer=layer, evidence=g.layer_evidence[lang.value]))
        typer.echo(messages.text("init.done", lang.value, target=str(target)))

    guarded(go, lang.value)
