"""Every chat template of the subject: folder files and GGUF metadata, judged and compared."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from modelpassport.artifacts import GGUFFile, analyse_templates, normalise_template
from modelpassport.errors import InputError
from modelpassport.passport import FindingSeverity
from modelpassport.passport.sections.scan import ScanFinding

from ._remote import read_json
from ._rules import RuleBook

_RULE_BY_KIND = {
    "escape": "MP-TPL-001",
    "instruction": "MP-TPL-002",
    "url": "MP-TPL-002",
    "default_system": "MP-TPL-002",
    "optional_instruction": "MP-TPL-002",
    "syntax": "MP-TPL-004",
}
# Template text a reviewer should see but that does not make a model unsafe to load.
_SEVERITY_BY_KIND: dict[str, FindingSeverity] = {
    "default_system": "info",
    "optional_instruction": "low",
}


@dataclass(frozen=True)
class Template:
    """One template: the file it came from, its name there, and its text."""

    file: str
    name: str
    source: str


def file_templates(rel: str, path: Path) -> list[Template]:
    """Templates in one file of a folder: ``tokenizer_config.json`` (string or list of named
    templates), ``chat_template.json`` or a ``.jinja`` file; [] for any other file.

    Raises:
        InputError: the file holds templates but could not be read as such.
    """
    if path.name in ("tokenizer_config.json", "chat_template.json"):
        data = read_json(path)
        value = data.get("chat_template") if isinstance(data, dict) else None
        if isinstance(value, str):
            return [Template(rel, "default", value)]
        found: list[Template] = []
        for item in value if isinstance(value, list) else []:
            if not (isinstance(item, dict) and isinstance(item.get("template"), str)):
                raise InputError(path, "expected chat_template entries with 'template'")
            found.append(Template(rel, str(item.get("name", "default")), item["template"]))
        return found
    if path.suffix == ".jinja":
        if path.stat().st_size > 1 << 20:
            raise InputError(path, "expected a chat template under 1 MiB")
        name = "default" if path.name == "chat_template.jinja" else path.stem
        return [Template(rel, name, path.read_text("utf-8", "replace"))]
    return []


def gguf_templates(rel: str, gguf: GGUFFile) -> list[Template]:
    """Every template in a GGUF file's metadata (default and named)."""
    return [Template(rel, name, text) for name, text in gguf.chat_templates().items()]


def judge_templates(book: RuleBook, templates: list[Template]) -> list[ScanFinding]:
    """Findings for each template, plus a mismatch when a GGUF's default template differs
    from the folder's default template."""
    findings: list[ScanFinding] = []
    analysed = analyse_templates([tpl.source for tpl in templates])
    for tpl, issues in zip(templates, analysed, strict=True):
        for issue in issues:
            where = f"template {tpl.name}" + (f" line {issue.line}" if issue.line else "")
            if issue.kind == "unread":
                findings.append(
                    book.unread(
                        tpl.file,
                        f"chat template {tpl.name!r}: {issue.detail}",
                        location=where,
                        evidence=issue.evidence,
                    )
                )
                continue
            severity = _SEVERITY_BY_KIND.get(issue.kind)
            findings.append(
                book.finding(
                    _RULE_BY_KIND[issue.kind],
                    tpl.file,
                    f"chat template {tpl.name!r}: {issue.detail}",
                    location=where,
                    evidence=issue.evidence,
                    severity=severity,
                )
            )
    defaults = [t for t in templates if t.name == "default"]
    in_gguf = [t for t in defaults if t.file.endswith(".gguf")]
    in_folder = [t for t in defaults if not t.file.endswith(".gguf")]
    for gguf in in_gguf:
        for folder in in_folder:
            if normalise_template(gguf.source) != normalise_template(folder.source):
                findings.append(
                    book.finding(
                        "MP-TPL-003",
                        gguf.file,
                        f"GGUF chat template differs from {folder.file}",
                        location="template default",
                        evidence=f"{gguf.file} != {folder.file}",
                    )
                )
    return findings
