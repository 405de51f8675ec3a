"""Only app/integrations/alm_gateway.py may speak HTTP to the outside (seed 000 reviewer note A2)."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
GATEWAY = APP / "integrations" / "alm_gateway.py"
HTTP_CLIENTS = {"requests", "httpx", "urllib3", "aiohttp", "http.client", "urllib.request", "pycurl"}


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _is_http_client(module: str) -> bool:
    return any(module == client or module.startswith(client + ".") for client in HTTP_CLIENTS)


def test_no_module_but_the_gateway_imports_an_http_client():
    offenders = {
        str(path.relative_to(APP.parent)): sorted(m for m in _imported_modules(path) if _is_http_client(m))
        for path in APP.rglob("*.py")
        if path != GATEWAY
    }
    offenders = {path: modules for path, modules in offenders.items() if modules}
    assert not offenders, f"only alm_gateway.py may import an HTTP client: {offenders}"


def test_the_gateway_does_import_requests():
    assert "requests" in _imported_modules(GATEWAY)  # the check above would be vacuous otherwise
