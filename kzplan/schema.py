"""The canonical schema of the plan's layers: fields, types, domains, and the district table.

Shapefile field names are at most 10 characters, so the canonical names are short Vietnamese
abbreviations; ``FIELDS`` documents each one in both languages (the data dictionary in
``geodata/README.md`` is written from it and a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldType = Literal["str", "int", "float"]


@dataclass(frozen=True)
class Field:
    """One canonical attribute field."""

    name: str
    type: FieldType
    vi: str
    en: str
    required: bool = True
    domain: tuple[str, ...] | None = None
    width: int = 0


STATUS = ("quy_hoach", "thanh_lap", "hoat_dong")
STATUS_LABELS = {
    "quy_hoach": {"vi": "Quy hoạch", "en": "Planned"},
    "thanh_lap": {"vi": "Đã thành lập", "en": "Established"},
    "hoat_dong": {"vi": "Đang hoạt động", "en": "Operating"},
}
CONFIDENCE = ("xac_nhan", "suy_ra", "gia_dinh")
CONFIDENCE_LABELS = {
    "xac_nhan": {"vi": "Xác nhận (có nguồn)", "en": "Confirmed (sourced)"},
    "suy_ra": {"vi": "Suy ra (tính từ số liệu có nguồn)", "en": "Derived (from sourced figures)"},
    "gia_dinh": {"vi": "Giả định (chưa công bố)", "en": "Placeholder (not published)"},
}
GEOMETRY_KIND = ("so_do", "do_dac")
GEOMETRY_KIND_LABELS = {
    "so_do": {"vi": "Sơ đồ (vị trí minh họa)", "en": "Schematic (illustrative position)"},
    "do_dac": {"vi": "Đo đạc", "en": "Surveyed"},
}
WASTEWATER = ("co", "khong")
WASTEWATER_LABELS = {
    "co": {"vi": "Có, đạt chuẩn", "en": "Yes, meets the standard"},
    "khong": {"vi": "Chưa có", "en": "No"},
    None: {"vi": "Chưa rõ", "en": "Unknown"},
}

# Industry groups: the six supporting-industry groups of KH 3400/KH-UBND (2018, after
# NĐ 111/2015/NĐ-CP), then the sectors the clusters of Kon Tum are set up for.
INDUSTRY_GROUPS: dict[str, dict[str, str]] = {
    "det_may": {"vi": "Dệt may", "en": "Textiles and garments"},
    "da_giay": {"vi": "Da giày", "en": "Leather and footwear"},
    "kim_loai": {"vi": "Linh kiện, phụ tùng kim loại", "en": "Metal parts and components"},
    "nhua_cs": {"vi": "Linh kiện, phụ tùng nhựa - cao su", "en": "Plastic and rubber parts"},
    "dien_tu": {"vi": "Linh kiện, phụ tùng điện - điện tử", "en": "Electrical and electronic parts"},
    "cnc": {
        "vi": "CNHT cho công nghiệp công nghệ cao",
        "en": "Supporting industry for high-tech industry",
    },
    "nong_lam": {"vi": "Chế biến nông, lâm sản", "en": "Agro-forestry processing"},
    "duoc_lieu": {"vi": "Dược liệu", "en": "Herbal medicine"},
    "vlxd": {"vi": "Vật liệu xây dựng", "en": "Building materials"},
    "khac": {"vi": "Khác (thực phẩm, TTCN, làng nghề…)", "en": "Other (food, crafts…)"},
}

# The plan's layers. ``kind`` says what each layer is for.
PLAN_LAYERS = ("kcn", "ccn", "kkt")
TABLE_LAYERS = ("huyen",)
BOUNDARY_LAYERS = ("districts",)
ALL_LAYERS = PLAN_LAYERS + TABLE_LAYERS + BOUNDARY_LAYERS

LAYER_LABELS = {
    "kcn": {"vi": "Khu công nghiệp (KCN)", "en": "Industrial zones (KCN)"},
    "ccn": {"vi": "Cụm công nghiệp (CCN)", "en": "Industrial clusters (CCN)"},
    "kkt": {"vi": "Khu kinh tế cửa khẩu (KKT)", "en": "Border-gate economic zone (KKT)"},
    "huyen": {"vi": "Đơn vị cấp huyện (trước 7/2025)", "en": "District-level units (pre-07/2025)"},
    "districts": {"vi": "Ranh giới huyện", "en": "District boundaries"},
}

PLAN_FIELDS: tuple[Field, ...] = (
    Field("ma", "str", "Mã (duy nhất)", "Code (unique)", width=16),
    Field("ten", "str", "Tên", "Name", width=120),
    Field("ma_huyen", "str", "Mã huyện (mã TCTK)", "District code (GSO)", width=3),
    Field("dt_qh_ha", "float", "Diện tích quy hoạch (ha)", "Planned area (ha)"),
    Field("trang_thai", "str", "Trạng thái", "Status", domain=STATUS, width=10),
    Field("nam_tl", "int", "Năm thành lập", "Year established", required=False),
    Field("lap_day", "float", "Tỷ lệ lấp đầy (%)", "Occupancy (%)", required=False),
    Field(
        "xlnt",
        "str",
        "Hệ thống xử lý nước thải tập trung đạt chuẩn",
        "Centralised wastewater plant meeting the standard",
        required=False,
        domain=WASTEWATER,
        width=5,
    ),
    Field("nganh", "str", "Nhóm ngành (mã, cách nhau bởi ;)", "Industry groups (codes, ;-separated)",
          required=False, width=80),
    Field("nguon", "str", "Nguồn", "Source", width=200),
    Field("tin_cay", "str", "Độ tin cậy", "Confidence", domain=CONFIDENCE, width=8),
    Field("hinh_hoc", "str", "Loại hình học", "Geometry kind", domain=GEOMETRY_KIND, width=6),
    Field("ghi_chu", "str", "Ghi chú (cách suy ra, giả định)", "Note (how derived, what assumed)",
          required=False, width=254),
)

HUYEN_FIELDS: tuple[Field, ...] = (
    Field("ma_huyen", "str", "Mã huyện (mã TCTK)", "District code (GSO)", width=3),
    Field("ten", "str", "Tên có dấu", "Name with diacritics", width=40),
    Field("ten_ascii", "str", "Tên không dấu", "ASCII name", width=40),
    Field("loai", "str", "Loại (thanh_pho / huyen)", "Type (city / rural district)",
          domain=("thanh_pho", "huyen"), width=10),
    Field("min_ccn", "int", "Số CCN tối thiểu theo quy hoạch", "Plan's minimum number of CCN"),
)

DISTRICT_FIELDS: tuple[Field, ...] = (
    Field("ma_huyen", "str", "Mã huyện (mã TCTK)", "District code (GSO)", width=3),
    Field("ten", "str", "Tên", "Name", required=False, width=40),
)

LAYER_FIELDS: dict[str, tuple[Field, ...]] = {
    "kcn": PLAN_FIELDS,
    "ccn": PLAN_FIELDS,
    "kkt": PLAN_FIELDS,
    "huyen": HUYEN_FIELDS,
    "districts": DISTRICT_FIELDS,
}

# The 10 district-level units of Kon Tum before 07/2025 (GSO codes, list of 01/03/2025) and the
# plan's minimum number of clusters in each (KH 1840/KH-UBND: at least 2, Ia H'Drai and Kon Rẫy 1).
DISTRICTS: tuple[tuple[str, str, str, str, int], ...] = (
    ("608", "Thành phố Kon Tum", "Thanh pho Kon Tum", "thanh_pho", 2),
    ("610", "Huyện Đắk Glei", "Huyen Dak Glei", "huyen", 2),
    ("611", "Huyện Ngọc Hồi", "Huyen Ngoc Hoi", "huyen", 2),
    ("612", "Huyện Đắk Tô", "Huyen Dak To", "huyen", 2),
    ("613", "Huyện Kon Plông", "Huyen Kon Plong", "huyen", 2),
    ("614", "Huyện Kon Rẫy", "Huyen Kon Ray", "huyen", 1),
    ("615", "Huyện Đắk Hà", "Huyen Dak Ha", "huyen", 2),
    ("616", "Huyện Sa Thầy", "Huyen Sa Thay", "huyen", 2),
    ("617", "Huyện Tu Mơ Rông", "Huyen Tu Mo Rong", "huyen", 2),
    ("618", "Huyện Ia H'Drai", "Huyen Ia H'Drai", "huyen", 1),
)
DISTRICT_CODES = tuple(d[0] for d in DISTRICTS)

# The province's own cadastral projection: VN-2000 / TM-3 107-30.
PROVINCE_CRS = "EPSG:9216"
# Kon Tum's extent (S22), degrees: west, south, east, north.
PROVINCE_BOUNDS_LONLAT = (107.3375, 13.9194, 108.5417, 15.4542)


def field_map(layer: str) -> dict[str, Field]:
    """The canonical fields of ``layer`` by name."""
    return {f.name: f for f in LAYER_FIELDS[layer]}
