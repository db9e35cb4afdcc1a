"""Build real model files, clean and hostile, without torch, numpy pickles or network.

Pickles are written by the stdlib's pure-Python pickler with one change: objects of
``Call``/``Global`` are written as the imports and calls a real ``torch.save`` (or an
attacker) would write, even when the named module is not installed here. Nothing built
here is ever loaded.
"""

from __future__ import annotations

import io
import json
import pickle
import struct
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Global:
    """An import of ``module.name`` as written by GLOBAL / STACK_GLOBAL."""

    module: str
    name: str


@dataclass(frozen=True)
class Call:
    """``func(*args)`` as written by REDUCE, ``func`` a Global."""

    func: Global
    args: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Storage:
    """A torch storage reference, written as a persistent id."""

    dtype_class: str
    key: str
    numel: int


@dataclass
class Tensor:
    """A tensor as torch pickles it: _rebuild_tensor_v2 over a storage."""

    storage: Storage
    shape: tuple[int, ...]
    offset: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    out, acc = [], 1
    for dim in reversed(shape):
        out.append(acc)
        acc *= dim
    return tuple(reversed(out))


class _Writer(pickle._Pickler):  # type: ignore[name-defined,misc]
    """The stdlib pure-Python pickler, taught to write Global/Call/Tensor as torch does."""

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, Storage):
            return ("storage", Global("torch", obj.dtype_class), obj.key, "cpu", obj.numel)
        return None

    def save(self, obj: Any, save_persistent_id: bool = True) -> None:
        if isinstance(obj, Global):
            if self.proto >= 4:
                self.save(obj.module)
                self.save(obj.name)
                self.write(pickle.STACK_GLOBAL)
            else:
                self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
            return
        if isinstance(obj, Tensor):
            obj = Call(
                Global("torch._utils", "_rebuild_tensor_v2"),
                (
                    obj.storage,
                    obj.offset,
                    obj.shape,
                    _strides(obj.shape),
                    False,
                    Call(Global("collections", "OrderedDict")),
                ),
            )
        if isinstance(obj, Call):
            self.save(obj.func)
            self.save(tuple(obj.args))
            self.write(pickle.REDUCE)
            return
        super().save(obj, save_persistent_id)


def dumps(obj: Any, protocol: int = 2) -> bytes:
    """Pickle ``obj`` with Global/Call/Tensor/Storage written as real imports."""
    buf = io.BytesIO()
    _Writer(buf, protocol).dump(obj)
    return buf.getvalue()


def state_dict(n: int = 3) -> OrderedDict[str, Tensor]:
    """A small clean state dict: linear layers with weight and bias."""
    sd: OrderedDict[str, Tensor] = OrderedDict()
    for i in range(n):
        sd[f"layers.{i}.weight"] = Tensor(Storage("FloatStorage", str(2 * i), 16), (4, 4))
        sd[f"layers.{i}.bias"] = Tensor(Storage("HalfStorage", str(2 * i + 1), 4), (4,))
    return sd


def torch_zip(
    path: Path,
    obj: Any,
    *,
    prefix: str = "archive",
    protocol: int = 2,
    extra: dict[str, bytes] | None = None,
) -> Path:
    """Write ``obj`` as a zip checkpoint laid out like ``torch.save`` does."""
    payload = dumps(obj, protocol)
    keys = sorted({t.storage.key for t in _tensors(obj)})
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{prefix}/data.pkl", payload)
        zf.writestr(f"{prefix}/byteorder", "little")
        for key in keys:
            zf.writestr(f"{prefix}/data/{key}", b"\0" * 64)
        zf.writestr(f"{prefix}/version", "3\n")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def _tensors(obj: Any) -> list[Tensor]:
    if isinstance(obj, Tensor):
        return [obj]
    if isinstance(obj, dict):
        return [t for v in obj.values() for t in _tensors(v)]
    return []


def npy(path: Path, descr: str, shape: tuple[int, ...], body: bytes) -> Path:
    """Write a .npy file (format 1.0) with the given header and body bytes."""
    header = repr({"descr": descr, "fortran_order": False, "shape": shape}).encode("latin-1")
    pad = 64 - (10 + len(header) + 1) % 64
    header += b" " * pad + b"\n"
    path.write_bytes(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + body)
    return path


def safetensors(path: Path, header: dict[str, Any], data_len: int) -> Path:
    """Write a safetensors file with ``header`` and ``data_len`` zero bytes of data."""
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"\0" * data_len)
    return path


# Hostile pickles, each as an attacker would write it. Names say what they try.
HOSTILE: dict[str, Any] = {
    "os_system": Call(Global("os", "system"), ("echo pwned",)),
    "posix_system": Call(Global("posix", "system"), ("id",)),
    "builtins_exec": Call(Global("builtins", "exec"), ("print(1)",)),
    "builtin_eval_py2": Call(Global("__builtin__", "eval"), ("1",)),
    "subprocess": Call(Global("subprocess", "Popen"), (["sh", "-c", "id"],)),
    "getattr_chain": Call(
        Call(
            Global("builtins", "getattr"),
            (Call(Global("importlib", "import_module"), ("os",)), "system"),
        ),
        ("id",),
    ),
    "numpy_builtins": Call(Global("numpy", "__builtins__.eval"), ("1",)),
    "runpy": Call(Global("runpy", "_run_code"), ("import os", {})),
    "webbrowser": Call(Global("webbrowser", "open"), ("http://example.invalid",)),
    "torch_hub": Call(Global("torch.hub", "load"), ("repo", "model")),
    "unknown_module": Call(Global("evil_pkg.payload", "run"), ()),
    "operator_attrgetter": Call(
        Call(Global("operator", "attrgetter"), ("system",)),
        (Call(Global("importlib", "import_module"), ("os",)),),
    ),
}
