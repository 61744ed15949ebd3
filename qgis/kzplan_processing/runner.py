"""Running the ``kzplan`` command from QGIS: find it, build its command line, read its results.

No QGIS import here (and no kzplan import: kzplan lives in another Python), so this module can be
tested on its own. QGIS's Python only runs ``kzplan check ... -f gpkg`` as a subprocess and reads
the findings GeoPackage it writes (the ``kzplan_run`` table carries the JSON summary).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

KZPLAN_LAYERS = ("kcn", "ccn", "kkt", "huyen", "districts")
FINDINGS_LAYER = "kzplan_findings"
POINTS_LAYER = "kzplan_findings_points"
RUN_LAYER = "kzplan_run"
ENV_EXE = "KZPLAN_EXE"
LANGS = ("vi", "en")

TEXT = {
    "alg.name": {"vi": "Kiểm tra quy hoạch (kzplan)", "en": "Validate plan (kzplan)"},
    "alg.group": {"vi": "Kiểm tra quy hoạch", "en": "Plan validation"},
    "alg.help": {
        "vi": "Chạy `kzplan check` (chương trình kzplan đã cài trên máy) trên cấu hình, thư mục"
              " hoặc các lớp đã chọn, ghi GeoPackage phát hiện (đã có kiểu hiển thị), nạp vào dự"
              " án (thay lớp phát hiện cũ cùng tên lượt chạy) và hiện tóm tắt. Thông tin phân công"
              " (người xử lý, đã sửa, ghi chú) của các phát hiện còn tồn tại được giữ lại.",
        "en": "Runs `kzplan check` (the kzplan command installed on this computer) on the"
              " configuration, folder or layers you pick, writes the findings GeoPackage (styled),"
              " loads it into the project (replacing the findings layers of an earlier run of the"
              " same name) and shows the summary. The triage fields (assignee, fixed, comment) of"
              " findings that persist are kept.",
    },
    "p.input": {"vi": "Quy hoạch: kzplan.toml, thư mục, zip, GeoPackage hoặc tệp lớp",
                "en": "Plan: kzplan.toml, folder, zip, GeoPackage or layer file"},
    "p.layers": {"vi": "Hoặc các lớp (kcn, ccn, kkt, huyen) từ dự án",
                 "en": "Or layers (kcn, ccn, kkt, huyen) from the project"},
    "p.as_of": {"vi": "Kiểm tra tính đến năm (trống: năm nay)",
                "en": "Check as of year (empty: this year)"},
    "p.lang": {"vi": "Ngôn ngữ", "en": "Language"},
    "p.districts": {"vi": "Lớp ranh giới huyện (không bắt buộc)",
                    "en": "District boundary layer (optional)"},
    "p.run_name": {"vi": "Tên lượt chạy (lớp phát hiện cùng tên sẽ được thay)",
                   "en": "Run name (findings layers of the same name are replaced)"},
    "p.output": {"vi": "GeoPackage phát hiện", "en": "Findings GeoPackage"},
    "o.summary": {"vi": "Tóm tắt (JSON)", "en": "Summary (JSON)"},
    "o.errors": {"vi": "Số lỗi", "en": "Errors"},
    "o.warnings": {"vi": "Số cảnh báo", "en": "Warnings"},
    "o.infos": {"vi": "Số thông tin", "en": "Info"},
    "o.valid": {"vi": "Đạt (1) / không đạt (0)", "en": "Valid (1) / not valid (0)"},
    "o.findings": {"vi": "Lớp phát hiện (vùng)", "en": "Findings layer (areas)"},
    "o.points": {"vi": "Lớp phát hiện (điểm)", "en": "Findings layer (points)"},
    "layer.findings": {"vi": "Phát hiện kzplan", "en": "kzplan findings"},
    "layer.points": {"vi": "Phát hiện kzplan (điểm)", "en": "kzplan findings (points)"},
    "group": {"vi": "kzplan: {name}", "en": "kzplan: {name}"},
    "err.no_exe": {
        "vi": "Không tìm thấy chương trình kzplan. Cài kzplan (pip install kzplan), rồi chỉ đường"
              " dẫn tới nó trong Processing ▸ Options ▸ Providers ▸ kzplan, hoặc đặt biến môi"
              " trường KZPLAN_EXE.",
        "en": "The kzplan command was not found. Install kzplan (pip install kzplan), then give"
              " its path in Processing ▸ Options ▸ Providers ▸ kzplan, or set the KZPLAN_EXE"
              " environment variable.",
    },
    "err.exe_missing": {
        "vi": "Đường dẫn kzplan {exe!r} không tồn tại hoặc không chạy được; sửa trong Processing ▸"
              " Options ▸ Providers ▸ kzplan hoặc biến KZPLAN_EXE.",
        "en": "The kzplan path {exe!r} does not exist or cannot run; fix it in Processing ▸"
              " Options ▸ Providers ▸ kzplan or KZPLAN_EXE.",
    },
    "err.nothing": {
        "vi": "Chưa chọn quy hoạch: chọn tệp kzplan.toml/thư mục, hoặc các lớp, hoặc mở dự án"
              " kontum-2030 (các lớp đã được gắn nhãn kzplan).",
        "en": "No plan chosen: pick a kzplan.toml/folder, or layers, or open the kontum-2030"
              " project (its layers are tagged for kzplan).",
    },
    "err.layer_name": {
        "vi": "Lớp {layer!r}: không biết đây là lớp nào của kzplan; đặt tên tệp hoặc tên lớp là"
              " kcn, ccn, kkt, huyen hoặc districts.",
        "en": "Layer {layer!r}: cannot tell which kzplan layer this is; name its file or the"
              " layer kcn, ccn, kkt, huyen or districts.",
    },
    "err.not_file": {
        "vi": "Lớp {layer!r} không nằm trong tệp (nguồn {provider}); xuất ra GeoPackage hoặc"
              " shapefile (Export ▸ Save Features As…) rồi chạy lại.",
        "en": "Layer {layer!r} is not stored in a file (provider {provider}); export it to a"
              " GeoPackage or shapefile (Export ▸ Save Features As…) and run again.",
    },
    "err.failed": {
        "vi": "kzplan không kiểm tra được (mã thoát {code}): {message}",
        "en": "kzplan could not check (exit code {code}): {message}",
    },
    "err.triage_unsaved": {
        "vi": "Lớp {layer!r} đang có chỉnh sửa phân công chưa lưu; lưu lại (Toggle Editing ▸"
              " Save) trước khi chạy lại, nếu không sẽ mất.",
        "en": "Layer {layer!r} has unsaved triage edits; save them (Toggle Editing ▸ Save) before"
              " running again, or they would be lost.",
    },
    "warn.unsaved": {
        "vi": "Lớp {layer!r} có chỉnh sửa chưa lưu; kzplan đọc tệp trên đĩa nên chưa thấy các"
              " chỉnh sửa này. Lưu lại rồi chạy lại.",
        "en": "Layer {layer!r} has unsaved edits; kzplan reads the files on disk and does not see"
              " them. Save and run again.",
    },
    "log.command": {"vi": "Chạy: {command}", "en": "Running: {command}"},
    "log.verdict": {
        "vi": "{plan} (tính đến {as_of}, {rule_pack}): {verdict}: {errors} lỗi, {warnings} cảnh"
              " báo, {info} thông tin. So với lần trước: {new} mới, {persisting} còn,"
              " {resolved} đã hết.",
        "en": "{plan} (as of {as_of}, {rule_pack}): {verdict}: {errors} errors, {warnings}"
              " warnings, {info} info. Since the last run: {new} new, {persisting} persisting,"
              " {resolved} resolved.",
    },
    "verdict.ok": {"vi": "ĐẠT", "en": "VALID"},
    "verdict.fail": {"vi": "KHÔNG ĐẠT", "en": "NOT VALID"},
    "log.wrote": {"vi": "Đã ghi {path}", "en": "Wrote {path}"},
    "log.summary": {"vi": "Tóm tắt (JSON):", "en": "Summary (JSON):"},
    "setting.exe": {"vi": "Chương trình kzplan", "en": "kzplan executable"},
}


def tr(key: str, lang: str, **params: object) -> str:
    """The sentence ``key`` in ``lang`` (``vi`` or ``en``)."""
    text = TEXT[key]["vi" if lang == "vi" else "en"]
    return text.format(**params) if params else text


class RunnerError(Exception):
    """kzplan could not be found or could not check; the message is for the user."""


def find_kzplan(setting: str | None = None, *, env: dict[str, str] | None = None) -> str:
    """The kzplan executable: the Processing setting, then ``KZPLAN_EXE``, then ``PATH``."""
    env = os.environ if env is None else env
    for candidate in (setting, env.get(ENV_EXE)):
        if candidate and candidate.strip():
            path = candidate.strip()
            if shutil.which(path) is None and not (os.path.isfile(path)
                                                   and os.access(path, os.X_OK)):
                raise RunnerError(tr("err.exe_missing", _lang(env), exe=path))
            return path
    found = shutil.which("kzplan", path=env.get("PATH"))
    if found:
        return found
    home = Path(env.get("HOME") or Path.home())
    for extra in (home / ".local" / "bin" / "kzplan", home / ".pyenv" / "shims" / "kzplan"):
        if extra.is_file() and os.access(extra, os.X_OK):
            return str(extra)
    raise RunnerError(tr("err.no_exe", _lang(env)))


def _lang(env: dict[str, str]) -> str:
    return "en" if env.get("KZPLAN_LANG", "vi") == "en" else "vi"


def layer_name_for(path: str, *, layername: str | None = None, tag: str | None = None,
                   title: str | None = None) -> str | None:
    """Which kzplan layer a QGIS layer is: its tag, its GeoPackage layer, its file or its title."""
    for candidate in (tag, layername, Path(path).stem if path else None, title):
        if candidate and candidate.strip().lower() in KZPLAN_LAYERS:
            return candidate.strip().lower()
    return None


def sources_args(layers: list[tuple[str, str, str | None]], folder: str | None = None
                 ) -> list[str]:
    """``kzplan check`` arguments for ``[(kzplan_name, path, gpkg_layer)]``.

    A file is passed as ``name=path``; a GeoPackage layer whose name is not the kzplan name is
    described in a small ``kzplan.toml`` written into ``folder`` (kzplan's only way to pick a
    layer by name), which is passed as well.
    """
    args: list[str] = []
    table: list[str] = []
    for name, path, layer in layers:
        if layer and layer.lower() != name:
            table.append(f"[layers.{name}]\npath = {json.dumps(path)}\n"
                         f"layer = {json.dumps(layer)}\n")
        else:
            args.append(f"{name}={path}")
    if table:
        folder = folder or tempfile.mkdtemp(prefix="kzplan-qgis-")
        toml = Path(folder) / "kzplan.toml"
        toml.write_text("\n".join(table), encoding="utf-8")
        args.insert(0, str(toml))
    return args


def command(exe: str, *, sources: list[str], output: str, lang: str = "vi",
            as_of: int | None = None, districts: str | None = None) -> list[str]:
    """The ``kzplan check`` command line that writes the findings GeoPackage ``output``."""
    cmd = [exe, "check", *sources, "--format", "gpkg", "--output", output, "--lang", lang]
    if as_of:
        cmd += ["--as-of", str(int(as_of))]
    if districts:
        cmd += ["--districts", districts]
    return cmd


def subprocess_env(lang: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for kzplan: QGIS's Python paths removed, UTF-8 output, the language."""
    env = dict(os.environ if base is None else base)
    for key in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONEXECUTABLE"):
        env.pop(key, None)
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONUTF8"] = "1"
    env["KZPLAN_LANG"] = lang
    env.setdefault("NO_COLOR", "1")
    return env


def read_run(gpkg: str) -> dict[str, object]:
    """The ``kzplan_run`` row of a findings GeoPackage, with ``summary`` parsed from JSON."""
    uri = Path(gpkg).resolve().as_uri() + "?mode=ro"
    con = sqlite3.connect(uri, uri=True)
    try:
        con.row_factory = sqlite3.Row
        row = con.execute(f'SELECT * FROM "{RUN_LAYER}" LIMIT 1').fetchone()
    finally:
        con.close()
    run = dict(row) if row is not None else {}
    run["summary"] = json.loads(run.get("summary_json") or "{}")
    return run


def verdict_line(run: dict[str, object], lang: str) -> str:
    """One sentence: the plan, the verdict and the counts."""
    return tr("log.verdict", lang, plan=run.get("plan"), as_of=run.get("as_of"),
              rule_pack=run.get("rule_pack"),
              verdict=tr("verdict.ok" if run.get("valid") else "verdict.fail", lang),
              errors=run.get("errors"), warnings=run.get("warnings"), info=run.get("info"),
              new=run.get("new"), persisting=run.get("persisting"), resolved=run.get("resolved"))


def last_line(text: str) -> str:
    """The last non-empty line of a command's output (kzplan's one-line error)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""
