"""The house's shape, read from the code's own imports (STYLE.md, "Growing by domain").

Every import counts, including one inside a function (a cycle "broken at run time" is still a
cycle); only `if TYPE_CHECKING:` blocks are left out, since they never run.
"""

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("core", "accounts", "catalog", "usage", "evaluations", "gateways", "fakevendor")
DOMAINS = ("accounts", "catalog", "usage", "evaluations", "gateways", "fakevendor")
# Floors, bottom up: a module may import its own floor or lower, never higher.
FLOOR_OF_PART = {
    "models": 0,
    "choices": 0,
    "services": 2,
    "tasks": 3,
    **dict.fromkeys(
        ("views", "api", "admin", "management", "urls", "templatetags", "middleware", "apps"), 4
    ),
}


def _modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")) if (ROOT / app).is_dir() else []:
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, package: str) -> Iterator[str]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from (name for child in node.orelse for name in _imports(child, package))
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)
        yield from _imports(node, package)


@cache
def import_graph() -> dict[str, set[str]]:
    """module → the project modules it imports."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[name] = {m for m in _imports(tree, package) if m in modules and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def floor(module: str) -> int:
    """A module's floor: that of its first part named in FLOOR_OF_PART, else 1 (helpers)."""
    for part in module.split(".")[1:]:
        if part in FLOOR_OF_PART:
            return FLOOR_OF_PART[part]
    return 1


def _package_root(module: str, graph: dict[str, set[str]]) -> bool:
    """A package's __init__ re-exports its own modules (catalog.models): not an import up."""
    return any(other.startswith(f"{module}.") for other in graph)


def test_the_project_has_no_import_cycle():
    assert cycles(import_graph()) == []


def test_no_module_imports_one_on_a_higher_floor():
    graph = import_graph()
    upward = sorted(
        f"{module} ({floor(module)}) -> {target} ({floor(target)})"
        for module, targets in graph.items()
        for target in targets
        if floor(target) > floor(module)
        and not target.startswith(f"{module}.")
        and not (_package_root(module, graph) and target.startswith(module))
    )
    assert upward == []


@pytest.mark.parametrize("app", ["core"])
def test_core_imports_no_domain_app(app):
    imported = {
        target.split(".")[0]
        for module, targets in import_graph().items()
        if module.split(".")[0] == app
        for target in targets
    }
    assert imported & set(DOMAINS) == set()


def test_the_catalog_never_imports_the_apps_built_on_it():
    graph = import_graph()
    later = {"usage", "evaluations", "gateways"}
    assert (
        sorted(
            f"{module} -> {target}"
            for module, targets in graph.items()
            if module.split(".")[0] == "catalog"
            for target in targets
            if target.split(".")[0] in later
        )
        == []
    )


def test_the_graph_sees_cycles_and_imports_in_functions():
    """The checks above cannot pass by reading nothing."""
    graph = import_graph()
    assert len(graph) > 150
    assert "core.models" in graph["core.jobs"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    tree = ast.parse("def f():\n    from catalog.tasks import jobs\n")
    assert "catalog.tasks.jobs" in set(_imports(tree, "catalog.services"))
