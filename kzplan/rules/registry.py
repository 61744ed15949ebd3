"""The rule registry: ``@rule`` registers a check function with its id and parameter spec.

A rule's metadata that users read and may change (severity, parameters, legal source, message and
fix templates in Vietnamese and English) lives in the rule pack (a plan's ``rules.toml`` and the national packs it extends); the code
here only declares what each implementation needs: its id, its parameters and their types, and the
placeholders its findings provide to the templates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shapely.geometry.base import BaseGeometry

if TYPE_CHECKING:
    from kzplan.rules.engine import Context


@dataclass(frozen=True)
class Param:
    """One rule parameter: its type, a check, and what it means."""

    kind: type | tuple[type, ...]
    doc: str
    check: Callable[[Any], bool] | None = None
    check_doc: str = ""


@dataclass
class Hit:
    """What a rule function yields; the engine turns it into a :class:`~kzplan.findings.Finding`.

    ``params`` fill the message templates; ``key`` distinguishes several hits of one rule on one
    feature (e.g. the other feature of an overlap) in the fingerprint.
    """

    layer: str | None = None
    feature: str | None = None
    fid: int | None = None
    geometry: BaseGeometry | None = None
    measured: Any = None
    expected: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    key: str = ""
    severity: str | None = None


RuleFunc = Callable[["Context", Mapping[str, Any]], Iterable[Hit]]


@dataclass(frozen=True)
class RuleImpl:
    """A registered rule implementation."""

    id: str
    func: RuleFunc
    params: Mapping[str, Param]
    placeholders: tuple[str, ...]
    doc: str


REGISTRY: dict[str, RuleImpl] = {}


def rule(
    id: str,  # noqa: A002 - the rule id is the natural name here
    *,
    params: Mapping[str, Param] | None = None,
    placeholders: Iterable[str] = (),
) -> Callable[[RuleFunc], RuleFunc]:
    """Register a rule implementation under ``id`` (two letters, two digits: ``GM01``)."""

    def decorate(func: RuleFunc) -> RuleFunc:
        if id in REGISTRY:
            msg = f"Rule {id!r} is already registered (by {REGISTRY[id].func.__qualname__})."
            raise ValueError(msg)
        if not (len(id) == 4 and id[:2].isalpha() and id[:2].isupper() and id[2:].isdigit()):
            msg = f"Rule id {id!r} must be two capital letters and two digits, e.g. 'GM01'."
            raise ValueError(msg)
        REGISTRY[id] = RuleImpl(
            id=id,
            func=func,
            params=dict(params or {}),
            placeholders=tuple(placeholders),
            doc=(func.__doc__ or "").strip(),
        )
        return func

    return decorate
