"""The exploration notebook: committed without outputs, and runs from a clean kernel in < 1 min."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

import nbformat
import pytest

import kzplan

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "kontum-2030.ipynb"
BUDGET_S = 60.0


def test_committed_notebook_has_no_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "the notebook has no code cells"
    for cell in code:
        assert cell.outputs == [], cell.source[:60]
        assert cell.execution_count is None, cell.source[:60]
    assert nb.metadata.kernelspec.name == "python3"


@pytest.fixture
def kernel_for_this_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernelspec that runs ipykernel with *this* interpreter, found first on JUPYTER_PATH."""
    spec = tmp_path / "kernels" / "kzplan-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "kzplan test", "language": "python",
    }), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    # the kernel imports the kzplan under test, whatever else is installed
    here = str(Path(kzplan.__file__).resolve().parents[1])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        p for p in (here, os.environ.get("PYTHONPATH", "")) if p))
    # plots inline as PNG even where the environment asks for a headless backend
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    return "kzplan-test"


def _by_tag(nb: nbformat.NotebookNode, tag: str) -> nbformat.NotebookNode:
    cells = [c for c in nb.cells if tag in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"no single cell tagged {tag!r}"
    return cells[0]


def _data(cell: nbformat.NotebookNode, mime: str) -> str:
    found = [o["data"][mime] for o in cell.outputs
             if o.get("output_type") in ("execute_result", "display_data") and mime in o["data"]]
    assert found, f"cell {cell.metadata.get('tags')} has no {mime} output"
    return "\n".join(found)


def _stream(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream"
                   and o.get("name") == "stdout")


@pytest.mark.slow
def test_notebook_runs_from_a_clean_kernel(kernel_for_this_python: str) -> None:
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import sys, kzplan\nprint(sys.executable)\n"
                                              "print(kzplan.__file__)"))
    client = NotebookClient(nb, kernel_name=kernel_for_this_python, timeout=BUDGET_S,
                            allow_errors=False,
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError on the first cell that fails
    elapsed = time.perf_counter() - start
    assert elapsed < BUDGET_S, f"the notebook took {elapsed:.1f} s"

    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.get("output_type") == "error"]
    assert errors == []
    stderr = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    assert not any("Traceback" in s for s in stderr), stderr

    # the kernel ran this interpreter and this checkout's kzplan
    assert kzplan.__version__ in _data(nb.cells[1], "text/plain")
    assert _stream(nb.cells[-1]).split() == [sys.executable, kzplan.__file__]
    # Plan, Report and Diff display as HTML tables
    assert "kzplan plan" in _data(_by_tag(nb, "plan-repr"), "text/html")
    assert "<table" in _data(_by_tag(nb, "plan-repr"), "text/html")
    report_html = _data(_by_tag(nb, "report-repr"), "text/html")
    assert "<table" in report_html
    diff_html = _data(_by_tag(nb, "diff-repr"), "text/html")
    assert 'class="kzplan-diff"' in diff_html and "Headroom to the targets" in diff_html
    assert re.search(r"The new version (uses|needs) 40", diff_html)
    # the layers, the interactive maps and the findings tables
    assert "CCN-" in _data(_by_tag(nb, "ccn-head"), "text/html")
    assert "leaflet" in _data(_by_tag(nb, "explore"), "text/html").lower()
    assert "leaflet" in _data(_by_tag(nb, "map"), "text/html").lower()
    assert "rule_id" in _data(_by_tag(nb, "per-rule"), "text/html")
    assert "(whole plan)" in _data(_by_tag(nb, "per-district"), "text/html")
    # plots are images
    for tag in ("static-map", "findings-map", "plot-targets", "plot-districts"):
        assert _data(_by_tag(nb, tag), "image/png")
    # the what-if sentences, in both languages
    text = _stream(_by_tag(nb, "sentences"))
    assert "Adding a 40 ha cluster in Huyện Sa Thầy (CCN-616-WHATIF) " in text
    assert "Thêm CCN CCN-616-WHATIF (40 ha) tại Huyện Sa Thầy " in text
    assert "exit code" in text
    # moving a cluster to Sa Thầy keeps every target: no new error
    several = _stream(_by_tag(nb, "several"))
    assert "changes the clusters in Huyện Sa Thầy from" in several
    assert "new errors: [] → exit code 0" in several
    assert "DT01" in _data(_by_tag(nb, "remove"), "text/plain")
    assert "AR04" in _data(_by_tag(nb, "resize"), "text/plain")
    set_html = _data(_by_tag(nb, "set"), "text/html")
    assert "Resolved findings (2)" in set_html and "WW01" in set_html and "WW04" in set_html
    assert "WW01" in _data(_by_tag(nb, "diff-frame"), "text/html")
    untouched = _stream(_by_tag(nb, "untouched"))
    assert "CCN-616-WHATIF in it: False" in untouched
    n = len(kzplan.check(kzplan.load_plan(), as_of=2030).findings)
    assert f"unchanged findings when checked again: {n} of {n}" in untouched

def test_plan_report_and_diff_display_as_escaped_html(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from kzplan import whatif
    from tests import factory

    plan = kzplan.load_plan(factory.small_plan(tmp_path / "plan"))
    evil = "<img src=x onerror=alert(1)>"
    edited = whatif.set(plan, "ccn", "CCN-1", ten=evil, trang_thai="hoat_dong", nam_tl=2020,
                        lap_day=10.0, xlnt="khong")
    report = kzplan.check(edited, as_of=2030)
    diff = whatif.compare(kzplan.check(plan, as_of=2030), report)
    for lang, verdict in (("vi", "KHÔNG ĐẠT"), ("en", "NOT valid")):
        monkeypatch.setenv("KZPLAN_LANG", lang)
        pages = {"plan": plan._repr_html_(), "report": report._repr_html_(),
                 "diff": diff._repr_html_()}
        assert all("<table" in page for page in pages.values())
        assert verdict in pages["report"]
        assert "WW01" in pages["report"] and "WW01" in pages["diff"]
        for page in pages.values():
            assert "<img" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in pages["report"]
        assert "&lt;img src=x onerror=alert(1)&gt;" in pages["diff"]
