"""Hugging Face folders: safetensors headers (sharded), configs, model cards, templates, and
weight lineage read from safetensors, on real data and on corrupt files."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelpassport.artifacts import (
    ArtifactSet,
    LazyArray,
    read_gguf,
    read_hf_dir,
    read_safetensors,
)
from modelpassport.catalog import Catalog, Family
from modelpassport.errors import InputError
from modelpassport.identity import IdentifyOptions, identify_artifacts
from tests.scan import corpus

from .builders import write_safetensors, write_tokenizer_json


@pytest.fixture(scope="session")
def smol_folder(smollm2_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SmolLM2 converted to a sharded safetensors folder (F16 embedding, hidden dimension
    reversed), with a tokenizer.json rebuilt from the GGUF vocabulary, renamed 'acme/nova'."""
    gguf = pytest.importorskip("gguf")
    src = read_gguf(smollm2_gguf)
    embd = src.tensor("token_embd.weight")
    assert embd is not None
    assert embd.nbytes is not None
    raw = np.fromfile(src.path, dtype=np.uint8, count=embd.nbytes, offset=embd.offset)
    x = gguf.quants.dequantize(raw.reshape(embd.shape[1], -1), gguf.GGMLQuantizationType.Q8_0)
    folder = tmp_path_factory.mktemp("hf") / "nova"
    folder.mkdir()
    write_safetensors(
        folder / "model-00001-of-00002.safetensors",
        {"model.embed_tokens.weight": x[:, ::-1].astype(np.float16)},
    )
    write_safetensors(
        folder / "model-00002-of-00002.safetensors",
        {"model.norm.weight": np.ones(576, dtype=np.float32)},
        {"format": "pt"},
    )
    (folder / "model.safetensors.index.json").write_text(
        json.dumps(
            {
                "weight_map": {
                    "model.embed_tokens.weight": "model-00001-of-00002.safetensors",
                    "model.norm.weight": "model-00002-of-00002.safetensors",
                }
            }
        )
    )
    tokens = src.metadata["tokenizer.ggml.tokens"]
    assert isinstance(tokens, LazyArray)
    types = src.metadata["tokenizer.ggml.token_type"]
    assert isinstance(types, LazyArray)
    vocab, added = [], []
    for i, (tok, ttype) in enumerate(zip(tokens.iter_bytes(), types.read(), strict=True)):
        if ttype == 1:
            vocab.append(tok.decode())  # GGUF keeps BPE tokens in byte-level form already
        else:
            added.append((i, tok.decode()))
    write_tokenizer_json(folder / "tokenizer.json", vocab, added)
    (folder / "config.json").write_text(
        json.dumps(
            {
                "architectures": ["LlamaForCausalLM"],
                "_name_or_path": "acme/nova-135m",
                "hidden_size": 576,
                "num_hidden_layers": 30,
                "num_attention_heads": 9,
                "num_key_value_heads": 3,
                "intermediate_size": 1536,
                "vocab_size": 49152,
                "torch_dtype": "float16",
            }
        )
    )
    (folder / "README.md").write_text("---\nlicense: mit\ntags: [chat]\n---\n# Nova\n")
    (folder / "chat_template.jinja").write_text("{{ messages }}")
    return folder


def test_sharded_folder_reads_and_matches_its_gguf_origin(
    smol_folder: Path, smollm2_gguf: Path
) -> None:
    folder = read_hf_dir(smol_folder)
    assert [w.path.name for w in folder.weights] == [
        "model-00001-of-00002.safetensors",
        "model-00002-of-00002.safetensors",
    ]
    assert folder.weights[1].metadata == {"format": "pt"}
    assert folder.parameters == 49152 * 576 + 576
    assert folder.chat_templates == {"default": "{{ messages }}"}
    assert folder.card["license"] == "mit"
    s = identify_artifacts(
        ArtifactSet.from_path(smol_folder),
        Catalog.load(),
        IdentifyOptions(references=(smollm2_gguf,)),
    )
    assert s.declared.organization == "acme"
    assert s.declared.quantization == "float16"
    assert s.detected is not None
    assert s.detected.family.value == "SmolLM2"
    user_ref = [m for m in s.lineage if m.reference == str(smollm2_gguf)]
    assert user_ref
    assert all(m.verdict == "same_lineage" for m in user_ref)
    assert {f.rule_id for f in s.findings} == {"MP-ID-001", "MP-ID-002"}


def _header(tmp_path: Path, header: object, data: bytes = b"", claimed: int | None = None) -> Path:
    raw = json.dumps(header).encode()
    path = tmp_path / "bad.safetensors"
    n = len(raw) if claimed is None else claimed
    path.write_bytes(struct.pack("<Q", n) + raw + data)
    return path


@pytest.mark.parametrize(
    ("header", "data", "claimed", "message"),
    [
        ({}, b"", 2**60, "header claims 1152921504606846976 bytes"),
        (
            {"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}},
            b"\0" * 8,
            None,
            "data_offsets",
        ),
        (
            {"w": {"dtype": "Q9", "shape": [1], "data_offsets": [0, 4]}},
            b"\0" * 4,
            None,
            "unknown dtype 'Q9'",
        ),
        (
            {"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 16]}},
            b"\0" * 16,
            None,
            "needs 12 bytes, offsets give 16",
        ),
        (
            {"w": {"dtype": "F32", "shape": "x", "data_offsets": [0, 4]}},
            b"\0" * 4,
            None,
            "not a list of non-negative integers",
        ),
        ([1, 2], b"", None, "JSON object"),
    ],
)
def test_corrupt_safetensors_fail_with_one_line(
    tmp_path: Path, header: object, data: bytes, claimed: int | None, message: str
) -> None:
    path = _header(tmp_path, header, data, claimed)
    with pytest.raises(InputError, match=message) as info:
        read_safetensors(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("config.json", '{"hidden_size": 5', "config.json: expected JSON"),
        ("README.md", "---\nlicense: [unclosed\n---\n", "front matter: expected YAML"),
        ("README.md", "---\nlicense: mit\n", "closing '---'"),
        ("tokenizer_config.json", '{"chat_template": [{"name": "x"}]}', "chat_template\\[0\\]"),
        ("model.safetensors.index.json", '{"weight_map": {"w": "../../etc/x"}}', "plain file"),
        (
            "model.safetensors.index.json",
            '{"weight_map": {"w": "gone.safetensors"}}',
            "missing shard",
        ),
    ],
)
def test_corrupt_folder_files_fail_with_one_line(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / name).write_text(content)
    with pytest.raises(InputError, match=message) as info:
        read_hf_dir(folder)
    assert "\n" not in str(info.value)


def test_pytorch_checkpoint_parameters_are_counted_without_unpickling(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"architectures": ["LlamaForCausalLM"]}')
    # three 4x4 weights and three 4-element biases, written the way torch.save lays them out
    corpus.torch_zip(tmp_path / "pytorch_model.bin", corpus.state_dict(3))
    folder = read_hf_dir(tmp_path)
    assert [t.name for t in folder.checkpoints[0].tensors][:2] == [
        "layers.0.weight",
        "layers.0.bias",
    ]
    assert folder.parameters == 3 * (16 + 4)


_BASES = [
    ("Qwen2ForCausalLM", "Qwen/Qwen2.5-0.5B-Instruct", "CN"),
    ("LlamaForCausalLM", "meta-llama/Llama-3.2-1B-Instruct", "US"),
    (None, "mistralai/Mistral-7B-Instruct-v0.3", "FR"),
]


@pytest.mark.parametrize(("arch", "base", "country"), _BASES)
def test_a_declared_base_without_tokenizer_reports_the_declared_family(
    tmp_path: Path, arch: str | None, base: str, country: str
) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"architectures": [arch]} if arch else {}))
    (folder / "README.md").write_text(f"---\nbase_model: {base}\n---\n# fine-tune\n")
    s = identify_artifacts(ArtifactSet.from_path(folder), Catalog.load(), IdentifyOptions())
    assert s.detected is not None
    assert s.detected.country.value == country
    assert s.detected.country.confidence < 0.5
    assert "declared, not verified" in s.detected.country.evidence[0].detail
    assert any("declared, not verified" in f.message for f in s.findings)
    # The gate sees the country, so a country rule can act on it.
    from modelpassport.policy import check_passport, parse_policy

    from ..report.conftest import make_passport

    policy = parse_policy(
        f'name = "no-{country}"\non_missing = "fail"\n[rules]\ndeny_countries = ["{country}"]\n',
        "inline",
    )
    verdict = check_passport(make_passport(identity=s), policy)
    rows = {r.rule: r for r in verdict.results}
    assert rows["deny_countries"].outcome == "fail"


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from([f for f in Catalog.load().family if f.open_weights]))
def test_every_catalog_family_declared_as_a_base_is_reported(
    tmp_path_factory: pytest.TempPathFactory, family: Family
) -> None:
    folder = tmp_path_factory.mktemp("declared")
    (folder / "config.json").write_text("{}")
    (folder / "README.md").write_text(f"---\nbase_model: {json.dumps(family.name)}\n---\n")
    s = identify_artifacts(ArtifactSet.from_path(folder), Catalog.load(), IdentifyOptions())
    assert s.detected is not None
    named = Catalog.load().by_name(family.name)
    assert s.detected.country.value in {f.country for f in named}
    assert s.detected.country.evidence[0].kind == "declared"
