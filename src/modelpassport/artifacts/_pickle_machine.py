"""The symbolic stack machine behind the pickle walker.

Each opcode is applied to a stack of *descriptions*: constants stay constants, containers
and call results become ``Node`` objects, imports become ``Ref`` objects. Nothing is
imported or called; the machine only records what ``pickle.load`` would import.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_MODULE_ALIASES = {"__builtin__": "builtins", "copy_reg": "copyreg"}
_CONSTANT_OPS = frozenset(
    {
        "INT",
        "BININT",
        "BININT1",
        "BININT2",
        "LONG",
        "LONG1",
        "LONG4",
        "STRING",
        "BINSTRING",
        "SHORT_BINSTRING",
        "BINBYTES",
        "SHORT_BINBYTES",
        "BINBYTES8",
        "BYTEARRAY8",
        "UNICODE",
        "SHORT_BINUNICODE",
        "BINUNICODE",
        "BINUNICODE8",
        "FLOAT",
        "BINFLOAT",
    }
)


class PickleFormatError(ValueError):
    """The stream is not a well-formed pickle at ``offset``."""

    def __init__(self, offset: int, message: str) -> None:
        self.offset = offset
        super().__init__(f"offset {offset}: {message}")


class PickleLimitError(PickleFormatError):
    """The walk stopped at one of its limits, not at a malformed opcode: ``pickle.load``
    would go on past ``offset``."""


@dataclass(frozen=True)
class Blob:
    """A payload too large to keep: only its length is known."""

    length: int


@dataclass(frozen=True)
class Ref:
    """A callable or class the stream imports (``module.name``)."""

    module: str
    name: str

    @property
    def qualname(self) -> str:
        """``module.name`` as a user would write it."""
        return f"{self.module}.{self.name}"


@dataclass(eq=False)
class Node:
    """A symbolic value: a container, a call result, a persistent id or something opaque.

    ``kind`` is one of tuple, list, dict, set, call, persid, opaque. Containers and call
    results may receive items (``SETITEM``/``APPEND``) and a state (``BUILD``).
    """

    kind: str
    func: object = None
    args: list[object] = field(default_factory=list)
    items: list[tuple[object, object]] = field(default_factory=list)
    state: object = None


@dataclass(frozen=True)
class PickleImport:
    """One import the stream performs, where, and by which opcode."""

    ref: Ref
    offset: int
    opcode: str


_MARK = object()


class Machine:
    """The symbolic stack machine: one instance per stream."""

    def __init__(self) -> None:
        self.stack: list[object] = []
        self.memo: dict[int, object] = {}
        self.imports: list[PickleImport] = []
        self.dynamic: list[int] = []
        self.extensions: list[tuple[int, int]] = []
        self.calls = 0
        self.protocol = 0
        self.offset = 0

    def pop(self) -> object:
        if not self.stack:
            raise PickleFormatError(self.offset, "stack underflow")
        value = self.stack.pop()
        if value is _MARK:
            raise PickleFormatError(self.offset, "unexpected MARK on the stack")
        return value

    def pop_mark(self) -> list[object]:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i] is _MARK:
                items = self.stack[i + 1 :]
                del self.stack[i:]
                return items
        raise PickleFormatError(self.offset, "no MARK on the stack")

    def top(self) -> object:
        if not self.stack or self.stack[-1] is _MARK:
            raise PickleFormatError(self.offset, "stack underflow")
        return self.stack[-1]

    def imported(self, module: str, name: str, opcode: str) -> Ref:
        ref = Ref(_MODULE_ALIASES.get(module, module), name)
        self.imports.append(PickleImport(ref, self.offset, opcode))
        return ref

    def step(self, name: str, arg: object) -> None:
        """Apply one opcode to the symbolic stack (one branch per opcode family)."""
        push = self.stack.append
        if name in _CONSTANT_OPS:
            push(arg)
        elif name in ("NONE", "NEWTRUE", "NEWFALSE"):
            push({"NONE": None, "NEWTRUE": True, "NEWFALSE": False}[name])
        elif name == "EMPTY_TUPLE":
            push(Node("tuple"))
        elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
            count = int(name[-1])
            args = [self.pop() for _ in range(count)][::-1]
            push(Node("tuple", args=args))
        elif name in ("TUPLE", "LIST", "FROZENSET"):
            push(Node(name.lower() if name != "FROZENSET" else "set", args=self.pop_mark()))
        elif name in ("EMPTY_LIST", "EMPTY_DICT", "EMPTY_SET"):
            push(Node(name[6:].lower()))
        elif name == "DICT":
            items = self.pop_mark()
            push(Node("dict", items=list(zip(items[::2], items[1::2], strict=False))))
        elif name == "APPEND":
            value = self.pop()
            _node(self.top(), self.offset).args.append(value)
        elif name in ("APPENDS", "ADDITEMS"):
            values = self.pop_mark()
            _node(self.top(), self.offset).args.extend(values)
        elif name == "SETITEM":
            value, key = self.pop(), self.pop()
            _node(self.top(), self.offset).items.append((key, value))
        elif name == "SETITEMS":
            items = self.pop_mark()
            target = _node(self.top(), self.offset)
            target.items.extend(zip(items[::2], items[1::2], strict=False))
        elif name == "POP":
            if self.stack and self.stack[-1] is _MARK:
                self.stack.pop()
            else:
                self.pop()
        elif name == "POP_MARK":
            self.pop_mark()
        elif name == "DUP":
            push(self.top())
        elif name == "MARK":
            push(_MARK)
        elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
            self.memo[_int(arg, self.offset)] = self.top()
        elif name == "MEMOIZE":
            self.memo[len(self.memo)] = self.top()
        elif name in ("GET", "BINGET", "LONG_BINGET"):
            key = _int(arg, self.offset)
            if key not in self.memo:
                raise PickleFormatError(self.offset, f"memo key {key} was never stored")
            push(self.memo[key])
        elif name in ("GLOBAL", "INST"):
            module, _, attr = str(arg).partition(" ")
            ref = self.imported(module, attr, name)
            if name == "INST":
                self.calls += 1
                push(Node("call", func=ref, args=self.pop_mark()))
            else:
                push(ref)
        elif name == "STACK_GLOBAL":
            attr_value, module_value = self.pop(), self.pop()
            if isinstance(module_value, str) and isinstance(attr_value, str):
                push(self.imported(module_value, attr_value, name))
            else:
                self.dynamic.append(self.offset)
                push(Node("opaque"))
        elif name == "OBJ":
            args = self.pop_mark()
            if not args:
                raise PickleFormatError(self.offset, "OBJ without a class")
            self.calls += 1
            push(Node("call", func=args[0], args=args[1:]))
        elif name in ("REDUCE", "NEWOBJ"):
            call_args, func = self.pop(), self.pop()
            self.calls += 1
            push(Node("call", func=func, args=_tuple_items(call_args)))
        elif name == "NEWOBJ_EX":
            _kwargs, call_args, func = self.pop(), self.pop(), self.pop()
            self.calls += 1
            push(Node("call", func=func, args=_tuple_items(call_args)))
        elif name == "BUILD":
            state = self.pop()
            built = self.top()
            if isinstance(built, Node):
                built.state = state
            self.calls += 1
        elif name == "PERSID":
            push(Node("persid", args=[arg]))
        elif name == "BINPERSID":
            push(Node("persid", args=[self.pop()]))
        elif name in ("EXT1", "EXT2", "EXT4"):
            self.extensions.append((self.offset, _int(arg, self.offset)))
            push(Node("opaque"))
        elif name == "NEXT_BUFFER":
            push(Node("opaque"))
        elif name == "PROTO":
            self.protocol = _int(arg, self.offset)
        # FRAME and READONLY_BUFFER change nothing a reader needs.


def _node(value: object, offset: int) -> Node:
    if not isinstance(value, Node):
        raise PickleFormatError(offset, f"cannot add items to a {type(value).__name__}")
    return value


def _int(value: object, offset: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PickleFormatError(offset, f"expected an integer argument, got {value!r:.40}")
    return value


def _tuple_items(value: object) -> list[object]:
    return list(value.args) if isinstance(value, Node) and value.kind == "tuple" else [value]
