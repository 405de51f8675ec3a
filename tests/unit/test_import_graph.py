"""The import graph of app/ (every import counts, even one inside a function): no cycles, and imports run
down the layers of docs/architecture.md. The one allowed way up: an integration plugin package reaching
the services and web helpers it extends (it is loaded through the plugin door, never imported by core)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Lower number = lower layer. A module may import its own layer or any lower one.
LAYERS = {
    "app.utils": 0,
    "app.config": 0,
    "app.tenancy": 1,
    "app.extensions": 2,
    "app.rls": 2,
    "app.models": 3,
    "app.permissions": 3,
    "app.integrations": 4,
    "app.services": 5,
    "app.schemas": 6,
    "app.tasks": 7,
    "app.demo": 7,
    "app.web": 8,
    "app.blueprints": 9,
    "app.cli": 10,
    "app.cli_integrations": 10,
    "app.cli_mail": 10,
    "app": 11,
}
PLUGIN_PACKAGES = ("app.integrations.d365",)


def _modules() -> dict[str, Path]:
    modules = {}
    for path in (ROOT / "app").rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        modules[name.removesuffix(".__init__")] = path
    return modules


def _edges(modules: dict[str, Path]) -> dict[str, set[str]]:
    def resolve(name):
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    edges = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                submodules = [f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in modules]
                targets = submodules if len(submodules) == len(node.names) else submodules + [node.module]
            else:
                continue
            for target in targets:
                resolved = resolve(target)
                if resolved and resolved != name and resolved.startswith("app"):
                    edges[name].add(resolved)
    return edges


def _layer(module: str) -> int:
    prefix = max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return LAYERS[prefix]


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in edges:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    assert _cycles(_edges(_modules())) == []


def test_imports_run_down_the_layers():
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in _edges(_modules()).items()
        for target in targets
        if _layer(target) > _layer(module) and target != "app" and not module.startswith(PLUGIN_PACKAGES)
    )
    assert upward == []


def test_the_checks_see_a_cycle_and_an_upward_import():
    edges = {"app.services.a": {"app.tasks.b"}, "app.tasks.b": {"app.services.a"}}
    assert _cycles(edges) == [["app.services.a", "app.tasks.b"]]
    assert _layer("app.tasks.b") > _layer("app.services.a")
