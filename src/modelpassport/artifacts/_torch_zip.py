"""PyTorch checkpoints (``torch.save``), read without torch and without unpickling.

A modern checkpoint is a zip holding ``<name>/data.pkl`` (the object graph as a pickle)
and ``<name>/data/<key>`` (raw storages). Older ones are several pickles back to back
followed by raw storage bytes. Both are walked with ``walk_pickle``; tensor names,
shapes and dtypes are read from the symbolic graph (``_rebuild_tensor_v2`` calls whose
persistent id names the storage), so identity checks can compare tensors by metadata.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from modelpassport.errors import InputError

from ._archive import ARCHIVE_ERRORS
from ._pickle import PickleWalk, walk_pickle, walk_pickles
from ._pickle_machine import Node, Ref

# A pickle member larger than this is not a checkpoint's object graph.
MAX_PICKLE_MEMBER = 512 << 20
MAX_DEPTH = 64

_REBUILD = {"_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3"}
_WRAPPERS = {"_rebuild_parameter", "_rebuild_parameter_with_state"}
_STORAGE_DTYPES = {
    "DoubleStorage": "F64",
    "FloatStorage": "F32",
    "HalfStorage": "F16",
    "BFloat16Storage": "BF16",
    "LongStorage": "I64",
    "IntStorage": "I32",
    "ShortStorage": "I16",
    "CharStorage": "I8",
    "ByteStorage": "U8",
    "BoolStorage": "BOOL",
    "ComplexFloatStorage": "C64",
    "ComplexDoubleStorage": "C128",
    "Float8_e4m3fnStorage": "F8_E4M3",
    "Float8_e5m2Storage": "F8_E5M2",
}


@dataclass(frozen=True)
class TensorInfo:
    """A tensor as the checkpoint describes it: nothing of its data is read."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    storage: str
    offset: int


@dataclass(frozen=True)
class TorchCheckpoint:
    """The object-graph pickles of a checkpoint, where they live, and the tensors found."""

    path: Path
    layout: str  # "zip" or "legacy"
    pickles: tuple[tuple[str, PickleWalk], ...]
    members: tuple[str, ...]
    tensors: tuple[TensorInfo, ...]


def is_zip(path: Path) -> bool:
    """True when the file starts with a zip local-file header."""
    with path.open("rb") as fh:
        return fh.read(4) == b"PK\x03\x04"


def read_torch_checkpoint(path: Path) -> TorchCheckpoint:
    """Walk every pickle of a ``torch.save`` file (zip or legacy) and list its tensors.

    Why: identity compares checkpoints by tensor metadata, and the scan judges each
    pickle's imports; both come from one walk that never executes the file.

    Raises:
        InputError: the file is not a readable zip or pickle.
    """
    if is_zip(path):
        return _read_zip(path)
    with path.open("rb") as fh:
        walks = walk_pickles(fh)
    pickles = tuple((f"stream {i}", w) for i, w in enumerate(walks))
    return TorchCheckpoint(path, "legacy", pickles, (), _tensors_of(w for _, w in pickles))


def _read_zip(path: Path) -> TorchCheckpoint:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            pickles: list[tuple[str, PickleWalk]] = []
            for info in infos:
                if not info.filename.endswith(".pkl"):
                    continue
                if info.file_size > MAX_PICKLE_MEMBER:
                    raise InputError(
                        path,
                        f"member {info.filename} is {info.file_size} bytes; "
                        "expected a pickle under 512 MiB",
                    )
                with zf.open(info) as member:
                    pickles.append((info.filename, walk_pickle(member)))
    except ARCHIVE_ERRORS as exc:
        raise InputError(path, f"expected a readable zip archive ({exc})") from None
    members = tuple(i.filename for i in infos)
    graph = [w for name, w in pickles if name.endswith("/data.pkl") or name == "data.pkl"]
    return TorchCheckpoint(path, "zip", tuple(pickles), members, _tensors_of(graph))


def _tensors_of(walks: Iterable[PickleWalk]) -> tuple[TensorInfo, ...]:
    found: list[TensorInfo] = []
    seen: set[int] = set()
    for walk in walks:
        _collect(walk.root, "", found, seen, 0)
    return tuple(found)


def _collect(value: object, prefix: str, out: list[TensorInfo], seen: set[int], depth: int) -> None:
    if not isinstance(value, Node) or id(value) in seen or depth > MAX_DEPTH:
        return
    seen.add(id(value))
    tensor = _as_tensor(value, prefix)
    if tensor is not None:
        out.append(tensor)
        return
    for key, item in value.items:
        name = f"{prefix}.{key}" if prefix else str(key)
        _collect(item, name, out, seen, depth + 1)
    if isinstance(value.state, Node):
        _collect(value.state, prefix, out, seen, depth + 1)


def _as_tensor(node: Node, name: str) -> TensorInfo | None:
    func = node.func
    if node.kind != "call" or not isinstance(func, Ref) or func.module != "torch._utils":
        return None
    if func.name in _WRAPPERS and node.args and isinstance(node.args[0], Node):
        return _as_tensor(node.args[0], name)
    if func.name not in _REBUILD or len(node.args) < 3:
        return None
    storage, offset, size = node.args[0], node.args[1], node.args[2]
    if not isinstance(storage, Node) or storage.kind != "persid" or not storage.args:
        return None
    pid = storage.args[0]
    if not isinstance(pid, Node) or len(pid.args) < 3:
        return None
    storage_type, key = pid.args[1], pid.args[2]
    dtype = (
        _STORAGE_DTYPES.get(storage_type.name, storage_type.name)
        if isinstance(storage_type, Ref)
        else "unknown"
    )
    shape = tuple(v for v in size.args if isinstance(v, int)) if isinstance(size, Node) else ()
    return TensorInfo(
        name=name,
        shape=shape,
        dtype=dtype,
        storage=str(key),
        offset=offset if isinstance(offset, int) else 0,
    )
