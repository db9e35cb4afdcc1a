"""Chat templates read as Jinja syntax trees, and judged by what they render.

A chat template is code that runs on every conversation. Two things matter to a reviewer:
whether it reaches for Python internals (the classic sandbox escapes go through dunder
attributes and the globals of helper objects), and what text it writes into the prompt
that the user never typed. The syntax tree answers both for literal text; text assembled at
render time is judged from sandboxed renderings (``_render``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from jinja2 import nodes
from jinja2.exceptions import TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ._render import Rendering, added_text, render_templates

# Templates larger than this are not chat templates; parsing them is refused.
MAX_TEMPLATE_CHARS = 256 * 1024
# Emitted literal text with at least this many words is treated as an instruction.
MIN_INSTRUCTION_WORDS = 6
MIN_INSTRUCTION_CJK = 8

# Globals whose attributes lead to Python internals (helper objects and their __init__).
_RISKY_GLOBALS = frozenset(
    {
        "cycler",
        "joiner",
        "namespace",
        "lipsum",
        "self",
        "range",
        "dict",
        "config",
        "request",
        "url_for",
        "get_flashed_messages",
    }
)
_INTERNAL_ATTRS = frozenset(
    {
        "mro",
        "func_globals",
        "gi_frame",
        "gi_code",
        "f_globals",
        "f_locals",
        "f_back",
        "tb_frame",
        "cr_frame",
        "co_code",
        "_TemplateReference__context",
        "environment",
        "globals",
    }
)
# Variables a caller sets to opt in to extra prompt text (tool schemas, retrieved documents,
# thinking modes): text guarded by them is shown to reviewers at low severity.
_OPT_IN = frozenset(
    {
        "tools",
        "custom_tools",
        "builtin_tools",
        "tools_in_user_message",
        "documents",
        "enable_thinking",
        "thinking",
        "reasoning_effort",
        "xml_tools",
        "python_tools",
    }
)
_DUNDER = re.compile(r"__\w+__")
_URL = re.compile(r"(?i)\b(?:https?|ftp)://[^\s'\"<>]+|\bwww\.[a-z0-9-]+\.[a-z]{2,}")
_SPECIAL = re.compile(r"<[^<>]{0,64}>|\[/?[A-Z_]{2,}\]")
_WORD = re.compile(r"[A-Za-z]{2,}")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class TemplateIssue:
    """One concern in a template: ``kind`` is escape, instruction, optional_instruction,
    url, default_system, syntax or unread (past a limit); ``line`` is the template line it
    starts on, 0 for what a rendering showed."""

    kind: str
    line: int
    evidence: str
    detail: str


def _environment() -> ImmutableSandboxedEnvironment:
    # The same extension Hugging Face enables, so real templates parse as they do there.
    return ImmutableSandboxedEnvironment(extensions=["jinja2.ext.loopcontrols"])


def analyse_templates(sources: list[str]) -> list[list[TemplateIssue]]:
    """Every template's issues from its syntax tree and from its sandboxed renderings.

    Why: literal text is judged where it stands; text built at render time only shows in
    the rendered prompt. All templates render in one bounded child process.
    """
    trees = [analyse_template(src) for src in sources]
    parsed = [i for i, issues in enumerate(trees) if not _unparsed(issues)]
    renderings = render_templates([sources[i] for i in parsed])
    for i, rendering in zip(parsed, renderings, strict=True):
        trees[i] = sorted(
            [*trees[i], *_rendered_issues(rendering, trees[i])],
            key=lambda t: (t.line, t.kind, t.evidence),
        )
    return trees


def _unparsed(issues: list[TemplateIssue]) -> bool:
    return any(i.kind in ("syntax", "unread") for i in issues)


def _rendered_issues(rendering: Rendering, known: list[TemplateIssue]) -> list[TemplateIssue]:
    if rendering.status == "escape":
        return [
            TemplateIssue(
                "escape",
                0,
                rendering.detail,
                "rendering it in the sandbox was stopped at an unsafe access",
            )
        ]
    if rendering.status != "ok":
        return [TemplateIssue("unread", 0, rendering.detail, "rendering hit a limit")]
    seen = [i.evidence for i in known]
    found: dict[str, TemplateIssue] = {}
    for text in rendering.texts:
        for piece in added_text(text, seen):
            for issue in _judge_rendered(piece):
                found.setdefault(issue.evidence, issue)
    return list(found.values())


def _judge_rendered(piece: str) -> Iterator[TemplateIssue]:
    # A line reads as an instruction on its own; a whole piece needs twice the words, so a
    # header of short structural lines (dates, role names) is not taken for one.
    for url in _URL.findall(piece):
        yield TemplateIssue("url", 0, url, "renders a URL into the prompt")
    lines = [_SPECIAL.sub(" ", line) for line in piece.splitlines()]
    longest = max((_size(line) for line in lines), default=(0, 0))
    total = _size(" ".join(lines))
    if (
        longest[0] >= MIN_INSTRUCTION_WORDS
        or longest[1] >= MIN_INSTRUCTION_CJK
        or total[0] >= 2 * MIN_INSTRUCTION_WORDS
        or total[1] >= 2 * MIN_INSTRUCTION_CJK
    ):
        yield TemplateIssue(
            "instruction",
            0,
            " ".join(piece.split()),
            "renders this text (assembled at render time) into conversations the user did "
            "not write",
        )


def _size(text: str) -> tuple[int, int]:
    return len(_WORD.findall(text)), len(_CJK.findall(text))


def analyse_template(source: str) -> list[TemplateIssue]:
    """Parse ``source`` and list sandbox-escape patterns and injected literal text.

    Why: a template runs inside every request. Parsing shows what it can reach and what
    literal text it adds to prompts without running it (``analyse_templates`` adds what
    its renderings show).
    """
    if len(source) > MAX_TEMPLATE_CHARS:
        return [
            TemplateIssue(
                "unread",
                1,
                f"{len(source)} characters",
                f"longer than {MAX_TEMPLATE_CHARS} characters",
            )
        ]
    try:
        tree = _environment().parse(source)
        issues = [*_escapes(tree), *_injected_text(tree, ())]
    except TemplateSyntaxError as exc:
        return [TemplateIssue("syntax", exc.lineno or 1, str(exc.message), "not valid Jinja")]
    except RecursionError:
        return [TemplateIssue("unread", 1, "nesting too deep", "nested past the parser's limit")]
    return sorted(issues, key=lambda i: (i.line, i.kind, i.evidence))


def _escapes(tree: nodes.Node) -> Iterator[TemplateIssue]:
    for node in tree.find_all(
        (
            nodes.Getattr,
            nodes.Getitem,
            nodes.Const,
            nodes.Filter,
            nodes.Import,
            nodes.FromImport,
            nodes.Include,
            nodes.Extends,
        )
    ):
        line = node.lineno
        if isinstance(node, nodes.Import | nodes.FromImport | nodes.Include | nodes.Extends):
            yield TemplateIssue(
                "escape", line, type(node).__name__.lower(), "loads another template"
            )
        elif isinstance(node, nodes.Getattr):
            base = node.node
            if _DUNDER.fullmatch(node.attr) or node.attr in _INTERNAL_ATTRS:
                yield TemplateIssue("escape", line, f".{node.attr}", "reaches Python internals")
            elif isinstance(base, nodes.Name) and base.name in _RISKY_GLOBALS:
                yield TemplateIssue(
                    "escape",
                    line,
                    f"{base.name}.{node.attr}",
                    "reads attributes of a helper object",
                )
        elif isinstance(node, nodes.Const) and isinstance(node.value, str):
            if _DUNDER.search(node.value):
                yield TemplateIssue(
                    "escape", line, repr(node.value)[:80], "names a Python dunder attribute"
                )
        elif isinstance(node, nodes.Filter) and node.name == "attr":
            args = node.args
            if not args or not isinstance(args[0], nodes.Const):
                yield TemplateIssue(
                    "escape", line, "|attr(<computed>)", "reads an attribute whose name is computed"
                )


def _emitted(node: nodes.Output) -> Iterator[tuple[int, str]]:
    for child in node.nodes:
        if isinstance(child, nodes.TemplateData):
            yield child.lineno, child.data
        else:
            consts = [child] if isinstance(child, nodes.Const) else child.find_all(nodes.Const)
            for const in consts:
                if isinstance(const.value, str):
                    yield const.lineno, const.value


def _mentions_system(test: nodes.Node) -> bool:
    return any(isinstance(c.value, str) and c.value == "system" for c in test.find_all(nodes.Const))


def _opt_in(test: nodes.Node) -> bool:
    names = {n.name for n in test.find_all(nodes.Name)} | {
        a.attr for a in test.find_all(nodes.Getattr)
    }
    return bool(names & _OPT_IN)


def _injected_text(node: nodes.Node, conditions: tuple[nodes.Node, ...]) -> Iterator[TemplateIssue]:
    if isinstance(node, nodes.Output):
        if any(_mentions_system(test) for test in conditions):
            when = "default_system"
        elif any(_opt_in(test) for test in conditions):
            when = "optional_instruction"
        else:
            when = "instruction"
        for line, text in _emitted(node):
            yield from _judge_text(line, text, when)
        return
    if isinstance(node, nodes.If):
        for child in node.body:
            yield from _injected_text(child, (*conditions, node.test))
        for elif_ in node.elif_:
            yield from _injected_text(elif_, (*conditions, node.test))
        for child in node.else_:
            yield from _injected_text(child, (*conditions, node.test))
        return
    for child in node.iter_child_nodes():
        yield from _injected_text(child, conditions)


_DETAILS = {
    "default_system": "default system prompt, used only when the user gives none",
    "optional_instruction": "writes this text when the caller opts in (tools, documents, ...)",
    "instruction": "writes this text into conversations the user did not write",
}


def _judge_text(line: int, text: str, kind: str) -> Iterator[TemplateIssue]:
    for url in _URL.findall(text):
        yield TemplateIssue("url", line, url, "writes a URL into the prompt")
    prose = _SPECIAL.sub(" ", text)
    words = len(_WORD.findall(prose))
    cjk = len(_CJK.findall(prose))
    if words < MIN_INSTRUCTION_WORDS and cjk < MIN_INSTRUCTION_CJK:
        return
    yield TemplateIssue(kind, line, " ".join(text.split()), _DETAILS[kind])


def normalise_template(source: str) -> str:
    """Whitespace-insensitive form, for comparing two copies of one template."""
    return " ".join(source.split())
