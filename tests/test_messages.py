"""The message catalogue: every sentence in both languages, same placeholders, every key used,
and no sentence left inside the code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from kzplan import messages

PKG = Path(__file__).resolve().parents[1] / "kzplan"


def test_both_languages_have_the_same_keys() -> None:
    vi, en = messages.catalogue("vi"), messages.catalogue("en")
    assert set(vi) == set(en), sorted(set(vi) ^ set(en))
    assert len(vi) > 400


@pytest.mark.parametrize("key", messages.keys())
def test_same_placeholders_in_both_languages(key: str) -> None:
    vi, en = messages.raw(key)["vi"], messages.raw(key)["en"]
    assert vi.strip() and en.strip(), key
    def norm(t: str) -> set[str]:  # {hint[vi]} in Vietnamese is {hint[en]} in English
        return {p.replace("[vi]", "[lang]").replace("[en]", "[lang]")
                for p in messages.placeholders(t)}

    assert norm(vi) == norm(en), key


def test_placeholders_are_parsed() -> None:
    assert messages.placeholders("{a} {b!r} {n:,.1f} {hint[vi]} {{x}}") == {"a", "b!r", "n",
                                                                            "hint[vi]"}
    assert messages.placeholders("{a}") != messages.placeholders("{b}")


def _uses() -> tuple[set[str], set[str]]:
    """String constants in the package's code and data, and the constant heads of f-strings
    (``f"clean.col.{key}"`` -> ``clean.col.``) that build keys."""
    consts: set[str] = set()
    heads: set[str] = set()
    for path in PKG.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                consts.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values and \
                    isinstance(node.values[0], ast.Constant):
                heads.add(str(node.values[0].value))
            elif isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant) and \
                    isinstance(node.left.value, str):
                heads.add(node.left.value)
    for path in list(PKG.rglob("*.j2")) + list(PKG.rglob("*.toml")) + list(PKG.rglob("*.js")):
        if "locale" in path.parts:
            continue
        consts.update(re.findall(r"[\"']([a-z_0-9]+(?:\.[A-Za-z_0-9]+)+)[\"']",
                                 path.read_text("utf-8")))
    return consts, {h for h in heads if "." in h}


def test_every_key_is_used() -> None:
    consts, heads = _uses()
    unused = [k for k in messages.keys()
              if k not in consts and not any(k.startswith(h) for h in heads)]
    assert not unused, f"messages never used: {unused}"


def test_the_check_catches_an_unused_key() -> None:
    consts, heads = _uses()
    assert "nobody.uses.this" not in consts
    assert not any("nobody.uses.this".startswith(h) for h in heads)


def test_no_sentence_lives_in_the_code() -> None:
    """No ``{"vi": "...", "en": "..."}`` literal with text of its own: sentences are catalogue
    entries. (Dicts that carry data through both languages, like a name or a code, are allowed:
    their values are not string literals.)"""
    offenders = []
    for path in PKG.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Dict) and {getattr(k, "value", None) for k in node.keys} \
                    == {"vi", "en"} and any(isinstance(v, ast.Constant) and v.value
                                            for v in node.values):
                offenders.append(f"{path.relative_to(PKG)}:{node.lineno}")
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "messages.register":
                offenders.append(f"{path.relative_to(PKG)}:{node.lineno} register")
    assert not offenders, offenders


def test_unknown_key_and_language_fail_loudly() -> None:
    with pytest.raises(KeyError):
        messages.text("no.such.key", "vi")
    with pytest.raises(KeyError):
        messages.text("cli.wrote", "fr", path="x")
