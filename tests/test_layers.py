"""The architecture as a test: layers only import downwards and no modules import each other.

`lint-imports` (in `make lint`) checks the layers written in pyproject.toml; this
test also finds cycles *within* a layer, which a layers contract cannot see, so
the next `events` <-> `judgments` loop fails here instead of appearing silently.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    nodes = sorted(m for m in graph.modules if m != "declass")
    edges = {m: sorted(d for d in graph.find_modules_directly_imported_by(m) if d != "declass") for m in nodes}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in nodes:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles_between_modules() -> None:
    graph = grimp.build_graph("declass")
    assert _cycles(graph) == []


def test_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for m in ("declass", "declass.a", "declass.b", "declass.c"):
        graph.add_module(m)
    graph.add_import(importer="declass.a", imported="declass.b")
    graph.add_import(importer="declass.b", imported="declass.a")
    graph.add_import(importer="declass.c", imported="declass.a")
    assert _cycles(graph) == [["declass.a", "declass.b"]]


def test_layers_contract_is_kept() -> None:
    out = subprocess.run([str(Path(sys.executable).parent / "lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
