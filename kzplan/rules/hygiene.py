"""What the loader noticed, and what the data rests on (HY)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kzplan import messages, schema
from kzplan.rules.engine import Context
from kzplan.rules.registry import Hit, rule


@rule("HY01", placeholders=("note", "file"))
def loader_notes(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """Data-hygiene notes from loading (guessed or identified CRS, converted encodings…)."""
    for name, info in ctx.plan.info.items():
        for note in info.notes:
            text = {lang: messages.text(note.key, lang, **note.params)
                    for lang in messages.LANGS}
            # One note per field (value_coerced) may repeat in a layer: the field tells them apart.
            key = f"{note.key}:{note.params['field']}" if "field" in note.params else note.key
            yield Hit(layer=name, key=key, measured=dict(note.params),
                      params={"note": text, "file": info.label})


@rule("HY02", placeholders=("derived", "placeholder", "schematic", "total"))
def provenance(ctx: Context, p: Mapping[str, Any]) -> Iterator[Hit]:
    """How much of each layer is derived, placeholder or schematic rather than confirmed."""
    for name in schema.PLAN_LAYERS:
        frame = ctx.layer(name)
        if frame is None or not len(frame):
            continue
        derived = int((frame["tin_cay"] == "suy_ra").sum())
        placeholder = int((frame["tin_cay"] == "gia_dinh").sum())
        schematic = int((frame["hinh_hoc"] == "so_do").sum())
        if derived or placeholder or schematic:
            yield Hit(layer=name, key=name,
                      measured={"suy_ra": derived, "gia_dinh": placeholder, "so_do": schematic},
                      params={"derived": derived, "placeholder": placeholder,
                              "schematic": schematic, "total": len(frame)})
