"""Declared identity and architecture signature, from a GGUF header or a model folder.

Declared facts are taken at face value here (they are what the files *say*); the detector
compares them with what the tokenizer, the dimensions and the weights *show*.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from modelpassport.artifacts import GGUFFile, HFFolder, LazyArray, MetaValue
from modelpassport.artifacts._gguf import file_type_name
from modelpassport.passport.sections.identity import Declared


@dataclass(frozen=True)
class ArchSignature:
    """The dimensions that tell model sizes apart (None where the files do not say)."""

    architecture: str | None = None
    hidden_size: int | None = None
    layers: int | None = None
    heads: int | None = None
    kv_heads: int | None = None
    ffn: int | None = None
    vocab_size: int | None = None
    context_length: int | None = None

    def describe(self) -> str:
        """E.g. 'hidden 576, 30 layers, 9/3 heads, ffn 1536'."""
        heads = f"{self.heads}/{self.kv_heads} heads" if self.heads else "heads ?"
        return f"hidden {self.hidden_size}, {self.layers} layers, {heads}, ffn {self.ffn}"


def _int(value: MetaValue | Any) -> int | None:
    """An integer field; per-layer arrays (GGUF) give their largest value."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, list) and value and all(isinstance(v, int) for v in value):
        return max(v for v in value if isinstance(v, int))
    return None


# Declared strings longer than this are cut (a 10 MB general.name is not a name).
MAX_DECLARED = 512


def _clean(text: str) -> str:
    """Text from untrusted files (or a non-UTF-8 file name) made safe to write as JSON,
    cut after ``MAX_DECLARED`` characters so no file can bloat the passport, BOM or report."""
    if len(text) > MAX_DECLARED:
        text = f"{text[:MAX_DECLARED]}… (cut from {len(text)} characters)"
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _str(value: MetaValue | Any) -> str | None:
    return _clean(value) if isinstance(value, str) and value.strip() else None


def describe_gguf(f: GGUFFile) -> tuple[Declared, ArchSignature]:
    """What a GGUF file declares (general.*) and its dimensions (<arch>.*)."""
    md = f.metadata
    n_base = _int(md.get("general.base_model.count")) or 0
    bases: list[str] = []
    for i in range(min(n_base, 16)):
        org = _str(md.get(f"general.base_model.{i}.organization"))
        name = _str(md.get(f"general.base_model.{i}.name"))
        repo = _str(md.get(f"general.base_model.{i}.repo_url"))
        label = " / ".join(x for x in (org, name) if x) or repo
        if label:
            bases.append(label)
    ftype = _int(md.get("general.file_type"))
    quant = file_type_name(ftype) if ftype is not None else None
    if quant is None and f.tensors:
        quant = Counter(t.type_name for t in f.tensors).most_common(1)[0][0]
    tokens = md.get("tokenizer.ggml.tokens")
    vocab = (
        tokens.count
        if isinstance(tokens, LazyArray)
        else (len(tokens) if isinstance(tokens, list) else _int(f.arch_value("vocab_size")))
    )
    context = _int(f.arch_value("context_length"))
    declared = Declared(
        name=_str(md.get("general.name")) or _str(md.get("general.basename")),
        organization=_str(md.get("general.organization")),
        licence=_str(md.get("general.license")) or _str(md.get("general.license.name")),
        base_models=bases,
        architecture=f.architecture,
        parameters=sum(t.n_elements for t in f.tensors) or None,
        quantization=quant,
        context_length=context,
        chat_templates=[_clean(n) for n in f.chat_templates()],
        adapter=_str(md.get("general.type")) == "adapter",
    )
    arch = ArchSignature(
        architecture=f.architecture,
        hidden_size=_int(f.arch_value("embedding_length")),
        layers=_int(f.arch_value("block_count")),
        heads=_int(f.arch_value("attention.head_count")),
        kv_heads=_int(f.arch_value("attention.head_count_kv")),
        ffn=_int(f.arch_value("feed_forward_length")),
        vocab_size=vocab,
        context_length=context,
    )
    return declared, arch


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [_clean(value)]
    if isinstance(value, list):
        return [_clean(v) for v in value if isinstance(v, str)]
    return []


def describe_hf(folder: HFFolder) -> tuple[Declared, ArchSignature]:
    """What a model folder declares: config.json, the model card's YAML, adapter_config."""
    config = folder.config or {}
    text = config.get("text_config") if isinstance(config.get("text_config"), dict) else None
    dims: dict[str, Any] = {**config, **(text or {})}
    card = folder.card
    adapter = folder.adapter_config or {}
    bases = _as_list(card.get("base_model")) + _as_list(adapter.get("base_model_name_or_path"))
    name_or_path = _str(config.get("_name_or_path"))
    org = name_or_path.split("/")[0] if name_or_path and "/" in name_or_path else None
    quant_cfg = config.get("quantization_config")
    quant = None
    if isinstance(quant_cfg, dict):
        method = _str(quant_cfg.get("quant_method")) or "quantized"
        bits = _int(quant_cfg.get("bits"))
        quant = f"{method}-{bits}bit" if bits else method
    else:
        quant = _str(config.get("torch_dtype"))
    architectures = _as_list(config.get("architectures"))
    arch_name = architectures[0] if architectures else _str(config.get("model_type"))
    licence = _str(card.get("license"))
    if licence == "other" and _str(card.get("license_name")):
        licence = _str(card["license_name"])
    context = _int(dims.get("max_position_embeddings"))
    heads = _int(dims.get("num_attention_heads"))
    declared = Declared(
        name=_str(card.get("model_name")) or name_or_path or _clean(folder.root.name),
        organization=org,
        licence=licence,
        base_models=sorted(set(bases)),
        architecture=arch_name,
        parameters=folder.parameters,
        quantization=quant,
        context_length=context,
        chat_templates=[_clean(n) for n in folder.chat_templates],
        adapter=folder.adapter_config is not None,
    )
    arch = ArchSignature(
        architecture=arch_name,
        hidden_size=_int(dims.get("hidden_size")) or _int(dims.get("d_model")),
        layers=_int(dims.get("num_hidden_layers")) or _int(dims.get("n_layer")),
        heads=heads,
        kv_heads=_int(dims.get("num_key_value_heads")) or heads,
        ffn=_int(dims.get("intermediate_size")),
        vocab_size=_int(dims.get("vocab_size")),
        context_length=context,
    )
    return declared, arch
