"""No import circles anywhere in the package.

The test reads every module of ``kzplan/`` with :mod:`ast` (it imports nothing), collects every
``import`` statement — at module level and inside functions and methods alike, since a lazy import
is still an edge: it only hides the cycle until the function runs — except those under
``if TYPE_CHECKING:``, builds the module graph and fails listing each cycle (each strongly
connected component of more than one module, or a module importing itself).

Edges are what the code says, nothing more:

- ``import kzplan.a.b`` and ``from kzplan.a import b`` (``b`` a submodule) are edges to
  ``kzplan.a.b``; ``from kzplan.a import name`` is an edge to ``kzplan.a``; importing a package is
  importing its ``__init__``.
- Python imports a module's parent packages before the module, but that is not an edge of our
  making and is not added: ``kzplan.maps`` (the ``__init__``) re-exporting names from
  ``kzplan.maps.render`` is normal; it becomes a cycle only when ``render`` itself imports the
  package ``kzplan.maps`` (``from kzplan.maps import x``, ``from . import x`` with ``x`` not a
  submodule, ``import kzplan.maps``).

Only literal imports are seen: ``importlib.import_module(f"...")`` with a computed name is not.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "kzplan"

# Cycles that run through modules being rewritten elsewhere, each a closed path
# (a, b, ..., z) for a -> b -> ... -> z -> a. The first edge (a -> b) is the one in the module being
# rewritten; the test drops that edge and fails on any cycle left, so a known cycle hides no other.
KNOWN_CYCLES: set[tuple[str, ...]] = set()  # none: keep it that way


def _edges(path: tuple[str, ...]) -> list[tuple[str, str]]:
    return list(zip(path, path[1:] + path[:1], strict=True))


def discover(root: Path) -> dict[str, Path]:
    """Every module of the package at ``root``: dotted name -> file (packages by ``__init__``)."""
    modules: dict[str, Path] = {}
    base = root.parent
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(base).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        # Only folders that are packages (an __init__.py all the way down) hold modules.
        if all((base.joinpath(*parts[:i]) / "__init__.py").exists() for i in range(1, len(parts))):
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST):
    """Every Import/ImportFrom node of ``tree`` outside ``if TYPE_CHECKING:`` bodies."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
            continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)  # the else branch runs at run time
            continue
        stack.extend(ast.iter_child_nodes(node))


def import_graph(root: Path) -> dict[str, set[str]]:
    """The import graph of the package at ``root``: module -> the package's modules it imports."""
    modules = discover(root)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _imports(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                for alias in node.names:
                    # `import a.b.c` binds `a` but the module imported is a.b.c (and its parents,
                    # which Python imports on its way there; not an edge of ours).
                    targets.append(alias.name)
            else:
                if node.level:
                    package = name if is_package else name.rpartition(".")[0]
                    for _ in range(node.level - 1):
                        package = package.rpartition(".")[0]
                    base = f"{package}.{node.module}" if node.module else package
                else:
                    base = node.module or ""
                for alias in node.names:
                    # A submodule named in the list is an edge to that submodule; any other
                    # name (or `*`) comes from `base`'s own namespace: an edge to `base`.
                    if f"{base}.{alias.name}" in modules:
                        targets.append(f"{base}.{alias.name}")
                    else:
                        targets.append(base)
            for target in targets:
                # `from kzplan import crs` names kzplan.crs; `from kzplan import load_plan`
                # names the package kzplan (its __init__).
                if target in modules and target != name:
                    graph[name].add(target)
                elif target == name:
                    graph[name].add(name)  # a module importing itself
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components (iterative), each sorted, in sorted order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component))
    return sorted(components)


def cycles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """Each import circle: a component of several modules, or a module importing itself."""
    return [tuple(c) for c in strongly_connected(graph)
            if len(c) > 1 or c[0] in graph[c[0]]]


def _describe(component: tuple[str, ...], graph: dict[str, set[str]]) -> str:
    members = set(component)
    edges = [f"    {a} -> {b}" for a in component for b in sorted(graph[a]) if b in members]
    return " <-> ".join(component) + "\n" + "\n".join(edges)


def test_no_import_cycles():
    graph = import_graph(PACKAGE)
    assert len(graph) > 30, "the walk found too few modules"
    for known in KNOWN_CYCLES:
        graph[known[0]].discard(known[1])
    found = cycles(graph)
    assert not found, "import cycles in kzplan:\n" + "\n".join(_describe(c, graph) for c in found)


def test_known_cycles_are_still_there():
    """A known cycle that is gone must leave KNOWN_CYCLES (or it would hide a new one)."""
    graph = import_graph(PACKAGE)
    gone = [known for known in KNOWN_CYCLES
            if any(b not in graph.get(a, ()) for a, b in _edges(known))]
    assert not gone, f"no longer cycles, drop them from KNOWN_CYCLES: {gone}"


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root / "fake"


def test_detects_a_planted_cycle(tmp_path):
    package = _write(tmp_path, {
        "fake/__init__.py": "from fake.a import f\n",
        "fake/a.py": "from fake.b import g\ndef f(): return g()\n",
        # a lazy import is an edge too
        "fake/b.py": "def g():\n    from fake import c\n    return c.h()\n",
        "fake/c.py": "from .a import f\ndef h(): return 1\n",
        "fake/d.py": "import fake.a\n",
    })
    graph = import_graph(package)
    assert graph["fake.b"] == {"fake.c"}
    assert graph["fake.c"] == {"fake.a"}
    assert cycles(graph) == [("fake.a", "fake.b", "fake.c")]


def test_package_reexports_are_not_cycles(tmp_path):
    package = _write(tmp_path, {
        "fake/__init__.py": "",
        "fake/maps/__init__.py": "from fake.maps.render import draw\nfrom .styles import STYLE\n",
        "fake/maps/render.py": "from fake.maps.styles import STYLE\nimport fake.other\n"
                               "def draw(): return STYLE\n",
        "fake/maps/styles.py": "from . import colours\nSTYLE = 1\n",
        "fake/maps/colours.py": "",
        "fake/other.py": "from typing import TYPE_CHECKING\n"
                         "if TYPE_CHECKING:\n    from fake.maps import draw\n",
    })
    graph = import_graph(package)
    assert graph["fake.maps"] == {"fake.maps.render", "fake.maps.styles"}
    assert graph["fake.maps.styles"] == {"fake.maps.colours"}  # `from . import x`, x a module
    assert graph["fake.other"] == set()  # TYPE_CHECKING imports are not edges
    assert cycles(graph) == []


def test_submodule_importing_its_package_is_a_cycle(tmp_path):
    package = _write(tmp_path, {
        "fake/__init__.py": "",
        "fake/maps/__init__.py": "from fake.maps.render import draw\nSTYLE = 1\n",
        "fake/maps/render.py": "def draw():\n    from . import STYLE\n    return STYLE\n",
    })
    assert cycles(import_graph(package)) == [("fake.maps", "fake.maps.render")]
