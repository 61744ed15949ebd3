"""Rule packs: rules declared as data (TOML), validated before any data is read."""

from __future__ import annotations

import hashlib
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kzplan._errors import RuleConfigError
from kzplan.findings import SEVERITIES, Source
from kzplan.plandef import PACKS_DIR, PLANS_DIR, default_plan_id  # noqa: E402
from kzplan.rules.registry import REGISTRY, RuleImpl

_SOURCE_KEYS = {"doc", "article", "clause", "quote_vi", "quote_en", "in_force_from",
                "in_force_to", "read_at", "quote_verbatim", "note_vi", "note_en"}
_MAX_EXTENDS = 8  # how deep packs may build on packs
_RULE_KEYS = {
    "id", "name", "severity", "groups", "source", "params", "message_vi", "message_en",
    "fix_vi", "fix_en", "title_vi", "title_en",
}
_REQUIRED = ("id", "name", "severity", "source", "message_vi", "message_en", "fix_vi", "fix_en",
             "title_vi", "title_en")
COMMON_PLACEHOLDERS = ("layer", "layer_vi", "layer_en", "feature", "measured", "expected")


@dataclass(frozen=True)
class RuleDef:
    """A rule as the pack declares it, bound to its implementation."""

    id: str
    name: str
    severity: str
    groups: tuple[str, ...]
    source: Source
    params: Mapping[str, Any]
    title_vi: str
    title_en: str
    message_vi: str
    message_en: str
    fix_vi: str
    fix_en: str
    impl: RuleImpl = field(repr=False, compare=False)

    def title(self, lang: str = "vi") -> str:
        """The rule's one-line title in ``lang``."""
        return self.title_vi if lang == "vi" else self.title_en

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready metadata."""
        return {
            "id": self.id, "name": self.name, "severity": self.severity,
            "groups": list(self.groups), "title_vi": self.title_vi, "title_en": self.title_en,
            "source": {"doc": self.source.doc, "article": self.source.article,
                       "clause": self.source.clause, "quote_vi": self.source.quote_vi,
                       "quote_en": self.source.quote_en,
                       "in_force_from": self.source.in_force_from,
                       "in_force_to": self.source.in_force_to,
                       "read_at": self.source.read_at,
                       "quote_verbatim": self.source.quote_verbatim,
                       "note_vi": self.source.note_vi, "note_en": self.source.note_en},
            "params": dict(self.params),
        }


@dataclass(frozen=True)
class RulePack:
    """A validated rule pack."""

    id: str
    version: str
    title_vi: str
    title_en: str
    rules: tuple[RuleDef, ...]
    sha256: str
    path: Path

    def get(self, rule_id: str) -> RuleDef:
        """The rule with id ``rule_id``."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def select(self, select: tuple[str, ...] = (), ignore: tuple[str, ...] = (), *,
               where: str = "--select/--ignore") -> list[RuleDef]:
        """The rules picked by ``select`` (all when empty) minus those matched by ``ignore``."""
        picked = [r for r in self.rules if not select or any(_match(r, s, where=where, pack=self)
                                                             for s in select)]
        return [r for r in picked if not any(_match(r, s, where=where, pack=self)
                                             for s in ignore)]

    def with_params(self, overrides: Mapping[str, Mapping[str, Any]], *, where: str) -> RulePack:
        """A copy with parameter overrides ``{rule_id: {key: value}}``, validated."""
        rules = []
        for r in self.rules:
            extra = overrides.get(r.id) or overrides.get(r.name)
            if extra:
                params = {**r.params, **extra}
                _validate_params(r.impl, params, where=where)
                r = replace(r, params=params)
            rules.append(r)
        known = {r.id for r in self.rules} | {r.name for r in self.rules}
        for key in overrides:
            if key not in known:
                raise RuleConfigError("pack.unknown_selector", where=where, selector=key)
        return replace(self, rules=tuple(rules))


def _match(r: RuleDef, selector: str, *, where: str, pack: RulePack) -> bool:
    s = selector.strip()
    matched = _matches(r, s)
    if not matched and not any(_matches(x, s) for x in pack.rules):
        raise RuleConfigError("pack.unknown_selector", where=where, selector=selector)
    return matched


def _matches(r: RuleDef, s: str) -> bool:
    if s.startswith("#"):
        return s[1:] in r.groups
    return (
        s in (r.id, r.name)
        or (len(s) == 2 and s.isupper() and r.id.startswith(s))
        or r.name.startswith(s.rstrip(".*") + ".")
    )


def _validate_params(impl: RuleImpl, params: Mapping[str, Any], *, where: str) -> None:
    for key, value in params.items():
        spec = impl.params.get(key)
        if spec is None:
            raise RuleConfigError(
                "pack.unknown_param", rule=impl.id, key=key, where=where,
                known=", ".join(impl.params) or "-",
            )
        ok = isinstance(value, spec.kind) and not isinstance(value, bool) or (
            spec.kind is bool and isinstance(value, bool)
        )
        if ok and spec.check is not None:
            try:
                ok = bool(spec.check(value))
            except (TypeError, ValueError, AttributeError):
                ok = False
        if not ok:
            raise RuleConfigError(
                "pack.bad_param", rule=impl.id, key=key, value=value, where=where,
                expected=spec.check_doc or getattr(spec.kind, "__name__", str(spec.kind)),
            )
    missing = [k for k in impl.params if k not in params]
    if missing:
        raise RuleConfigError(
            "pack.bad_param", rule=impl.id, key=missing[0], value=None, where=where,
            expected=impl.params[missing[0]].check_doc or impl.params[missing[0]].doc,
        )


def _placeholders(template: str) -> set[str]:
    names = set()
    for _, name, _, _ in string.Formatter().parse(template):
        if name:
            names.add(name.split(".")[0].split("[")[0])
    return names


def parse_pack(data: Mapping[str, Any], *, file: str, path: Path, sha256: str = "") -> RulePack:
    """Validate a parsed rule pack and bind each rule to its implementation."""

    head = data.get("pack", {})
    entries = data.get("rule", [])
    if not isinstance(entries, list) or not entries:
        raise RuleConfigError("pack.bad_rule", file=file, rule="-", key="rule",
                              problem="must be a non-empty list of [[rule]] tables")
    seen: set[str] = set()
    defs = []
    for entry in entries:
        rid = str(entry.get("id", "?"))

        def bad(key: str, problem: str, rid: str = rid) -> RuleConfigError:
            return RuleConfigError("pack.bad_rule", file=file, rule=rid, key=key, problem=problem)

        for key in entry:
            if key not in _RULE_KEYS:
                raise bad(key, "is not a rule key (" + ", ".join(sorted(_RULE_KEYS)) + ")")
        for key in _REQUIRED:
            if not entry.get(key):
                raise bad(key, "is missing")
        if rid in seen:
            raise bad("id", "is used twice")
        seen.add(rid)
        impl = REGISTRY.get(rid)
        if impl is None:
            raise bad("id", "has no implementation in kzplan (known: "
                      + ", ".join(sorted(REGISTRY)) + ")")
        if entry["severity"] not in SEVERITIES:
            raise bad("severity", f"must be one of {', '.join(SEVERITIES)}")
        src = entry["source"]
        if not isinstance(src, Mapping) or not src.get("doc"):
            raise bad("source", "must be a table with at least `doc`")
        if set(src) - _SOURCE_KEYS:
            raise bad("source", "has unknown keys " + ", ".join(sorted(set(src) - _SOURCE_KEYS))
                      + " (known: " + ", ".join(sorted(_SOURCE_KEYS)) + ")")
        params = dict(entry.get("params", {}))
        _validate_params(impl, params, where=f"{file} [[rule]] {rid}")
        allowed = set(COMMON_PLACEHOLDERS) | set(impl.placeholders) | set(params)
        for key in ("message_vi", "message_en", "fix_vi", "fix_en"):
            unknown = _placeholders(entry[key]) - allowed
            if unknown:
                raise bad(key, f"uses unknown placeholders {sorted(unknown)}; allowed:"
                          f" {sorted(allowed)}")
        defs.append(
            RuleDef(
                id=rid, name=entry["name"], severity=entry["severity"],
                groups=tuple(entry.get("groups", ())) + ("all",),
                source=Source(doc=src["doc"], article=src.get("article", ""),
                              quote_vi=src.get("quote_vi", ""), quote_en=src.get("quote_en", ""),
                              clause=src.get("clause", ""),
                              in_force_from=str(src.get("in_force_from", "")),
                              in_force_to=str(src.get("in_force_to", "")),
                              read_at=str(src.get("read_at", "")),
                              quote_verbatim=src.get("quote_verbatim"),
                              note_vi=str(src.get("note_vi", "")),
                              note_en=str(src.get("note_en", ""))),
                params=params, title_vi=entry["title_vi"], title_en=entry["title_en"],
                message_vi=entry["message_vi"], message_en=entry["message_en"],
                fix_vi=entry["fix_vi"], fix_en=entry["fix_en"], impl=impl,
            )
        )
    return RulePack(
        id=str(head.get("id", path.stem)), version=str(head.get("version", "0")),
        title_vi=str(head.get("title_vi", "")), title_en=str(head.get("title_en", "")),
        rules=tuple(defs), sha256=sha256, path=path,
    )


def _pack_path(name: str) -> Path | None:
    for path in (PLANS_DIR / name / "rules.toml", PACKS_DIR / f"{name}.toml"):
        if path.is_file():
            return path
    return None


def available_packs() -> list[str]:
    """Names of the packs shipped with kzplan: each plan's own pack and the national packs."""
    plans = [p.name for p in PLANS_DIR.iterdir() if (p / "rules.toml").is_file()]
    return sorted(plans + [p.stem for p in PACKS_DIR.glob("*.toml")])


def _read(path: Path) -> tuple[dict[str, Any], bytes]:
    try:
        raw = path.read_bytes()
        return tomllib.loads(raw.decode("utf-8")), raw
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RuleConfigError("pack.unreadable", file=str(path), reason=exc) from None


def compose(data: Mapping[str, Any], *, file: str, path: Path, depth: int = 0
            ) -> tuple[dict[str, Any], list[bytes]]:
    """A pack with the packs it ``extends`` folded in: their rules first, then its own.

    A ``[[rule]]`` whose id a base pack already has is an override: its keys replace the base's,
    and its ``params`` are merged onto the base's (so a plan can set one parameter of a national
    rule). A rule with a new id must be complete.
    """
    head = dict(data.get("pack", {}))
    extends = head.pop("extends", [])
    if isinstance(extends, str):
        extends = [extends]
    if not isinstance(extends, list) or depth > _MAX_EXTENDS:
        raise RuleConfigError("pack.bad_rule", file=file, rule="-", key="pack.extends",
                              problem="must be a list of pack names, at most 8 deep")
    merged: dict[str, dict[str, Any]] = {}
    raws: list[bytes] = []
    for name in extends:
        base_path = _pack_path(str(name))
        if base_path is None:
            raise RuleConfigError("pack.unknown", name=str(name),
                                  available=", ".join(available_packs()))
        base_data, raw = _read(base_path)
        base, base_raws = compose(base_data, file=str(base_path), path=base_path, depth=depth + 1)
        raws += [*base_raws, raw]
        for entry in base.get("rule", []):
            merged[str(entry.get("id"))] = dict(entry)
    own = data.get("rule", [])
    if not isinstance(own, list):
        raise RuleConfigError("pack.bad_rule", file=file, rule="-", key="rule",
                              problem="must be a list of [[rule]] tables")
    ids = [str(e.get("id", "?")) for e in own if isinstance(e, Mapping)]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise RuleConfigError("pack.bad_rule", file=file, rule=twice[0], key="id",
                              problem="is used twice")
    for entry in own:
        rid = str(entry.get("id", "?"))
        if rid in merged:
            base = merged[rid]
            params = {**base.get("params", {}), **entry.get("params", {})}
            merged[rid] = {**base, **entry, "params": params}
        else:
            merged[rid] = dict(entry)
    return {"pack": head, "rule": list(merged.values())}, raws


def load_pack(name_or_path: str | Path | None = None) -> RulePack:
    """Load a shipped pack by name (a plan's own pack, or a national pack), or a pack file by
    path; the packs it extends are folded in (:func:`compose`)."""
    name_or_path = name_or_path if name_or_path is not None else default_plan_id()
    path = Path(name_or_path)
    if path.suffix != ".toml":
        found = _pack_path(str(name_or_path))
        if found is None:
            raise RuleConfigError("pack.unknown", name=str(name_or_path),
                                  available=", ".join(available_packs()))
        path = found
    data, raw = _read(path)
    composed, base_raws = compose(data, file=str(path), path=path)
    digest = hashlib.sha256(b"".join([*base_raws, raw])).hexdigest()
    return parse_pack(composed, file=str(path), path=path, sha256=digest)
