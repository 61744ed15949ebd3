"""The rule pack is data: validated before any data is read; overridable from config and CLI."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import tomli_w  # noqa: F401 - see _write
from typer.testing import CliRunner

import kzplan
from kzplan._errors import RuleConfigError
from kzplan.cli import app
from kzplan.rules import REGISTRY, load_pack
from kzplan.plandef import PLANS_DIR

runner = CliRunner()
PACK = PLANS_DIR / "kontum-2030" / "rules.toml"


def _write(tmp_path: Path, data: dict) -> Path:
    import tomli_w as tw

    path = tmp_path / "pack.toml"
    path.write_bytes(tw.dumps(data).encode("utf-8"))
    return path


def _data() -> dict:
    return tomllib.loads(PACK.read_text(encoding="utf-8"))


def test_every_rule_has_an_implementation_source_and_both_languages() -> None:
    pack = load_pack()
    assert {r.id for r in pack.rules} == set(REGISTRY)
    for r in pack.rules:
        assert r.source.doc
        assert r.message_vi and r.message_en and r.fix_vi and r.fix_en
        assert r.message_vi != r.message_en or "{" in r.message_vi


@pytest.mark.parametrize(
    ("mutate", "rule", "key"),
    [
        (lambda d: d["rule"][0].pop("source"), "CT01", "source"),
        (lambda d: d["rule"][0].__setitem__("severity", "fatal"), "CT01", "severity"),
        (lambda d: d["rule"][1]["params"].__setitem__("tolerance_pct", "one"), "AR01",
         "tolerance_pct"),
        (lambda d: d["rule"][1]["params"].__setitem__("tolerence_pct", 1), "AR01",
         "tolerence_pct"),
        (lambda d: d["rule"][0].__setitem__("message_en", "{nonsense}"), "CT01", "message_en"),
        (lambda d: d["rule"][0].__setitem__("id", "ZZ99"), "ZZ99", "id"),
        (lambda d: d["rule"][2].__setitem__("id", "CT01"), "CT01", "id"),
        (lambda d: d["rule"][0].__setitem__("colour", "red"), "CT01", "colour"),
    ],
)
def test_bad_rule_file_fails_naming_rule_and_key(tmp_path: Path, mutate, rule: str,
                                                 key: str) -> None:
    data = _data()
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(RuleConfigError) as err:
        load_pack(path)
    text = err.value.render("en")
    assert rule in text and key in text
    assert err.value.render("vi") != text


def test_bad_pack_fails_before_any_data_is_read(tmp_path: Path) -> None:
    data = _data()
    data["rule"][0]["severity"] = "fatal"
    pack = _write(tmp_path, data)
    folder = tmp_path / "plan"
    folder.mkdir()
    (folder / "kzplan.toml").write_text(
        f'[plan]\nrule_pack = "{pack}"\n[layers.ccn]\npath = "does-not-exist.shp"\n',
        encoding="utf-8")
    # The configuration names a missing file; the pack error must come first.
    plan_error = runner.invoke(app, ["check", str(folder), "--lang", "en"])
    assert plan_error.exit_code == 2
    assert "severity" in plan_error.output and "does-not-exist" not in plan_error.output


def test_params_from_config_and_cli(tmp_path: Path) -> None:
    import factory

    folder = factory.small_plan(tmp_path / "p")
    base = kzplan.check(kzplan.load_plan(folder), select=["CT01"])
    assert {f.layer for f in base.findings} == {"kcn", "ccn", "kkt"}
    (folder / "kzplan.toml").write_text(
        '[layers.kcn]\npath = "kcn.shp"\n[layers.ccn]\npath = "ccn.shp"\n'
        '[rules]\nselect = ["CT01"]\n[rules.params.CT01]\nexpected = { kcn = 1, ccn = 3 }\n',
        encoding="utf-8")
    report = kzplan.check(kzplan.load_plan(folder))
    assert report.findings == []
    result = runner.invoke(app, ["check", str(folder), "--param", "CT01.expected={ccn=4}"])
    assert result.exit_code == 1
    assert "CT01" in result.output
    bad = runner.invoke(app, ["check", str(folder), "--param", "CT01.expected=many",
                              "--lang", "en"])
    assert bad.exit_code == 2 and "expected" in bad.output


def test_rules_command_lists_the_pack_with_sources() -> None:
    result = runner.invoke(app, ["rules", "--lang", "en", "-v"])
    assert result.exit_code == 0
    for rid in REGISTRY:
        assert rid in result.output
    assert "1840/KH-UBND" in result.output
    vi = runner.invoke(app, ["rules"])
    assert "Lỗi" in vi.output


def test_command_line_help_is_in_both_languages() -> None:
    from kzplan import messages

    helps = [k for k in messages.keys() if k.startswith("help.")]
    assert len(helps) > 20
    for key in helps:
        en, vi = messages.text(key, "en"), messages.text(key, "vi")
        assert en and vi and en != vi, key
    result = runner.invoke(app, ["check", "--help"])
    assert "Kiểm tra tính đến năm" in result.output and "Year to check as of" in result.output
