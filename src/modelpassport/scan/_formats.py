"""Checks for non-pickle formats: safetensors headers, Keras configs, ONNX external data.

Each reads only what the check needs (a header, a config member, protobuf fields) with
hard size limits, and returns findings; malformed input raises ``InputError``.
"""

from __future__ import annotations

import itertools
import mmap
import re
import zipfile
from pathlib import Path
from typing import Any

from modelpassport.artifacts import (
    ARCHIVE_ERRORS,
    GGUFFile,
    escapes,
    link_escapes,
    list_archive,
    load_json,
    read_safetensors_header,
    safetensors_tensor_problem,
)
from modelpassport.errors import InputError
from modelpassport.passport.sections.scan import ScanFinding

from ._rules import RuleBook

MAX_SAFETENSORS_HEADER = 100 << 20
MAX_KERAS_CONFIG = 64 << 20
MAX_ONNX_BYTES = 2 << 30
MAX_H5_SCAN = 1 << 30
H5_CHUNK = 16 << 20
H5_OVERLAP = 256
_LAMBDA = re.compile(rb'"class_name"\s*:\s*"Lambda"')
_MODEL_CONFIG = re.compile(rb'\{"class_name"\s*:\s*"(Functional|Sequential|Model)"')


def check_safetensors(book: RuleBook, path: Path, file: str) -> list[ScanFinding]:
    """Header sanity: every tensor's byte range lies in the data area, matches its dtype
    and shape, and no two ranges overlap."""
    header, _, data_len = read_safetensors_header(path)
    problems: list[tuple[str, str]] = []
    ranges: list[tuple[int, int, str]] = []
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        problem = safetensors_tensor_problem(entry, data_len)
        if problem:
            problems.append((name, problem))
        else:
            begin, end = entry["data_offsets"]
            ranges.append((begin, end, name))
    ranges.sort()
    for (_, end_a, name_a), (begin_b, _, name_b) in itertools.pairwise(ranges):
        if begin_b < end_a:
            problems.append((name_b, f"bytes overlap tensor {name_a!r}"))
    return [
        book.finding(
            "MP-SFT-001",
            file,
            f"safetensors tensor {name!r}: {problem}",
            location=f"header tensor {name}",
            evidence=problem,
        )
        for name, problem in problems
    ]


def check_archive(book: RuleBook, path: Path, file: str) -> list[ScanFinding]:
    """Archive members whose extraction lands outside the folder (paths or links)."""
    findings: list[ScanFinding] = []
    for member in list_archive(path):
        if escapes(member.name):
            findings.append(
                book.finding(
                    "MP-ARC-001",
                    file,
                    "archive member path leaves the extraction folder",
                    location=f"member {member.name}",
                    evidence=member.name,
                )
            )
        elif member.link is not None and link_escapes(member.link, member.name):
            findings.append(
                book.finding(
                    "MP-ARC-001",
                    file,
                    "archive link member points outside the folder",
                    location=f"member {member.name}",
                    evidence=f"{member.name} -> {member.link}",
                )
            )
    return findings


def check_gguf(book: RuleBook, gguf: GGUFFile, file: str) -> list[ScanFinding]:
    """A GGUF whose tensor data is cut short (an interrupted download), and header strings
    that are not valid UTF-8: the header was read in full either way."""
    findings = [
        book.finding(
            "MP-FMT-002",
            file,
            f"{what} is not valid UTF-8; read with replacement characters",
            location="header",
            evidence=what,
        )
        for what in gguf.not_utf8
    ]
    if gguf.truncated is not None:
        findings.append(
            book.finding(
                "MP-FMT-003",
                file,
                "truncated GGUF: the tensor data is incomplete, so the file will not load; "
                "its header was read in full",
                location="tensor data",
                evidence=gguf.truncated,
            )
        )
    return findings


def _lambda_layers(config: Any, path: str = "") -> list[str]:
    found: list[str] = []
    stack: list[tuple[Any, str]] = [(config, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            if node.get("class_name") == "Lambda":
                inner = node.get("config")
                name = inner.get("name", "?") if isinstance(inner, dict) else "?"
                found.append(f"{where or '/'} ({name})")
            stack.extend((v, f"{where}/{k}") for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{where}/{i}") for i, v in enumerate(node))
    return sorted(found)


def check_keras(book: RuleBook, path: Path, file: str) -> list[ScanFinding]:
    """A ``.keras`` zip: Lambda layers in ``config.json`` carry marshalled bytecode."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("config.json")
            if info.file_size > MAX_KERAS_CONFIG:
                raise InputError(path, "config.json is larger than 64 MiB")
            config = load_json(zf.read(info), path, "a JSON config.json")
    except KeyError:
        raise InputError(path, "expected a .keras zip with config.json") from None
    except (*ARCHIVE_ERRORS, RecursionError) as exc:
        raise InputError(path, f"expected a .keras zip with a JSON config ({exc})") from None
    return [
        book.finding(
            "MP-KER-001",
            file,
            "Keras Lambda layer: its code runs on load",
            location=f"config.json {where}",
            evidence="class_name: Lambda",
        )
        for where in _lambda_layers(config)
    ]


def check_h5(book: RuleBook, path: Path, file: str) -> list[ScanFinding]:
    """A legacy ``.h5`` Keras file, read without an HDF5 library.

    Keras stores the model as a JSON string attribute (``model_config``) in the root
    group; attribute strings are stored uncompressed, so the raw bytes are searched for
    the config and for Lambda layers in it. A file without a findable config is noted.
    """
    findings: list[ScanFinding] = []
    config_found = False
    with path.open("rb") as fh:
        if fh.read(8) != b"\x89HDF\r\n\x1a\n":
            raise InputError(path, "expected the HDF5 signature")
        fh.seek(0)
        tail, offset = b"", 0
        while offset < MAX_H5_SCAN and (chunk := fh.read(H5_CHUNK)):
            data, base = tail + chunk, offset - len(tail)
            for m in _LAMBDA.finditer(data):
                if m.end() > len(tail):  # matches inside the overlap were seen last time
                    findings.append(
                        book.finding(
                            "MP-KER-001",
                            file,
                            "Keras Lambda layer: its code runs on load",
                            location=f"byte {base + m.start()}",
                            evidence=m.group().decode(),
                        )
                    )
            config_found = config_found or _MODEL_CONFIG.search(data) is not None
            tail, offset = data[-H5_OVERLAP:], offset + len(chunk)
    if not config_found:
        findings.append(
            book.finding("MP-KER-002", file, "no Keras model_config found in the raw HDF5 bytes")
        )
    return findings


def _varint(buf: memoryview, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise ValueError("truncated varint")
        byte = buf[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        shift += 7
        if not byte & 0x80:
            return value, pos


def _fields(buf: memoryview) -> list[tuple[int, int, memoryview | int]]:
    """Protobuf wire fields of one message: (field number, wire type, payload)."""
    out: list[tuple[int, int, memoryview | int]] = []
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
            out.append((number, wire, value))
        elif wire == 2:
            length, pos = _varint(buf, pos)
            if pos + length > len(buf):
                raise ValueError("length-delimited field runs past its message")
            out.append((number, wire, buf[pos : pos + length]))
            pos += length
        elif wire in (1, 5):
            pos += 8 if wire == 1 else 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
    return out


def _sub(fields: list[tuple[int, int, memoryview | int]], number: int) -> list[memoryview]:
    return [p for n, w, p in fields if n == number and w == 2 and isinstance(p, memoryview)]


def onnx_external_locations(data: bytes | mmap.mmap) -> list[tuple[str, str]]:
    """(tensor name, external data location) for every initializer stored outside the file.

    ModelProto.graph (7) -> GraphProto.initializer (5) -> TensorProto.name (8),
    external_data (13) -> StringStringEntryProto key (1) / value (2).
    """
    found: list[tuple[str, str]] = []
    for graph in _sub(_fields(memoryview(data)), 7):
        for tensor in _sub(_fields(graph), 5):
            tfields = _fields(tensor)
            names = _sub(tfields, 8)
            name = bytes(names[0]).decode("utf-8", "replace") if names else "?"
            for entry in _sub(tfields, 13):
                efields = _fields(entry)
                keys, values = _sub(efields, 1), _sub(efields, 2)
                if keys and values and bytes(keys[0]) == b"location":
                    found.append((name, bytes(values[0]).decode("utf-8", "replace")))
    return found


def check_onnx(book: RuleBook, path: Path, file: str) -> list[ScanFinding]:
    """ONNX initializers whose external data path is absolute or climbs out of the folder."""
    size = path.stat().st_size
    if size > MAX_ONNX_BYTES:
        raise InputError(path, "larger than 2 GiB; ONNX protobuf files cannot be")
    if size == 0:
        raise InputError(path, "expected an ONNX protobuf, found an empty file")
    error: str | None = None
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
        try:
            locations = onnx_external_locations(buf)
        except (ValueError, RecursionError) as exc:
            # Handled inside the mmap block so the views into it are gone before it closes.
            error, locations = str(exc), []
    if error is not None:
        return [book.finding("MP-ONX-002", file, f"ONNX protobuf is malformed ({error})")]
    return [
        book.finding(
            "MP-ONX-001",
            file,
            f"tensor {name!r} reads external data from outside the folder",
            location=f"initializer {name}",
            evidence=location,
        )
        for name, location in locations
        if escapes(location)
    ]
