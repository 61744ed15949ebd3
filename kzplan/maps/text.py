"""Every sentence of the officials' map, in Vietnamese and English (kzplan.messages).

The map's JavaScript never holds text of its own: :func:`ui` renders the labels it needs in the
chosen language and they travel to the page inside the escaped data JSON.
"""

from __future__ import annotations

from kzplan import messages

messages.register(
    {
        # --- page, layers, basemaps ------------------------------------------------------------
        "map.title": {"vi": "Bản đồ quy hoạch KKT, KCN, CCN: {plan}",
                      "en": "Economic zone, industrial zone and cluster plan: {plan}"},
        "map.as_of": {"vi": "Tình hình đến năm {year}", "en": "Status as of {year}"},
        "map.layer_count": {"vi": "{label} ({count})", "en": "{label} ({count})"},
        "map.findings_group": {"vi": "Kết quả kiểm tra: {severity} ({count})",
                               "en": "Check findings: {severity} ({count})"},
        "map.base.gray": {"vi": "Nền xám (Esri)", "en": "Light grey (Esri)"},
        "map.base.topo": {"vi": "Bản đồ địa hình (Esri)", "en": "Topographic (Esri)"},
        "map.base.imagery": {"vi": "Ảnh vệ tinh (Esri)", "en": "Satellite imagery (Esri)"},
        "map.base.osm": {"vi": "OpenStreetMap", "en": "OpenStreetMap"},
        "map.base.opentopo": {"vi": "OpenTopoMap", "en": "OpenTopoMap"},
        "map.base.none": {"vi": "Không dùng bản đồ nền", "en": "No basemap"},
        "map.graticule": {"vi": "Lưới kinh độ, vĩ độ", "en": "Longitude/latitude grid"},
        "map.province": {"vi": "Ranh giới tỉnh", "en": "Province boundary"},
        # --- popups ----------------------------------------------------------------------------
        "map.f.code": {"vi": "Mã", "en": "Code"},
        "map.f.district": {"vi": "Huyện", "en": "District"},
        "map.f.planned": {"vi": "Diện tích quy hoạch", "en": "Planned area"},
        "map.f.measured": {"vi": "Diện tích đo trên bản đồ", "en": "Area measured on the map"},
        "map.f.status": {"vi": "Trạng thái", "en": "Status"},
        "map.f.year": {"vi": "Năm thành lập", "en": "Year established"},
        "map.f.occupancy": {"vi": "Tỷ lệ lấp đầy", "en": "Occupancy"},
        "map.f.wastewater": {"vi": "Xử lý nước thải tập trung",
                             "en": "Centralised wastewater plant"},
        "map.f.industries": {"vi": "Nhóm ngành", "en": "Industry groups"},
        "map.f.source": {"vi": "Nguồn số liệu", "en": "Source"},
        "map.f.confidence": {"vi": "Độ tin cậy số liệu", "en": "Confidence of the figures"},
        "map.f.geometry": {"vi": "Hình học", "en": "Geometry"},
        "map.f.note": {"vi": "Ghi chú", "en": "Note"},
        "map.f.clusters": {"vi": "Số CCN", "en": "Industrial clusters"},
        "map.f.clusters_value": {
            "vi": "{n} (đã thành lập {established}, đang hoạt động {operating})",
            "en": "{n} ({established} established, {operating} operating)",
        },
        "map.f.minimum": {"vi": "Số CCN tối thiểu theo quy hoạch",
                          "en": "Plan's minimum number of clusters"},
        "map.f.zones": {"vi": "Số KCN", "en": "Industrial zones"},
        "map.f.cluster_area": {"vi": "Diện tích CCN quy hoạch", "en": "Planned cluster area"},
        "map.v.ha": {"vi": "{value} ha", "en": "{value} ha"},
        "map.v.pct": {"vi": "{value} %", "en": "{value} %"},
        "map.v.none": {"vi": "chưa có số liệu", "en": "not given"},
        "map.v.unknown_district": {"vi": "{code} (không thuộc danh mục huyện)",
                                   "en": "{code} (not a known district)"},
        "map.v.unknown_status": {"vi": "{value} (giá trị không hợp lệ)",
                                 "en": "{value} (not an allowed value)"},
        "map.note.schematic": {
            "vi": "Vị trí và hình dạng chỉ là sơ đồ minh họa, không phải ranh giới đo đạc.",
            "en": "Position and shape are schematic (for illustration), not a surveyed boundary.",
        },
        "map.note.placeholder": {
            "vi": "Số liệu là giả định, chưa được công bố chính thức.",
            "en": "The figures are placeholders: they have not been officially published.",
        },
        "map.note.derived": {
            "vi": "Số liệu được suy ra từ các số liệu có nguồn (xem ghi chú).",
            "en": "The figures are derived from sourced figures (see the note).",
        },
        "map.findings_heading": {"vi": "Kết quả kiểm tra ({count})",
                                 "en": "Check findings ({count})"},
        "map.no_findings": {"vi": "Không có phát hiện nào.", "en": "No findings."},
        "map.fix": {"vi": "Cách sửa:", "en": "Fix:"},
        "map.district_ok": {"vi": "Đủ số CCN tối thiểu", "en": "Meets the cluster minimum"},
        "map.district_bad": {"vi": "Chưa đủ số CCN tối thiểu", "en": "Below the cluster minimum"},
        "map.district_unknown": {"vi": "Không có trong danh mục huyện",
                                 "en": "Not in the district table"},
        "map.tt.findings": {"vi": "{errors} lỗi, {warnings} cảnh báo",
                            "en": "{errors} error(s), {warnings} warning(s)"},
        "map.mark.place": {"vi": "Vị trí của kết quả kiểm tra", "en": "Where the finding lies"},
        # --- legend ----------------------------------------------------------------------------
        "map.legend": {"vi": "Chú giải", "en": "Legend"},
        "map.legend.findings": {"vi": "Kết quả kiểm tra (vòng quanh đối tượng)",
                                "en": "Check findings (ring around the feature)"},
        "map.legend.shape": {"vi": "Phần có vấn đề (chồng lấn, nằm ngoài ranh…)",
                             "en": "Part with a problem (overlap, outside a boundary…)"},
        "map.legend.schematic": {"vi": "Nét đứt: hình học sơ đồ (minh họa)",
                                 "en": "Dashed outline: schematic geometry (illustrative)"},
        "map.legend.other_status": {"vi": "Trạng thái khác / chưa rõ",
                                    "en": "Other / unknown status"},
        "map.legend.dot": {"vi": "Chấm tròn: vị trí khi thu nhỏ bản đồ",
                           "en": "Dots: positions when zoomed out"},
        # --- summary panel ---------------------------------------------------------------------
        "map.summary": {"vi": "Tổng hợp", "en": "Summary"},
        "map.summary.toggle": {"vi": "Ẩn/hiện bảng tổng hợp", "en": "Show/hide the summary"},
        "map.verdict.ok": {"vi": "Đạt mọi quy định bắt buộc của bộ quy tắc.",
                           "en": "Meets every mandatory rule of the rule pack."},
        "map.verdict.bad": {
            "vi": "Chưa đạt: {errors} lỗi, {warnings} cảnh báo, {info} thông tin.",
            "en": "Not met: {errors} error(s), {warnings} warning(s), {info} info.",
        },
        "map.s.targets": {"vi": "Chỉ tiêu và hiện trạng quy hoạch",
                          "en": "Targets against the plan"},
        "map.s.layer": {"vi": "Loại", "en": "Type"},
        "map.s.count": {"vi": "Số lượng / chỉ tiêu", "en": "Count / target"},
        "map.s.area_target": {"vi": "Chỉ tiêu (ha)", "en": "Target (ha)"},
        "map.s.area_planned": {"vi": "Quy hoạch (ha)", "en": "Planned (ha)"},
        "map.s.area_measured": {"vi": "Đo trên bản đồ (ha)", "en": "Measured on the map (ha)"},
        "map.s.districts": {"vi": "Số CCN theo huyện", "en": "Clusters per district"},
        "map.s.district": {"vi": "Huyện", "en": "District"},
        "map.s.clusters": {"vi": "CCN", "en": "Clusters"},
        "map.s.minimum": {"vi": "Tối thiểu", "en": "Minimum"},
        "map.s.verdict": {"vi": "Đánh giá", "en": "Verdict"},
        "map.s.met": {"vi": "Đạt", "en": "Met"},
        "map.s.not_met": {"vi": "Chưa đạt", "en": "Not met"},
        "map.s.indicators": {"vi": "Lấp đầy và xử lý nước thải (năm {year})",
                             "en": "Occupancy and wastewater ({year})"},
        "map.i.established": {
            "vi": "KCN, CCN đã thành lập: {n} (đang hoạt động: {operating}).",
            "en": "Zones and clusters established: {n} ({operating} operating).",
        },
        "map.i.occupancy": {
            "vi": "Có số liệu lấp đầy: {known}/{n}; trung bình {mean}.",
            "en": "With an occupancy figure: {known}/{n}; mean {mean}.",
        },
        "map.i.target": {
            "vi": "Đạt chỉ tiêu lấp đầy {pct} % (năm {year}): {meeting}/{known}.",
            "en": "Meeting the {year} occupancy target of {pct} %: {meeting}/{known}.",
        },
        "map.i.next_target": {"vi": "Chỉ tiêu tiếp theo: {pct} % vào năm {year}.",
                              "en": "Next target: {pct} % by {year}."},
        "map.i.wastewater": {
            "vi": "Hệ thống XLNT tập trung đạt chuẩn: có {ok}, chưa có {missing}, chưa rõ"
                  " {unknown}.",
            "en": "Standard centralised wastewater plant: yes {ok}, no {missing}, unknown"
                  " {unknown}.",
        },
        "map.i.operating_without": {
            "vi": "Đang hoạt động khi chưa có XLNT đạt chuẩn: {n}.",
            "en": "Operating without a standard wastewater plant: {n}.",
        },
        "map.s.data": {"vi": "Độ tin cậy của dữ liệu", "en": "How reliable the data is"},
        "map.d.layer": {
            "vi": "{label}: {total} đối tượng; xác nhận {confirmed}, suy ra {derived}, giả định"
                  " {placeholder}; hình học sơ đồ {schematic}/{total}.",
            "en": "{label}: {total} features; confirmed {confirmed}, derived {derived},"
                  " placeholder {placeholder}; schematic geometry {schematic}/{total}.",
        },
        "map.s.unplaced": {"vi": "Kết quả kiểm tra chung (không gắn với một vị trí)",
                           "en": "Plan-wide findings (not tied to one place)"},
        "map.s.offline": {
            "vi": "Bản dùng không cần mạng: không có bản đồ nền; mọi thứ nằm trong tệp này.",
            "en": "Offline copy: no basemap; everything is inside this file.",
        },
        "map.s.footer": {
            "vi": "Tạo bởi kzplan {version}; bộ quy tắc {pack}; kiểm tra lúc {generated}.",
            "en": "Made by kzplan {version}; rule pack {pack}; checked at {generated}.",
        },
        # --- search, controls ------------------------------------------------------------------
        "map.search": {"vi": "Tìm theo tên: KCN, CCN, huyện…",
                       "en": "Find a zone, cluster or district…"},
        "map.search_hint": {"vi": "Gõ tên có dấu hoặc không dấu, ví dụ: dak la",
                            "en": "Type a name, with or without diacritics, e.g. dak la"},
        "map.search_none": {"vi": "Không tìm thấy.", "en": "Nothing found."},
        "map.fullscreen": {"vi": "Toàn màn hình", "en": "Full screen"},
        "map.fullscreen_exit": {"vi": "Thoát toàn màn hình", "en": "Exit full screen"},
        "map.unit.m": {"vi": "m", "en": "m"},
        "map.unit.km": {"vi": "km", "en": "km"},
        "map.unit.ha": {"vi": "ha", "en": "ha"},
        "map.unit.m2": {"vi": "m²", "en": "m²"},
        # --- writing ---------------------------------------------------------------------------
        "map.wrote": {"vi": "Đã ghi bản đồ {path} ({size}).",
                      "en": "Wrote the map {path} ({size})."},
        "map.too_big": {
            "vi": "Cảnh báo: bản đồ nặng {size}, vượt {limit}; trình duyệt có thể mở chậm.",
            "en": "Warning: the map is {size}, above {limit}; browsers may open it slowly.",
        },
    }
)

# leaflet-measure 3.1.0 has no Vietnamese build: its English phrases are replaced in the vendored
# script when the map is rendered in Vietnamese (see kzplan/_maps_assets.py).
MEASURE_VI: tuple[tuple[str, str], ...] = (
    ('title="Measure distances and areas">Measure<',
     'title="Đo khoảng cách và diện tích">Đo<'),
    (">Measure distances and areas<", ">Đo khoảng cách và diện tích<"),
    (">Create a new measurement<", ">Bắt đầu đo<"),
    (">Start creating a measurement by adding points to the map<",
     ">Bấm lên bản đồ để thêm các điểm đo<"),
    (">Cancel<", ">Hủy<"),
    (">Finish measurement<", ">Kết thúc đo<"),
    (">Last point<", ">Điểm cuối<"),
    (">Path distance<", ">Chiều dài<"),
    (">Area<", ">Diện tích<"),
    (">Point location<", ">Vị trí điểm<"),
    (">Center on this location<", ">Về giữa vị trí này<"),
    (">Delete<", ">Xóa<"),
    (">Linear measurement<", ">Đo chiều dài<"),
    (">Center on this line<", ">Về giữa đường này<"),
    (">Area measurement<", ">Đo diện tích<"),
    ("}} Perimeter<", "}} chu vi<"),
    (">Center on this area<", ">Về giữa vùng này<"),
)

_UI_KEYS = {
    "fix": "map.fix",
    "noFindings": "map.no_findings",
    "legend": "map.legend",
    "summary": "map.summary",
    "toggle": "map.summary.toggle",
    "search": "map.search",
    "searchNone": "map.search_none",
    "searchHint": "map.search_hint",
    "fullscreen": "map.fullscreen",
    "fullscreenExit": "map.fullscreen_exit",
    "m": "map.unit.m",
    "km": "map.unit.km",
    "ha": "map.unit.ha",
    "m2": "map.unit.m2",
    "place": "map.mark.place",
}


def ui(lang: str) -> dict[str, str]:
    """The labels the page's script needs, in ``lang``."""
    return {name: messages.text(key, lang) for name, key in _UI_KEYS.items()}


def t(key: str, lang: str, /, **params: object) -> str:
    """Shorthand for ``messages.text`` with the map's keys."""
    return messages.text(f"map.{key}", lang, **params)
