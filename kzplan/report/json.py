"""The JSON report: :meth:`Report.to_dict` written as UTF-8, and read back with validation.

The format is ``kzplan-report/1``, described by the JSON Schema ``docs/report-schema.json`` (a copy
ships in the package, ``kzplan/report/templates/report-schema.json``, so :func:`read` works from an
installed wheel; a test keeps the two identical). :func:`read` validates with ``jsonschema`` when
it is installed, and otherwise checks the structure kzplan relies on (required fields, severities).

Objects are written in a fixed key order: the order of the schema's ``properties``, then any other
keys sorted, so two runs on the same input differ only in ``meta.generated``.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kzplan import io
from kzplan._errors import SourceError

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

    from kzplan.findings import Report
    from kzplan.plan import Plan

SCHEMA_ID = "kzplan-report/1"
SCHEMA_RESOURCE = "templates/report-schema.json"



@cache
def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``kzplan-report/1``."""
    text = resources.files("kzplan.report").joinpath(SCHEMA_RESOURCE).read_text("utf-8")
    return json.loads(text)


@cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema())


def _resolve(node: dict[str, Any] | None) -> dict[str, Any]:
    """Follow ``$ref`` (local ``#/$defs/...`` only) and pick the object branch of ``oneOf``."""
    while node:
        if "$ref" in node:
            node = schema()["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        elif "oneOf" in node:
            node = next((n for n in node["oneOf"] if n.get("type") != "null"), {})
        else:
            return node
    return {}


def canonical(value: Any, node: dict[str, Any] | None = None) -> Any:
    """``value`` with every object's keys in schema order, then the other keys sorted."""
    node = _resolve(node if node is not None else schema())
    if isinstance(value, dict):
        props = node.get("properties", {})
        known = [k for k in props if k in value]
        rest = sorted((k for k in value if k not in props), key=str)
        extra = node.get("additionalProperties")
        patterns = node.get("patternProperties", {})
        out = {}
        for key in known:
            out[key] = canonical(value[key], props[key])
        for key in rest:
            sub = next((n for pat, n in patterns.items() if re.search(pat, str(key))), None)
            out[key] = canonical(value[key], sub or (extra if isinstance(extra, dict) else {}))
        return out
    if isinstance(value, list):
        items = node.get("items", {})
        return [canonical(v, items) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None  # NaN and ±inf are not JSON: the report stays valid whatever the data
    return value


def dumps(report: Report) -> str:
    """The report as a JSON document (UTF-8 text, indented, fixed key order)."""
    data = canonical(report.to_dict())
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def write(report: Report, target: Path, *, lang: str = "vi", plan: Plan | None = None) -> Path:
    """Write ``report`` as JSON to ``target`` atomically and return ``target``.

    The JSON holds both languages, so ``lang`` and ``plan`` do not change it.
    """
    del lang, plan
    return io.write_text(target, dumps(report))


def _where(path: Any) -> str:
    parts = [str(p) for p in path]
    return "/" + "/".join(parts) if parts else "/"


def validate(data: Any, *, file: str = "<report>") -> dict[str, Any]:
    """Check ``data`` against the schema; raise :class:`SourceError` (one line) if it fails."""
    if not isinstance(data, dict):
        raise SourceError("report.json.not_report", file=file, found=type(data).__name__,
                          expected=SCHEMA_ID)
    found = data.get("schema")
    if found != SCHEMA_ID:
        if isinstance(found, str) and found.startswith("kzplan-report/"):
            raise SourceError("report.json.newer", file=file, found=found, expected=SCHEMA_ID)
        raise SourceError("report.json.not_report", file=file, found=found, expected=SCHEMA_ID)
    try:
        from jsonschema.exceptions import best_match
    except ImportError:  # jsonschema is optional: check the structure kzplan relies on
        where, reason = _structure_error(data)
    else:
        error = best_match(_validator().iter_errors(data))
        where, reason = (None, "") if error is None else (_where(error.absolute_path),
                                                          error.message)
    if where is not None:
        reason = " ".join(reason.split())
        if len(reason) > 160:
            reason = reason[:157] + "..."
        raise SourceError("report.json.invalid", file=file, where=where, reason=reason)
    return data


def _structure_error(data: dict[str, Any]) -> tuple[str | None, str]:
    """Without jsonschema: the schema's required keys and the types of the main containers."""
    defs = schema()["$defs"]
    for key in schema()["required"]:
        if key not in data:
            return "/", f"{key!r} is a required property"
    for key, kind in (("findings", list), ("targets", list), ("districts", list),
                      ("rules", list), ("stats", dict), ("indicators", dict), ("meta", dict)):
        if not isinstance(data[key], kind):
            return f"/{key}", f"is not of type {kind.__name__!r}"
    for i, finding in enumerate(data["findings"]):
        if not isinstance(finding, dict):
            return f"/findings/{i}", "is not of type 'object'"
        for key in defs["finding"]["required"]:
            if key not in finding:
                return f"/findings/{i}", f"{key!r} is a required property"
        if finding["severity"] not in defs["severity"]["enum"]:
            return f"/findings/{i}/severity", f"{finding['severity']!r} is not one of" \
                f" {defs['severity']['enum']}"
    return None, ""


def read(path: str | Path) -> dict[str, Any]:
    """Read a JSON report written by kzplan and validate it against the schema.

    Raises
    ------
    SourceError
        The file is missing, is not JSON, or is not a valid ``kzplan-report/1`` report.
    """
    path = Path(path)
    data = load_json(path)
    return validate(data, file=str(path))


def load_json(path: Path) -> Any:
    """The parsed JSON of ``path`` (an input of the run: never written over), size-capped."""
    io.check_regular(path, layer="report")
    io.register_input(path)
    try:
        if path.stat().st_size > io.TEXT_MAX_BYTES:
            raise OSError(f"larger than {io.TEXT_MAX_BYTES // 1024**2} MB")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError("io.missing", file=str(path), hint="") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError("report.json.not_json", file=str(path),
                          reason=" ".join(str(exc).split())) from None
    try:
        return json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise SourceError("report.json.not_json", file=str(path),
                          reason="nested too deeply") from None
    except (json.JSONDecodeError, ValueError) as exc:
        raise SourceError("report.json.not_json", file=str(path), reason=exc) from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_GEOJSON_TYPES = ("FeatureCollection", "Feature", "Point", "MultiPoint", "LineString",
                  "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection")


def is_report_file(path: Path) -> bool:
    """True when ``path`` is meant as a kzplan report, told by content, never by a substring:
    GeoJSON (a ``type`` of GeoJSON's, wherever it comes in the object) is a layer; anything else
    ending in ``.json`` is a report (and :func:`read` says what is wrong with it)."""
    if not path.is_file() or path.suffix.lower() != ".json":
        return False
    try:
        data = load_json(path)
    except SourceError:
        return True
    if not isinstance(data, dict):
        return True
    found = data.get("schema")
    if isinstance(found, str) and found.startswith("kzplan-report/"):
        return True
    return data.get("type") not in _GEOJSON_TYPES
