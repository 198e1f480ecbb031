"""The core's import graph: nothing imports the built-in plugins, and no module-level cycles.

- ``nas_core/builtin/*`` are plugins that ship with the core: the plugin manager loads them by
  module path (entry points, the essentials), and no other core module imports them, at any depth
  (in a function or under ``TYPE_CHECKING`` too). What they share with the core lives in the core.
- The modules of ``nas_core`` import each other without cycles at module level. An import under
  ``if TYPE_CHECKING:`` or inside a function is not an edge: it runs after both modules exist.
  The implicit import of a parent package (``a.b`` runs ``a/__init__``) is not an edge either.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import nas_core

PACKAGE = Path(nas_core.__file__).resolve().parent
BUILTIN = "nas_core.builtin"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def targets(node: ast.Import | ast.ImportFrom, known: set[str]) -> Iterator[str]:
    """The core modules one import statement loads (a submodule named in ``from a import b`` too)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif node.level == 0 and node.module:
        names = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known else node.module for alias in node.names]
    else:
        names = []
    for name in names:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name:
            yield name


def is_type_checking(node: ast.If) -> bool:
    return ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def module_level_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports that run when the module is imported: top level, in ``if``/``try``, not TYPE_CHECKING."""
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            pending += node.orelse if is_type_checking(node) else node.body + node.orelse
        elif isinstance(node, ast.Try):
            pending += node.body + node.orelse + node.finalbody + [s for h in node.handlers for s in h.body]


def graph() -> dict[str, set[str]]:
    known = set(MODULES)
    edges: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(), str(path))
        edges[name] = {t for node in module_level_imports(tree) for t in targets(node, known) if t != name}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (a path that returns to its start) per strongly connected component (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return [cycle_in(component, edges) for component in components]


def cycle_in(component: set[str], edges: dict[str, set[str]]) -> list[str]:
    """A shortest way from the component's first module back to itself (breadth first)."""
    start = min(component)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(edges[node] & component):
                if nxt == start:
                    return paths[node] + [start]
                if nxt not in paths:
                    paths[nxt] = paths[node] + [nxt]
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"no cycle through {start}")


def test_no_core_module_imports_a_builtin_plugin() -> None:
    known = set(MODULES)
    problems = []
    for name, path in MODULES.items():
        if name == BUILTIN or name.startswith(BUILTIN + "."):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                problems += [
                    f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {name} imports {target}"
                    for target in targets(node, known)
                    if target.startswith(BUILTIN + ".")
                ]
    assert not problems, "the core imports built-in plugins; move what they share into the core:\n" + "\n".join(problems)


def test_no_import_cycles_among_core_modules() -> None:
    found = cycles(graph())
    for cycle in found:
        print(" -> ".join(cycle))
    assert not found, "module-level import cycles (see the output):\n" + "\n".join(" -> ".join(c) for c in found)


def test_cycles_are_found() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(edges) == [["a", "b", "c", "a"]]
