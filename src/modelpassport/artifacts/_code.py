"""What a Python file would do if imported or called, read from its syntax tree.

Remote code (``auto_map``) is imported by ``trust_remote_code=True``. Reading its AST
answers the reviewer's questions without running it: does it start processes, talk to
the network, write files outside the model folder, evaluate code it builds at run time,
or load native libraries? Each behaviour says whether it happens on import (module or
class body) or only when a function is called.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

MAX_SOURCE_BYTES = 4 << 20

# Calls by resolved dotted name: exact, "pkg." for a package, "name*" for a name prefix.
_PROCESS = (
    "os.system",
    "os.popen",
    "os.exec*",
    "os.spawn*",
    "os.fork*",
    "os.posix_spawn*",
    "os.startfile",
    "subprocess.",
    "pty.spawn",
    "commands.",
    "asyncio.create_subprocess*",
    "multiprocessing.Process",
    "platform.popen",
)
_NETWORK = (
    "socket.",
    "urllib.request.",
    "urllib2.",
    "http.client.",
    *(
        f"{lib}.{verb}"
        for lib in ("requests", "httpx")
        for verb in (
            "get",
            "post",
            "put",
            "patch",
            "delete",
            "head",
            "options",
            "request",
            "stream",
            "Session",
            "Client",
            "AsyncClient",
        )
    ),
    "aiohttp.",
    "urllib3.",
    "ftplib.",
    "smtplib.",
    "telnetlib.",
    "websocket.",
    "websockets.",
    "paramiko.",
    "huggingface_hub.hf_hub_download",
    "huggingface_hub.snapshot_download",
    "torch.hub.",
    "wget.",
)
_DYNAMIC = (
    "eval",
    "exec",
    "compile",
    "__import__",
    "builtins.eval",
    "builtins.exec",
    "builtins.compile",
    "builtins.__import__",
    "importlib.import_module",
    "importlib.util.spec_from_file_location",
    "importlib.util.module_from_spec",
    "importlib.__import__",
    "marshal.loads",
    "marshal.load",
    "pickle.loads",
    "pickle.load",
    "dill.load",
    "dill.loads",
    "cloudpickle.load",
    "types.FunctionType",
    "types.CodeType",
    "runpy.",
    "code.interact",
    "code.InteractiveInterpreter",
)
# Calls that import a module by name; judged by the name they are given.
_IMPORTERS = frozenset(
    {"__import__", "builtins.__import__", "importlib.import_module", "importlib.__import__"}
)
_RISKY_MODULES = frozenset(
    {
        "os",
        "posix",
        "nt",
        "subprocess",
        "sys",
        "socket",
        "ctypes",
        "cffi",
        "shutil",
        "pty",
        "builtins",
        "importlib",
        "runpy",
        "marshal",
        "pickle",
        "code",
        "urllib",
        "http",
        "requests",
    }
)
_NATIVE = ("ctypes.", "cffi.", "_ctypes.")
_WRITE_CALLS = (
    "os.remove",
    "os.unlink",
    "os.rename",
    "os.replace",
    "os.rmdir",
    "os.removedirs",
    "os.makedirs",
    "os.mkdir",
    "os.chmod",
    "os.chown",
    "os.symlink",
    "os.link",
    "os.truncate",
    "shutil.rmtree",
    "shutil.move",
    "shutil.copy",
    "shutil.copyfile",
    "shutil.copytree",
    "shutil.copy2",
)
# Method names that write whatever object they are called on (pathlib-style); names that
# strings also have (replace, rename-like) are left to the module-level calls above.
_WRITE_METHODS = frozenset(
    {"write_text", "write_bytes", "unlink", "rmdir", "touch", "symlink_to", "hardlink_to"}
)
_NATIVE_MODULES = frozenset({"ctypes", "_ctypes", "cffi"})


@dataclass(frozen=True)
class CodeBehaviour:
    """One thing the code does: ``kind`` is process, network, file_write, dynamic_code or
    native; ``on_import`` is True when it runs as soon as the module is imported."""

    kind: str
    line: int
    call: str
    on_import: bool
    snippet: str


class CodeParseError(ValueError):
    """The source is not Python this analyser can read."""


def _matches(name: str, table: tuple[str, ...]) -> bool:
    return any(name.startswith(t.rstrip("*")) if t[-1] in ".*" else name == t for t in table)


class _Visitor(ast.NodeVisitor):
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.aliases: dict[str, str] = {}
        self.found: list[CodeBehaviour] = []
        self.depth = 0  # >0 inside a function body

    def _add(self, kind: str, node: ast.expr | ast.stmt, call: str) -> None:
        line = node.lineno
        snippet = self.lines[line - 1].strip()[:200] if 0 < line <= len(self.lines) else ""
        self.found.append(CodeBehaviour(kind, line, call, self.depth == 0, snippet))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.aliases[(alias.asname or alias.name).split(".")[0]] = (
                alias.name if alias.asname else alias.name.split(".")[0]
            )
            if alias.name.split(".")[0] in _NATIVE_MODULES:
                self._add("native", node, f"import {alias.name}")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            full = f"{module}.{alias.name}" if node.level == 0 else alias.name
            if node.level == 0:
                self.aliases[alias.asname or alias.name] = full
            if module.split(".")[0] in _NATIVE_MODULES:
                self._add("native", node, f"from {module} import {alias.name}")

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        # Decorators and default values run at definition time; the body runs on call.
        if not isinstance(node, ast.Lambda):
            for deco in node.decorator_list:
                self.visit(deco)
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default)
        self.depth += 1
        for stmt in node.body if isinstance(node.body, list) else [node.body]:
            self.visit(stmt)
        self.depth -= 1

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function
    visit_Lambda = _function

    def resolve(self, expr: ast.expr) -> str | None:
        parts: list[str] = []
        while isinstance(expr, ast.Attribute):
            parts.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return None
        head = self.aliases.get(expr.id, expr.id)
        return ".".join([head, *reversed(parts)])

    def visit_Call(self, node: ast.Call) -> None:
        name = self.resolve(node.func)
        if name is not None:
            self._judge_call(node, name)
        elif isinstance(node.func, ast.Attribute) and node.func.attr in _WRITE_METHODS:
            self._add("file_write", node, f".{node.func.attr}()")
        self.generic_visit(node)

    def _judge_call(self, node: ast.Call, name: str) -> None:
        if _matches(name, _PROCESS):
            self._add("process", node, name)
        elif _matches(name, _NETWORK):
            self._add("network", node, name)
        elif name in _IMPORTERS:
            if _imports_risky_module(node):
                self._add("dynamic_code", node, name)
        elif _matches(name, _DYNAMIC):
            self._add("dynamic_code", node, name)
        elif _matches(name, _NATIVE):
            self._add("native", node, name)
        elif name in ("getattr", "builtins.getattr") and self._computed_module_attr(node):
            self._add("dynamic_code", node, "getattr(<computed name>)")
        elif _is_write(node, name) and not _inside_model_folder(
            node.args[0] if node.args else None
        ):
            self._add("file_write", node, name)

    def _computed_module_attr(self, node: ast.Call) -> bool:
        """``getattr(module, <computed>)``: reaching a module's functions by a built name
        (``getattr(self, name)`` on the model's own objects is ordinary code)."""
        if len(node.args) < 2 or isinstance(node.args[1], ast.Constant):
            return False
        target = node.args[0]
        return isinstance(target, ast.Name) and (
            target.id in self.aliases or target.id in ("__builtins__", "builtins")
        )


def _imports_risky_module(node: ast.Call) -> bool:
    """An import by call is flagged unless it names, as a constant, a module that is not
    itself a way to run code (``import_module("flash_attn")`` is an ordinary import)."""
    if not node.args or not isinstance(node.args[0], ast.Constant):
        return True
    module = node.args[0].value
    return not isinstance(module, str) or module.split(".")[0] in _RISKY_MODULES


def _is_write(node: ast.Call, name: str) -> bool:
    if name in ("open", "io.open", "builtins.open", "codecs.open"):
        return _writes(node)
    return _matches(name, _WRITE_CALLS) or name.split(".")[-1] in _WRITE_METHODS


def _writes(node: ast.Call) -> bool:
    mode: ast.expr | None = node.args[1] if len(node.args) > 1 else None
    for kw in node.keywords:
        if kw.arg == "mode":
            mode = kw.value
    if mode is None:
        return False
    if isinstance(mode, ast.Constant) and isinstance(mode.value, str):
        return any(c in mode.value for c in "wax+")
    return True  # a computed mode may write


def _inside_model_folder(path: ast.expr | None) -> bool:
    """A path built from ``__file__`` stays in the model folder unless it climbs out."""
    if path is None:
        return False
    uses_file = any(isinstance(n, ast.Name) and n.id == "__file__" for n in ast.walk(path))
    climbs = any(
        isinstance(n, ast.Constant) and isinstance(n.value, str) and ".." in n.value
        for n in ast.walk(path)
    )
    return uses_file and not climbs


def analyse_code(source: bytes, *, filename: str = "<remote code>") -> list[CodeBehaviour]:
    """List what ``source`` would do, in line order, without importing it.

    Raises:
        CodeParseError: the source is too large or not valid Python.
    """
    if len(source) > MAX_SOURCE_BYTES:
        raise CodeParseError(f"larger than {MAX_SOURCE_BYTES} bytes")
    try:
        tree = ast.parse(source, filename=filename)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise CodeParseError(f"not valid Python ({type(exc).__name__}: {exc})") from None
    text = source.decode("utf-8", "replace").splitlines()
    visitor = _Visitor(text)
    try:
        visitor.visit(tree)
    except RecursionError:
        raise CodeParseError("nesting too deep to analyse") from None
    return sorted(visitor.found, key=lambda b: (b.line, b.kind, b.call))


def relative_imports(source: bytes) -> list[str]:
    """Module names imported relatively (``from .x import y``): files transformers fetches
    with the remote code, so they must be analysed too."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    found = [
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
    ]
    return sorted(set(found))
