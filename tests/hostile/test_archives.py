"""Hostile zips: escapes, duplicates, encryption, unknown methods, bombs, damage, a kzplan.toml
that points outside; errors name the zip and the entry, never a temporary folder."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from tests.hostile.harness import CHECKED, Case, judge, plan


def _zip(path: Path, entries: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def _plan_entries(tmp_path: Path, prefix: str = "") -> dict[str, bytes]:
    folder = plan(tmp_path, "src")
    return {prefix + p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _judge_zip(tmp_path: Path, zpath: Path, code: int | tuple[int, ...], *,
               command: str = "check") -> str:
    stderr = judge(Case([command, str(zpath)], code, [tmp_path]))
    assert "kzplan-zip-" not in stderr, stderr
    return stderr


def test_a_good_zip_is_checked(tmp_path: Path) -> None:
    z = _zip(tmp_path / "plan.zip", _plan_entries(tmp_path))
    _judge_zip(tmp_path, z, CHECKED)


@pytest.mark.parametrize("entry", ["../evil.txt", "/abs/evil.txt", "a/../../evil.txt",
                                   "..\\evil.txt", "C:/evil.txt"])
def test_an_entry_outside_the_folder_refuses_the_zip(tmp_path: Path, entry: str) -> None:
    entries = _plan_entries(tmp_path)
    entries[entry] = b"x"
    z = _zip(tmp_path / "plan.zip", entries)
    _judge_zip(tmp_path, z, 2)
    assert not (tmp_path.parent / "evil.txt").exists()


def test_a_duplicate_entry_refuses_the_zip(tmp_path: Path) -> None:
    entries = _plan_entries(tmp_path)
    z = tmp_path / "plan.zip"
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate it writes
        with zipfile.ZipFile(z, "w") as zf:
            for name, data in entries.items():
                zf.writestr(name, data)
            zf.writestr("ccn.dbf", entries["ccn.dbf"][:40])
    stderr = _judge_zip(tmp_path, z, 2)
    assert "ccn.dbf" in stderr


def test_two_entries_in_different_case_refuse_the_zip(tmp_path: Path) -> None:
    entries = _plan_entries(tmp_path)
    for suffix in ("shp", "shx", "dbf"):
        entries[f"CCN.{suffix.upper()}"] = entries[f"ccn.{suffix}"]
    stderr = _judge_zip(tmp_path, _zip(tmp_path / "plan.zip", entries), 2)
    assert "CCN" in stderr and "ccn" in stderr


def test_the_same_layer_in_two_folders_refuses_the_zip(tmp_path: Path) -> None:
    entries = _plan_entries(tmp_path, "a/")
    entries.update({k.replace("a/", "b/"): v for k, v in entries.items() if "/ccn." in k})
    stderr = _judge_zip(tmp_path, _zip(tmp_path / "plan.zip", entries), 2)
    assert "a/ccn.shp" in stderr and "b/ccn.shp" in stderr


def _patch_first_entry(path: Path, *, flag: int | None = None, method: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    for sig, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        i = data.index(sig)
        if flag is not None:
            data[i + flag_at:i + flag_at + 2] = struct.pack("<H", flag)
        if method is not None:
            data[i + method_at:i + method_at + 2] = struct.pack("<H", method)
    path.write_bytes(bytes(data))


def test_an_encrypted_entry_is_one_line(tmp_path: Path) -> None:
    z = _zip(tmp_path / "plan.zip", _plan_entries(tmp_path))
    _patch_first_entry(z, flag=1)
    stderr = _judge_zip(tmp_path, z, 2)
    assert "plan.zip" in stderr and "encrypted" in stderr


@pytest.mark.parametrize("method", [99, 9, 97])
def test_an_unsupported_method_is_one_line(tmp_path: Path, method: int) -> None:
    z = _zip(tmp_path / "plan.zip", _plan_entries(tmp_path))
    _patch_first_entry(z, method=method)
    stderr = _judge_zip(tmp_path, z, 2)
    assert "plan.zip" in stderr


def test_a_zip_bomb_is_refused_before_extraction(tmp_path: Path) -> None:
    entries = _plan_entries(tmp_path)
    entries["padding.bin"] = bytes(64 * 1024 * 1024)
    stderr = _judge_zip(tmp_path, _zip(tmp_path / "plan.zip", entries), 2)
    assert "padding.bin" in stderr


def test_an_entry_that_lies_about_its_size(tmp_path: Path) -> None:
    z = _zip(tmp_path / "plan.zip", _plan_entries(tmp_path), method=zipfile.ZIP_STORED)
    data = bytearray(z.read_bytes())
    i = data.index(b"PK\x01\x02")
    data[i + 24:i + 28] = struct.pack("<I", 2)  # uncompressed size in the central directory
    z.write_bytes(bytes(data))
    _judge_zip(tmp_path, z, 2)


@pytest.mark.parametrize("cut", [10, 100, 0.5, -30])
def test_a_truncated_zip(tmp_path: Path, cut: float) -> None:
    z = _zip(tmp_path / "plan.zip", _plan_entries(tmp_path))
    data = z.read_bytes()
    n = int(len(data) * cut) if isinstance(cut, float) else cut
    z.write_bytes(data[:n])
    _judge_zip(tmp_path, z, 2)


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x05\x06" + bytes(18)])
def test_not_a_zip(tmp_path: Path, content: bytes) -> None:
    z = tmp_path / "plan.zip"
    z.write_bytes(content)
    _judge_zip(tmp_path, z, 2)


def test_a_damaged_layer_inside_a_zip_names_the_zip(tmp_path: Path) -> None:
    entries = _plan_entries(tmp_path)
    dbf = bytearray(entries["ccn.dbf"])
    dbf[4:8] = struct.pack("<I", 2)
    entries["ccn.dbf"] = bytes(dbf)
    stderr = _judge_zip(tmp_path, _zip(tmp_path / "plan.zip", entries), 2)
    assert "plan.zip/ccn.dbf" in stderr


@pytest.mark.parametrize("where", ["../outside/ccn.shp", "{abs}"])
@pytest.mark.parametrize("command", ["check", "clean"])
def test_a_zipped_config_pointing_outside(tmp_path: Path, where: str, command: str) -> None:
    outside = plan(tmp_path, "outside")
    path = where.format(abs=outside / "ccn.shp")
    toml = f'[layers.ccn]\npath = "{path}"\n'.encode()
    z = _zip(tmp_path / "plan.zip", {"kzplan.toml": toml})
    _judge_zip(tmp_path, z, 2, command=command)
    assert not list(outside.glob("*_clean*"))


def test_macos_junk_in_a_zip_is_ignored(tmp_path: Path) -> None:
    entries = _plan_entries(tmp_path)
    entries.update({f"__MACOSX/._{k}": b"\x00\x05\x16\x07junk" for k in list(entries)})
    _judge_zip(tmp_path, _zip(tmp_path / "plan.zip", entries), CHECKED)


def test_a_zip_with_too_many_entries(tmp_path: Path) -> None:
    from kzplan import io

    entries = _plan_entries(tmp_path)
    entries.update({f"x/{i}.txt": b"" for i in range(io.ZIP_MAX_ENTRIES + 1)})
    _judge_zip(tmp_path, _zip(tmp_path / "plan.zip", entries, method=zipfile.ZIP_STORED), 2)


def test_clean_of_a_zip_writes_beside_it_only(tmp_path: Path) -> None:
    entries = _plan_entries(tmp_path)
    z = _zip(tmp_path / "plan.zip", entries)
    judge(Case(["clean", str(z)], (0,), [tmp_path / "src", z]))
