"""Format checks: each hostile pattern caught, each clean file left alone."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from modelpassport.artifacts import ArtifactSet, escapes, list_archive, symlink_target
from modelpassport.scan import load_rulebook, scan_artifacts
from modelpassport.scan._formats import (
    check_archive,
    check_h5,
    check_onnx,
    check_safetensors,
    onnx_external_locations,
)

from . import corpus

BOOK = load_rulebook()


def test_onnx_external_data(tmp_path: Path) -> None:
    path = corpus.onnx_model(
        tmp_path / "m.onnx",
        {"w1": "weights.bin", "w2": "../../../etc/shadow", "w3": "/abs/data.bin"},
    )
    assert onnx_external_locations(path.read_bytes()) == [
        ("w1", "weights.bin"),
        ("w2", "../../../etc/shadow"),
        ("w3", "/abs/data.bin"),
    ]
    findings = check_onnx(BOOK, path, "m.onnx")
    assert [(f.rule_id, f.evidence) for f in findings] == [
        ("MP-ONX-001", "../../../etc/shadow"),
        ("MP-ONX-001", "/abs/data.bin"),
    ]


@pytest.mark.parametrize(
    ("name", "escaping"),
    [
        ("a/b.bin", False),
        ("./a/../b", False),
        ("../x", True),
        ("a/../../x", True),
        ("/etc/passwd", True),
        ("C:\\x", True),
        ("a\\..\\..\\x", True),
    ],
)
def test_escapes(name: str, escaping: bool) -> None:
    assert escapes(name) is escaping


def test_tar_with_escaping_link(tmp_path: Path) -> None:
    path = tmp_path / "weights.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        data = b"ok"
        info = tarfile.TarInfo("model/weights.bin")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("model/passwd")
        link.type = tarfile.SYMTYPE
        link.linkname = "../../etc/passwd"
        tf.addfile(link)
    assert [m.name for m in list_archive(path)] == ["model/weights.bin", "model/passwd"]
    findings = check_archive(BOOK, path, "weights.tar.gz")
    assert [(f.rule_id, f.evidence) for f in findings] == [
        ("MP-ARC-001", "model/passwd -> ../../etc/passwd")
    ]


def test_safetensors_dtype_shape_mismatch(tmp_path: Path) -> None:
    path = corpus.safetensors(
        tmp_path / "m.safetensors",
        {
            "a": {"dtype": "BF16", "shape": [3], "data_offsets": [0, 8]},
            "b": {"dtype": "XX", "shape": [1], "data_offsets": [8, 9]},
        },
        9,
    )
    messages = [f.message for f in check_safetensors(BOOK, path, "m.safetensors")]
    assert messages == [
        "safetensors tensor 'a': BF16 [3] needs 6 bytes, offsets give 8",
        "safetensors tensor 'b': unknown dtype 'XX'",
    ]


def test_h5_raw_search(tmp_path: Path) -> None:
    config = {
        "class_name": "Sequential",
        "config": {"layers": [{"class_name": "Lambda", "config": {"name": "l"}}]},
    }
    path = tmp_path / "m.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100 + json.dumps(config).encode())
    assert [f.rule_id for f in check_h5(BOOK, path, "m.h5")] == ["MP-KER-001"]
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    assert [f.rule_id for f in check_h5(BOOK, path, "m.h5")] == ["MP-KER-002"]


def test_hf_cache_snapshot_links_stay_inside(tmp_path: Path) -> None:
    repo = tmp_path / "models--org--m"
    (repo / "blobs").mkdir(parents=True)
    (repo / "blobs" / "abc").write_text("{}")
    snap = repo / "snapshots" / "rev"
    snap.mkdir(parents=True)
    (snap / "config.json").symlink_to("../../blobs/abc")
    (snap / "evil.json").symlink_to("../../../../outside")
    assert symlink_target(snap / "config.json", snap) == ("../../blobs/abc", True)
    assert symlink_target(snap / "evil.json", snap)[1] is False


def test_h5_lambda_across_chunk_boundary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelpassport.scan import _formats

    monkeypatch.setattr(_formats, "H5_CHUNK", 64)
    path = tmp_path / "m.h5"
    body = b'{"class_name": "Sequential", "config": {"layers": [{"class_name": "Lambda"}]}}'
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100 + body + b"\0" * 50 + body)
    findings = check_h5(BOOK, path, "m.h5")
    assert [f.rule_id for f in findings] == ["MP-KER-001", "MP-KER-001"]
    assert len({f.location for f in findings}) == 2


def test_linked_directory_is_reported_not_hashed(tmp_path: Path) -> None:
    root = corpus.clean_folder(tmp_path / "m")
    (root / "sub").mkdir()
    (root / "sub" / "x.txt").write_text("x")
    (root / "linked").symlink_to("sub")
    section = scan_artifacts(ArtifactSet.from_path(root))
    assert ("MP-FMT-001", "linked") in {(f.rule_id, f.file) for f in section.findings}
    assert "linked" not in {f.path for f in section.files}
