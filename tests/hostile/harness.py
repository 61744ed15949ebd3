"""How every hostile case is run and judged.

:func:`judge` runs ``kzplan`` in-process (typer's ``CliRunner``) inside a watchdog (a case that
hangs fails instead of blocking the suite) and asserts, whatever the case:

- the exit code is the expected one;
- exit code 2 prints exactly one line on stderr (``kzplan: could not check: …``);
- no ``Traceback`` and no "internal error" anywhere in the output;
- every input file is byte-identical afterwards (the whole input tree is hashed before and after,
  hidden files included, and no input disappears);
- no stray file appears in the input folders, nor in the output folder beyond the expected ones.
"""

from __future__ import annotations

import hashlib
import os
import signal
import stat
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import factory  # noqa: E402

from kzplan.cli import app  # noqa: E402

WATCHDOG_SECONDS = 60
CHECKED = (0, 1)
"""Exit codes of a run that checked the plan (rules hold or fail): not "could not check"."""


def tree(folder: Path) -> dict[str, str]:
    """Every entry below ``folder`` (files hashed, folders and special files by kind)."""
    out: dict[str, str] = {}
    if not folder.exists():
        return out
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            rel = path.relative_to(folder).as_posix()
            mode = path.lstat().st_mode
            if stat.S_ISREG(mode):
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            elif stat.S_ISDIR(mode):
                out[rel] = "dir"
            else:
                out[rel] = f"special:{stat.S_IFMT(mode)}"
    return out


@contextmanager
def watchdog(seconds: int = WATCHDOG_SECONDS) -> Iterator[None]:
    def hung(signum, frame):  # noqa: ANN001, ARG001
        raise TimeoutError(f"kzplan hung for {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Case:
    """One hostile run: the arguments, what it may touch and what it must give."""

    args: list[str]
    exit: int | tuple[int, ...]
    inputs: list[Path]
    output: Path | None = None
    outputs: set[str] = field(default_factory=set)  # names expected in ``output`` afterwards
    stderr_has: tuple[str, ...] = ()
    cwd: Path | None = None


def judge(case: Case) -> str:
    """Run ``case`` and assert everything the suite promises; return stderr for extra checks."""
    before = {str(p): tree(p) if p.is_dir() else {"": _hash(p)} for p in case.inputs}
    out_before = tree(case.output) if case.output is not None else {}
    runner = CliRunner()
    cwd = os.getcwd()
    try:
        if case.cwd is not None:
            os.chdir(case.cwd)
        with watchdog():
            result = runner.invoke(app, [*case.args, "--lang", "en"], catch_exceptions=True)
    finally:
        os.chdir(cwd)
    stderr, stdout = result.stderr, result.stdout
    shown = f"exit {result.exit_code}\nstdout:\n{stdout[-3000:]}\nstderr:\n{stderr[-3000:]}"
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}\n{shown}")
    expected = case.exit if isinstance(case.exit, tuple) else (case.exit,)
    assert result.exit_code in expected, shown
    assert "Traceback" not in stdout + stderr, shown
    assert "internal error" not in stdout + stderr, shown
    if expected == (2,):
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert len(lines) == 1, shown
        assert lines[0].startswith("kzplan: could not check: "), shown
    for needle in case.stderr_has:
        assert needle in stderr, shown
    after = {str(p): tree(p) if p.is_dir() else {"": _hash(p)} for p in case.inputs}
    if case.output is not None and any(case.output.resolve() == Path(p).resolve()
                                       for p in before):
        for name in case.outputs:
            after[str(case.output)].pop(name, None)
    assert after == before, f"inputs changed or stray files in the input folders\n{shown}"
    if case.output is not None:
        out_after = tree(case.output)
        new = set(out_after) - set(out_before)
        allowed = set(case.outputs)
        assert new <= allowed, f"stray files {sorted(new - allowed)}\n{shown}"
        assert not any(name.startswith(".kzplan-") for name in out_after), shown
    return stderr


def _hash(path: Path) -> str:
    mode = path.lstat().st_mode if path.exists() or path.is_symlink() else 0
    if stat.S_ISREG(mode):
        return hashlib.sha256(path.read_bytes()).hexdigest()
    return f"special:{stat.S_IFMT(mode)}" if mode else "absent"


def plan(tmp_path: Path, name: str = "plan") -> Path:
    """A small valid plan (1 KCN, 3 CCN) as shapefiles in ``tmp_path/name``."""
    return factory.small_plan(tmp_path / name)


def ccn_frame(geoms: Iterable, **attrs) -> object:
    """A ``ccn`` GeoDataFrame with one canonical feature per geometry."""
    geoms = list(geoms)
    rows = [{**factory.feature(f"CCN-{i}", dt=40.0), **attrs} for i in range(len(geoms))]
    return factory.frame(rows, geoms)


def lone_ccn(folder: Path, geoms: Iterable, **attrs) -> Path:
    """A folder holding only a ``ccn`` shapefile with ``geoms``."""
    return factory.write(folder, ccn=ccn_frame(geoms, **attrs))


def square(i: int = 0, ha: float = 40.0):  # noqa: ANN201
    lon, lat = factory.ANCHORS["608"]
    return factory.square(lon, lat, ha, dx=2000.0 * (i + 1))
