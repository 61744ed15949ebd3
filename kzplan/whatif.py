"""What-if planning: edit a plan in one line and see what the edit changes.

Each edit returns a **new** :class:`~kzplan.plan.Plan` (the input is never touched) with the
measured area ``dt_do_ha`` of the edited feature recomputed by :func:`kzplan.crs.area_ha`:

>>> from kzplan import check, load_plan, whatif
>>> plan = load_plan()  # doctest: +SKIP
>>> plan2 = whatif.add(plan, "ccn", (107.75, 14.42), ma="CCN-616-04", ten="CCN Sa Thầy 4",
...                    ma_huyen="616", dt_qh_ha=40)  # doctest: +SKIP
>>> diff = whatif.compare(check(plan), check(plan2))  # doctest: +SKIP
>>> diff.new_errors, diff.sentences("en")  # doctest: +SKIP

:func:`evaluate` does both steps and words each sentence after the edits
(``whatif.evaluate(plan, whatif.Remove("ccn", "CCN-608-02"), as_of=2030)``). A :class:`Diff` pairs
the findings of two reports by :attr:`~kzplan.findings.Finding.fingerprint` (new, resolved,
changed, unchanged) and gives the change in headroom to every target: area and count per layer,
clusters per district against the minimum. It displays as HTML in Jupyter; ``kzplan diff``
(:mod:`kzplan.cli_diff`) prints the same for two plan folders or two JSON reports.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
import shapely.affinity
from shapely.geometry.base import BaseGeometry

from kzplan import crs as kcrs
from kzplan import messages, schema
from kzplan._errors import KzplanError
from kzplan.findings import SEVERITIES, SEVERITY_COLOURS, SEVERITY_LABELS, Finding, Report, Source
from kzplan.findings import _jsonable as jsonable
from kzplan.plan import LayerInfo, Plan

REPORT_SCHEMA = "kzplan-report/1"
DIFF_SCHEMA = "kzplan-diff/1"
_EPS = 0.005  # hectares / counts below this are "no change"

messages.register(
    {
        # --- errors ----------------------------------------------------------------------------
        "whatif.unknown_layer": {
            "vi": "whatif: {layer!r} không phải lớp của kế hoạch; chọn một trong: {known}.",
            "en": "whatif: {layer!r} is not a plan layer; use one of: {known}.",
        },
        "whatif.layer_absent": {
            "vi": "whatif: kế hoạch {plan!r} không có lớp {layer}; các lớp có: {available}."
            " Thêm đối tượng vào lớp đó bằng whatif.add.",
            "en": "whatif: plan {plan!r} has no layer {layer}; its layers: {available}."
            " Add a feature to it with whatif.add first.",
        },
        "whatif.unknown_code": {
            "vi": "whatif: lớp {layer} ({file}) không có đối tượng mã (ma) {code!r}; các mã có:"
            " {available}.",
            "en": "whatif: layer {layer} ({file}) has no feature with code (ma) {code!r}; codes in"
            " the layer: {available}.",
        },
        "whatif.ambiguous_code": {
            "vi": "whatif: lớp {layer} ({file}): mã {code!r} dùng cho {count} đối tượng (dòng"
            " {rows}); đặt mã riêng cho từng đối tượng trước (luật AT01).",
            "en": "whatif: layer {layer} ({file}): code {code!r} names {count} features (rows"
            " {rows}); give each feature its own code first (rule AT01).",
        },
        "whatif.duplicate_code": {
            "vi": "whatif: lớp {layer} ({file}) đã có đối tượng mã {code!r}; chọn mã khác, hoặc"
            " sửa đối tượng đó bằng whatif.set / move / resize.",
            "en": "whatif: layer {layer} ({file}) already has a feature with code {code!r}; choose"
            " another code, or edit that feature with whatif.set / move / resize.",
        },
        "whatif.missing_code": {
            "vi": "whatif.add (lớp {layer}): cần mã đối tượng, ví dụ ma=\"CCN-616-04\".",
            "en": "whatif.add (layer {layer}): give the feature a code, e.g. ma=\"CCN-616-04\".",
        },
        "whatif.unknown_field": {
            "vi": "whatif: lớp {layer}, đối tượng {code}: không có trường {field!r}; các trường:"
            " {available}.",
            "en": "whatif: layer {layer}, feature {code}: there is no field {field!r}; fields:"
            " {available}.",
        },
        "whatif.bad_value": {
            "vi": "whatif: lớp {layer}, đối tượng {code}: {field} = {value!r} không hợp lệ, cần"
            " {expected[vi]}.",
            "en": "whatif: layer {layer}, feature {code}: {field} = {value!r} is not valid;"
            " expected {expected[en]}.",
        },
        "whatif.bad_geometry": {
            "vi": "whatif: lớp {layer}, đối tượng {code}: hình học phải là một vùng"
            " (Polygon/MultiPolygon) không rỗng, hoặc một điểm (kinh độ, vĩ độ) kèm dt_qh_ha;"
            " nhận được {kind}.",
            "en": "whatif: layer {layer}, feature {code}: the geometry must be a non-empty polygon"
            " (Polygon/MultiPolygon), or a (lon, lat) point with dt_qh_ha; got {kind}.",
        },
        "whatif.geometry_field": {
            "vi": "whatif.set (lớp {layer}, đối tượng {code}): không đổi được {field} bằng set;"
            " dùng whatif.move hoặc whatif.resize.",
            "en": "whatif.set (layer {layer}, feature {code}): {field} cannot be set; use"
            " whatif.move or whatif.resize.",
        },
        "whatif.no_change": {
            "vi": "whatif.set (lớp {layer}, đối tượng {code}): chưa nêu trường nào cần đổi, ví dụ"
            " trang_thai=\"hoat_dong\".",
            "en": "whatif.set (layer {layer}, feature {code}): name at least one field to change,"
            " e.g. trang_thai=\"hoat_dong\".",
        },
        "whatif.move_args": {
            "vi": "whatif.move (lớp {layer}, đối tượng {code}): cho dx/dy (mét) hoặc"
            " to=(kinh độ, vĩ độ), chỉ một trong hai cách.",
            "en": "whatif.move (layer {layer}, feature {code}): give either dx/dy (metres) or"
            " to=(lon, lat), exactly one of the two.",
        },
        "whatif.resize_args": {
            "vi": "whatif.resize (lớp {layer}, đối tượng {code}): ha = {ha!r} không hợp lệ; cần"
            " một số ha dương, ví dụ ha=50.",
            "en": "whatif.resize (layer {layer}, feature {code}): ha = {ha!r} is not valid; give a"
            " positive number of hectares, e.g. ha=50.",
        },
        "whatif.empty_geometry": {
            "vi": "whatif.resize (lớp {layer}, đối tượng {code}): đối tượng không có hình học để"
            " co giãn; vẽ ranh giới trước.",
            "en": "whatif.resize (layer {layer}, feature {code}): the feature has no geometry to"
            " scale; draw its outline first.",
        },
        "whatif.bad_edit": {
            "vi": "whatif.evaluate: {edit!r} không phải một thay đổi; truyền whatif.Add(...),"
            " whatif.Remove(...), whatif.Move(...), whatif.Resize(...), whatif.Set(...) hoặc một"
            " hàm plan -> plan.",
            "en": "whatif.evaluate: {edit!r} is not an edit; pass whatif.Add(...),"
            " whatif.Remove(...), whatif.Move(...), whatif.Resize(...), whatif.Set(...) or a"
            " function plan -> plan.",
        },
        "diff.bad_json": {
            "vi": "{file!r}: không đọc được JSON ({reason}). Tạo lại bằng `kzplan check -f json`.",
            "en": "{file!r}: cannot be read as JSON ({reason}). Write it again with"
            " `kzplan check -f json`.",
        },
        "diff.not_report": {
            "vi": "{file!r}: không phải báo cáo kzplan (schema = {schema!r}, cần"
            " {expected!r}); tạo bằng `kzplan check -f json`.",
            "en": "{file!r}: not a kzplan report (schema = {schema!r}, expected {expected!r});"
            " write one with `kzplan check -f json`.",
        },
        "diff.bad_report": {
            "vi": "{file!r}: báo cáo kzplan thiếu hoặc sai mục {key!r} ({reason}); tạo lại bằng"
            " `kzplan check -f json`.",
            "en": "{file!r}: the kzplan report lacks or has a wrong {key!r} ({reason}); write it"
            " again with `kzplan check -f json`.",
        },
        # --- describing edits ------------------------------------------------------------------
        "whatif.edit_add": {
            "vi": "thêm {noun} {code} ({ha} ha) tại {district}",
            "en": "adding a {ha} ha {noun} in {district} ({code})",
        },
        "whatif.edit_remove": {
            "vi": "bỏ {noun} {code} ({ha} ha, {district})",
            "en": "removing the {noun} {code} ({ha} ha, {district})",
        },
        "whatif.edit_move": {
            "vi": "dời {noun} {code} {offset}",
            "en": "moving the {noun} {code} {offset}",
        },
        "whatif.east": {"vi": "{m} m về phía đông", "en": "{m} m east"},
        "whatif.west": {"vi": "{m} m về phía tây", "en": "{m} m west"},
        "whatif.north": {"vi": "{m} m về phía bắc", "en": "{m} m north"},
        "whatif.south": {"vi": "{m} m về phía nam", "en": "{m} m south"},
        "whatif.and": {"vi": " và ", "en": " and "},
        "whatif.nowhere": {"vi": "0 m (không dời)", "en": "by 0 m (not at all)"},
        "whatif.edit_move_to": {
            "vi": "dời {noun} {code} đến kinh độ {lon}, vĩ độ {lat}",
            "en": "moving the {noun} {code} to lon {lon}, lat {lat}",
        },
        "whatif.edit_resize": {
            "vi": "đổi quy mô {noun} {code} từ {old} ha thành {new} ha",
            "en": "resizing the {noun} {code} from {old} ha to {new} ha",
        },
        "whatif.edit_set": {
            "vi": "đặt {changes} cho {noun} {code}",
            "en": "setting {changes} on the {noun} {code}",
        },
        "whatif.edit_custom": {"vi": "thay đổi {name}", "en": "the edit {name}"},
        "whatif.subject_none": {"vi": "phiên bản mới", "en": "the new version"},
        "whatif.subject_many": {"vi": "{count} thay đổi này", "en": "this set of {count} edits"},
        "whatif.district_unknown": {"vi": "huyện chưa rõ", "en": "an unknown district"},
        # --- headroom sentences ----------------------------------------------------------------
        "whatif.area_use": {
            "vi": "{subject} sử dụng {used} trong số {left} ha còn lại của chỉ tiêu diện tích"
            " {noun} ({target} ha): {state}.",
            "en": "{subject} uses {used} of the remaining {left} ha of the {noun} area target"
            " ({target} ha): {state}.",
        },
        "whatif.area_use_over": {
            "vi": "{subject} cần {used} ha của chỉ tiêu diện tích {noun} ({target} ha) nhưng chỉ"
            " còn {left} ha: {state}.",
            "en": "{subject} needs {used} ha of the {noun} area target ({target} ha) but only"
            " {left} ha remain: {state}.",
        },
        "whatif.area_add_over": {
            "vi": "{subject} cần {used} ha của chỉ tiêu diện tích {noun} ({target} ha) nhưng chỉ"
            " tiêu đã hết: {state}.",
            "en": "{subject} needs {used} ha of the {noun} area target ({target} ha), which has"
            " none left: {state}.",
        },
        "whatif.area_free": {
            "vi": "{subject} giải phóng {freed} ha của chỉ tiêu diện tích {noun} ({target} ha):"
            " {state}.",
            "en": "{subject} frees {freed} ha of the {noun} area target ({target} ha): {state}.",
        },
        "whatif.area_no_target": {
            "vi": "{subject} đổi diện tích quy hoạch {noun} từ {before} ha thành {after} ha"
            " (không có chỉ tiêu).",
            "en": "{subject} changes the {noun} planned area from {before} ha to {after} ha (no"
            " target).",
        },
        "whatif.area_left": {"vi": "còn {ha} ha", "en": "{ha} ha remain"},
        "whatif.area_exact": {"vi": "vừa đúng chỉ tiêu", "en": "the target is met exactly"},
        "whatif.area_over": {"vi": "vượt chỉ tiêu {ha} ha", "en": "now {ha} ha over the target"},
        "whatif.count": {
            "vi": "{subject} đổi số {noun} từ {before} thành {after} (quy hoạch đặt {target}):"
            " {state}.",
            "en": "{subject} changes the number of {noun} from {before} to {after} (the plan sets"
            " {target}): {state}.",
        },
        "whatif.count_exact": {"vi": "đúng như quy hoạch", "en": "now as the plan sets"},
        "whatif.count_short": {"vi": "còn thiếu {n}", "en": "{n} short"},
        "whatif.count_over": {"vi": "nhiều hơn quy hoạch {n}", "en": "{n} more than the plan"},
        "whatif.district": {
            "vi": "{subject} đổi số CCN tại {district} từ {before} thành {after} (tối thiểu"
            " {minimum}): {state}.",
            "en": "{subject} changes the clusters in {district} from {before} to {after} (minimum"
            " {minimum}): {state}.",
        },
        "whatif.district_above": {"vi": "hơn mức tối thiểu {n}", "en": "{n} above the minimum"},
        "whatif.district_exact": {"vi": "vừa đủ mức tối thiểu", "en": "exactly the minimum"},
        "whatif.district_below": {"vi": "thiếu {n} so với mức tối thiểu",
                                  "en": "{n} below the minimum"},
        "whatif.no_target_change": {
            "vi": "{subject} không làm đổi chỉ tiêu nào: diện tích, số lượng và số CCN theo huyện"
            " giữ nguyên.",
            "en": "{subject} changes no target: areas, counts and clusters per district stay as"
            " they were.",
        },
        # --- diff display ----------------------------------------------------------------------
        "diff.title": {
            "vi": "So sánh {before} (năm {before_as_of}) → {after} (năm {after_as_of})",
            "en": "Diff {before} (as of {before_as_of}) → {after} (as of {after_as_of})",
        },
        "diff.headline": {
            "vi": "{new} phát hiện mới ({new_errors} lỗi mới), {resolved} đã hết, {changed} thay"
            " đổi, {unchanged} giữ nguyên.",
            "en": "{new} new findings ({new_errors} new errors), {resolved} resolved, {changed}"
            " changed, {unchanged} unchanged.",
        },
        "diff.verdict_ok": {"vi": "Không có lỗi mới.", "en": "No new errors."},
        "diff.verdict_fail": {"vi": "Có {n} lỗi mới.", "en": "{n} new error(s)."},
        "diff.edits": {"vi": "Thay đổi", "en": "Edits"},
        "diff.headroom": {"vi": "Khoảng còn lại đến chỉ tiêu", "en": "Headroom to the targets"},
        "diff.districts": {"vi": "CCN theo huyện (chỉ các huyện thay đổi)",
                           "en": "Clusters per district (changed districts only)"},
        "diff.new": {"vi": "Phát hiện mới", "en": "New findings"},
        "diff.resolved": {"vi": "Phát hiện đã hết", "en": "Resolved findings"},
        "diff.changed": {"vi": "Phát hiện thay đổi", "en": "Changed findings"},
        "diff.none": {"vi": "(không có)", "en": "(none)"},
        "diff.col_layer": {"vi": "Lớp", "en": "Layer"},
        "diff.col_target": {"vi": "Chỉ tiêu", "en": "Target"},
        "diff.col_before": {"vi": "Trước", "en": "Before"},
        "diff.col_after": {"vi": "Sau", "en": "After"},
        "diff.col_left_before": {"vi": "Còn lại trước (ha)", "en": "Left before (ha)"},
        "diff.col_left_after": {"vi": "Còn lại sau (ha)", "en": "Left after (ha)"},
        "diff.col_change": {"vi": "Thay đổi", "en": "Change"},
        "diff.col_area": {"vi": "Diện tích QH (ha)", "en": "Planned area (ha)"},
        "diff.col_count": {"vi": "Số lượng", "en": "Count"},
        "diff.col_district": {"vi": "Huyện", "en": "District"},
        "diff.col_min": {"vi": "Tối thiểu", "en": "Minimum"},
        "diff.col_severity": {"vi": "Mức", "en": "Severity"},
        "diff.col_rule": {"vi": "Luật", "en": "Rule"},
        "diff.col_feature": {"vi": "Đối tượng", "en": "Feature"},
        "diff.col_message": {"vi": "Nội dung", "en": "Message"},
        "diff.col_was": {"vi": "Trước đây", "en": "Was"},
        "diff.note_as_of": {
            "vi": "Lưu ý: hai bên được kiểm tra theo năm khác nhau ({before} và {after}); các chỉ"
            " tiêu theo năm (lấp đầy) có thể khác vì thế.",
            "en": "Note: the two sides were checked as of different years ({before} and {after});"
            " year-bound targets (occupancy) may differ for that reason alone.",
        },
        "diff.note_pack": {
            "vi": "Lưu ý: hai bên dùng gói luật khác nhau ({before} và {after}).",
            "en": "Note: the two sides used different rule packs ({before} and {after}).",
        },
    }
)

_NOUN = {
    "kcn": {"vi": "KCN", "en": "industrial zone"},
    "ccn": {"vi": "CCN", "en": "cluster"},
    "kkt": {"vi": "KKT", "en": "economic zone"},
}
_NOUN_PLURAL = {
    "kcn": {"vi": "KCN", "en": "industrial zones (KCN)"},
    "ccn": {"vi": "CCN", "en": "clusters (CCN)"},
    "kkt": {"vi": "KKT", "en": "economic zones (KKT)"},
}
_NOUN_TARGET = {
    "kcn": {"vi": "KCN", "en": "industrial-zone (KCN)"},
    "ccn": {"vi": "CCN", "en": "cluster (CCN)"},
    "kkt": {"vi": "KKT", "en": "economic-zone (KKT)"},
}
_GEOMETRY_FIELDS = ("geometry", "dt_do_ha")
_EXPECTED = {
    "str": {"vi": "một chuỗi văn bản", "en": "text"},
    "float": {"vi": "một số", "en": "a number"},
    "int": {"vi": "một số nguyên", "en": "an integer"},
    "required": {"vi": "một giá trị (trường bắt buộc)", "en": "a value (required field)"},
    "ma_huyen": {"vi": "mã huyện 3 chữ số, ví dụ \"616\"", "en": "a 3-digit district code, e.g."
                 " \"616\""},
    "positive": {"vi": "một số dương", "en": "a positive number"},
}


class WhatIfError(KzplanError, ValueError):
    """A what-if edit or a diff input is wrong (unknown layer, code, field or value)."""


def _num(value: float | int | None) -> str:
    """Numbers as every kzplan output writes them: ``1,729.72``, ``40``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "?"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    return f"{float(value):,.2f}".rstrip("0").rstrip(".")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- locating features --------------------------------------------------------------------------


def _layer(plan: Plan, layer: str, *, create: bool = False) -> gpd.GeoDataFrame | None:
    if layer not in schema.PLAN_LAYERS:
        raise WhatIfError("whatif.unknown_layer", layer=layer, known=", ".join(schema.PLAN_LAYERS))
    frame = plan.layers.get(layer)
    if frame is None and not create:
        raise WhatIfError("whatif.layer_absent", plan=plan.config.name, layer=layer,
                          available=", ".join(plan.layers) or "-")
    return frame


def _file(plan: Plan, layer: str) -> str:
    info = plan.info.get(layer)
    return info.label if info is not None else "-"


def _codes_preview(frame: pd.DataFrame, limit: int = 12) -> str:
    codes = [str(c) for c in frame["ma"] if isinstance(c, str) and c]
    if not codes:
        return "-"
    more = f", … (+{len(codes) - limit})" if len(codes) > limit else ""
    return ", ".join(codes[:limit]) + more


def _locate(plan: Plan, layer: str, code: str) -> int:
    """The row position of feature ``code`` in ``layer`` (it must name exactly one feature)."""
    frame = _layer(plan, layer)
    assert frame is not None
    hits = np.flatnonzero((frame["ma"] == code).to_numpy(dtype=bool, na_value=False))
    if len(hits) == 0:
        raise WhatIfError("whatif.unknown_code", layer=layer, file=_file(plan, layer), code=code,
                          available=_codes_preview(frame))
    if len(hits) > 1:
        raise WhatIfError("whatif.ambiguous_code", layer=layer, file=_file(plan, layer),
                          code=code, count=len(hits), rows=", ".join(str(i + 1) for i in hits))
    return int(hits[0])


def _coerce(layer: str, code: str, name: str, value: Any, frame: pd.DataFrame | None) -> Any:
    """Check one attribute value against the canonical schema (type, domain, required)."""
    fields = schema.field_map(layer)
    if name in _GEOMETRY_FIELDS:
        raise WhatIfError("whatif.geometry_field", layer=layer, code=code, field=name)
    spec = fields.get(name)
    if spec is None:
        if frame is not None and name in frame.columns:
            return value  # a column of the user's own: any value
        available = ", ".join([*fields, *(c for c in (frame.columns if frame is not None else ())
                                         if c not in fields and c not in _GEOMETRY_FIELDS)])
        raise WhatIfError("whatif.unknown_field", layer=layer, code=code, field=name,
                          available=available)

    def bad(expected: Mapping[str, str]) -> WhatIfError:
        return WhatIfError("whatif.bad_value", layer=layer, code=code, field=name, value=value,
                           expected=expected)

    if value is None or (isinstance(value, float) and math.isnan(value)):
        if spec.required:
            raise bad(_EXPECTED["required"])
        return None
    if spec.type == "str":
        if name == "ma_huyen" and isinstance(value, (int, np.integer)) and not isinstance(
                value, bool):
            value = f"{int(value):03d}"
        if not isinstance(value, str) or not value.strip():
            raise bad(_EXPECTED["ma_huyen" if name == "ma_huyen" else "str"])
        value = value.strip()
        if name == "ma_huyen" and not (value.isdigit() and len(value) == 3):
            raise bad(_EXPECTED["ma_huyen"])
        if spec.domain is not None and value not in spec.domain:
            raise bad({"vi": " / ".join(spec.domain), "en": " / ".join(spec.domain)})
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise bad(_EXPECTED[spec.type])
    if not math.isfinite(float(value)):
        raise bad(_EXPECTED[spec.type])
    if spec.type == "int":
        if float(value) != int(value):
            raise bad(_EXPECTED["int"])
        return int(value)
    if name == "dt_qh_ha" and value <= 0:
        raise bad(_EXPECTED["positive"])
    return float(value)


def _district_name(plan: Plan, code: Any, lang: str) -> str:
    table = plan.district_table()
    match = table[table["ma_huyen"].astype(str) == str(code)] if code is not None else table[:0]
    if len(match):
        return str(match["ten"].iloc[0])
    return messages.text("whatif.district_unknown", lang)


# --- geometry helpers ---------------------------------------------------------------------------


def _metric(crs: str) -> bool:
    c = pyproj.CRS(crs)
    return c.is_projected and all(a.unit_name in ("metre", "meter") for a in c.axis_info[:2])


def _in_metres(geom: BaseGeometry, crs: str, func: Callable[[BaseGeometry], BaseGeometry]
               ) -> BaseGeometry:
    """Apply ``func`` to ``geom`` in metres: in the plan CRS when it is metric, else in an
    equal-area projection of its datum (and back)."""
    if _metric(crs):
        return func(geom)
    local = kcrs.equal_area_crs(pyproj.CRS(crs))
    there = gpd.GeoSeries([geom], crs=crs).to_crs(local)
    return gpd.GeoSeries([func(there.iloc[0])], crs=local).to_crs(crs).iloc[0]


def _area_ha(geom: BaseGeometry, crs: str) -> float:
    return float(kcrs.area_ha(gpd.GeoSeries([geom], crs=crs))[0])


def _lonlat_to(crs: str, lon: float, lat: float) -> tuple[float, float]:
    tr = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = tr.transform(lon, lat)
    return float(x), float(y)


def square(plan: Plan, lon: float, lat: float, ha: float) -> BaseGeometry:
    """A square of ``ha`` hectares (measured as kzplan measures) centred on WGS 84 ``lon, lat``,
    in the plan's CRS: a quick outline for "what if we put a cluster here?"."""
    x, y = _lonlat_to(plan.crs, lon, lat)

    def make(g: BaseGeometry) -> BaseGeometry:
        c = g.centroid
        half = (ha * 10_000) ** 0.5 / 2
        return shapely.box(c.x - half, c.y - half, c.x + half, c.y + half)

    geom = _in_metres(shapely.Point(x, y), plan.crs, make)
    measured = _area_ha(geom, plan.crs)
    return shapely.affinity.scale(geom, (ha / measured) ** 0.5, (ha / measured) ** 0.5,
                                  origin="centroid")


def _as_polygon(plan: Plan, layer: str, code: str, geometry: Any, crs: Any,
                ha: float | None) -> BaseGeometry:
    kind = type(geometry).__name__
    if isinstance(geometry, (gpd.GeoDataFrame, gpd.GeoSeries)):
        series = geometry.geometry if isinstance(geometry, gpd.GeoDataFrame) else geometry
        if len(series) != 1:
            raise WhatIfError("whatif.bad_geometry", layer=layer, code=code,
                              kind=f"{kind} of {len(series)} rows")
        crs = crs or series.crs
        geometry = series.iloc[0]
    elif isinstance(geometry, str):
        try:
            geometry = shapely.from_wkt(geometry)
        except shapely.errors.GEOSException:
            raise WhatIfError("whatif.bad_geometry", layer=layer, code=code,
                              kind="text that is not WKT") from None
    elif (isinstance(geometry, (tuple, list)) and len(geometry) == 2
          and all(isinstance(v, (int, float)) for v in geometry)):
        if ha is None or ha <= 0:
            raise WhatIfError("whatif.bad_geometry", layer=layer, code=code,
                              kind="(lon, lat) without dt_qh_ha")
        return square(plan, float(geometry[0]), float(geometry[1]), ha)
    if not isinstance(geometry, BaseGeometry) or geometry.is_empty or geometry.geom_type not in (
            "Polygon", "MultiPolygon"):
        shown = geometry.geom_type if isinstance(geometry, BaseGeometry) else kind
        if isinstance(geometry, BaseGeometry) and geometry.is_empty:
            shown = f"empty {shown}"
        raise WhatIfError("whatif.bad_geometry", layer=layer, code=code, kind=shown)
    if crs is not None and pyproj.CRS(crs) != pyproj.CRS(plan.crs):
        geometry = gpd.GeoSeries([geometry], crs=crs).to_crs(plan.crs).iloc[0]
    return geometry


def _with_layer(plan: Plan, layer: str, frame: gpd.GeoDataFrame) -> Plan:
    """A new plan sharing nothing mutable with ``plan``, with ``layer`` replaced."""
    out = plan.copy()
    out.layers[layer] = frame.reset_index(drop=True)
    info = out.info.get(layer)
    if info is None:
        info = LayerInfo(name=layer, file=None, driver="kzplan.whatif", crs=plan.crs)
    out.info[layer] = dc_replace(info, count=len(frame))
    return out


def _set_geometry(plan: Plan, layer: str, row: int, geom: BaseGeometry) -> gpd.GeoDataFrame:
    frame = plan.layers[layer].copy()
    frame.iloc[row, frame.columns.get_loc(frame.geometry.name)] = geom
    frame.iloc[row, frame.columns.get_loc("dt_do_ha")] = _area_ha(geom, plan.crs)
    return frame


# --- edits --------------------------------------------------------------------------------------


class Edit:
    """One what-if edit: ``edit.apply(plan)`` returns a new plan; ``edit.describe(plan, lang)``
    says what it does (for the sentences of a :class:`Diff`)."""

    layer: str

    def apply(self, plan: Plan) -> Plan:  # pragma: no cover - abstract
        """The edited copy of ``plan``."""
        raise NotImplementedError

    def describe(self, plan: Plan, lang: str | None = None) -> str:  # pragma: no cover
        """What the edit does to ``plan``, in ``lang``."""
        raise NotImplementedError

    def __call__(self, plan: Plan) -> Plan:
        return self.apply(plan)


@dataclass(frozen=True)
class Add(Edit):
    """Add a feature: ``Add("ccn", polygon_or_(lon, lat), ma=..., ma_huyen=..., dt_qh_ha=...)``.

    ``geometry`` is a shapely polygon in the plan's CRS (or in ``crs``), a one-row
    GeoSeries/GeoDataFrame, WKT, or a WGS 84 ``(lon, lat)`` point, which becomes a square of
    ``dt_qh_ha`` hectares centred there. Attributes not given take planning defaults
    (``trang_thai="quy_hoach"``, ``tin_cay="gia_dinh"``, ``hinh_hoc="so_do"``, ``dt_qh_ha`` =
    the measured area).
    """

    layer: str
    geometry: Any
    attrs: Mapping[str, Any] = field(default_factory=dict)
    crs: Any = None

    def _row(self, plan: Plan) -> tuple[dict[str, Any], BaseGeometry]:
        frame = _layer(plan, self.layer, create=True)
        code = self.attrs.get("ma")
        if not isinstance(code, str) or not code.strip():
            raise WhatIfError("whatif.missing_code", layer=self.layer)
        code = code.strip()
        if frame is not None and (frame["ma"] == code).any():
            raise WhatIfError("whatif.duplicate_code", layer=self.layer,
                              file=_file(plan, self.layer), code=code)
        ha = self.attrs.get("dt_qh_ha")
        ha = _coerce(self.layer, code, "dt_qh_ha", ha, frame) if ha is not None else None
        geom = _as_polygon(plan, self.layer, code, self.geometry, self.crs, ha)
        measured = _area_ha(geom, plan.crs)
        row: dict[str, Any] = {
            "ma": code, "ten": code, "ma_huyen": None, "dt_qh_ha": round(measured, 2),
            "trang_thai": "quy_hoach", "nam_tl": None, "lap_day": None, "xlnt": None,
            "nganh": None, "nguon": "kzplan what-if", "tin_cay": "gia_dinh", "hinh_hoc": "so_do",
            "ghi_chu": None,
        }
        for name, value in self.attrs.items():
            row[name] = _coerce(self.layer, code, name, value, frame)
        row["dt_do_ha"] = measured
        return row, geom

    def apply(self, plan: Plan) -> Plan:
        row, geom = self._row(plan)
        frame = plan.layers.get(self.layer)
        if frame is None:  # a plan layer the plan does not have yet
            frame = gpd.GeoDataFrame(
                {f.name: pd.Series([], dtype="Int64" if f.type == "int" else
                                   "float64" if f.type == "float" else object)
                 for f in schema.PLAN_FIELDS} | {"dt_do_ha": pd.Series([], dtype="float64")},
                geometry=gpd.GeoSeries([], crs=plan.crs), crs=plan.crs)
        geom_col = frame.geometry.name
        data = {c: pd.Series([row.get(c)], dtype=frame[c].dtype)
                for c in frame.columns if c != geom_col}
        new = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([geom], crs=plan.crs, name=geom_col),
                               crs=plan.crs)[list(frame.columns)]
        merged = gpd.GeoDataFrame(pd.concat([frame, new], ignore_index=True),
                                  geometry=geom_col, crs=plan.crs)
        return _with_layer(plan, self.layer, merged)

    def describe(self, plan: Plan, lang: str | None = None) -> str:
        lang = lang or messages.default_lang()
        row, _ = self._row(plan)
        return messages.text("whatif.edit_add", lang, noun=_NOUN[self.layer][lang],
                             code=row["ma"], ha=_num(row["dt_qh_ha"]),
                             district=_district_name(plan, row["ma_huyen"], lang))


@dataclass(frozen=True)
class Remove(Edit):
    """Remove the feature with code ``code`` from ``layer``."""

    layer: str
    code: str

    def apply(self, plan: Plan) -> Plan:
        row = _locate(plan, self.layer, self.code)
        frame = plan.layers[self.layer]
        return _with_layer(plan, self.layer, frame.drop(index=frame.index[row]).copy())

    def describe(self, plan: Plan, lang: str | None = None) -> str:
        lang = lang or messages.default_lang()
        row = _locate(plan, self.layer, self.code)
        feat = plan.layers[self.layer].iloc[row]
        return messages.text("whatif.edit_remove", lang, noun=_NOUN[self.layer][lang],
                             code=self.code, ha=_num(feat["dt_qh_ha"]),
                             district=_district_name(plan, feat["ma_huyen"], lang))


@dataclass(frozen=True)
class Move(Edit):
    """Move a feature by ``dx``/``dy`` metres (east/north), or its centroid ``to=(lon, lat)``."""

    layer: str
    code: str
    dx: float | None = None
    dy: float | None = None
    to: tuple[float, float] | None = None

    def _check(self, plan: Plan) -> int:
        row = _locate(plan, self.layer, self.code)
        by = self.dx is not None or self.dy is not None
        ok_to = (self.to is not None and len(self.to) == 2
                 and all(isinstance(v, (int, float)) for v in self.to))
        numbers = all(v is None or (isinstance(v, (int, float)) and math.isfinite(v))
                      for v in (self.dx, self.dy))
        if by == (self.to is not None) or (self.to is not None and not ok_to) or not numbers:
            raise WhatIfError("whatif.move_args", layer=self.layer, code=self.code)
        return row

    def apply(self, plan: Plan) -> Plan:
        row = self._check(plan)
        geom = plan.layers[self.layer].geometry.iloc[row]
        if geom is None or geom.is_empty:
            raise WhatIfError("whatif.empty_geometry", layer=self.layer, code=self.code)
        if self.to is not None:
            tx, ty = _lonlat_to(plan.crs, *self.to)
            c = geom.centroid
            moved = shapely.affinity.translate(geom, tx - c.x, ty - c.y)
        else:
            dx, dy = float(self.dx or 0.0), float(self.dy or 0.0)
            moved = _in_metres(geom, plan.crs, lambda g: shapely.affinity.translate(g, dx, dy))
        return _with_layer(plan, self.layer, _set_geometry(plan, self.layer, row, moved))

    def describe(self, plan: Plan, lang: str | None = None) -> str:
        lang = lang or messages.default_lang()
        self._check(plan)
        noun = _NOUN[self.layer][lang]
        if self.to is not None:
            return messages.text("whatif.edit_move_to", lang, noun=noun, code=self.code,
                                 lon=f"{self.to[0]:.5f}", lat=f"{self.to[1]:.5f}")
        dx, dy = float(self.dx or 0.0), float(self.dy or 0.0)
        parts = [messages.text(f"whatif.{name}", lang, m=_num(abs(v)))
                 for name, v in (("east" if dx > 0 else "west", dx),
                                 ("north" if dy > 0 else "south", dy)) if v]
        offset = messages.text("whatif.and", lang).join(parts) or messages.text(
            "whatif.nowhere", lang)
        return messages.text("whatif.edit_move", lang, noun=noun, code=self.code, offset=offset)


@dataclass(frozen=True)
class Resize(Edit):
    """Scale a feature about its centroid to ``ha`` hectares and set its ``dt_qh_ha`` to ``ha``."""

    layer: str
    code: str
    ha: float

    def _check(self, plan: Plan) -> int:
        row = _locate(plan, self.layer, self.code)
        ha = self.ha
        if isinstance(ha, bool) or not isinstance(ha, (int, float)) or not math.isfinite(ha) \
                or ha <= 0:
            raise WhatIfError("whatif.resize_args", layer=self.layer, code=self.code, ha=ha)
        return row

    def apply(self, plan: Plan) -> Plan:
        row = self._check(plan)
        frame = plan.layers[self.layer]
        geom = frame.geometry.iloc[row]
        measured = _area_ha(geom, plan.crs) if geom is not None and not geom.is_empty else 0.0
        if measured <= 0:
            raise WhatIfError("whatif.empty_geometry", layer=self.layer, code=self.code)
        k = (float(self.ha) / measured) ** 0.5
        scaled = shapely.affinity.scale(geom, k, k, origin="centroid")
        out = _set_geometry(plan, self.layer, row, scaled)
        out.iloc[row, out.columns.get_loc("dt_qh_ha")] = float(self.ha)
        return _with_layer(plan, self.layer, out)

    def describe(self, plan: Plan, lang: str | None = None) -> str:
        lang = lang or messages.default_lang()
        row = self._check(plan)
        old = plan.layers[self.layer]["dt_qh_ha"].iloc[row]
        return messages.text("whatif.edit_resize", lang, noun=_NOUN[self.layer][lang],
                             code=self.code, old=_num(old), new=_num(float(self.ha)))


@dataclass(frozen=True)
class Set(Edit):
    """Change attributes of a feature: ``Set("ccn", "CCN-608-02", {"trang_thai": "hoat_dong"})``."""

    layer: str
    code: str
    attrs: Mapping[str, Any] = field(default_factory=dict)

    def _values(self, plan: Plan) -> tuple[int, dict[str, Any]]:
        row = _locate(plan, self.layer, self.code)
        if not self.attrs:
            raise WhatIfError("whatif.no_change", layer=self.layer, code=self.code)
        frame = plan.layers[self.layer]
        values = {k: _coerce(self.layer, self.code, k, v, frame) for k, v in self.attrs.items()}
        new_code = values.get("ma")
        if new_code is not None and new_code != self.code and (frame["ma"] == new_code).any():
            raise WhatIfError("whatif.duplicate_code", layer=self.layer,
                              file=_file(plan, self.layer), code=new_code)
        return row, values

    def apply(self, plan: Plan) -> Plan:
        row, values = self._values(plan)
        frame = plan.layers[self.layer].copy()
        for name, value in values.items():
            column = frame[name].copy()
            if column.dtype == object:
                column.iloc[row] = value
            elif value is None:
                extension = isinstance(column.dtype, pd.api.extensions.ExtensionDtype)
                column.iloc[row] = pd.NA if extension else np.nan
            else:  # _coerce made ints int and floats float
                column.iloc[row] = value
            frame[name] = column
        return _with_layer(plan, self.layer, frame)

    def describe(self, plan: Plan, lang: str | None = None) -> str:
        lang = lang or messages.default_lang()
        _, values = self._values(plan)
        changes = ", ".join(f"{k} = {v if v is not None else '∅'}" for k, v in values.items())
        return messages.text("whatif.edit_set", lang, noun=_NOUN[self.layer][lang],
                             code=self.code, changes=changes)


def add(plan: Plan, layer: str, geometry: Any, *, crs: Any = None, **attrs: Any) -> Plan:
    """A copy of ``plan`` with a new feature in ``layer`` (see :class:`Add`).

    Examples
    --------
    >>> plan2 = add(plan, "ccn", (107.75, 14.42), ma="CCN-616-04", ten="CCN Sa Thầy 4",
    ...             ma_huyen="616", dt_qh_ha=40)  # doctest: +SKIP
    """
    return Add(layer, geometry, attrs, crs).apply(plan)


def remove(plan: Plan, layer: str, code: str) -> Plan:
    """A copy of ``plan`` without feature ``code`` of ``layer``."""
    return Remove(layer, code).apply(plan)


def move(plan: Plan, layer: str, code: str, *, dx: float | None = None, dy: float | None = None,
         to: tuple[float, float] | None = None) -> Plan:
    """A copy of ``plan`` with ``code`` moved by ``dx``/``dy`` metres or to WGS 84 ``to``."""
    return Move(layer, code, dx, dy, tuple(to) if to is not None else None).apply(plan)


def resize(plan: Plan, layer: str, code: str, *, ha: float) -> Plan:
    """A copy of ``plan`` with ``code`` scaled about its centroid to ``ha`` ha (and dt_qh_ha)."""
    return Resize(layer, code, ha).apply(plan)


def set_attributes(plan: Plan, layer: str, code: str, **attrs: Any) -> Plan:
    """A copy of ``plan`` with attributes of ``code`` changed, e.g. ``trang_thai="hoat_dong"``."""
    return Set(layer, code, attrs).apply(plan)


# --- comparing reports --------------------------------------------------------------------------


def _same(a: Finding, b: Finding) -> bool:
    return (a.severity == b.severity and a.message_en == b.message_en
            and a.message_vi == b.message_vi and jsonable(a.measured) == jsonable(b.measured)
            and jsonable(a.expected) == jsonable(b.expected))


def _value(row: Mapping[str, Any] | None, key: str) -> Any:
    if row is None:
        return None
    value = row.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _targets_table(before: Report, after: Report) -> pd.DataFrame:
    def rows(report: Report) -> dict[str, dict[str, Any]]:
        t = report.targets
        if t is None or t.empty or "layer" not in t:
            return {}
        return {str(r["layer"]): r for r in t.to_dict(orient="records")}

    b, a = rows(before), rows(after)
    out = []
    for layer in [*b, *(k for k in a if k not in b)]:
        rb, ra = b.get(layer), a.get(layer)
        target = _value(ra, "area_target_ha") or _value(rb, "area_target_ha")
        count_target = _value(ra, "count_target") or _value(rb, "count_target")
        pb = float(_value(rb, "area_planned_ha") or 0.0)
        pa = float(_value(ra, "area_planned_ha") or 0.0)
        nb = int(_value(rb, "count") or 0)
        na = int(_value(ra, "count") or 0)
        hb = None if target is None else round(float(target) - pb, 2)
        ha = None if target is None else round(float(target) - pa, 2)
        out.append({
            "layer": layer,
            "area_target_ha": target,
            "area_planned_before": round(pb, 2),
            "area_planned_after": round(pa, 2),
            "area_change_ha": round(pa - pb, 2),
            "headroom_before_ha": hb,
            "headroom_after_ha": ha,
            "headroom_change_ha": None if hb is None or ha is None else round(ha - hb, 2),
            "area_measured_before": _value(rb, "area_measured_ha"),
            "area_measured_after": _value(ra, "area_measured_ha"),
            "count_target": None if count_target is None else int(count_target),
            "count_before": nb,
            "count_after": na,
            "count_headroom_before": None if count_target is None else int(count_target) - nb,
            "count_headroom_after": None if count_target is None else int(count_target) - na,
        })
    return pd.DataFrame(out)


def _districts_table(before: Report, after: Report) -> pd.DataFrame:
    def rows(report: Report) -> dict[str, dict[str, Any]]:
        t = report.districts
        if t is None or t.empty or "ma_huyen" not in t:
            return {}
        return {str(r["ma_huyen"]): r for r in t.to_dict(orient="records")}

    b, a = rows(before), rows(after)
    out = []
    for code in [*b, *(k for k in a if k not in b)]:
        rb, ra = b.get(code), a.get(code)
        minimum = int(_value(ra, "min_ccn") or _value(rb, "min_ccn") or 0)
        cb, ca = int(_value(rb, "ccn") or 0), int(_value(ra, "ccn") or 0)
        out.append({
            "ma_huyen": code,
            "ten": _value(ra, "ten") or _value(rb, "ten"),
            "min_ccn": minimum,
            "ccn_before": cb,
            "ccn_after": ca,
            "margin_before": cb - minimum,
            "margin_after": ca - minimum,
            "ccn_planned_ha_before": float(_value(rb, "ccn_planned_ha") or 0.0),
            "ccn_planned_ha_after": float(_value(ra, "ccn_planned_ha") or 0.0),
        })
    return pd.DataFrame(out)


@dataclass
class Diff:
    """What changed between two checks of a plan (``before`` → ``after``).

    Attributes
    ----------
    new, resolved, unchanged
        Findings only in ``after``, only in ``before``, and in both with the same verdict
        (matched by fingerprint).
    changed
        ``(before, after)`` pairs with the same fingerprint but another severity, message,
        measured or expected value.
    targets
        Per layer: area target, planned area and headroom (target − planned) before and after,
        counts against the plan's count.
    districts
        Per district: clusters before and after against the minimum (``margin`` = clusters −
        minimum).
    edits
        What was edited, ``{"vi": ..., "en": ...}`` per edit (from :func:`evaluate`).
    lang
        Language of ``repr`` and the HTML view (default: ``KZPLAN_LANG`` or Vietnamese).
    """

    before: Report
    after: Report
    new: list[Finding]
    resolved: list[Finding]
    changed: list[tuple[Finding, Finding]]
    unchanged: list[Finding]
    targets: pd.DataFrame
    districts: pd.DataFrame
    edits: tuple[Mapping[str, str], ...] = ()
    lang: str | None = None

    # --- verdicts ------------------------------------------------------------------------------
    @property
    def new_errors(self) -> list[Finding]:
        """Error findings of ``after`` that ``before`` did not have as errors."""
        out = [f for f in self.new if f.severity == "error"]
        out += [a for b, a in self.changed if a.severity == "error" and b.severity != "error"]
        return out

    @property
    def exit_code(self) -> int:
        """1 when the edit brings a new error, else 0."""
        return 1 if self.new_errors else 0

    @property
    def counts(self) -> dict[str, int]:
        """Number of new, new error, resolved, changed and unchanged findings."""
        return {"new": len(self.new), "new_errors": len(self.new_errors),
                "resolved": len(self.resolved), "changed": len(self.changed),
                "unchanged": len(self.unchanged)}

    # --- words ---------------------------------------------------------------------------------
    def _subject(self, lang: str) -> str:
        if len(self.edits) == 1:
            return self.edits[0][lang]
        if self.edits:
            return messages.text("whatif.subject_many", lang, count=len(self.edits))
        return messages.text("whatif.subject_none", lang)

    def headline(self, lang: str | None = None) -> str:
        """``2 new findings (1 new error), 3 resolved, ...``."""
        return messages.text("diff.headline", lang or self.lang, **self.counts)

    def sentences(self, lang: str | None = None) -> list[str]:
        """One sentence per target whose headroom changed (area, count, clusters per district)."""
        lang = lang or self.lang or messages.default_lang()
        subject = _cap(self._subject(lang))
        out: list[str] = []
        for r in self.targets.to_dict(orient="records"):
            layer = r["layer"]
            delta = r["area_change_ha"]
            if abs(delta) >= _EPS:
                out.append(_area_sentence(r, subject, lang))
            if r["count_before"] != r["count_after"]:
                target = r["count_target"]
                left = None if target is None else r["count_headroom_after"]
                state = (messages.text("whatif.count_exact", lang) if left == 0 else
                         messages.text("whatif.count_short", lang, n=left) if left and left > 0
                         else messages.text("whatif.count_over", lang, n=-left) if left
                         else "-")
                out.append(messages.text(
                    "whatif.count", lang, subject=subject, noun=_NOUN_PLURAL.get(
                        layer, {"vi": layer, "en": layer})[lang], before=r["count_before"],
                    after=r["count_after"], target=target if target is not None else "-",
                    state=state))
        for r in self.districts.to_dict(orient="records"):
            if r["ccn_before"] == r["ccn_after"]:
                continue
            m = r["margin_after"]
            state = (messages.text("whatif.district_above", lang, n=m) if m > 0 else
                     messages.text("whatif.district_exact", lang) if m == 0 else
                     messages.text("whatif.district_below", lang, n=-m))
            out.append(messages.text("whatif.district", lang, subject=subject,
                                     district=r["ten"] or r["ma_huyen"], before=r["ccn_before"],
                                     after=r["ccn_after"], minimum=r["min_ccn"], state=state))
        if not out:
            out.append(messages.text("whatif.no_target_change", lang, subject=subject))
        return out

    def notes(self, lang: str | None = None) -> list[str]:
        """Warnings about the comparison itself (different years or rule packs)."""
        lang = lang or self.lang
        out = []
        if self.before.as_of != self.after.as_of:
            out.append(messages.text("diff.note_as_of", lang, before=self.before.as_of,
                                     after=self.after.as_of))
        if self.before.rule_pack != self.after.rule_pack:
            out.append(messages.text("diff.note_pack", lang, before=self.before.rule_pack,
                                     after=self.after.rule_pack))
        return out

    # --- tables --------------------------------------------------------------------------------
    def to_frame(self) -> gpd.GeoDataFrame:
        """New, resolved and changed findings as a GeoDataFrame with a ``change`` column."""
        rows = [(f, "new") for f in self.new] + [(f, "resolved") for f in self.resolved]
        rows += [(a, "changed") for _, a in self.changed]
        records = []
        for f, change in rows:
            d = f.to_dict(geometry=False)
            d.pop("source", None)
            d["measured"] = json.dumps(d["measured"], ensure_ascii=False) \
                if d["measured"] is not None else None
            d["expected"] = json.dumps(d["expected"], ensure_ascii=False) \
                if d["expected"] is not None else None
            d["change"] = change
            d["geometry"] = f.geometry
            records.append(d)
        columns = ["change", "fingerprint", "rule_id", "rule_name", "severity", "layer", "feature",
                   "fid", "message_vi", "message_en", "fix_vi", "fix_en", "measured", "expected",
                   "key", "geometry"]
        frame = pd.DataFrame(records, columns=columns)
        return gpd.GeoDataFrame(frame, geometry="geometry", crs=self.after.crs or None)

    def to_dict(self) -> dict[str, Any]:
        """Everything, JSON-ready (``schema = "kzplan-diff/1"``)."""

        def side(r: Report) -> dict[str, Any]:
            return {"plan": r.plan_name, "rule_pack": r.rule_pack, "as_of": r.as_of,
                    "valid": r.valid, "stats": r.stats}

        return {
            "schema": DIFF_SCHEMA,
            "before": side(self.before),
            "after": side(self.after),
            "edits": [dict(e) for e in self.edits],
            "counts": self.counts,
            "exit_code": self.exit_code,
            "new_errors": [f.fingerprint for f in self.new_errors],
            "sentences": {lang: self.sentences(lang) for lang in messages.LANGS},
            "notes": {lang: self.notes(lang) for lang in messages.LANGS},
            "targets": [jsonable(r) for r in self.targets.to_dict(orient="records")],
            "districts": [jsonable(r) for r in self.districts.to_dict(orient="records")],
            "new": [f.to_dict() for f in self.new],
            "resolved": [f.to_dict() for f in self.resolved],
            "changed": [{"before": b.to_dict(geometry=False), "after": a.to_dict()}
                        for b, a in self.changed],
            "unchanged": [{"fingerprint": f.fingerprint, "rule_id": f.rule_id,
                           "severity": f.severity, "layer": f.layer, "feature": f.feature}
                          for f in self.unchanged],
        }

    # --- display -------------------------------------------------------------------------------
    def to_html(self, lang: str | None = None) -> str:
        """A self-contained HTML fragment: headline, sentences, headroom and finding tables."""
        lang = lang or self.lang or messages.default_lang()
        t = lambda key, **kw: html.escape(messages.text(key, lang, **kw))  # noqa: E731
        esc = html.escape
        b, a = self.before, self.after
        verdict = (t("diff.verdict_fail", n=len(self.new_errors)) if self.new_errors
                   else t("diff.verdict_ok"))
        colour = SEVERITY_COLOURS["error"] if self.new_errors else "#1a9641"
        title = t("diff.title", before=b.plan_name, before_as_of=b.as_of, after=a.plan_name,
                  after_as_of=a.as_of)
        headline = t("diff.headline", **self.counts)
        parts = [
            '<div class="kzplan-diff">',
            f"<p><strong>kzplan: {title}</strong><br>{headline} "
            f'<strong style="color:{colour}">{verdict}</strong></p>',
        ]
        if self.edits:
            items = "".join(f"<li>{esc(e[lang])}</li>" for e in self.edits)
            parts.append(f"<p>{t('diff.edits')}:</p><ul>{items}</ul>")
        items = "".join(f"<li>{esc(s)}</li>" for s in self.sentences(lang) + self.notes(lang))
        parts.append(f"<ul>{items}</ul>")
        parts.append(f"<h4>{t('diff.headroom')}</h4>")
        parts.append(_html_table(self._targets_view(lang)))
        districts = self._districts_view(lang)
        if len(districts):
            parts.append(f"<h4>{t('diff.districts')}</h4>")
            parts.append(_html_table(districts))
        for key, findings in (("diff.new", self.new), ("diff.resolved", self.resolved)):
            parts.append(f"<h4>{t(key)} ({len(findings)})</h4>")
            parts.append(_html_table(_findings_view(findings, lang)) if findings
                         else f"<p>{t('diff.none')}</p>")
        parts.append(f"<h4>{t('diff.changed')} ({len(self.changed)})</h4>")
        if self.changed:
            view = _findings_view([a for _, a in self.changed], lang)
            view[messages.text("diff.col_was", lang)] = [f.message(lang) for f, _ in self.changed]
            parts.append(_html_table(view))
        else:
            parts.append(f"<p>{t('diff.none')}</p>")
        parts.append("</div>")
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()

    def _targets_view(self, lang: str) -> pd.DataFrame:
        c = lambda key: messages.text(key, lang)  # noqa: E731
        rows = []
        for r in self.targets.to_dict(orient="records"):
            rows.append({
                c("diff.col_layer"): schema.LAYER_LABELS.get(r["layer"], {}).get(lang, r["layer"]),
                c("diff.col_target") + " (ha)": _num(r["area_target_ha"])
                if r["area_target_ha"] is not None else "",
                c("diff.col_area"): f"{_num(r['area_planned_before'])} → "
                                    f"{_num(r['area_planned_after'])}",
                c("diff.col_left_before"): _num(r["headroom_before_ha"])
                if r["headroom_before_ha"] is not None else "",
                c("diff.col_left_after"): _num(r["headroom_after_ha"])
                if r["headroom_after_ha"] is not None else "",
                c("diff.col_count"): f"{r['count_before']} → {r['count_after']}"
                + (f" / {r['count_target']}" if r["count_target"] is not None else ""),
            })
        return pd.DataFrame(rows)

    def _districts_view(self, lang: str) -> pd.DataFrame:
        c = lambda key: messages.text(key, lang)  # noqa: E731
        rows = []
        for r in self.districts.to_dict(orient="records"):
            if r["ccn_before"] == r["ccn_after"] and abs(
                    r["ccn_planned_ha_before"] - r["ccn_planned_ha_after"]) < _EPS:
                continue
            rows.append({
                c("diff.col_district"): r["ten"] or r["ma_huyen"],
                c("diff.col_min"): r["min_ccn"],
                c("diff.col_before"): r["ccn_before"],
                c("diff.col_after"): r["ccn_after"],
                c("diff.col_area"): f"{_num(r['ccn_planned_ha_before'])} → "
                                    f"{_num(r['ccn_planned_ha_after'])}",
            })
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        c = self.counts
        return (f"<Diff {self.before.plan_name!r} as_of={self.before.as_of} -> "
                f"{self.after.plan_name!r} as_of={self.after.as_of}: new={c['new']} "
                f"(errors={c['new_errors']}) resolved={c['resolved']} changed={c['changed']} "
                f"unchanged={c['unchanged']} exit_code={self.exit_code}>")


def _area_sentence(r: Mapping[str, Any], subject: str, lang: str) -> str:
    layer = r["layer"]
    noun = _NOUN_TARGET.get(layer, {"vi": layer, "en": layer})[lang]
    delta = r["area_change_ha"]
    target = r["area_target_ha"]
    if target is None:
        return messages.text("whatif.area_no_target", lang, subject=subject, noun=noun,
                             before=_num(r["area_planned_before"]),
                             after=_num(r["area_planned_after"]))
    left_before, left_after = r["headroom_before_ha"], r["headroom_after_ha"]
    if left_after >= _EPS:
        state = messages.text("whatif.area_left", lang, ha=_num(left_after))
    elif left_after > -_EPS:
        state = messages.text("whatif.area_exact", lang)
    else:
        state = messages.text("whatif.area_over", lang, ha=_num(-left_after))
    common = {"subject": subject, "noun": noun, "target": _num(target), "state": state}
    if delta < 0:
        return messages.text("whatif.area_free", lang, freed=_num(-delta), **common)
    if left_before < _EPS:
        return messages.text("whatif.area_add_over", lang, used=_num(delta), **common)
    key = "whatif.area_use" if delta <= left_before + _EPS else "whatif.area_use_over"
    return messages.text(key, lang, used=_num(delta), left=_num(left_before), **common)


def _findings_view(findings: Sequence[Finding], lang: str) -> pd.DataFrame:
    c = lambda key: messages.text(key, lang)  # noqa: E731
    return pd.DataFrame({
        c("diff.col_severity"): [SEVERITY_LABELS[f.severity][lang] for f in findings],
        c("diff.col_rule"): [f"{f.rule_id} {f.rule_name}" for f in findings],
        c("diff.col_layer"): [f.layer or "" for f in findings],
        c("diff.col_feature"): [f.feature or "" for f in findings],
        c("diff.col_message"): [f.message(lang) for f in findings],
    })


def _html_table(frame: pd.DataFrame) -> str:
    """An escaped HTML table (attribute text is data, never markup)."""
    return frame.to_html(index=False, escape=True, na_rep="", border=0,
                         classes="kzplan-table")


def compare(before: Report, after: Report, *, edits: Iterable[Mapping[str, str]] = (),
            lang: str | None = None) -> Diff:
    """Pair the findings of ``before`` and ``after`` by fingerprint and compare the targets.

    Several findings with one fingerprint (rare) are paired in report order; the extra ones are
    new or resolved.

    Examples
    --------
    >>> edited = whatif.remove(plan, "ccn", "CCN-608-02")  # doctest: +SKIP
    >>> diff = compare(check(plan), check(edited))  # doctest: +SKIP
    >>> diff.resolved, diff.new_errors, diff.sentences("en")  # doctest: +SKIP
    """
    pool: dict[str, list[Finding]] = {}
    for f in before.findings:
        pool.setdefault(f.fingerprint, []).append(f)
    new: list[Finding] = []
    changed: list[tuple[Finding, Finding]] = []
    unchanged: list[Finding] = []
    for f in after.findings:
        candidates = pool.get(f.fingerprint)
        if not candidates:
            new.append(f)
            continue
        old = candidates.pop(0)
        (unchanged.append(f) if _same(old, f) else changed.append((old, f)))
    left = {id(f) for fs in pool.values() for f in fs}
    resolved = [f for f in before.findings if id(f) in left]
    return Diff(before=before, after=after, new=new, resolved=resolved, changed=changed,
                unchanged=unchanged, targets=_targets_table(before, after),
                districts=_districts_table(before, after), edits=tuple(edits), lang=lang)


def _as_edit(edit: Any) -> Edit | Callable[[Plan], Plan]:
    if isinstance(edit, Edit) or callable(edit):
        return edit
    raise WhatIfError("whatif.bad_edit", edit=edit)


def evaluate(plan: Plan, *edits: Edit | Callable[[Plan], Plan], as_of: int | None = None,
             baseline: Report | None = None, lang: str | None = None,
             **check_options: Any) -> Diff:
    """Apply ``edits`` in turn to a copy of ``plan``, check before and after, compare.

    Parameters
    ----------
    plan
        The plan as it is (never modified).
    edits
        :class:`Add`, :class:`Remove`, :class:`Move`, :class:`Resize`, :class:`Set`, or any
        function ``plan -> plan``.
    as_of
        Year both versions are checked as of.
    baseline
        The report of ``plan`` when you already have it (saves one check).
    check_options
        More options for :func:`kzplan.check` (``select``, ``ignore``, ``params``, ``strict``).

    Examples
    --------
    >>> diff = evaluate(plan, Add("ccn", (107.75, 14.42), {"ma": "CCN-616-04",
    ...                 "ma_huyen": "616", "dt_qh_ha": 40}), as_of=2030)  # doctest: +SKIP
    """
    from kzplan.rules import check

    checked = [_as_edit(e) for e in edits]
    current = plan
    described: list[dict[str, str]] = []
    for edit in checked:
        if isinstance(edit, Edit):
            described.append({lg: edit.describe(current, lg) for lg in messages.LANGS})
            current = edit.apply(current)
        else:
            name = getattr(edit, "__name__", type(edit).__name__)
            described.append(messages.both("whatif.edit_custom", name=name))
            current = edit(current)
    before = baseline if baseline is not None else check(plan, as_of=as_of, **check_options)
    after = check(current, as_of=as_of or before.as_of, **check_options)
    after.meta["whatif"] = [d["en"] for d in described]
    return compare(before, after, edits=described, lang=lang)


# --- reports written by `kzplan check -f json` ---------------------------------------------------


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


set = set_attributes  # `whatif.set(plan, layer, code, field=value)` reads best

__all__ = [
    "Add", "Diff", "Edit", "Move", "Remove", "Resize", "Set", "WhatIfError", "add", "compare",
    "evaluate", "move", "read_report", "remove", "report_from_dict", "resize", "set",
    "set_attributes", "square",
]
