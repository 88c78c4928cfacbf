"""Architecture: no import cycle in catalogue/ (issue 15: one home per rule, arrows one way).

The graph is built from the source (AST), not from what happens to be imported at run time:
every `import` and `from ... import` counts, at module level and inside functions (a
function-local import that only dodges a cycle is still a cycle); relative imports are
resolved. Imports under `if TYPE_CHECKING:` are not edges (they never run). Migrations are
left out. `from pkg import name` is an edge to `pkg.name` when that is a module, else to `pkg`.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "catalogue"


def _modules(root: Path) -> dict[str, tuple[Path, bool]]:
    modules = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if "migrations" in parts:
            continue
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        modules[".".join(parts)] = (path, is_package)
    return modules


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the import nodes inside `if TYPE_CHECKING:` blocks."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", "")
            if name == "TYPE_CHECKING":
                skipped.update(id(n) for child in node.body for n in ast.walk(child))
    return skipped


def import_graph(root: Path = ROOT) -> dict[str, dict[str, int]]:
    """{module: {imported catalogue module: first line importing it}}."""
    modules = _modules(root)

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, dict[str, int]] = {}
    for module, (path, is_package) in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        skipped = _type_checking_nodes(tree)
        package = module if is_package else module.rpartition(".")[0]
        edges = graph.setdefault(module, {})
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            targets: list[str | None] = []
            if isinstance(node, ast.Import):
                targets = [known(alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                for alias in node.names:
                    submodule = f"{source}.{alias.name}"
                    targets.append(submodule if submodule in modules else known(source))
            for target in targets:
                if target and target != module:
                    edges.setdefault(target, node.lineno)
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _describe(component: list[str], graph: dict[str, dict[str, int]]) -> str:
    members = set(component)
    edges = [
        f"    {a} -> {b} (line {line})"
        for a in component
        for b, line in sorted(graph[a].items())
        if b in members
    ]
    return "cycle among " + ", ".join(component) + ":\n" + "\n".join(edges)


def test_the_graph_sees_function_local_and_relative_imports():
    graph = import_graph()
    # tasks imports services inside its task functions: relative, function-level imports count.
    assert "catalogue.services.bulk_jobs" in graph["catalogue.tasks"]
    assert "catalogue.models.choices" in graph["catalogue.rules"]


def test_catalogue_has_no_import_cycle():
    graph = import_graph()
    found = cycles(graph)
    assert not found, "\n\n".join(_describe(c, graph) for c in found)
