"""Walk a pickle's opcodes without executing them.

``pickle.load`` runs whatever callables the stream imports, so a pickle is read here as
data: every opcode is decoded (reusing the stdlib's ``pickletools`` opcode table, which
never executes anything) and interpreted on a *symbolic* stack whose values are
descriptions, not objects. That is enough to name every callable the stream would import
(including ``STACK_GLOBAL`` names assembled from strings and memo entries) and, for
PyTorch checkpoints, to read tensor names, shapes and storage keys.

Memory and time are bounded: payloads above ``max_blob`` bytes are skipped, not read;
newline-terminated arguments are capped; the walk stops after ``max_ops`` opcodes.
"""

from __future__ import annotations

import math
import pickletools
import warnings
from dataclasses import dataclass, replace
from typing import IO, TypeGuard

from ._pickle_machine import (
    Blob,
    Machine,
    Node,
    PickleFormatError,
    PickleImport,
    PickleLimitError,
    Ref,
)

# Values larger than this are skipped and described by their length only.
MAX_BLOB = 1 << 20
MAX_LINE = 1 << 16
MAX_OPS = 5_000_000
# Payload bytes kept per stream (names, small strings); beyond it payloads become Blobs.
MAX_KEPT = 64 << 20
MAX_STREAMS = 8

_OPCODES = {op.code: op for op in pickletools.opcodes}
# Length-prefixed arguments: (bytes of the length, signed, kind of payload).
_PREFIXED: dict[str, tuple[int, bool, str]] = {
    "string4": (4, True, "latin1"),
    "bytes4": (4, False, "bytes"),
    "bytes8": (8, False, "bytes"),
    "bytearray8": (8, False, "bytes"),
    "unicodestring4": (4, False, "utf8"),
    "unicodestring8": (8, False, "utf8"),
    "long4": (4, True, "long"),
}


@dataclass(frozen=True)
class PickleWalk:
    """What a walk of one pickle stream found.

    ``error`` is set when the walk stopped early; what was found before the error is kept,
    because ``pickle.load`` would have executed it before failing. ``at_limit`` says the
    walk stopped at one of its own limits (opcodes, streams), so ``pickle.load`` would have
    gone on reading what the walk did not.
    """

    imports: tuple[PickleImport, ...]
    dynamic_imports: tuple[int, ...]
    extensions: tuple[tuple[int, int], ...]
    calls: int
    protocol: int
    opcodes: int
    end: int
    root: object
    error: str | None
    at_limit: bool = False


class _Source:
    """A bounded reader over a binary stream, shaped like what ``pickletools`` readers use."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self.stream = stream
        self._limit = limit
        self.seekable = stream.seekable()
        self.base = stream.tell() if self.seekable else 0
        self.pos = 0
        self.kept = 0

    def read(self, n: int) -> bytes:
        data = self.stream.read(n)
        self.pos += len(data)
        return data

    def readline(self) -> bytes:
        line = self.stream.readline(self._limit)
        self.pos += len(line)
        return line

    def skip(self, n: int) -> None:
        left = n
        while left > 0:
            chunk = self.stream.read(min(left, 1 << 20))
            if not chunk:
                raise PickleFormatError(self.pos, f"payload of {n} bytes runs past the end")
            self.pos += len(chunk)
            left -= len(chunk)


def _read_arg(src: _Source, desc: pickletools.ArgumentDescriptor, max_blob: int) -> object:
    prefixed = _PREFIXED.get(desc.name)
    if prefixed is None:
        try:
            with warnings.catch_warnings():
                # Protocol-0 strings with unknown escapes warn; the walker reports, not warns.
                warnings.simplefilter("ignore", DeprecationWarning)
                return desc.reader(src)  # type: ignore[arg-type]
        except (ValueError, UnicodeDecodeError) as exc:
            raise PickleFormatError(src.pos, f"bad {desc.name} argument ({exc})") from None
    width, signed, payload = prefixed
    raw = src.read(width)
    if len(raw) != width:
        raise PickleFormatError(src.pos, f"{desc.name} length runs past the end")
    length = int.from_bytes(raw, "little", signed=signed)
    if length < 0:
        raise PickleFormatError(src.pos, f"negative {desc.name} length {length}")
    if length > max_blob or length + src.kept > MAX_KEPT or (payload == "long" and length > 4096):
        src.skip(length)
        return Blob(length)
    src.kept += length
    data = src.read(length)
    if len(data) != length:
        raise PickleFormatError(src.pos, f"{desc.name} payload runs past the end")
    if payload == "utf8":
        try:
            return data.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError as exc:
            raise PickleFormatError(src.pos, f"bad {desc.name} argument ({exc})") from None
    if payload == "latin1":
        return data.decode("latin-1")
    if payload == "long":
        return int.from_bytes(data, "little", signed=True)
    return data


def walk_pickle(
    stream: IO[bytes], *, max_ops: int = MAX_OPS, max_blob: int = MAX_BLOB
) -> PickleWalk:
    """Walk one pickle from the stream's current position up to and including STOP.

    Why: this is what ``pickle.load`` would do, minus the execution; the result names
    every import so a judge can compare them with an allowlist.
    """
    src = _Source(stream, MAX_LINE)
    start = src.base
    machine = Machine()
    ops = 0
    root: object = None
    error: str | None = None
    at_limit = False
    try:
        while True:
            machine.offset = start + src.pos
            code = src.read(1)
            if not code:
                raise PickleFormatError(machine.offset, "stream ends before STOP")
            op = _OPCODES.get(code.decode("latin-1"))
            if op is None:
                raise PickleFormatError(machine.offset, f"unknown opcode {code!r}")
            ops += 1
            if ops > max_ops:
                raise PickleLimitError(machine.offset, f"more than {max_ops} opcodes")
            arg = _read_arg(src, op.arg, max_blob) if op.arg is not None else None
            if op.name == "STOP":
                root = machine.pop()
                break
            machine.step(op.name, arg)
            if op.name == "BUILD" and _is_joblib_array(machine.stack[-1]):
                _skip_joblib_array(machine, src, machine.stack[-1], max_ops)
    except PickleFormatError as exc:
        error, at_limit = str(exc), isinstance(exc, PickleLimitError)
    return PickleWalk(
        imports=tuple(machine.imports),
        dynamic_imports=tuple(machine.dynamic),
        extensions=tuple(machine.extensions),
        calls=machine.calls,
        protocol=machine.protocol,
        opcodes=ops,
        end=start + src.pos,
        root=root,
        error=error,
        at_limit=at_limit,
    )


def _is_joblib_array(value: object) -> TypeGuard[Node]:
    return (
        isinstance(value, Node)
        and value.kind == "call"
        and value.func == Ref("joblib.numpy_pickle", "NumpyArrayWrapper")
    )


def _state(node: Node, key: str) -> object:
    state = node.state
    if isinstance(state, Node):
        for k, v in state.items:
            if k == key:
                return v
    return None


def _skip_joblib_array(machine: Machine, src: _Source, wrapper: Node, max_ops: int) -> None:
    """Step over the array joblib writes right after a NumpyArrayWrapper is built.

    joblib stores array bytes inline in the file (not in the pickle): raw bytes after an
    optional padding-length byte, or, for object arrays, a nested pickle, which is walked
    and whose imports count as this stream's.
    """
    dtype = _state(wrapper, "dtype")
    code = dtype.args[0] if isinstance(dtype, Node) and dtype.args else None
    shape = _state(wrapper, "shape")
    dims = [d for d in shape.args if isinstance(d, int)] if isinstance(shape, Node) else []
    if (
        not isinstance(code, str)
        or not isinstance(shape, Node)
        or len(dims) != len(shape.args)
        or any(d < 0 for d in dims)
    ):
        raise PickleFormatError(machine.offset, "joblib array without a readable dtype/shape")
    if code.lstrip("<>|=").startswith("O"):
        nested = walk_pickle(src.stream, max_ops=max_ops)
        src.pos = nested.end - src.base if src.seekable else src.pos + nested.end
        machine.imports.extend(nested.imports)
        machine.dynamic.extend(nested.dynamic_imports)
        machine.extensions.extend(nested.extensions)
        if nested.error:
            error = PickleLimitError if nested.at_limit else PickleFormatError
            raise error(nested.end, f"joblib object array: {nested.error}")
        return
    import numpy  # a core dependency, imported only for joblib files

    try:
        itemsize = numpy.dtype(code).itemsize
    except (TypeError, ValueError):
        raise PickleFormatError(machine.offset, f"joblib array with dtype {code!r}") from None
    if isinstance(_state(wrapper, "numpy_array_alignment_bytes"), int):
        pad = src.read(1)
        if len(pad) != 1:
            raise PickleFormatError(src.pos, "joblib padding byte runs past the end")
        src.skip(pad[0])
    src.skip(itemsize * math.prod(dims))


def walk_pickles(stream: IO[bytes], *, max_ops: int = MAX_OPS) -> list[PickleWalk]:
    """Walk consecutive pickles (legacy ``torch.save`` writes several back to back).

    Why: a loader that calls ``pickle.load`` repeatedly executes each stream in turn, so
    a payload hidden in a second stream must be seen. A following stream is walked only if
    it starts with a PROTO opcode (protocol 2-5), since raw tensor bytes may follow. The
    stream need not be seekable if it can ``peek`` (decompressing readers).
    """
    walks = [walk_pickle(stream, max_ops=max_ops)]
    while walks[-1].error is None:
        head = _peek(stream, 2)
        if len(head) < 2 or head[0] != 0x80 or not 2 <= head[1] <= 5:
            break
        if len(walks) == MAX_STREAMS:
            # Another stream follows that a loader calling pickle.load again would run.
            last = walks[-1]
            walks[-1] = replace(
                last, error=f"more than {MAX_STREAMS} pickle streams", at_limit=True
            )
            break
        walks.append(walk_pickle(stream, max_ops=max_ops))
    return walks


def _peek(stream: IO[bytes], n: int) -> bytes:
    """The next ``n`` bytes without consuming them (buffered readers peek; others seek)."""
    peek = getattr(stream, "peek", None)
    if peek is not None:
        return bytes(peek(n)[:n])
    here = stream.tell()
    data = stream.read(n)
    stream.seek(here)
    return data
