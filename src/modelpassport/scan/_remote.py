"""Remote code: the ``auto_map`` entries of a model folder and what their files do."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

from modelpassport.artifacts import (
    CodeParseError,
    analyse_code,
    load_json,
    relative_imports,
    symlink_target,
)
from modelpassport.errors import InputError
from modelpassport.passport.sections.scan import ScanFinding

from ._rules import RuleBook

CONFIG_FILES = (
    "config.json",
    "tokenizer_config.json",
    "processor_config.json",
    "preprocessor_config.json",
    "feature_extractor_config.json",
)
MAX_CONFIG_BYTES = 16 << 20
MAX_CODE_FILES = 64
_RULE_BY_KIND = {
    "process": "MP-CODE-002",
    "network": "MP-CODE-003",
    "file_write": "MP-CODE-004",
    "dynamic_code": "MP-CODE-005",
    "native": "MP-CODE-006",
}


def read_json(path: Path, limit: int = MAX_CONFIG_BYTES) -> Any:
    """A small JSON file, or InputError naming it."""
    if path.stat().st_size > limit:
        raise InputError(path, f"expected a JSON file under {limit} bytes")
    return load_json(path.read_bytes(), path)


def _references(config: dict[str, Any]) -> list[str]:
    """``module.Class`` strings of ``auto_map`` and of ``custom_pipelines`` implementations."""
    refs: list[str] = []
    auto_map = config.get("auto_map")
    for value in auto_map.values() if isinstance(auto_map, dict) else []:
        items = value if isinstance(value, list) else [value]
        refs.extend(item for item in items if isinstance(item, str))
    pipelines = config.get("custom_pipelines")
    for task in pipelines.values() if isinstance(pipelines, dict) else []:
        impl = task.get("impl") if isinstance(task, dict) else None
        if isinstance(impl, str):
            refs.append(impl)
    return refs


def auto_map_modules(root: Path, book: RuleBook) -> tuple[list[str], list[ScanFinding]]:
    """Module names the folder's configs map classes to, plus findings for the mapping
    itself (remote code needed; code hosted in another repository)."""
    modules: set[str] = set()
    findings: list[ScanFinding] = []
    for name in CONFIG_FILES:
        path = root / name
        if not path.is_file() or (path.is_symlink() and not symlink_target(path, root)[1]):
            continue  # a link leaving the folder is reported by the stage, never read
        data = read_json(path)
        refs = _references(data) if isinstance(data, dict) else []
        if not refs:
            continue
        findings.append(
            book.finding(
                "MP-CODE-001",
                name,
                "loading needs trust_remote_code=True (auto_map)",
                location="auto_map",
                evidence=", ".join(sorted(set(refs))),
            )
        )
        for ref in refs:
            repo, sep, _ = ref.partition("--")
            if sep:
                findings.append(
                    book.finding(
                        "MP-CODE-007",
                        name,
                        f"auto_map loads code from another repository ({repo})",
                        location="auto_map",
                        evidence=ref,
                    )
                )
                continue
            modules.add(ref.rpartition(".")[0] or ref)
    return sorted(modules), findings


def check_remote_code(book: RuleBook, root: Path) -> list[ScanFinding]:
    """Analyse every Python file ``auto_map`` reaches (and the files those import
    relatively).

    Why: ``trust_remote_code=True`` imports these files; their behaviour is the model's.
    """
    modules, findings = auto_map_modules(root, book)
    queue = deque(modules)
    seen: set[str] = set()
    while queue:
        module = queue.popleft()
        if module in seen:
            continue
        if len(seen) == MAX_CODE_FILES:
            findings.append(
                book.finding(
                    "MP-CODE-007",
                    module.replace(".", "/") + ".py",
                    f"remote code past the limit of {MAX_CODE_FILES} files; not analysed",
                    evidence=f"{len(queue) + 1} more module(s)",
                )
            )
            break
        seen.add(module)
        rel = module.replace(".", "/") + ".py"
        path = root / rel
        if not path.is_file() or not path.resolve().is_relative_to(root.resolve()):
            findings.append(
                book.finding(
                    "MP-CODE-007", rel, f"auto_map names module {module}, file not in folder"
                )
            )
            continue
        source = path.read_bytes()
        try:
            behaviours = analyse_code(source, filename=rel)
        except CodeParseError as exc:
            findings.append(book.finding("MP-CODE-007", rel, f"remote code unreadable: {exc}"))
            continue
        queue.extend(relative_imports(source))
        for b in behaviours:
            when = "on import" if b.on_import else "when called"
            findings.append(
                book.finding(
                    _RULE_BY_KIND[b.kind],
                    rel,
                    f"remote code: {b.call} ({when})",
                    location=f"line {b.line}",
                    evidence=b.snippet,
                )
            )
    return findings
