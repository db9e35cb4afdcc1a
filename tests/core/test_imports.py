"""The import table in docs/architecture.md holds: no package imports what its row forbids.

Every ``modelpassport.X`` import in every module (top level or inside a function, where the
lazy imports live) is checked against the table's "may import" column.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from modelpassport.passport import STAGE_NAMES

ROOT = Path(__file__).parents[2]
SRC = ROOT / "src" / "modelpassport"
OPEN_TO_ALL = {"_version", "_runinfo", "_display", "_files"}


def _table() -> dict[str, set[str]]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    allowed: dict[str, set[str]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not re.search(r"`[a-z_]+`", cells[0]) or cells[0] == "package":
            continue
        names = re.findall(r"`([a-z_]+)`", cells[0])
        if cells[0].startswith("stage packages"):
            names += STAGE_NAMES
        deps = set() if cells[2] == "—" else {d.strip() for d in cells[2].split(",")}
        for name in names:
            allowed[name] = deps
    return allowed


def _package(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] == "modelpassport" and len(parts) > 1:
                found.add(parts[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "modelpassport" and len(parts) > 1:
                    found.add(parts[1])
    return found


def test_the_table_names_every_package() -> None:
    table = _table()
    packages = {_package(p) for p in SRC.rglob("*.py")} - {"__init__", "__main__"}
    assert packages <= set(table), f"not in the table: {sorted(packages - set(table))}"
    for deps in table.values():
        unknown = deps - set(table) - OPEN_TO_ALL
        assert not unknown, f"unknown package in the table: {sorted(unknown)}"


def test_no_module_imports_what_its_package_may_not() -> None:
    table = _table()
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        package = _package(path)
        if package in ("__init__", "__main__"):
            continue
        for dep in sorted(_imports(path) - {package} - OPEN_TO_ALL):
            if dep not in table.get(package, set()):
                wrong.append(f"{path.relative_to(SRC)} imports {dep}")
    assert wrong == []
