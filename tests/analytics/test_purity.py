"""Analytics are pure: no file, network or store access, no printing (issue #5, CONVENTIONS.md 5).

The only reads allowed are of the package's own shipped rules and tactics (``importlib.resources``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

MODULES = sorted((Path(__file__).parents[2] / "analytics").glob("*.py"))
FORBIDDEN_IMPORTS = {"os", "pathlib", "sqlite3", "socket", "urllib", "requests", "shutil", "subprocess", "graph.store"}
FORBIDDEN_CALLS = {"open", "print", "read_csv", "to_csv", "read_excel", "to_excel", "open_store", "write_text"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_does_no_io(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not {a.name.split(".")[0] for a in node.names} & FORBIDDEN_IMPORTS, (path.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            assert (node.module or "") not in FORBIDDEN_IMPORTS, (path.name, node.lineno)
            assert (node.module or "").split(".")[0] not in FORBIDDEN_IMPORTS - {"graph.store"}, (
                path.name,
                node.lineno,
            )
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            assert name not in FORBIDDEN_CALLS, (path.name, node.lineno, name)
