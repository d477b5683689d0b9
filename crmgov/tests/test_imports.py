"""How our modules import each other, read from the source with `ast` (nothing is imported):
no cycle among the top-level imports, no import inside a function without its reason written
beside it, and no service reaching into template tags."""

import ast
from pathlib import Path

from crmgov.celery import app as celery_app
from projects.escalations.services import EVALUATE_ESCALATIONS
from projects.notifications.outbox import DELIVER_EMAIL
from projects.notifications.services import DELIVER_CHAT_MESSAGE

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("projects", "issues", "changes", "closure", "crmgov")


def _our_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


MODULES = _our_modules()


def _is_test_code(path: Path) -> bool:
    return "tests" in path.parts or path.name == "conftest.py"


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_imports(statements):
    """The imports run when the module is imported: at module level, in classes, in `if`/`try`/`with`
    blocks, but not inside functions nor under `if TYPE_CHECKING:`."""
    for node in statements:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _type_checking(node):
                yield from _top_level_imports(node.body)
            yield from _top_level_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, *(handler.body for handler in node.handlers), node.orelse, node.finalbody):
                yield from _top_level_imports(block)
        elif isinstance(node, ast.ClassDef | ast.With):
            yield from _top_level_imports(node.body)


def _imported(name: str, path: Path, node: ast.Import | ast.ImportFrom) -> set[str]:
    """Our modules an import statement runs (their packages included), the importer's own excepted."""
    if isinstance(node, ast.Import):
        targets = {alias.name for alias in node.names}
    else:
        base = node.module or ""
        if node.level:
            package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, *([node.module] if node.module else [])])
        targets = {base} | {f"{base}.{alias.name}" for alias in node.names}
    own_packages = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
    run = set()
    for target in targets:
        parts = target.split(".")
        for i in range(1, len(parts) + 1):  # importing a.b.c runs a and a.b first
            module = ".".join(parts[:i])
            if module in MODULES and module != name and module not in own_packages:
                run.add(module)
    return run


def _import_graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(), str(path))
        graph[name] = set().union(*(_imported(name, path, node) for node in _top_level_imports(tree.body)))
    return graph


def _a_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of the graph as [a, b, …, a], or [] when it has none (iterative depth-first search)."""
    state: dict[str, str] = {}  # "open" while on the current path, "done" after
    for start in sorted(graph):
        if start in state:
            continue
        path, branches = [start], [iter(sorted(graph[start]))]
        state[start] = "open"
        while path:
            successor = next(branches[-1], None)
            if successor is None:
                state[path.pop()] = "done"
                branches.pop()
            elif state.get(successor) == "open":
                return [*path[path.index(successor) :], successor]
            elif successor not in state:
                state[successor] = "open"
                path.append(successor)
                branches.append(iter(sorted(graph[successor])))
    return []


def test_the_cycle_finder_finds_a_cycle_and_none_where_there_is_none():
    assert _a_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _a_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_our_modules_import_each_other_without_a_cycle():
    cycle = _a_cycle(_import_graph())
    assert not cycle, "Import cycle: " + " -> ".join(cycle)


def _function_level_imports(path: Path):
    tree = ast.parse(path.read_text(), str(path))
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    yield node


def test_an_import_inside_a_function_says_why_beside_it():
    unexplained = []
    for path in MODULES.values():
        if _is_test_code(path):
            continue
        lines = path.read_text().splitlines()
        for node in _function_level_imports(path):
            beside = [lines[node.lineno - 1], lines[node.lineno - 2] if node.lineno > 1 else ""]
            if not any("#" in line for line in beside):
                unexplained.append(f"{path.relative_to(ROOT)}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    assert not unexplained, "Imports inside functions without a reason beside them:\n" + "\n".join(unexplained)


def test_only_templates_use_the_template_tags():
    graph = _import_graph()
    users = {
        name
        for name, path in MODULES.items()
        if not _is_test_code(path)
        and not name.startswith("projects.templatetags")
        and any(target.startswith("projects.templatetags") for target in graph[name])
    }
    assert not users


def test_the_tasks_enqueued_by_name_exist():
    for name in (DELIVER_EMAIL, DELIVER_CHAT_MESSAGE, EVALUATE_ESCALATIONS):
        assert name in celery_app.tasks, name
