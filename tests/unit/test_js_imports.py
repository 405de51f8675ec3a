"""Every named import of the SPA's ES modules names something its module exports. A browser only finds a
missing export when the importing view is first opened; this finds it at once, for every module."""

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static"
IMPORT = re.compile(r"import\s*\{([^}]*)\}\s*from\s*[\"']([^\"']+)[\"']", re.S)
EXPORT_DECLARATION = re.compile(r"^export\s+(?:async\s+)?(?:function\*?|const|let|class)\s+([A-Za-z_$][\w$]*)", re.M)
EXPORT_LIST = re.compile(r"^export\s*\{([^}]*)\}", re.M)


def _exports(path: Path) -> set[str]:
    source = path.read_text(encoding="utf-8")
    names = set(EXPORT_DECLARATION.findall(source))
    for group in EXPORT_LIST.findall(source):
        names |= {part.split(" as ")[-1].strip() for part in group.split(",") if part.strip()}
    return names


def _imports(path: Path):
    for names, target in IMPORT.findall(path.read_text(encoding="utf-8")):
        for name in names.split(","):
            name = name.strip().split(" as ")[0].strip()
            if name:
                yield name, (path.parent / target).resolve()


def test_every_named_import_is_exported():
    missing = []
    for module in sorted((STATIC / "js").rglob("*.js")):
        for name, target in _imports(module):
            if not target.exists():
                missing.append(f"{module.relative_to(STATIC)}: {target.name} does not exist")
            elif name not in _exports(target):
                missing.append(f"{module.relative_to(STATIC)}: {target.name} exports no {name!r}")
    assert missing == []


def test_the_check_sees_a_missing_export(tmp_path):
    (tmp_path / "a.js").write_text("export function one() {}\nexport const two = 2;\n")
    (tmp_path / "b.js").write_text('import { one, three } from "./a.js";\n')
    assert {name for name, _ in _imports(tmp_path / "b.js")} - _exports(tmp_path / "a.js") == {"three"}
