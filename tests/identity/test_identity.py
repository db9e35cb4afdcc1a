"""The identity verdict on real models and on disguised copies built from them."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import numpy as np
import pytest

from modelpassport.artifacts import (
    ArtifactSet,
    LazyArray,
    read_gguf,
    read_tiktoken,
    read_tokenizer_model,
)
from modelpassport.catalog import Catalog
from modelpassport.errors import InputError
from modelpassport.identity import (
    IdentifyOptions,
    IdentityStage,
    identify_artifacts,
    identify_hosted,
)
from modelpassport.passport.sections import IdentitySection
from modelpassport.stages import AuditOptions, StageContext
from modelpassport.store import Journal

from .builders import to_byte_level, write_tokenizer_json
from .gguf_build import write_gguf

NO_LINEAGE = IdentifyOptions(lineage=False)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture(scope="session")
def nova_gguf(smollm2_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SmolLM2 in disguise: renamed ('Nova' by 'Acme Labs', MIT), its embedding's hidden
    dimension permuted, 10% noise added, re-quantized from Q8_0 to Q4_0."""
    gguf = pytest.importorskip("gguf")
    src = read_gguf(smollm2_gguf)
    md = src.metadata
    embd = src.tensor("token_embd.weight")
    assert embd is not None
    assert embd.nbytes is not None
    raw = np.fromfile(src.path, dtype=np.uint8, count=embd.nbytes, offset=embd.offset)
    x = gguf.quants.dequantize(raw.reshape(embd.shape[1], -1), gguf.GGMLQuantizationType.Q8_0)
    rng = np.random.default_rng(7)
    x = x[:, rng.permutation(x.shape[1])]
    x = (x + rng.normal(0.0, 0.1 * float(x.std()), x.shape)).astype(np.float32)
    path = tmp_path_factory.mktemp("nova") / "nova-135m.gguf"
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_name("Nova 135M")
    w.add_organization("Acme Labs")
    w.add_license("mit")
    for key in (
        "block_count",
        "context_length",
        "embedding_length",
        "feed_forward_length",
        "attention.head_count",
        "attention.head_count_kv",
    ):
        w.add_uint32(f"llama.{key}", int(md[f"llama.{key}"]))  # type: ignore[arg-type]
    w.add_tokenizer_model("gpt2")
    tokens, types = md["tokenizer.ggml.tokens"], md["tokenizer.ggml.token_type"]
    assert isinstance(tokens, LazyArray)
    assert isinstance(types, LazyArray)
    w.add_token_list(list(tokens.iter_bytes()))
    w.add_token_types([int(t) for t in types.read()])
    w.add_chat_template("{% for m in messages %}<|im_start|>{{ m.content }}{% endfor %}")
    q = gguf.quants.quantize(x, gguf.GGMLQuantizationType.Q4_0)
    w.add_tensor("token_embd.weight", q, raw_dtype=gguf.GGMLQuantizationType.Q4_0)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def test_bundled_smollm2_is_what_it_says(smollm2_gguf: Path, catalog: Catalog) -> None:
    s = identify_artifacts(ArtifactSet.from_path(smollm2_gguf), catalog, IdentifyOptions())
    assert s.detected is not None
    assert s.detected.family.value == "SmolLM2"
    assert s.detected.family.confidence > 0.9
    assert {e.kind for e in s.detected.family.evidence} >= {"tokenizer", "dimensions", "weights"}
    assert s.declared.organization == "HuggingFaceTB"
    assert s.declared.quantization == "Q4_1"
    assert s.declared.chat_templates == ["default"]
    assert s.declared.family == "smollm2"
    assert s.findings == []
    assert s.summary().startswith("SmolLM2 · Hugging Face (US) · Apache-2.0")
    assert s.tokenizer is not None
    assert s.tokenizer.best_match == "cosmo2"


def test_renamed_requantized_copy_is_seen_through(
    nova_gguf: Path, smollm2_gguf: Path, catalog: Catalog
) -> None:
    s = identify_artifacts(ArtifactSet.from_path(nova_gguf), catalog, IdentifyOptions())
    assert s.declared.name == "Nova 135M"
    assert s.declared.quantization is not None
    assert s.detected is not None
    assert s.detected.family.value == "SmolLM2"
    assert s.detected.developer.value == "Hugging Face"
    lineage = {m.reference_family: m for m in s.lineage}
    assert lineage["smollm2"].verdict == "same_lineage"
    assert lineage["smollm2"].score is not None
    assert lineage["smollm2"].score > 0.9
    rules = {f.rule_id: f for f in s.findings}
    assert rules["MP-ID-001"].severity == "high"
    assert "confirmed by weights" in rules["MP-ID-001"].message
    assert "'mit'" in rules["MP-ID-002"].message
    assert "undeclared lineage" in s.summary()


def test_unrelated_reference_is_told_apart(
    nova_gguf: Path, gemma_gguf: Path, catalog: Catalog
) -> None:
    opts = IdentifyOptions(references=(gemma_gguf,))
    s = identify_artifacts(ArtifactSet.from_path(nova_gguf), catalog, opts)
    gemma = [m for m in s.lineage if m.reference == str(gemma_gguf)]
    assert gemma
    assert all(m.verdict == "unrelated" and m.reference_family == "gemma3" for m in gemma)
    assert gemma[0].shared_tokens > 10_000


@pytest.mark.parametrize(
    ("base_model", "flagged"),
    [("mistralai/Mistral-7B-v0.1", True), ("Qwen/Qwen2.5-7B", False)],
)
def test_qwen_vocabulary_in_a_folder_claiming_mistral(
    tmp_path: Path, qwen_tiktoken: Path, catalog: Catalog, base_model: str, flagged: bool
) -> None:
    base = read_tiktoken(qwen_tiktoken)
    folder = tmp_path / "acme-mistral-7b-chat"
    folder.mkdir()
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|acme|>"]
    write_tokenizer_json(
        folder / "tokenizer.json",
        [to_byte_level(t) for t in base.tokens],
        [(len(base.tokens) + j, text) for j, text in enumerate(specials)],
    )
    (folder / "config.json").write_text(
        json.dumps(
            {
                "architectures": ["MistralForCausalLM"],
                "model_type": "mistral",
                "_name_or_path": "acme/mistral-7b-chat",
                "hidden_size": 4096,
                "num_hidden_layers": 32,
                "num_attention_heads": 32,
                "num_key_value_heads": 8,
                "intermediate_size": 14336,
                "vocab_size": 151680,
                "max_position_embeddings": 32768,
            }
        )
    )
    (folder / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "chat_template": [
                    {"name": "default", "template": "{{ messages }}"},
                    {"name": "tool_use", "template": "{{ tools }}"},
                ]
            }
        )
    )
    (folder / "README.md").write_text(
        f"---\nlicense: apache-2.0\nbase_model: {base_model}\n---\n# Acme chat\n"
    )
    s = identify_artifacts(ArtifactSet.from_path(folder), catalog, NO_LINEAGE)
    assert s.declared.family == "mistral"
    assert s.declared.chat_templates == ["default", "tool_use"]
    assert s.declared.base_models == [base_model]
    assert s.detected is not None
    assert s.detected.developer.value == "Alibaba Cloud (Qwen team)"
    assert s.detected.country.value == "CN"
    assert s.detected.developer.confidence >= 0.5
    assert s.detected.family.value is not None
    assert "Qwen" in s.detected.family.value
    assert "Mistral 7B" not in s.detected.alternatives
    assert s.tokenizer is not None
    assert s.tokenizer.best_match == "qwen"
    lineage_findings = [f for f in s.findings if f.rule_id == "MP-ID-001"]
    if not flagged:  # the card names a Qwen base model: the lineage is declared
        assert lineage_findings == []
        return
    [finding] = lineage_findings
    assert finding.severity == "high"
    assert "pointing to Mistral 7B" in finding.message


def test_adapter_without_base_model(tmp_path: Path, catalog: Catalog) -> None:
    folder = tmp_path / "lora"
    folder.mkdir()
    (folder / "adapter_config.json").write_text(json.dumps({"peft_type": "LORA", "r": 8}))
    s = identify_artifacts(ArtifactSet.from_path(folder), catalog, NO_LINEAGE)
    assert s.declared.adapter is True
    assert [f.rule_id for f in s.findings] == ["MP-ID-003", "MP-ID-004"]


def test_hosted_targets_get_identity_from_the_catalog(catalog: Catalog) -> None:
    s = identify_hosted("deepseek-chat", "api.deepseek.com", catalog)
    assert s.subject_kind == "hosted"
    assert s.detected is not None
    assert (s.detected.developer.value, s.detected.country.value) == ("DeepSeek", "CN")
    assert s.detected.open_weights is False
    unknown = identify_hosted("house-model-v9", "llm.internal", catalog)
    assert unknown.detected is not None
    assert unknown.detected.family.value is None
    assert [f.rule_id for f in unknown.findings] == ["MP-ID-004"]


def test_identical_runs_give_identical_sections(smollm2_gguf: Path, catalog: Catalog) -> None:
    a = identify_artifacts(ArtifactSet.from_path(smollm2_gguf), catalog, NO_LINEAGE)
    b = identify_artifacts(ArtifactSet.from_path(smollm2_gguf), catalog, NO_LINEAGE)
    assert a.model_dump_json() == b.model_dump_json()


def _ctx(tmp_path: Path, artifacts: ArtifactSet, options: dict[str, str]) -> StageContext:
    opts = AuditOptions(stages=("identity",), out_dir=tmp_path, stage_options={"identity": options})
    return StageContext("test", artifacts, None, Journal(tmp_path / "j.sqlite"), opts)


def test_stage_runs_and_validates_options(tmp_path: Path, smollm2_gguf: Path) -> None:
    stage = IdentityStage()
    assert (stage.name, stage.needs) == ("identity", "any")
    arts = ArtifactSet.from_path(smollm2_gguf)
    section = asyncio.run(stage.run(_ctx(tmp_path, arts, {"lineage": "off"})))
    assert isinstance(section, IdentitySection)
    assert section.lineage == []
    assert section.catalog_version.startswith("v1-")
    for bad, message in (
        ({"lineage": "maybe"}, "valid boolean"),
        ({"sample": "3"}, "greater than or equal to 16"),
        ({"colour": "red"}, "identity.lineage"),
    ):
        with pytest.raises(InputError, match=message):
            asyncio.run(stage.run(_ctx(tmp_path, arts, bad)))


def test_truncated_subject_fails_with_one_line(
    tmp_path: Path, smollm2_gguf: Path, catalog: Catalog
) -> None:
    cut = tmp_path / "cut.gguf"
    with smollm2_gguf.open("rb") as fh:
        cut.write_bytes(fh.read(500_000))
    with pytest.raises(InputError, match="truncated") as info:
        identify_artifacts(ArtifactSet.from_path(cut), catalog, NO_LINEAGE)
    assert "\n" not in str(info.value)


def test_audit_end_to_end_for_files_and_for_a_hosted_style_target(tmp_path: Path) -> None:
    """Through the library surface: a folder REF (files, no target) and a scripted target
    that answers as 'gpt-4o-mini' (no files)."""
    from modelpassport.api import audit

    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "config.json").write_text("{}")  # files only: no target is opened
    folder_opts = AuditOptions(stages=("identity",), out_dir=tmp_path / "a")
    passport = asyncio.run(audit(str(folder), folder_opts))
    section = passport.findings.identity
    assert section.status == "ok"
    assert section.subject_kind == "hf_dir"
    assert [f.rule_id for f in section.findings] == ["MP-ID-004"]

    script = tmp_path / "script.json"
    script.write_text(json.dumps({"model": "gpt-4o-mini", "rules": [], "default": "OK"}))
    hosted_opts = AuditOptions(stages=("identity",), out_dir=tmp_path / "b")
    passport = asyncio.run(audit(f"scripted:{script}", hosted_opts))
    hosted = passport.findings.identity
    assert hosted.status == "ok", hosted.reason
    assert hosted.subject_kind == "hosted"
    assert hosted.detected is not None
    assert hosted.detected.developer.value == "OpenAI"
    assert "OpenAI (US)" in hosted.summary()


def test_a_fine_tune_that_declares_its_base_is_not_flagged(
    tmp_path: Path, smollm2_gguf: Path, catalog: Catalog
) -> None:
    src = read_gguf(smollm2_gguf)
    tokens = src.metadata["tokenizer.ggml.tokens"]
    assert isinstance(tokens, LazyArray)
    path = write_gguf(
        tmp_path / "tuned.gguf",
        strings={
            "general.name": "Acme Helper",
            "general.organization": "Acme",
            "general.license": "apache-2.0",
            "general.base_model.0.name": "SmolLM2 135M Instruct",
            "general.base_model.0.organization": "HuggingFaceTB",
        },
        ints={
            "general.base_model.count": 1,
            "llama.embedding_length": 576,
            "llama.block_count": 30,
            "llama.attention.head_count": 9,
            "llama.attention.head_count_kv": 3,
            "llama.feed_forward_length": 1536,
        },
        tokens=[t.decode() for t in tokens.iter_bytes()],
    )
    s = identify_artifacts(ArtifactSet.from_path(path), catalog, NO_LINEAGE)
    assert s.declared.base_models == ["HuggingFaceTB / SmolLM2 135M Instruct"]
    assert s.declared.family == "smollm2"
    assert s.detected is not None
    assert s.detected.family.value == "SmolLM2"
    assert {e.kind for e in s.detected.family.evidence} >= {"tokenizer", "dimensions"}
    assert s.findings == []


def test_hostile_text_in_declarations_still_serialises(tmp_path: Path, catalog: Catalog) -> None:
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "config.json").write_text(
        '{"_name_or_path": "x/\\udc80name", "torch_dtype": "\\ud800", "architectures": [7]}'
    )
    (folder / "tokenizer_config.json").write_text(
        '{"chat_template": [{"name": "\\udfff", "template": "{{ x }}"}]}'
    )
    s = identify_artifacts(ArtifactSet.from_path(folder), catalog, NO_LINEAGE)
    dumped = json.loads(s.model_dump_json())["declared"]
    assert dumped["name"].startswith("x/\ufffd")
    assert dumped["name"].endswith("name")
    assert dumped["chat_templates"][0].startswith("\ufffd")


@pytest.mark.parametrize(
    ("name_or_path", "flagged"), [("meta-llama/house-8b", False), ("acme/house-8b", True)]
)
def test_publishing_organisation_counts_as_declaring_the_developer(
    tmp_path: Path, llama3_tokenizer: Path, catalog: Catalog, name_or_path: str, flagged: bool
) -> None:
    base = read_tokenizer_model(llama3_tokenizer)
    folder = tmp_path / "house"
    folder.mkdir()
    write_tokenizer_json(
        folder / "tokenizer.json",
        [to_byte_level(t) for t in base.tokens],
        [(128000, "<|begin_of_text|>"), (128009, "<|eot_id|>")],
    )
    (folder / "config.json").write_text(
        json.dumps(
            {
                "_name_or_path": name_or_path,
                "architectures": ["LlamaForCausalLM"],
                "hidden_size": 4096,
                "num_hidden_layers": 32,
                "num_attention_heads": 32,
                "num_key_value_heads": 8,
                "intermediate_size": 14336,
                "vocab_size": 128256,
            }
        )
    )
    s = identify_artifacts(ArtifactSet.from_path(folder), catalog, NO_LINEAGE)
    assert s.detected is not None
    assert s.detected.developer.value == "Meta"
    assert s.detected.family.value == "Llama 3 / 3.1 / 3.2 / 3.3"
    assert any(f.rule_id == "MP-ID-001" for f in s.findings) is flagged
