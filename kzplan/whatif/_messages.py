"""What-if and diff words: the message templates (vi + en), the nouns the sentences use, the
error they raise, and how they write numbers."""

from __future__ import annotations

from typing import Any

from kzplan import messages
from kzplan._errors import KzplanError
from kzplan._format import fmt_number

EPS = 0.005  # hectares / counts below this are "no change" (no sentence, no table row)

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

NOUN = {
    "kcn": {"vi": "KCN", "en": "industrial zone"},
    "ccn": {"vi": "CCN", "en": "cluster"},
    "kkt": {"vi": "KKT", "en": "economic zone"},
}
NOUN_PLURAL = {
    "kcn": {"vi": "KCN", "en": "industrial zones (KCN)"},
    "ccn": {"vi": "CCN", "en": "clusters (CCN)"},
    "kkt": {"vi": "KKT", "en": "economic zones (KKT)"},
}
NOUN_TARGET = {
    "kcn": {"vi": "KCN", "en": "industrial-zone (KCN)"},
    "ccn": {"vi": "CCN", "en": "cluster (CCN)"},
    "kkt": {"vi": "KKT", "en": "economic-zone (KKT)"},
}
EXPECTED = {
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


def num(value: Any, lang: str) -> str:
    """Numbers in ``lang``'s style, as every kzplan output writes them (vi ``1.729,72``, en
    ``1,729.72``, ``40``); ``?`` when unknown."""
    return fmt_number(value, lang, missing="?")


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]
