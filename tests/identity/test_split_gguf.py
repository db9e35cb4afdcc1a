"""Split and truncated GGUF downloads: one model read from every shard, what is missing said."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelpassport.artifacts import ArtifactSet, read_gguf_model
from modelpassport.catalog import Catalog
from modelpassport.identity import IdentifyOptions, identify_artifacts
from modelpassport.refs import resolve
from modelpassport.scan import scan_artifacts

from .gguf_build import write_gguf

TOKENS = [f"tok{i}" for i in range(400)]
TEMPLATE = "{% for m in messages %}{{ m['content'] }}{% endfor %}"


def _model(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "token_embd.weight": rng.standard_normal((len(TOKENS), 64)).astype(np.float32),
        "blk.0.attn_q.weight": rng.standard_normal((64, 64)).astype(np.float32),
        "output_norm.weight": np.ones(64, dtype=np.float32),
    }


def _split(folder: Path, tensors: dict[str, np.ndarray], count: int, stem: str = "m") -> list[Path]:
    """Write the model as ``count`` shards: metadata and the first tensors in shard 1."""
    names = sorted(tensors)
    groups = [names[i::count] for i in range(count)]
    paths = []
    for i, group in enumerate(groups, start=1):
        path = folder / f"{stem}-{i:05d}-of-{count:05d}.gguf"
        first = i == 1
        write_gguf(
            path,
            strings={"general.name": "Split Model", "general.license": "mit"} if first else {},
            ints={"split.no": i - 1, "split.count": count},
            tokens=TOKENS if first else (),
            templates={"default": TEMPLATE} if first else None,
            tensors={n: tensors[n] for n in group},
        )
        paths.append(path)
    return paths


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.integers(2, 3), st.data())
def test_a_split_set_is_one_model_from_any_shard(
    tmp_path_factory: pytest.TempPathFactory, count: int, data: st.DataObject
) -> None:
    folder = tmp_path_factory.mktemp("split")
    tensors = _model(1)
    shards = _split(folder, tensors, count)
    whole = write_gguf(
        folder / "whole.gguf", strings={"general.name": "Whole"}, tokens=TOKENS, tensors=tensors
    )
    named = data.draw(st.sampled_from(shards))
    subject = resolve(str(named))
    assert subject.artifacts is not None
    assert subject.artifacts.files == tuple(shards)
    assert subject.target is not None
    assert subject.target.path == shards[0]  # llama.cpp opens a set from its first shard
    read = read_gguf_model(named)
    assert read.truncated is None
    assert sorted(t.name for t in read.tensors) == sorted(tensors)
    section = identify_artifacts(
        subject.artifacts, Catalog.load(), IdentifyOptions(references=(whole,))
    )
    assert section.declared.name == "Split Model"
    assert section.declared.parameters == sum(a.size for a in tensors.values())
    match = [m for m in section.lineage if m.reference == str(whole)]
    assert match
    assert match[0].verdict == "same_lineage"
    scan = scan_artifacts(subject.artifacts)
    assert [f.path for f in scan.files] == [p.name for p in shards]


def test_missing_shards_are_reported_and_identity_kept(tmp_path: Path) -> None:
    shards = _split(tmp_path, _model(2), 3)
    shards[2].unlink()
    arts = ArtifactSet.from_path(shards[0])
    section = identify_artifacts(arts, Catalog.load(), IdentifyOptions(lineage=False))
    assert section.declared.name == "Split Model"
    cut = [f for f in section.findings if f.rule_id == "MP-ID-005"]
    assert cut
    assert "shard(s) 3 of 3 missing" in cut[0].message
    scan = scan_artifacts(arts)
    assert any(
        f.rule_id == "MP-FMT-003" and "shard(s) 3 missing" in f.message for f in scan.findings
    )


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.floats(0.0, 0.999))
def test_a_truncated_download_keeps_identity_and_template(
    tmp_path_factory: pytest.TempPathFactory, kept: float
) -> None:
    folder = tmp_path_factory.mktemp("cut")
    source = write_gguf(
        folder / "full.gguf",
        strings={"general.name": "Cut Model"},
        tokens=TOKENS,
        templates={"default": TEMPLATE},
        tensors=_model(3),
    )
    whole = source.read_bytes()
    header = read_gguf_model(source).data_offset
    cut = folder / "cut.gguf"
    cut.write_bytes(whole[: header + int((len(whole) - header - 1) * kept)])
    arts = ArtifactSet.from_path(cut)
    section = identify_artifacts(arts, Catalog.load(), IdentifyOptions())
    assert section.declared.name == "Cut Model"
    assert section.tokenizer is not None
    assert "MP-ID-005" in {f.rule_id for f in section.findings}
    scan = scan_artifacts(arts)
    assert {f.rule_id for f in scan.findings} >= {"MP-FMT-003"}
