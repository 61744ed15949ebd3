"""Reports written by ``kzplan check -f json``, read back for a diff: :func:`read_report`,
:func:`report_from_dict`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import shapely

from kzplan.findings import SEVERITIES, Finding, Report, Source
from kzplan.whatif._messages import WhatIfError

REPORT_SCHEMA = "kzplan-report/1"


def report_from_dict(data: Mapping[str, Any], *, file: str = "<dict>") -> Report:
    """A :class:`~kzplan.findings.Report` rebuilt from its ``to_dict()`` (a JSON report).

    Rebuilds what a diff uses: the findings (with their fingerprints and geometry), the targets
    and districts tables, the indicators and the identification (plan, rule pack, year, CRS).
    """
    schema_id = data.get("schema") if isinstance(data, Mapping) else None
    if schema_id != REPORT_SCHEMA:
        raise WhatIfError("diff.not_report", file=file, schema=schema_id, expected=REPORT_SCHEMA)
    try:
        findings = [_finding_from_dict(f) for f in data.get("findings") or []]
        report = Report(
            plan_name=str(data.get("plan", "")),
            rule_pack=str(data.get("rule_pack", "")),
            as_of=int(data["as_of"]),
            crs=str(data.get("crs") or ""),
            findings=findings,
            targets=pd.DataFrame(data.get("targets") or []),
            districts=pd.DataFrame(data.get("districts") or []),
            indicators=dict(data.get("indicators") or {}),
            rules=list(data.get("rules") or []),
            meta=dict(data.get("meta") or {}),
        )
    except (KeyError, TypeError, ValueError, shapely.errors.GEOSException) as exc:
        key = exc.args[0] if isinstance(exc, KeyError) and exc.args else "findings"
        raise WhatIfError("diff.bad_report", file=file, key=key, reason=exc) from None
    return report


def _finding_from_dict(d: Mapping[str, Any]) -> Finding:
    src = d.get("source")
    wkt = d.get("geometry")
    return Finding(
        rule_id=d["rule_id"], rule_name=d.get("rule_name", ""), severity=d["severity"]
        if d["severity"] in SEVERITIES else _bad_severity(d["severity"]),
        layer=d.get("layer"), feature=d.get("feature"),
        message_vi=d.get("message_vi", ""), message_en=d.get("message_en", ""),
        fix_vi=d.get("fix_vi", ""), fix_en=d.get("fix_en", ""),
        measured=d.get("measured"), expected=d.get("expected"),
        source=Source(**src) if isinstance(src, Mapping) else None,
        geometry=shapely.from_wkt(wkt) if isinstance(wkt, str) and wkt else None,
        key=d.get("key", ""), fid=d.get("fid"), fingerprint=d["fingerprint"],
    )


def _bad_severity(value: Any) -> str:
    msg = f"severity {value!r} is not one of {SEVERITIES}"
    raise ValueError(msg)


def read_report(path: str | Path) -> Report:
    """Read a JSON report written by ``kzplan check -f json`` (validated when
    :mod:`kzplan.report.json` provides a reader)."""
    path = Path(path)
    try:
        from kzplan.report import json as report_json  # written beside this module
    except ImportError:
        report_json = None
    reader = getattr(report_json, "read", None)
    if reader is not None:
        data = reader(path)
        if isinstance(data, Report):
            return data
        return report_from_dict(data, file=str(path))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        from kzplan._errors import SourceError

        raise SourceError("io.missing", file=str(path), hint="") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WhatIfError("diff.bad_json", file=str(path), reason=exc) from None
    return report_from_dict(data, file=str(path))

