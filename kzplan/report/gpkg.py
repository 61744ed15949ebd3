"""The findings GeoPackage: findings with geometry, styled for QGIS, with fields for triage.

Layout of the file (``kzplan check -f gpkg``):

``kzplan_findings``
    Findings whose place is an area (the feature itself, an overlap, the part outside a district),
    as MultiPolygon, **and the findings that have no place** (counts, totals: NULL geometry, listed
    in the attribute table). Lines (rare) are buffered by 1 m so they can be seen and clicked.
``kzplan_findings_points``
    Findings whose place is a point (e.g. where a polygon self-intersects), as MultiPoint.
``kzplan_run``
    One row: what was checked (plan, rule pack, as-of year, language, time), the counts, how many
    findings are new, persisting and resolved since the file was last written, and the JSON
    summary of the report.
``layer_styles``
    The default QGIS style of both findings layers (QML and SLD, ``useAsDefault``): colours by
    severity, labels with the message in the report's language.

Each finding is in exactly one layer; one geometry type per layer keeps every GIS happy (a generic
geometry layer is split into sub-layers by QGIS and rejected by shapefile-minded tools).

Both findings layers carry the columns of :meth:`kzplan.findings.Report.to_frame` plus the triage
fields ``assignee`` (text), ``fixed`` (boolean), ``comment`` (text) and ``first_seen`` (the date of
the run that first reported the finding). When the GeoPackage is written again over an earlier
findings GeoPackage, the triage fields of every finding whose fingerprint persists are kept, so a
team can re-run the check after fixing things without losing who does what.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely

from kzplan import io
from kzplan._errors import SourceError
from kzplan.findings import FINDING_COLUMNS, now
from kzplan.qgis.styles import layer_styles_rows, write_layer_styles

if TYPE_CHECKING:
    from kzplan.findings import Report
    from kzplan.plan import Plan


LAYER = "kzplan_findings"
POINTS_LAYER = "kzplan_findings_points"
RUN_LAYER = "kzplan_run"
STYLES_TABLE = "layer_styles"
OWN_TABLES = (LAYER, POINTS_LAYER, RUN_LAYER, STYLES_TABLE)
TRIAGE_COLUMNS = ("assignee", "fixed", "comment", "first_seen")
COLUMNS = (*FINDING_COLUMNS, *TRIAGE_COLUMNS)
GEOMETRY_COLUMN = "geom"
FID_COLUMN = "id"
LINE_BUFFER_M = 1.0

_POINTS = {"Point", "MultiPoint"}
_LINES = {"LineString", "MultiLineString", "LinearRing"}
_POLYGONS = {"Polygon", "MultiPolygon"}


def _place(geom: Any) -> tuple[str, Any]:
    """Which layer a finding's geometry goes to, and the geometry to write there."""
    if geom is None or geom.is_empty:
        return "polygon", None
    kind = geom.geom_type
    if kind in _POLYGONS:
        return "polygon", geom
    if kind in _POINTS:
        return "point", geom
    if kind in _LINES:
        return "polygon", geom.buffer(LINE_BUFFER_M)
    parts = [p for p in shapely.get_parts(geom) if not p.is_empty]
    polys = [p for p in parts if p.geom_type in _POLYGONS and p.area > 0]
    if polys:
        return "polygon", shapely.union_all(polys)
    points = [p for p in parts if p.geom_type in _POINTS]
    if points:
        return "point", shapely.union_all(points)
    lines = [p for p in parts if p.geom_type in _LINES]
    if lines:
        return "polygon", shapely.union_all(lines).buffer(LINE_BUFFER_M)
    return "polygon", None


def _multi(geom: Any) -> Any:
    if geom is None:
        return None
    if geom.geom_type == "Polygon":
        return shapely.MultiPolygon([geom])
    if geom.geom_type == "Point":
        return shapely.MultiPoint([geom])
    return geom


def read_triage(path: str | Path) -> dict[str, dict[str, Any]]:
    """The triage fields of an existing findings GeoPackage, by fingerprint (empty if none)."""
    path = Path(path)
    if not path.is_file():  # absent, or a device such as /dev/null (atomic_path judges the rest)
        return {}
    try:
        layers = io.list_layers(path)
    except SourceError:
        raise SourceError("gpkg.not_findings", file=str(path), layers="?") from None
    foreign = [name for name in layers if name not in OWN_TABLES]
    if foreign:
        raise SourceError("gpkg.not_findings", file=str(path), layers=", ".join(foreign))
    triage: dict[str, dict[str, Any]] = {}
    for layer in (LAYER, POINTS_LAYER):
        if layer not in layers:
            continue
        try:
            info = pyogrio.read_info(path, layer=layer)
            wanted = [c for c in ("fingerprint", *TRIAGE_COLUMNS) if c in list(info["fields"])]
            if "fingerprint" not in wanted:
                continue
            frame = pyogrio.read_dataframe(path, layer=layer, columns=wanted,
                                           read_geometry=False, use_arrow=False)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError) as exc:
            raise SourceError("gpkg.unreadable_previous", file=str(path), reason=exc) from None
        for row in frame.to_dict(orient="records"):
            fp = row.pop("fingerprint")
            if isinstance(fp, str) and fp not in triage:
                triage[fp] = {k: (None if _missing(v) else v) for k, v in row.items()}
    return triage


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA


def findings_frames(report: Report, *, previous: Mapping[str, Mapping[str, Any]] | None = None,
                    today: datetime.date | None = None
                    ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The polygon and point findings layers, with triage fields (kept from ``previous``)."""
    previous = previous or {}
    today = today or datetime.date.today()
    frame = report.to_frame()
    kinds, geoms = [], []
    for geom in frame.geometry:
        kind, placed = _place(geom)
        kinds.append(kind)
        geoms.append(_multi(placed))
    frame = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=report.crs))
    assignee, fixed, comment, first_seen = [], [], [], []
    for fp in frame["fingerprint"]:
        old = previous.get(fp, {})
        assignee.append(old.get("assignee"))
        fixed.append(bool(old.get("fixed")) if not _missing(old.get("fixed")) else False)
        comment.append(old.get("comment"))
        first_seen.append(old.get("first_seen") or today.isoformat())
    frame["assignee"] = pd.Series(assignee, index=frame.index, dtype=object)
    frame["fixed"] = pd.Series(fixed, index=frame.index, dtype=bool)
    frame["comment"] = pd.Series(comment, index=frame.index, dtype=object)
    frame["first_seen"] = pd.Series(first_seen, index=frame.index, dtype=object)
    frame["fid"] = pd.array(frame["fid"], dtype="Int64")
    frame = frame[[*COLUMNS, "geometry"]]
    mask = np.array([k == "polygon" for k in kinds], dtype=bool)
    polygons = frame[mask].reset_index(drop=True)
    points = frame[~mask].reset_index(drop=True)
    return polygons, points


def _run_row(report: Report, lang: str, polygons: pd.DataFrame, points: pd.DataFrame,
             previous: Mapping[str, Any], generated: datetime.datetime) -> pd.DataFrame:
    from kzplan import __version__

    now = set(polygons["fingerprint"]) | set(points["fingerprint"])
    before = set(previous)
    stats = report.stats
    return pd.DataFrame([{
        "plan": report.plan_name,
        "rule_pack": report.rule_pack,
        "as_of": int(report.as_of),
        "lang": lang,
        "generated": generated.isoformat(timespec="seconds"),
        "kzplan": __version__,
        "valid": bool(report.valid),
        "errors": stats["error"],
        "warnings": stats["warning"],
        "info": stats["info"],
        "total": stats["total"],
        # what the errors rest on: the features' tin_cay (none: layer- or plan-level errors)
        **{f"errors_{grade}": n for grade, n in report.error_confidence.items()},
        "verdict_notes": "\n".join(report.verdict_notes(lang)),
        "new": len(now - before) if before else len(now),
        "persisting": len(now & before),
        "resolved": len(before - now),
        "summary_json": json.dumps(report.to_summary(), ensure_ascii=False, default=str),
    }])


def _check_not_input(target: Path, plan: Plan | None) -> None:
    if plan is None:
        return
    resolved = target.resolve()
    for name, info in plan.info.items():
        if info.file is not None and Path(info.file).resolve() == resolved:
            raise SourceError("gpkg.is_input", file=str(target), layer=name)


def write(report: Report, target: str | Path, *, lang: str = "vi", plan: Plan | None = None
          ) -> Path:
    """Write the findings GeoPackage ``target`` atomically and return its path.

    Parameters
    ----------
    report
        The report to write.
    target
        The ``.gpkg`` file. If it is an earlier findings GeoPackage, the triage fields of the
        findings that persist are kept; if it holds anything else, nothing is written.
    lang
        Language of the labels, legend and field aliases of the stored QGIS style.
    plan
        The plan checked: its input files are never overwritten.
    """
    target = Path(target)
    _check_not_input(target, plan)
    io.check_not_input(target)
    previous = read_triage(target)
    generated = now()  # Vietnam's time
    polygons, points = findings_frames(report, previous=previous, today=generated.date())
    options = {"FID": FID_COLUMN, "GEOMETRY_NAME": GEOMETRY_COLUMN}
    with io.atomic_path(target, suffix=".gpkg") as tmp:
        # GeoPackage 1.2: read without warnings by the GDAL of QGIS 3.22 / Debian 12 as well
        pyogrio.write_dataframe(polygons, tmp, layer=LAYER, driver="GPKG",
                                geometry_type="MultiPolygon", promote_to_multi=True,
                                layer_options=options, dataset_options={"VERSION": "1.2"})
        pyogrio.write_dataframe(points, tmp, layer=POINTS_LAYER, driver="GPKG",
                                geometry_type="MultiPoint", promote_to_multi=True,
                                layer_options=options)
        pyogrio.write_dataframe(_run_row(report, lang, polygons, points, previous, generated),
                                tmp, layer=RUN_LAYER, driver="GPKG", layer_options={"FID": "id"})
        fields = list(COLUMNS)
        rows = layer_styles_rows({LAYER: ("polygon", fields), POINTS_LAYER: ("point", fields)},
                                 lang, geometry_column=GEOMETRY_COLUMN, when=generated)
        write_layer_styles(tmp, rows)
    return target


__all__ = ["COLUMNS", "LAYER", "POINTS_LAYER", "RUN_LAYER", "TRIAGE_COLUMNS", "findings_frames",
           "read_triage", "write"]
