"""Write a plan's lookup from the commune-level units in force since 1 July 2025 to the pre-2025
district-level units they were formed from (``communes_2025.csv`` in the plan's folder).

The arrangement itself is law: for the new tỉnh Quảng Ngãi, Nghị quyết số 1677/NQ-UBTVQH15 ngày
16/6/2025 của Ủy ban Thường vụ Quốc hội về việc sắp xếp các đơn vị hành chính cấp xã của tỉnh
Quảng Ngãi năm 2025. Vietnamese legal texts are not protected by copyright. The machine-readable
old-to-new mapping is taken from the MIT-licensed package ``vietnamadminunits`` (1.0.4, data from
danhmuchanhchinh.gso.gov.vn and sapnhap.bando.com.vn); it was not checked line by line against the
resolution's text, which could not be read here.

Usage: python tools/build_commune_lookup.py <vietnamadminunits/data folder> [plan id]
(the package need not be importable: only its data files are read.)

The build refuses a new unit formed from communes of more than one old district, or from outside
the old province: the lookup must be many-to-one.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
import tomllib
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _key(text: str) -> str:
    """vietnamadminunits' keys: lower case, no diacritics, no spaces or punctuation."""
    plain = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in plain.lower() if c.isalnum() and c.isascii())


def main(data: Path, plan_id: str = "kontum-2030") -> Path:
    folder = ROOT / "kzplan" / "plans" / plan_id
    plan = tomllib.loads((folder / "plan.toml").read_text("utf-8"))
    prov = plan["province"]
    old_key = _key(prov["name_vi"])
    new_key = _key(prov["successor"]["name_vi"])
    conv = json.loads((data / "converter_2025.json").read_text("utf-8"))
    if conv["DICT_PROVINCE_WARD_DIVIDED"].get(new_key, {}) and any(
            k.startswith(old_key + "_") for k in conv["DICT_PROVINCE_WARD_DIVIDED"][new_key]):
        sys.exit(f"an old commune of {old_key} was divided between new units: not many-to-one")
    db = sqlite3.connect(data / "dataset.db")
    new_names = {k: (n, c) for k, n, c in db.execute(
        "select wardKey, ward, wardCode from admin_units where provinceKey = ?", (new_key,))}
    old = {(d, w): (dc, n) for d, w, dc, n in db.execute(
        "select districtKey, wardKey, districtCode, ward from admin_units_legacy"
        " where provinceKey = ?", (old_key,))}
    rows = []
    for ward, sources in conv["DICT_PROVINCE_WARD_NO_DIVIDED"][new_key].items():
        mine = [s for s in sources if s.startswith(old_key + "_")]
        if not mine:
            continue
        if len(mine) != len(sources):
            sys.exit(f"{ward}: formed from units of two provinces")
        parts = [tuple(s.split("_")[1:3]) for s in mine]
        districts = {old[p][0] for p in parts}
        if len(districts) != 1:
            sys.exit(f"{ward}: formed from communes of several old districts {sorted(districts)}")
        name, code = new_names[ward]
        rows.append({"ma_xa": code, "ten_xa": name, "ma_huyen": districts.pop(),
                     "xa_cu": "; ".join(sorted(old[p][1] for p in parts))})
    rows.sort(key=lambda r: (r["ma_huyen"], r["ma_xa"]))
    target = folder / "communes_2025.csv"
    with target.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["ma_xa", "ten_xa", "ma_huyen", "xa_cu"],
                           lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {target.relative_to(ROOT)}: {len(rows)} units, "
          f"{sum(r['xa_cu'].count(';') + 1 for r in rows)} old communes")
    return target


if __name__ == "__main__":
    main(Path(sys.argv[1]), *(sys.argv[2:3]))
