"""The canonical schema of the plan's layers: fields, types and domains (the
units a plan allocates to are data: :mod:`kzplan.plandef`).

Shapefile field names are at most 10 characters, so the canonical names are short Vietnamese
abbreviations; ``FIELDS`` documents each one in both languages (the data dictionary in
``geodata/README.md`` is written from it and a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kzplan import messages

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
    "quy_hoach": messages.raw("schema.status_labels.quy_hoach"),
    "thanh_lap": messages.raw("schema.status_labels.thanh_lap"),
    "hoat_dong": messages.raw("schema.status_labels.hoat_dong"),
}
CONFIDENCE = ("xac_nhan", "suy_ra", "gia_dinh")
CONFIDENCE_LABELS = {
    "xac_nhan": messages.raw("schema.confidence_labels.xac_nhan"),
    "suy_ra": messages.raw("schema.confidence_labels.suy_ra"),
    "gia_dinh": messages.raw("schema.confidence_labels.gia_dinh"),
}
GEOMETRY_KIND = ("so_do", "do_dac")
GEOMETRY_KIND_LABELS = {
    "so_do": messages.raw("schema.geometry_kind_labels.so_do"),
    "do_dac": messages.raw("schema.geometry_kind_labels.do_dac"),
}
# ``chua_dat_chuan``: a plant exists but is not shown to meet the standard (e.g. the province
# asked for it to be re-evaluated).
WASTEWATER = ("co", "chua_dat_chuan", "khong")
WASTEWATER_LABELS = {
    "co": messages.raw("schema.wastewater_labels.co"),
    "chua_dat_chuan": messages.raw("schema.wastewater_labels.chua_dat_chuan"),
    "khong": messages.raw("schema.wastewater_labels.khong"),
    None: messages.raw("schema.wastewater_labels.none"),
}

# Industry groups: the six supporting-industry groups of KH 3400/KH-UBND (2018, after
# NĐ 111/2015/NĐ-CP), then the sectors the plan's clusters are set up for.
INDUSTRY_GROUPS: dict[str, dict[str, str]] = {
    "det_may": messages.raw("schema.industry_groups.det_may"),
    "da_giay": messages.raw("schema.industry_groups.da_giay"),
    "kim_loai": messages.raw("schema.industry_groups.kim_loai"),
    "nhua_cs": messages.raw("schema.industry_groups.nhua_cs"),
    "dien_tu": messages.raw("schema.industry_groups.dien_tu"),
    "cnc": messages.raw("schema.industry_groups.cnc"),
    "nong_lam": messages.raw("schema.industry_groups.nong_lam"),
    "duoc_lieu": messages.raw("schema.industry_groups.duoc_lieu"),
    "vlxd": messages.raw("schema.industry_groups.vlxd"),
    "khac": messages.raw("schema.industry_groups.khac"),
}

# Lots (lô đất) of a zone's or cluster's detailed plan: land use and whether each lot is let.
LAND_USE = ("cn", "gt", "cx", "ht", "dv", "khac")
LAND_USE_LABELS = {
    "cn": messages.raw("schema.land_use_labels.cn"),
    "gt": messages.raw("schema.land_use_labels.gt"),
    "cx": messages.raw("schema.land_use_labels.cx"),
    "ht": messages.raw("schema.land_use_labels.ht"),
    "dv": messages.raw("schema.land_use_labels.dv"),
    "khac": messages.raw("schema.land_use_labels.khac"),
}
LEASE = ("da_thue", "con_trong")
LEASE_LABELS = {
    "da_thue": messages.raw("schema.lease_labels.da_thue"),
    "con_trong": messages.raw("schema.lease_labels.con_trong"),
}

# The plan's layers. ``kind`` says what each layer is for.
PLAN_LAYERS = ("kcn", "ccn", "kkt")
TABLE_LAYERS = ("huyen",)
BOUNDARY_LAYERS = ("districts",)
LOT_LAYERS = ("lo_dat",)
ALL_LAYERS = PLAN_LAYERS + TABLE_LAYERS + BOUNDARY_LAYERS + LOT_LAYERS

LAYER_LABELS = {
    "kcn": messages.raw("schema.layer_labels.kcn"),
    "ccn": messages.raw("schema.layer_labels.ccn"),
    "kkt": messages.raw("schema.layer_labels.kkt"),
    "huyen": messages.raw("schema.layer_labels.huyen"),
    "districts": messages.raw("schema.layer_labels.districts"),
    "lo_dat": messages.raw("schema.layer_labels.lo_dat"),
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
        width=14,
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
)

DISTRICT_FIELDS: tuple[Field, ...] = (
    Field("ma_huyen", "str", "Mã huyện (mã TCTK)", "District code (GSO)", width=3),
    Field("ten", "str", "Tên", "Name", required=False, width=40),
)

LOT_FIELDS: tuple[Field, ...] = (
    Field("ma_lo", "str", "Mã lô", "Lot code", width=24),
    Field("ma_khu", "str", "Mã KCN/CCN chứa lô", "Code of the zone or cluster", width=16),
    Field("loai_dat", "str", "Loại đất", "Land use", domain=LAND_USE, width=4),
    Field("thue", "str", "Tình trạng thuê", "Lease status", domain=LEASE, width=9),
    Field("dt_ha", "float", "Diện tích khai báo (ha)", "Declared area (ha)", required=False),
    Field("nguon", "str", "Nguồn", "Source", required=False, width=200),
    Field("tin_cay", "str", "Độ tin cậy", "Confidence", required=False, domain=CONFIDENCE,
          width=8),
    Field("hinh_hoc", "str", "Loại hình học", "Geometry kind", required=False,
          domain=GEOMETRY_KIND, width=6),
)

LAYER_FIELDS: dict[str, tuple[Field, ...]] = {
    "kcn": PLAN_FIELDS,
    "ccn": PLAN_FIELDS,
    "kkt": PLAN_FIELDS,
    "huyen": HUYEN_FIELDS,
    "districts": DISTRICT_FIELDS,
    "lo_dat": LOT_FIELDS,
}

def field_map(layer: str) -> dict[str, Field]:
    """The canonical fields of ``layer`` by name."""
    return {f.name: f for f in LAYER_FIELDS[layer]}
