"""Help texts of the command line, in English and Vietnamese (shown together)."""

from __future__ import annotations

HELP: dict[str, tuple[str, str]] = {
    "app": (
        "Keeps Kon Tum's 2030 industrial-land plan honest: load, check, report, map.",
        "Giữ đúng quy hoạch đất công nghiệp Kon Tum 2030: đọc, kiểm tra, báo cáo, bản đồ.",
    ),
    "paths": (
        "kzplan.toml, a folder, a zip, a GeoPackage or files (`ccn=file.shp`). Default: the "
        "bundled Kon Tum 2030 plan.",
        "kzplan.toml, thư mục, zip, GeoPackage hoặc tệp (`ccn=tep.shp`). Mặc định: quy hoạch Kon "
        "Tum 2030 kèm theo.",
    ),
    "crs": (
        "CRS for files without a .prj, e.g. EPSG:9216.",
        "Hệ tọa độ cho tệp không có .prj, ví dụ EPSG:9216.",
    ),
    "encoding": (
        "Attribute encoding for shapefiles without .cpg (utf-8, cp1258, tcvn3, vni).",
        "Bảng mã thuộc tính cho shapefile không có .cpg (utf-8, cp1258, tcvn3, vni).",
    ),
    "districts": (
        "A district boundary layer (any format and CRS).",
        "Lớp ranh giới huyện (định dạng, hệ tọa độ bất kỳ).",
    ),
    "reader": (
        "Engine that reads the files: pyogrio (default) or fiona; same result.",
        "Thư viện đọc tệp: pyogrio (mặc định) hoặc fiona; cùng kết quả.",
    ),
    "lang": (
        "Language of messages.",
        "Ngôn ngữ thông báo.",
    ),
    "as_of": (
        "Year to check as of (default: this year).",
        "Kiểm tra tính đến năm (mặc định: năm nay).",
    ),
    "formats": (
        "Output format(s); repeat for several.",
        "Định dạng kết quả; lặp lại để xuất nhiều định dạng.",
    ),
    "output": (
        "Output file, or folder for several formats.",
        "Tệp kết quả, hoặc thư mục khi xuất nhiều định dạng.",
    ),
    "select": (
        "Only these rules: id, family (GM), name, #group.",
        "Chỉ các luật này: mã, họ (GM), tên, #nhóm.",
    ),
    "ignore": (
        "Skip these rules.",
        "Bỏ qua các luật này.",
    ),
    "param": (
        "Override a rule parameter: AR03.tolerance_pct=2.",
        "Đổi tham số luật: AR03.tolerance_pct=2.",
    ),
    "strict": (
        "Warnings count as errors.",
        "Coi cảnh báo là lỗi.",
    ),
    "pack": (
        "Rule pack name or .toml file.",
        "Tên gói luật hoặc tệp .toml.",
    ),
    "verbose": (
        "Show parameters, quotes and message templates.",
        "Hiện tham số, trích dẫn và mẫu thông báo.",
    ),
    "sources": (
        "kzplan.toml, a folder, a zip, a GeoPackage or files (`ccn=file.shp`).",
        "kzplan.toml, thư mục, zip, GeoPackage hoặc tệp (`ccn=tep.shp`).",
    ),
    "clean_output": (
        "Folder for the clean copies (default: next to each original, NAME_clean.shp).",
        "Thư mục cho bản sạch (mặc định: cạnh tệp gốc, TEN_clean.shp).",
    ),
    "diff_old": (
        "The old version: a plan (folder, kzplan.toml, zip, GeoPackage) or a JSON report from "
        "`kzplan check -f json`.",
        "Bản cũ: quy hoạch (thư mục, kzplan.toml, zip, GeoPackage) hoặc báo cáo JSON của `kzplan "
        "check -f json`.",
    ),
    "diff_new": (
        "The new version (same kinds as OLD).",
        "Bản mới (cùng loại như OLD).",
    ),
    "diff_as_of": (
        "Year to check plans as of (default: the year of a JSON report given, else this year).",
        "Kiểm tra tính đến năm (mặc định: năm của báo cáo JSON, nếu không thì năm nay).",
    ),
    "format": (
        "Output format.",
        "Định dạng kết quả.",
    ),
    "fail_on": (
        "Exit 1 on: new errors only, any error in NEW, or never.",
        "Mã thoát 1 khi: chỉ lỗi mới, mọi lỗi trong NEW, hoặc không bao giờ.",
    ),
    "diff_output": (
        "Write the JSON diff to this file instead of stdout.",
        "Ghi so sánh JSON vào tệp này thay vì màn hình.",
    ),
    "map_as_of": (
        "Year to check as of (default: the plan's, or this year).",
        "Kiểm tra tính đến năm (mặc định: của quy hoạch, hoặc năm nay).",
    ),
    "offline": (
        "No basemap and no network request at all when the file is opened.",
        "Không bản đồ nền, không truy cập mạng khi mở tệp.",
    ),
    "map_output": (
        "HTML file, or a folder (default: ./kzplan-map.html).",
        "Tệp HTML hoặc thư mục (mặc định: ./kzplan-map.html).",
    ),
    "run_output": (
        "Folder for the reports and the map.",
        "Thư mục cho báo cáo và bản đồ.",
    ),
    "run_offline": (
        "Map with every script inside the file (no network needed).",
        "Bản đồ chứa mọi mã trong tệp (không cần mạng).",
    ),
    "run_gate": (
        "Exit with 1 when some error-level rule fails (as `kzplan check`).",
        "Thoát với mã 1 khi có luật mức lỗi không đạt (như `kzplan check`).",
    ),
}


def h(key: str) -> str:
    """The help text ``key``: English / Vietnamese."""
    en, vi = HELP[key]
    return f"{en} / {vi}"
