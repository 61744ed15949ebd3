"""The plan configuration (``kzplan.toml``): which files hold which layer, and how to read them.

A configuration names the plan's layers (``kcn``, ``ccn``, ``kkt``, ``huyen`` and optionally a
district boundary layer ``districts``), the file of each (relative to the configuration), the
user's own field names mapped onto kzplan's canonical ones, and optionally a CRS or encoding to use
where a file does not declare one. ``[plan] reader = "fiona"`` picks the reading engine (default
``pyogrio``; both give the same plan). Rule selection and parameter overrides live under ``[rules]``.

A configuration is validated when it is loaded, before any data is read.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kzplan import schema
from kzplan._errors import ConfigError
from kzplan.plandef import PlanDef, load_plandef

_PLAN_KEYS = ("name", "rule_pack", "crs", "reader", "plan")
_READERS = ("pyogrio", "fiona")  # kzplan.io.READERS (not imported: this module stays light)
_LAYER_KEYS = ("path", "layer", "fields", "crs", "encoding", "values")
_RULES_KEYS = ("select", "ignore", "params", "as_of", "strict")


@dataclass(frozen=True)
class LayerSpec:
    """Where one layer is and how to read it."""

    name: str
    path: Path
    layer: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)
    crs: str | None = None
    encoding: str | None = None
    #: The planner's values -> canonical values, per canonical field (see :func:`_parse_values`).
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleSettings:
    """Rule selection and parameter overrides (``[rules]`` in the configuration)."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    as_of: int | None = None
    strict: bool = False


@dataclass(frozen=True)
class PlanConfig:
    """A validated plan configuration."""

    name: str = ""  # default: the plan definition's name
    rule_pack: str = ""  # default: the plan definition's pack
    crs: str = ""  # default: the plan definition's projection
    plan: str = ""  # a plan id (kzplan/plans/<id>) or a plan folder; default: the default plan
    layers: Mapping[str, LayerSpec] = field(default_factory=dict)
    rules: RuleSettings = field(default_factory=RuleSettings)
    source: Path | None = None
    reader: str | None = None

    def __post_init__(self) -> None:
        definition = load_plandef(self.plan or None)
        object.__setattr__(self, "plan", self.plan or definition.id)
        object.__setattr__(self, "name", self.name or definition.name["vi"])
        object.__setattr__(self, "rule_pack", self.rule_pack or str(definition.rules_path))
        object.__setattr__(self, "crs", self.crs or definition.crs)

    @property
    def definition(self) -> PlanDef:
        """The plan definition this configuration is checked against."""
        return load_plandef(self.plan)

    def with_layer(self, spec: LayerSpec) -> PlanConfig:
        """A copy of this configuration with ``spec`` added or replacing its namesake."""
        return replace(self, layers={**self.layers, spec.name: spec})


def _check_keys(data: Mapping[str, Any], known: tuple[str, ...], *, file: str, section: str) -> None:
    for key in data:
        if key not in known:
            raise ConfigError(
                "config.unknown_key", file=file, key=key, section=section, known=", ".join(known)
            )


def _opt_str(data: Mapping[str, Any], key: str, *, file: str, section: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(
            "config.bad_value", file=file, section=section, key=key, expected="a string",
            value=value,
        )
    return value


def _opt_bool(data: Mapping[str, Any], key: str, *, file: str, section: str) -> bool:
    """A TOML boolean (``true``/``false``), default false; ``"no"`` or ``1`` is refused."""
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError("config.bad_value", file=file, section=section, key=key,
                          expected="true or false (a TOML boolean, without quotes)",
                          value=value)
    return value


def _str_list(data: Mapping[str, Any], key: str, *, file: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(
            "config.bad_value", file=file, section="rules", key=key,
            expected="a list of rule ids, names or #groups", value=value,
        )
    return tuple(value)


def parse_layer(name: str, data: Mapping[str, Any], *, root: Path, file: str) -> LayerSpec:
    """Validate one ``[layers.NAME]`` table."""
    section = f"layers.{name}"
    if name not in schema.ALL_LAYERS:
        raise ConfigError(
            "config.unknown_layer", file=file, layer=name, known=", ".join(schema.ALL_LAYERS)
        )
    if not isinstance(data, Mapping):
        raise ConfigError(
            "config.bad_value", file=file, section="layers", key=name, expected="a table",
            value=data,
        )
    _check_keys(data, _LAYER_KEYS, file=file, section=section)
    path = _opt_str(data, "path", file=file, section=section)
    if not path:
        raise ConfigError(
            "config.bad_value", file=file, section=section, key="path",
            expected="a file path", value=path,
        )
    fields = data.get("fields", {})
    if not isinstance(fields, Mapping) or not all(
        isinstance(v, str) for v in fields.values()
    ):
        raise ConfigError(
            "config.bad_value", file=file, section=section, key="fields",
            expected="a table of canonical = \"their_field\"", value=fields,
        )
    canonical = schema.field_map(name)
    for key in fields:
        if key not in canonical:
            raise ConfigError(
                "config.unknown_field", file=file, layer=name, key=key,
                known=", ".join(canonical),
            )
    return LayerSpec(
        name=name,
        path=(root / path).resolve() if not Path(path).is_absolute() else Path(path),
        layer=_opt_str(data, "layer", file=file, section=section),
        fields=dict(fields),
        crs=_opt_str(data, "crs", file=file, section=section),
        encoding=_opt_str(data, "encoding", file=file, section=section),
        values=_parse_values(data, name, file=file, section=section),
    )


def _parse_values(data: Mapping[str, Any], name: str, *, file: str, section: str
                  ) -> dict[str, dict[str, str]]:
    """``values = { trang_thai = { "Đang hoạt động" = "hoat_dong" } }``: the planner's values
    of a canonical field and the canonical value each stands for (``kzplan init`` writes them)."""
    values = data.get("values", {})
    if not isinstance(values, Mapping) or not all(
            isinstance(m, Mapping) and all(isinstance(v, str) for v in m.values())
            for m in values.values()):
        raise ConfigError("config.bad_value", file=file, section=section, key="values",
                          expected='a table of field = { "their value" = "canonical" }',
                          value=values)
    canonical = schema.field_map(name)
    for key in values:
        if key not in canonical:
            raise ConfigError("config.unknown_field", file=file, layer=name, key=key,
                              known=", ".join(canonical))
    return {k: dict(m) for k, m in values.items()}


def parse_config(data: Mapping[str, Any], *, root: Path, file: str = "kzplan.toml") -> PlanConfig:
    """Validate a configuration already parsed from TOML."""
    _check_keys(data, ("plan", "layers", "rules"), file=file, section="")
    plan = data.get("plan", {})
    _check_keys(plan, _PLAN_KEYS, file=file, section="plan")
    layers_data = data.get("layers", {})
    layers = {
        name: parse_layer(name, spec, root=root, file=file) for name, spec in layers_data.items()
    }
    if not layers:
        raise ConfigError("config.no_layers", file=file)
    rules_data = data.get("rules", {})
    _check_keys(rules_data, _RULES_KEYS, file=file, section="rules")
    params = rules_data.get("params", {})
    if not isinstance(params, Mapping) or not all(isinstance(v, Mapping) for v in params.values()):
        raise ConfigError(
            "config.bad_value", file=file, section="rules", key="params",
            expected="tables [rules.params.RULE_ID]", value=params,
        )
    as_of = rules_data.get("as_of")
    if as_of is not None and not (isinstance(as_of, int) and 1990 <= as_of <= 2100):
        raise ConfigError(
            "config.bad_value", file=file, section="rules", key="as_of",
            expected="a year such as 2025", value=as_of,
        )
    rules = RuleSettings(
        select=_str_list(rules_data, "select", file=file),
        ignore=_str_list(rules_data, "ignore", file=file),
        params={k: dict(v) for k, v in params.items()},
        as_of=as_of,
        strict=_opt_bool(rules_data, "strict", file=file, section="rules"),
    )
    reader = _opt_str(plan, "reader", file=file, section="plan")
    if reader is not None and reader not in _READERS:
        raise ConfigError(
            "config.bad_value", file=file, section="plan", key="reader",
            expected=" or ".join(repr(r) for r in _READERS), value=reader,
        )
    rule_pack = _opt_str(plan, "rule_pack", file=file, section="plan") or ""
    if rule_pack.endswith(".toml") and not Path(rule_pack).is_absolute():
        rule_pack = str((root / rule_pack).resolve())
    plan_ref = _opt_str(plan, "plan", file=file, section="plan") or ""
    if plan_ref and (root / plan_ref / "plan.toml").is_file():
        plan_ref = str((root / plan_ref).resolve())
    return PlanConfig(
        name=_opt_str(plan, "name", file=file, section="plan") or "",
        rule_pack=rule_pack,
        crs=_opt_str(plan, "crs", file=file, section="plan") or "",
        plan=plan_ref,
        layers=layers,
        rules=rules,
        source=None,
        reader=reader,
    )


def load_config(path: str | Path) -> PlanConfig:
    """Read and validate a ``kzplan.toml`` file."""
    from kzplan import io

    path = Path(path)
    io.check_regular(path, layer="kzplan.toml")
    io.register_input(path)
    try:
        if path.stat().st_size > io.TEXT_MAX_BYTES:
            raise OSError(f"larger than {io.TEXT_MAX_BYTES // 1024**2} MB")
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError,
            MemoryError) as exc:
        raise ConfigError("config.unreadable", file=str(path), reason=exc) from None
    config = parse_config(data, root=path.parent.resolve(), file=str(path))
    return replace(config, source=path.resolve())
