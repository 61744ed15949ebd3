"""The planner's loop in real QGIS (Debian's ``qgis`` + ``python3-qgis``, headless).

PyQGIS runs in the system Python (``/usr/bin/python3``), never in kzplan's: each test writes its
inputs with kzplan, then runs a script of ``tests/qgis_scripts/`` or ``qgis_process`` and asserts on
what QGIS reports. Skipped with the reason when QGIS is absent, except when ``CI`` is set (then it
fails). QGIS start-up is slow, so checks are batched into few processes.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import factory
import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import box
from typer.testing import CliRunner

import kzplan
from kzplan import encoding as enc
from kzplan import io, schema
from kzplan.plandef import load_plandef
from kzplan.cli import app
from kzplan.clean import clean
from kzplan.report import gpkg as findings_gpkg

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = Path(__file__).with_name("qgis_scripts")
BUILD = REPO / "tools" / "build_qgis_project.py"
PROJECT = REPO / "qgis" / "kontum-2030.qgs"
QGIS_PYTHON = "/usr/bin/python3"
AS_OF = 2025


def _missing_qgis() -> str | None:
    if not Path(QGIS_PYTHON).exists():
        return f"{QGIS_PYTHON} not found (QGIS tests need Debian's python3-qgis)"
    probe = subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True,
                           check=False, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    if probe.returncode != 0:
        return "PyQGIS not importable by /usr/bin/python3 (apt-get install python3-qgis)"
    if shutil.which("qgis_process") is None:
        return "qgis_process not found (apt-get install qgis)"
    return None


@pytest.fixture(scope="session")
def qgis_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for QGIS processes: headless, a throw-away profile, our plugin, our kzplan."""
    reason = _missing_qgis()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"QGIS is required on CI: {reason}")
        pytest.skip(reason)
    home = tmp_path_factory.mktemp("qgis-home")
    runtime = home / "runtime"
    runtime.mkdir(mode=0o700)
    # The plugin runs kzplan as a program: run this checkout's kzplan (the installed console
    # script may belong to another checkout), through a wrapper that sets its import path.
    exe = home / "kzplan"
    exe.write_text(f'#!/bin/sh\nPYTHONPATH="{REPO}" exec "{sys.executable}" -m kzplan "$@"\n',
                   encoding="utf-8")
    exe.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    # QGIS's embedded Python finds its standard library through the first `python3` on PATH:
    # keep pyenv/conda/venv interpreters out of its way (kzplan is reached through KZPLAN_EXE)
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep)
        if p in ("/usr/bin", "/bin") or not (Path(p) / "python3").exists())
    env.update({
        "QT_QPA_PLATFORM": "offscreen", "HOME": str(home), "XDG_RUNTIME_DIR": str(runtime),
        "PYTHONDONTWRITEBYTECODE": "1",  # no __pycache__ in the repository's plugin folder
        "QGIS_PLUGINPATH": str(REPO / "qgis"),
        "KZPLAN_EXE": str(exe) if exe.exists() else (shutil.which("kzplan") or "kzplan"),
    })
    return env


def qgis_process() -> str:
    """``qgis_process``; on Debian 12 its wrapper passes ``--noversioncheck``, which QGIS 3.22's
    qgis_process rejects (qgis/QGIS#57683), so the binary it wraps is called directly."""
    found = shutil.which("qgis_process")
    assert found is not None
    binary = Path(found).with_name("qgis_process.bin")
    return str(binary) if binary.exists() else found


def run_script(script: str, *args: str | Path, env: dict[str, str], timeout: int = 180) -> None:
    proc = subprocess.run([QGIS_PYTHON, str(SCRIPTS / script), *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]


def build_project(config: Path, output: Path, env: dict[str, str], *extra: str) -> Path:
    proc = subprocess.run([QGIS_PYTHON, str(BUILD), "--config", str(config), "--output",
                           str(output), *extra], env=env, capture_output=True, text=True,
                          timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return output


def factory_plan(root: Path) -> Path:
    """A small plan with a kzplan.toml in ``root/geodata`` (the bundled layout)."""
    folder = factory.small_plan(root / "geodata")
    (folder / "kzplan.toml").write_text(
        '[plan]\nname = "Thử"\n\n[layers.kcn]\npath = "kcn.shp"\n\n[layers.ccn]\n'
        'path = "ccn.shp"\n', encoding="utf-8")
    return folder / "kzplan.toml"


def bundled_config() -> Path:
    return kzplan.plan.bundled_path() / "kzplan.toml"


def copy_plan(config: Path, root: Path) -> Path:
    """The plan folder copied to ``root/geodata`` (relative paths of the project still hold)."""
    shutil.copytree(config.parent, root / "geodata",
                    ignore=shutil.ignore_patterns("*.gpkg-journal", "__pycache__"))
    return root / "geodata" / config.name


def cli_fingerprints(source: str | Path, out: Path) -> set[str]:
    result = CliRunner().invoke(app, ["check", str(source), "-f", "json", "-o", str(out),
                                      "--as-of", str(AS_OF), "--lang", "en"])
    assert result.exit_code in (0, 1), result.output
    return {f["fingerprint"] for f in json.loads(out.read_text("utf-8"))["findings"]}


def gpkg_fingerprints(path: Path) -> set[str]:
    out: set[str] = set()
    for layer in (findings_gpkg.LAYER, findings_gpkg.POINTS_LAYER):
        frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
        out |= set(frame["fingerprint"])
    return out


def _values(widget: list) -> list[str]:
    return [next(iter(entry.values())) for entry in widget[1]["map"]]


def assert_plan_layer(layer: dict, name: str) -> None:
    """Style, data dictionary and constraints of one KCN/CCN layer as QGIS sees them."""
    assert layer["valid"] and layer["crs"] == "EPSG:9216" and layer["tag"] == name
    renderer = layer["renderer"]
    assert renderer["type"] == "categorizedSymbol" and renderer["attr"] == "trang_thai"
    values = [c[0] for c in renderer["categories"]]
    assert values == [*schema.STATUS, ""]
    assert [c[1] for c in renderer["categories"]][:3] == [
        schema.STATUS_LABELS[s]["vi"] for s in schema.STATUS]
    assert layer["labels"] == "ten"
    for f in schema.PLAN_FIELDS:
        if f.name in layer["aliases"]:
            assert layer["aliases"][f.name] == f.vi
    assert _values(layer["widgets"]["trang_thai"]) == list(schema.STATUS)
    assert _values(layer["widgets"]["ma_huyen"]) == list(load_plandef().unit_codes)
    assert set(_values(layer["widgets"]["tin_cay"])) == set(schema.CONFIDENCE)
    checks = layer["checks"]
    assert checks["trang_thai"]["hoat_dong"][0] and not checks["trang_thai"]["dang_xay"][0]
    assert checks["ma_huyen"]["612"][0] and not checks["ma_huyen"]["999"][0]
    assert checks["lap_day"]["55.0"][0] and not checks["lap_day"]["150.0"][0]
    assert checks["nam_tl"]["2015"][0] and not checks["nam_tl"]["1800"][0]
    assert not checks["ma"]["None"][0]
    assert not checks["tin_cay"]["chac_chan"][0]
    assert checks["nganh"]["nong_lam; vlxd"][0] and not checks["nganh"]["nong_lam;xyz"][0]
    if name == "ccn":  # 400,000 "ha" is a cluster typed in m²: a warning while editing
        assert not checks["dt_qh_ha"]["400000.0"][0]


def legacy_shapefile(folder: Path) -> tuple[Path, str]:
    """A TCVN3 shapefile without .cpg (the kind ``kzplan clean`` is for)."""
    name = "Cụm công nghiệp Đắk La"
    raw = enc.encode_tcvn3(name)
    lon, lat = factory.ANCHORS["612"]
    ccn = factory.frame([factory.feature("CCN-9", ten="X" * len(raw))],
                        [factory.square(lon, lat, 40.0)])
    factory.write(folder, ccn=ccn)
    (folder / "ccn.cpg").unlink()
    dbf = folder / "ccn.dbf"
    dbf.write_bytes(dbf.read_bytes().replace(b"X" * len(raw), raw))
    return folder / "ccn.shp", name


@pytest.mark.qgis
@pytest.mark.slow
def test_bundled_project_in_qgis(qgis_env: dict[str, str], tmp_path: Path) -> None:
    """The committed project opens with every layer valid, in EPSG:9216, styled and
    constrained; kzplan's shapefiles, a clean copy and the findings GeoPackage open right."""
    config = bundled_config()
    if not PROJECT.exists():
        pytest.fail("qgis/kontum-2030.qgs is missing: run "
                    "QT_QPA_PLATFORM=offscreen /usr/bin/python3 tools/build_qgis_project.py")
    text = PROJECT.read_text("utf-8")
    assert "../geodata/" in text and str(REPO) not in text  # relative paths only
    plan = kzplan.load_plan(config)
    report = kzplan.check(plan, as_of=AS_OF)
    findings = findings_gpkg.write(report, tmp_path / "findings.gpkg", lang="vi", plan=plan)
    written = io.write_shapefile(plan["ccn"].drop(columns="dt_do_ha"), tmp_path / "out" / "ccn.shp")
    legacy, name = legacy_shapefile(tmp_path / "legacy")
    cleaned = {r.layer: r for r in clean([f"ccn={legacy}"], crs="EPSG:9216")}["ccn"].target
    shapefiles = sorted(str(p) for p in config.parent.glob("*.shp"))
    result = tmp_path / "result.json"
    run_script("inspect_project.py", result, "--project", PROJECT, "--findings", findings,
               "--files", *shapefiles, written, cleaned, env=qgis_env)
    seen = json.loads(result.read_text("utf-8"))

    assert seen["project_read"] is True and seen["project_crs"] == "EPSG:9216"
    layers = {lyr["tag"]: lyr for lyr in seen["layers"]}
    assert set(layers) >= {"kcn", "ccn", "kkt"}
    for lyr in seen["layers"]:
        assert lyr["valid"], lyr["name"]
        if lyr["spatial"]:
            assert lyr["crs"] == "EPSG:9216", lyr["name"]
    for name_ in ("kcn", "ccn"):
        assert_plan_layer(layers[name_], name_)
        assert layers[name_]["count"] == len(plan[name_])
    assert layers["kkt"]["renderer"]["type"] == "singleSymbol"
    assert layers["kkt"]["labels"] == "ten"
    if "huyen" in plan:
        table = next(t for t in seen["tables"] if t["tag"] == "huyen")
        assert table["valid"] and table["count"] == len(plan["huyen"])
        assert table["aliases"]["ten"] == schema.field_map("huyen")["ten"].vi

    # every shapefile kzplan wrote (geodata/, io.write_shapefile, kzplan clean) is EPSG:9216
    for path, info in seen["files"].items():
        assert info["valid"] and info["crs"] == "EPSG:9216", path
    assert seen["files"][str(cleaned)]["ten"] == name  # UTF-8 text read right by QGIS

    # the findings GeoPackage opens with its stored default style
    for table in (findings_gpkg.LAYER, findings_gpkg.POINTS_LAYER):
        info = seen["findings"][f"{findings}:{table}"]
        assert info["valid"] and info["crs"] == "EPSG:9216"
        renderer = info["renderer"]
        assert renderer["type"] == "categorizedSymbol" and renderer["attr"] == "severity"
        assert [c[:2] for c in renderer["categories"]] == [
            ["error", "Lỗi"], ["warning", "Cảnh báo"], ["info", "Thông tin"]]
        assert [c[2] for c in renderer["categories"]] == ["#d7191c", "#fdae61", "#2c7bb6"]
        assert '"message_vi"' in info["labels"]
        assert info["readonly_severity"] and not info["readonly_assignee"]
        assert info["aliases"]["assignee"] == "Người xử lý"
        assert info["widgets"]["fixed"][0] == "CheckBox"
    counts = sum(seen["findings"][f"{findings}:{t}"]["count"]
                 for t in (findings_gpkg.LAYER, findings_gpkg.POINTS_LAYER))
    assert counts == len(report.findings)


@pytest.mark.qgis
@pytest.mark.slow
def test_built_project_is_reproducible_and_shows_districts(qgis_env: dict[str, str],
                                                          tmp_path: Path) -> None:
    """Two builds give the same bytes (and the committed project is what the tool builds)."""
    config = factory_plan(tmp_path / "a")
    x, y = factory.xy(*factory.ANCHORS["608"])
    districts = gpd.GeoDataFrame({"ma_huyen": ["608"], "ten": ["Thành phố Kon Tum"]},
                                 geometry=[box(x - 5000, y - 5000, x + 20000, y + 20000)],
                                 crs="EPSG:9216")
    districts.to_file(tmp_path / "ranh_huyen.gpkg", layer="ranh_huyen", driver="GPKG")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    first = build_project(config, tmp_path / "a" / "qgis" / "plan.qgs", qgis_env,
                          "--districts", str(tmp_path / "ranh_huyen.gpkg"))
    second = build_project(tmp_path / "b" / "geodata" / "kzplan.toml",
                           tmp_path / "b" / "qgis" / "plan.qgs", qgis_env,
                           "--districts", str(tmp_path / "ranh_huyen.gpkg"))
    assert first.read_bytes() == second.read_bytes()
    result = tmp_path / "result.json"
    run_script("inspect_project.py", result, "--project", first, env=qgis_env)
    seen = json.loads(result.read_text("utf-8"))
    layers = {lyr["tag"]: lyr for lyr in seen["layers"]}
    assert list(layers) == ["ccn", "kcn", "districts"]  # legend order: clusters on top
    assert_plan_layer(layers["ccn"], "ccn")
    assert layers["districts"]["valid"] and layers["districts"]["crs"] == "EPSG:9216"
    assert layers["districts"]["renderer"]["type"] == "singleSymbol"
    assert layers["districts"]["labels"] == "ten"

    bundled = bundled_config()
    assert PROJECT.exists(), "qgis/kontum-2030.qgs is missing: run tools/build_qgis_project.py"
    plan_copy = copy_plan(bundled, tmp_path / "c")
    rebuilt = build_project(plan_copy, tmp_path / "c" / "qgis" / PROJECT.name, qgis_env)
    assert rebuilt.read_text("utf-8") == PROJECT.read_text("utf-8"), (
        "qgis/kontum-2030.qgs is out of date: run "
        "QT_QPA_PLATFORM=offscreen /usr/bin/python3 tools/build_qgis_project.py")


def broken_copy(config: Path, root: Path) -> tuple[Path, str]:
    """A copy of the plan with a planner's mistakes: a cluster moved into another district's
    code and given a status outside the domain."""
    copied = copy_plan(config, root)
    plan = kzplan.load_plan(copied)
    ccn_file = plan.info["ccn"].file
    frame = gpd.read_file(ccn_file)
    code = frame["ma"].iloc[0]
    other = next(c for c in load_plandef().unit_codes if c != frame["ma_huyen"].iloc[0])
    frame.loc[0, "ma_huyen"] = other
    frame.loc[0, "trang_thai"] = "dang_xay"
    io.write_shapefile(frame, Path(ccn_file))
    return copied, code


@pytest.mark.qgis
@pytest.mark.slow
def test_processing_algorithm_matches_the_command_line(qgis_env: dict[str, str],
                                                       tmp_path: Path) -> None:
    """``qgis_process run kzplan:validateplan`` finds exactly what ``kzplan check -f json``
    finds, on the bundled plan and on a broken copy."""
    config = bundled_config()
    broken, code = broken_copy(config, tmp_path / "broken")
    exe = qgis_process()
    enable = subprocess.run([exe, "plugins", "enable", "kzplan_processing"], env=qgis_env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert enable.returncode == 0, enable.stdout + enable.stderr
    seen: dict[str, set[str]] = {}
    for label, source in (("plan", config), ("broken", broken)):
        out = tmp_path / f"{label}.gpkg"
        proc = subprocess.run(
            [exe, "--json", "run", "kzplan:validateplan", "--", f"INPUT={source}",
             f"AS_OF={AS_OF}", "LANG=1", f"RUN_NAME={label}", f"OUTPUT={out}"],
            env=qgis_env, capture_output=True, text=True, timeout=300, check=False)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        answer = json.loads(proc.stdout[proc.stdout.index("{"):])
        results = answer["results"]
        summary = json.loads(results["SUMMARY"])
        assert summary["as_of"] == AS_OF
        assert results["ERRORS"] == summary["stats"]["error"]
        assert any("VALID" in line or "NOT VALID" in line for line in answer["log"]["info"])
        seen[label] = gpkg_fingerprints(out)
        assert seen[label] == cli_fingerprints(source, tmp_path / f"{label}.json")
    assert seen["broken"] != seen["plan"]
    frame = pyogrio.read_dataframe(tmp_path / "broken.gpkg", layer=findings_gpkg.LAYER,
                                   read_geometry=False)
    assert {"AT02"} <= set(frame.loc[frame["feature"].astype(str).str.contains(code),
                                     "rule_id"])


@pytest.mark.qgis
@pytest.mark.slow
def test_processing_loop_in_the_project(qgis_env: dict[str, str], tmp_path: Path) -> None:
    """In a project: validate, tick off a finding, break the plan, validate again: the findings
    layers are replaced (not added), show the new finding, and keep the triage."""
    bundled = bundled_config()
    assert PROJECT.exists(), "qgis/kontum-2030.qgs is missing: run tools/build_qgis_project.py"
    copy_plan(bundled, tmp_path)
    (tmp_path / "qgis").mkdir()
    project = tmp_path / "qgis" / PROJECT.name
    shutil.copy(PROJECT, project)
    result = tmp_path / "loop.json"
    run_script("processing_loop.py", result, project, tmp_path / "findings.gpkg",
               REPO / "qgis", env=qgis_env, timeout=300)
    seen = json.loads(result.read_text("utf-8"))
    assert seen["read"] and seen["triage_saved"] and seen["edit_saved"]
    first, second = seen["first"], seen["second"]
    assert first["groups"].count("kzplan: loop") == 1 and second["groups"].count(
        "kzplan: loop") == 1
    area = [lyr for lyr in first["layers"] if lyr["name"] == "kzplan findings"]
    area2 = [lyr for lyr in second["layers"] if lyr["name"] == "kzplan findings"]
    assert len(area) == 1 and len(area2) == 1  # replaced, not added
    assert area[0]["id"] != area2[0]["id"]
    assert area[0]["renderer"] == "categorizedSymbol"
    assert "AT02" not in area[0]["rules"] and "AT02" in area2[0]["rules"]  # not a stale read
    assert seen["second_results"]["ERRORS"] > seen["first_results"]["ERRORS"]
    assert seen["kept"] == [["Chị Lan", True, "đã xem"]]
    total = sum(lyr["count"] for lyr in second["layers"])
    assert total == seen["summary"]["stats"]["total"]


# --- the plugin's runner: plain Python, tested without QGIS -------------------------------------


def _runner():
    path = REPO / "qgis" / "kzplan_processing" / "runner.py"
    spec = importlib.util.spec_from_file_location("kzplan_processing_runner", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_runner_finds_kzplan_setting_first_then_env_then_path(tmp_path: Path) -> None:
    runner = _runner()
    exe = tmp_path / "bin" / "kzplan"
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\n", encoding="utf-8")
    exe.chmod(0o755)
    other = tmp_path / "other-kzplan"
    other.write_text("#!/bin/sh\n", encoding="utf-8")
    other.chmod(0o755)
    env = {"PATH": str(exe.parent)}
    assert runner.find_kzplan(None, env=env) == str(exe)
    assert runner.find_kzplan(None, env={**env, "KZPLAN_EXE": str(other)}) == str(other)
    assert runner.find_kzplan(str(exe), env={**env, "KZPLAN_EXE": str(other)}) == str(exe)
    with pytest.raises(runner.RunnerError, match="does not exist"):
        runner.find_kzplan(str(tmp_path / "nope"), env={"KZPLAN_LANG": "en"})
    with pytest.raises(runner.RunnerError, match="KZPLAN_EXE"):
        runner.find_kzplan(None, env={"PATH": str(tmp_path / "empty"), "HOME": str(tmp_path),
                                      "KZPLAN_LANG": "en"})


def test_runner_command_line_and_environment(tmp_path: Path) -> None:
    runner = _runner()
    assert runner.layer_name_for("/d/CCN.shp") == "ccn"
    assert runner.layer_name_for("/d/plan.gpkg", layername="kcn") == "kcn"
    assert runner.layer_name_for("/d/cum.shp", tag="ccn") == "ccn"
    assert runner.layer_name_for("/d/cum.shp", title="Cụm") is None
    args = runner.sources_args([("ccn", "/d/ccn.shp", None), ("kcn", "/d/p.gpkg", "kcn"),
                                ("kkt", "/d/p.gpkg", "khu_kinh_te")], str(tmp_path))
    assert args[1:] == ["ccn=/d/ccn.shp", "kcn=/d/p.gpkg"]
    toml = Path(args[0])
    assert tomllib.loads(toml.read_text("utf-8")) == {
        "layers": {"kkt": {"path": "/d/p.gpkg", "layer": "khu_kinh_te"}}}
    cmd = runner.command("kzplan", sources=["a.toml"], output="o.gpkg", lang="en", as_of=2030,
                         districts="d.gpkg")
    assert cmd == ["kzplan", "check", "a.toml", "--format", "gpkg", "--output", "o.gpkg",
                   "--lang", "en", "--as-of", "2030", "--districts", "d.gpkg"]
    env = runner.subprocess_env("vi", {"PYTHONPATH": "/usr/share/qgis/python", "PATH": "/x"})
    assert "PYTHONPATH" not in env and env["KZPLAN_LANG"] == "vi" and env["PATH"] == "/x"
    for key, texts in runner.TEXT.items():
        assert set(texts) == {"vi", "en"} and all(texts.values()), key


def test_runner_reads_the_summary_kzplan_wrote(tmp_path: Path) -> None:
    runner = _runner()
    plan = kzplan.load_plan(factory.small_plan(tmp_path / "plan"))
    report = kzplan.check(plan, as_of=AS_OF)
    out = findings_gpkg.write(report, tmp_path / "f.gpkg", lang="en")
    run = runner.read_run(str(out))
    assert run["errors"] == report.stats["error"] and run["total"] == len(report.findings)
    assert run["summary"]["as_of"] == AS_OF and run["summary"]["valid"] == report.valid
    line = runner.verdict_line(run, "en")
    assert f"{report.stats['error']} errors" in line and "NOT VALID" in line
