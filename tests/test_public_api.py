"""The plugin author's surface: ``nas_core`` and ``nas_core.testing``, and nothing else.

Every other module under ``nas_core`` is private (see the package docstring). These tests hold
the in-tree plugins to that, and keep the root light and complete.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import nas_core
import nas_core.testing

REPO = Path(__file__).resolve().parents[1]
PUBLIC = {"nas_core", "nas_core.testing"}


def imports_of(path: Path) -> Iterator[tuple[int, str, tuple[str, ...]]]:
    """(line, module, imported names) for every import statement of a file, at any depth."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, ()
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module, tuple(alias.name for alias in node.names)


def private_uses(path: Path, root: Path = REPO) -> list[str]:
    """One ``file:line: ...`` per import of a private module or of a ``_private`` name."""
    problems = []
    for line, module, names in sorted(imports_of(path)):
        if module != "nas_core" and not module.startswith("nas_core."):
            continue
        where = f"{path.relative_to(root)}:{line}"
        if module not in PUBLIC:
            problems.append(f"{where}: imports the private module {module}")
        problems += [f"{where}: imports the private name {module}.{name}" for name in names if name.startswith("_")]
    return problems


def test_plugins_import_only_the_public_modules_and_names() -> None:
    files = sorted(REPO.glob("plugins/*/src/**/*.py")) + sorted(REPO.glob("plugins/*/tests/**/*.py"))
    assert len(files) > 50, "the plugins' sources were not found"
    files += sorted(REPO.glob("dashboard/src/**/*.py")) + sorted(REPO.glob("dashboard/tests/**/*.py"))  # a client of the public API too
    problems = [problem for path in files for problem in private_uses(path)]
    assert not problems, "plugins use nas_core's private modules; export what they need from nas_core:\n" + "\n".join(problems)


def test_the_check_sees_private_imports(tmp_path: Path) -> None:
    plugin = tmp_path / "probe.py"
    plugin.write_text(
        "from nas_core import Result\n"
        "if True:\n    from nas_core.spaces.nb201 import EDGES\n"
        "from nas_core.testing import _x\n"
        "import nas_core.graph\n"
    )
    assert private_uses(plugin, tmp_path) == [
        "probe.py:3: imports the private module nas_core.spaces.nb201",
        "probe.py:4: imports the private name nas_core.testing._x",
        "probe.py:5: imports the private module nas_core.graph",
    ]


def test_every_public_name_resolves() -> None:
    for module in (nas_core, nas_core.testing):
        assert len(set(module.__all__)) == len(module.__all__), f"{module.__name__}.__all__ repeats a name"
        missing = [name for name in module.__all__ if not hasattr(module, name)]
        assert not missing, f"{module.__name__}.__all__ names what it does not have: {missing}"
        assert not [name for name in module.__all__ if name.startswith("_")]


def test_lazy_names_are_public_and_visible_to_type_checkers() -> None:
    lazy = set(nas_core._LAZY)
    assert lazy <= set(nas_core.__all__)
    tree = ast.parse(Path(nas_core.__file__).read_text())
    checked = {
        (alias.asname or alias.name): (node.module, alias.name)
        for block in tree.body
        if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING"
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert checked == nas_core._LAZY


def test_import_nas_core_does_not_import_torch_or_pandas() -> None:
    code = "import sys, nas_core; heavy = sorted(m for m in ('torch', 'torch_geometric', 'pandas') if m in sys.modules); print(heavy)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_lazy_name_is_the_object_of_its_module() -> None:
    from nas_core.training.device import one_torch_thread

    assert nas_core.one_torch_thread is one_torch_thread
    assert "one_torch_thread" in dir(nas_core)
