"""Hostile and careless files: what breaks one file never hides the others, the bytes (not
the name) decide the format, and odd names and links never crash an audit."""

from __future__ import annotations

import json
import os
import pickle
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelpassport.artifacts import (
    MAX_JSON_DEPTH,
    ArtifactSet,
    load_json,
    read_gguf,
    read_hf_dir,
)
from modelpassport.errors import InputError
from modelpassport.scan import scan_artifacts

from . import corpus

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HOSTILE = corpus.HOSTILE_TEMPLATE


def _str(value: bytes) -> bytes:
    return struct.pack("<Q", len(value)) + value


def _kv_string(key: bytes, value: bytes) -> bytes:
    return _str(key) + struct.pack("<I", 8) + _str(value)


def _gguf(kvs: list[bytes]) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", 3, 0, len(kvs)) + b"".join(kvs)


@FUZZ
@given(
    st.lists(st.tuples(st.binary(min_size=1, max_size=12), st.binary(max_size=40)), max_size=6),
    st.integers(0, 6),
)
def test_bad_utf8_elsewhere_never_hides_the_template(
    tmp_path: Path, fields: list[tuple[bytes, bytes]], at: int
) -> None:
    kvs = [_kv_string(b"x." + key, value) for key, value in fields]
    kvs.insert(min(at, len(kvs)), _kv_string(b"tokenizer.chat_template", HOSTILE.encode()))
    path = tmp_path / "m.gguf"
    path.write_bytes(_gguf(kvs))
    assert read_gguf(path).chat_templates() == {"default": HOSTILE}
    section = scan_artifacts(ArtifactSet.from_path(path))
    assert "MP-TPL-002" in {f.rule_id for f in section.findings}
    bad = sum(1 for key, value in fields for part in (key, value) if not _utf8(part))
    assert sum(f.rule_id == "MP-FMT-002" for f in section.findings) <= bad
    json.dumps(section.model_dump(mode="json"), ensure_ascii=False).encode("utf-8")


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@FUZZ
@given(st.integers(1, 3000))
def test_nested_gguf_arrays_are_an_input_error_or_read(tmp_path: Path, depth: int) -> None:
    value = struct.pack("<I", 4) + struct.pack("<QI", 1, 7)  # innermost: [uint32 7]
    for _ in range(depth - 1):
        value = struct.pack("<IQ", 9, 1) + value  # an array of one array
    path = tmp_path / "n.gguf"
    path.write_bytes(_gguf([_str(b"deep") + struct.pack("<I", 9) + value]))
    if depth < 4:
        read_gguf(path)
    else:
        with pytest.raises(InputError, match="nested at most"):
            read_gguf(path)
    section = scan_artifacts(ArtifactSet.from_path(path))
    assert section.verdict == ("clean" if depth < 4 else "unsafe")


@FUZZ
@given(st.integers(1, 5000), st.sampled_from(["[", '{"a":']))
def test_deep_json_is_an_input_error_never_a_recursion_error(
    tmp_path: Path, depth: int, opener: str
) -> None:
    closer = "]" if opener == "[" else "}"
    text = '{"architectures": ' + opener * depth + "1" + closer * depth + "}"
    folder = tmp_path / f"d{depth}{opener[0]}"
    folder.mkdir()
    (folder / "config.json").write_text(text)
    if depth + 1 < MAX_JSON_DEPTH:
        load_json(text, "config.json")
        read_hf_dir(folder)
    else:
        with pytest.raises(InputError, match=r"config\.json: expected JSON"):
            load_json(text, "config.json")
        with pytest.raises(InputError, match=r"config\.json: expected JSON"):
            read_hf_dir(folder)
    section = scan_artifacts(ArtifactSet.from_path(folder))
    assert section.status == "ok"


def _pickle_bomb() -> bytes:
    return b"\x80\x02cos\nsystem\n(S'true'\ntR."


@pytest.mark.parametrize(
    "name",
    ["model.safetensors", "model.gguf", "weights.npy", "x.onnx", "x.h5", "README.md", "noext"],
)
def test_a_pickle_is_scanned_as_a_pickle_whatever_its_name(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / name).write_bytes(_pickle_bomb())
    section = scan_artifacts(ArtifactSet.from_path(folder))
    rules = {f.rule_id for f in section.findings}
    assert "MP-PKL-002" in rules
    assert section.files[0].format in ("pickle", "pytorch")
    claims = name.rsplit(".", 1)[-1] in ("safetensors", "gguf", "npy", "onnx", "h5")
    assert ("MP-FMT-004" in rules) == claims


@FUZZ
@given(st.sampled_from(["model.safetensors", "a.pkl", "b.pt", "c.npy", "d.onnx"]), st.binary())
def test_any_bytes_under_any_name_give_a_section(tmp_path: Path, name: str, data: bytes) -> None:
    folder = tmp_path / "f"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    section = scan_artifacts(ArtifactSet(root=folder, kind="dir", files=(path,)))
    assert section.status == "ok"
    assert section.verdict is not None


def test_symlink_loops_and_odd_names_keep_the_other_findings(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "evil.pkl").write_bytes(_pickle_bomb())
    os.symlink("b", folder / "a")
    os.symlink("a", folder / "b")
    os.symlink("self", folder / "self")
    bad = os.fsdecode(b"bad\xffname.pkl")
    (folder / bad).write_bytes(_pickle_bomb())
    section = scan_artifacts(ArtifactSet.from_path(folder))
    by_file = {(f.file, f.rule_id) for f in section.findings}
    assert ("evil.pkl", "MP-PKL-002") in by_file
    assert ("bad\\xffname.pkl", "MP-PKL-002") in by_file
    assert {("a", "MP-FMT-001"), ("b", "MP-FMT-001"), ("self", "MP-FMT-001")} <= by_file
    section.model_dump_json().encode("utf-8")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("model.pt", _pickle_bomb()),
        ("pytorch_model.bin", _pickle_bomb()),
        ("x.pkl", _pickle_bomb()),
        ("x.safetensors", _pickle_bomb()),
        ("x.onnx", b"\x08\x07"),
        ("x.keras", b"PK\x05\x06" + b"\0" * 18),
    ],
)
def test_a_single_file_is_audited(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    section = scan_artifacts(ArtifactSet.from_path(path))
    assert [f.path for f in section.files] == [name]
    if data.startswith(b"\x80"):
        assert "MP-PKL-002" in {f.rule_id for f in section.findings}


def test_a_truncated_gguf_keeps_its_header(tmp_path: Path) -> None:
    whole = _gguf([_kv_string(b"tokenizer.chat_template", HOSTILE.encode())])
    # One F32 tensor of 64 values whose data is missing: a download cut short.
    info = _str(b"w") + struct.pack("<I", 1) + struct.pack("<Q", 64) + struct.pack("<IQ", 0, 0)
    data = bytearray(whole)
    data[8:16] = struct.pack("<Q", 1)
    path = tmp_path / "cut.gguf"
    path.write_bytes(bytes(data) + info + b"\0" * 40)
    section = scan_artifacts(ArtifactSet.from_path(path))
    rules = {f.rule_id for f in section.findings}
    assert {"MP-FMT-003", "MP-TPL-002"} <= rules


def test_pickle_extension_renamed_is_still_walked(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "state.pkl").write_bytes(pickle.dumps({"a": 1}, protocol=2))
    section = scan_artifacts(ArtifactSet.from_path(folder))
    assert section.verdict == "clean"


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=200))
def test_a_broken_template_file_never_hides_another(tmp_path: Path, broken: bytes) -> None:
    folder = tmp_path / "t"
    folder.mkdir(exist_ok=True)
    (folder / "tokenizer_config.json").write_bytes(broken)
    (folder / "chat_template.jinja").write_text(HOSTILE)
    section = scan_artifacts(ArtifactSet.from_path(folder))
    found = {(f.file, f.rule_id) for f in section.findings}
    assert ("chat_template.jinja", "MP-TPL-002") in found
