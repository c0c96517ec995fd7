"""The code's shape: no import cycle between the files of cxtext and api, and the library
reaches the API only from the command line (`cxtext serve`, `cxtext api-key`)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("cxtext", "api")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, modules: dict[str, Path]) -> set[str]:
    """Project modules a file imports when it runs, function-local imports included;
    imports under ``if TYPE_CHECKING:`` are left out."""
    out: set[str] = set()
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            continue
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names if alias.name in modules}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names}
            named = submodules & modules.keys()
            out |= named or ({node.module} & modules.keys())
        out |= _imports(node, modules)
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return groups


def test_no_import_cycles() -> None:
    modules = _modules()
    graph = {
        name: _imports(ast.parse(path.read_text(encoding="utf-8")), modules) - {name}
        for name, path in modules.items()
    }
    assert _cycles(graph) == []


def test_the_cycle_finder_sees_function_local_imports() -> None:
    modules = {"a": Path("a.py"), "b": Path("b.py")}
    local = ast.parse("def f():\n    from b import g\n")
    typing_only = ast.parse("if TYPE_CHECKING:\n    import a\n")
    assert _imports(local, modules) == {"b"}
    assert _imports(typing_only, modules) == set()
    assert _cycles({"a": {"b"}, "b": {"a"}}) == [["a", "b"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_only_the_command_line_imports_the_api() -> None:
    modules = _modules()
    importers = {
        name
        for name, path in modules.items()
        if name.startswith("cxtext")
        and any(
            target.startswith("api")
            for target in _imports(ast.parse(path.read_text(encoding="utf-8")), modules)
        )
    }
    assert importers <= {"cxtext.cli.serve"}
