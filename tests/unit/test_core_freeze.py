"""Seed 003 §1 "core freeze": core modules never import the Dynamics 365 integration (parsed with ast, so
an import anywhere in a module counts, even inside a function)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION_ZONE = ("app/integrations/",)
FORBIDDEN = ("app.integrations.d365",)


def _imports(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _core_modules():
    for path in sorted((ROOT / "app").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if not relative.startswith(INTEGRATION_ZONE):
            yield relative, path


def test_core_never_imports_the_d365_integration():
    offenders = {
        relative: sorted({name for name in _imports(path) if name.startswith(FORBIDDEN)})
        for relative, path in _core_modules()
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_sees_an_offending_import(tmp_path):
    sample = tmp_path / "core.py"
    sample.write_text("def f():\n    from app.integrations.d365.client import D365Client\n")
    assert any(name.startswith(FORBIDDEN) for name in _imports(sample))


def test_readiness_never_mentions_dynamics():
    source = (ROOT / "app/blueprints/system.py").read_text().lower()
    assert "d365" not in source and "dynamics" not in source
