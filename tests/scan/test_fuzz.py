"""Every parser on corrupt and hostile input: a clear error or a result, never a crash."""

from __future__ import annotations

import contextlib
import io
import json
import struct
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from modelpassport.artifacts import (
    ArtifactSet,
    CodeParseError,
    analyse_code,
    analyse_template,
    list_archive,
    read_torch_checkpoint,
    walk_pickle,
)
from modelpassport.errors import InputError
from modelpassport.scan import load_rulebook, scan_artifacts
from modelpassport.scan._formats import check_h5, check_keras, check_onnx, check_safetensors
from modelpassport.scan._pickles import npy_header

from . import corpus

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
BOOK = load_rulebook()
SEEDS = [
    corpus.dumps(corpus.state_dict(1), 2),
    corpus.dumps(corpus.HOSTILE["getattr_chain"], 4),
    corpus.dumps(corpus.HOSTILE["os_system"], 0),
]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A seed with a few bytes flipped, inserted or removed."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        pos = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        if action == "flip":
            data[pos] = draw(st.integers(0, 255))
        elif action == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif action == "delete":
            del data[pos]
        else:
            del data[pos:]
    return bytes(data)


def _returns_or_names(call: Callable[[], object], expected: str) -> None:
    """``call`` may return, or fail with an InputError whose message contains ``expected``."""
    try:
        call()
    except InputError as exc:
        message = str(exc)
    else:
        return
    assert expected in message


def _file(data: bytes, suffix: str) -> Path:
    handle = tempfile.NamedTemporaryFile(suffix=suffix, delete=False)  # noqa: SIM115
    with handle:
        handle.write(data)
    return Path(handle.name)


@FUZZ
@given(st.one_of(st.binary(max_size=512), mutated(SEEDS)))
def test_pickle_walker_never_raises(data: bytes) -> None:
    walk = walk_pickle(io.BytesIO(data))
    assert walk.error is not None or walk.end <= len(data)
    assert walk.opcodes <= len(data)


@pytest.mark.parametrize(
    ("blob", "expected"),
    [
        (b"\x80\x04\x8e" + struct.pack("<Q", 1 << 62), "runs past the end"),
        (b"\x80\x02T" + struct.pack("<i", -5), "negative"),
        (b"\x80\x02(" * 10 + b"S'" + b"a" * 70_000, "bad"),
    ],
)
def test_hostile_lengths_are_bounded(blob: bytes, expected: str) -> None:
    walk = walk_pickle(io.BytesIO(blob))
    assert walk.error is not None
    assert expected in walk.error


def test_deep_nesting_and_op_limit() -> None:
    deep = b"\x80\x02" + b"]" * 200_000 + b"."
    walk = walk_pickle(io.BytesIO(deep), max_ops=1000)
    assert walk.error is not None
    assert "more than 1000 opcodes" in walk.error


@FUZZ
@given(
    mutated(
        [
            Path(
                corpus.torch_zip(Path(tempfile.mkdtemp()) / "m.pt", corpus.state_dict(1))
            ).read_bytes()
        ]
    )
)
def test_torch_reader_errors_are_input_errors(data: bytes) -> None:
    path = _file(data, ".pt")
    try:
        _returns_or_names(lambda: read_torch_checkpoint(path), str(path))
    finally:
        path.unlink()


@FUZZ
@given(st.binary(max_size=200))
def test_npy_header_parser(data: bytes) -> None:
    def parse() -> None:
        header, start = npy_header(b"\x93NUMPY\x01\x00" + data, "x.npy")
        assert "descr" in header
        assert start >= 10

    _returns_or_names(parse, "x.npy: expected")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 1 << 40) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.dictionaries(st.text(max_size=6), json_values, max_size=5), st.integers(0, 64))
@example({"": {"dtype": []}}, 0)  # an unhashable dtype once raised TypeError
def test_safetensors_headers(header: dict[str, object], data_len: int) -> None:
    path = corpus.safetensors(_file(b"", ".safetensors"), header, data_len)
    try:
        findings = check_safetensors(BOOK, path, "f.safetensors")
        assert all(f.rule_id == "MP-SFT-001" for f in findings)
    finally:
        path.unlink()


@FUZZ
@given(st.binary(max_size=64))
def test_safetensors_raw_bytes(data: bytes) -> None:
    path = _file(data, ".safetensors")
    try:
        _returns_or_names(lambda: check_safetensors(BOOK, path, "f.safetensors"), str(path))
    finally:
        path.unlink()


@FUZZ
@given(st.binary(max_size=300))
def test_onnx_h5_keras_archives_on_noise(data: bytes) -> None:
    for suffix, check in ((".onnx", check_onnx), (".h5", check_h5), (".keras", check_keras)):
        path = _file(data, suffix)
        try:
            _returns_or_names(lambda: check(BOOK, path, "f" + suffix), str(path))  # noqa: B023
        finally:
            path.unlink()
    path = _file(data, ".zip")
    try:
        _returns_or_names(lambda: list_archive(path), "expected a readable zip or tar archive")
    finally:
        path.unlink()


@FUZZ
@given(st.text(max_size=300))
def test_template_analysis_never_raises(source: str) -> None:
    issues = analyse_template(source)
    assert all(
        i.kind
        in {
            "escape",
            "instruction",
            "url",
            "default_system",
            "syntax",
            "unread",
            "optional_instruction",
        }
        for i in issues
    )


@FUZZ
@given(st.binary(max_size=300))
def test_code_analysis_raises_only_parse_errors(source: bytes) -> None:
    with contextlib.suppress(CodeParseError):
        analyse_code(source)


def test_pathological_inputs() -> None:
    assert analyse_template("{{" * 5000)[0].kind == "unread"
    with pytest.raises(CodeParseError):
        analyse_code(b"(" * 100_000)
    with pytest.raises(CodeParseError):
        analyse_code(b"x = 1\n" * (1 << 20))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "config.json",
                    "tokenizer_config.json",
                    "a.pt",
                    "b.pkl",
                    "c.npy",
                    "d.safetensors",
                    "e.onnx",
                    "f.keras",
                    "g.h5",
                    "h.zip",
                    "i.bin",
                    "j.npz",
                    "chat_template.jinja",
                    "k.gguf",
                ]
            ),
            st.one_of(st.binary(max_size=80), mutated(SEEDS)),
        ),
        max_size=6,
    )
)
def test_whole_scan_never_crashes(files: list[tuple[str, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, data in files:
            (root / name).write_bytes(data)
        section = scan_artifacts(ArtifactSet.from_path(root))
        assert section.verdict in {"clean", "review", "unsafe"}
        assert {f.path for f in section.files} == {name for name, _ in files}


def test_npz_and_tar_members(tmp_path: Path) -> None:
    npz = tmp_path / "w.npz"
    with zipfile.ZipFile(npz, "w") as zf:
        inner = corpus.npy(
            tmp_path / "inner.npy", "|O", (1,), corpus.dumps(corpus.HOSTILE["subprocess"], 2)
        )
        zf.write(inner, "arr_0.npy")
        zf.writestr("ok.npy", corpus.npy(tmp_path / "ok.npy", "<f4", (2,), b"\0" * 8).read_bytes())
    inner.unlink()
    (tmp_path / "ok.npy").unlink()
    section = scan_artifacts(ArtifactSet.from_path(tmp_path))
    assert [
        (f.rule_id, f.location.split(" offset")[0])
        for f in section.findings
        if f.rule_id == "MP-PKL-002"
    ] == [("MP-PKL-002", "arr_0.npy object array")]
    json.dumps(section.model_dump(mode="json"))


@FUZZ
@given(st.sampled_from(["gzip", "bz2", "xz", "zlib"]), mutated(SEEDS), st.integers(0, 40))
def test_corrupt_compressed_pickles(kind: str, payload: bytes, cut: int) -> None:
    import bz2
    import gzip
    import lzma
    import zlib

    compress = {
        "gzip": gzip.compress,
        "bz2": bz2.compress,
        "xz": lzma.compress,
        "zlib": zlib.compress,
    }[kind]
    data = compress(payload)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "m.joblib").write_bytes(data[: max(6, len(data) - cut)])
        section = scan_artifacts(ArtifactSet.from_path(Path(tmp)))
        assert section.verdict in {"clean", "review", "unsafe"}
