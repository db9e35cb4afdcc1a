"""A Hugging Face model folder, read as data: configs, model card YAML, adapter config,
chat templates, tokenizer files and safetensors headers (sharded via the index file).

Nothing is imported: ``auto_map`` and custom code are only named here (the scan stage judges
them). Every file read is size-bounded and a malformed one fails with its name and field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from modelpassport.errors import InputError

from ._json import load_json
from ._safetensors import SafetensorsFile, read_safetensors, read_safetensors_index
from ._tokenizer import check_size
from ._torch_zip import TorchCheckpoint, read_torch_checkpoint

MAX_CONFIG_BYTES: Final = 16 * 1024 * 1024
MAX_CARD_BYTES: Final = 4 * 1024 * 1024
INDEX_FILE: Final = "model.safetensors.index.json"


@dataclass(frozen=True)
class HFFolder:
    """What a model folder declares about itself. Absent files are None / empty."""

    root: Path
    config: dict[str, Any] | None = None
    generation_config: dict[str, Any] | None = None
    tokenizer_config: dict[str, Any] | None = None
    adapter_config: dict[str, Any] | None = None
    card: dict[str, Any] = field(default_factory=dict)
    chat_templates: dict[str, str] = field(default_factory=dict)
    weights: tuple[SafetensorsFile, ...] = ()
    checkpoints: tuple[TorchCheckpoint, ...] = ()
    tokenizer_files: tuple[Path, ...] = ()

    @property
    def parameters(self) -> int | None:
        """Parameters counted from tensor shapes: safetensors, else PyTorch checkpoints
        (read from their pickle opcodes, never unpickled); None without weights."""
        if self.weights:
            return sum(t.n_elements for w in self.weights for t in w.tensors)
        shapes = [t.shape for c in self.checkpoints for t in c.tensors]
        if not shapes:
            return None
        return sum(math.prod(s) for s in shapes)


def read_json(path: Path, limit: int = MAX_CONFIG_BYTES) -> dict[str, Any]:
    """A bounded JSON object file."""
    check_size(path, limit)
    doc = load_json(path.read_bytes(), path)
    if not isinstance(doc, dict):
        raise InputError(path, "expected a JSON object")
    return doc


def read_card(path: Path) -> dict[str, Any]:
    """The YAML front matter of a model card (README.md), parsed safely; {} when absent."""
    check_size(path, MAX_CARD_BYTES)
    text = path.read_text(encoding="utf-8", errors="replace")
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    if end < 0:
        raise InputError(path, "model card front matter: expected a closing '---' line")
    import yaml  # only model cards need it; GGUF audits start faster without it

    try:
        doc = yaml.safe_load(text[3:end])
    except (yaml.YAMLError, RecursionError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f" (line {line + 2})" if isinstance(line, int) else ""
        raise InputError(path, f"model card front matter: expected YAML{where}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise InputError(path, "model card front matter: expected a YAML mapping")
    return doc


def _templates(root: Path, tok_config: dict[str, Any] | None) -> dict[str, str]:
    """Every chat template the folder ships: in tokenizer_config.json (string or named list),
    chat_template.jinja / chat_template.json, and additional_chat_templates/*.jinja."""
    out: dict[str, str] = {}
    raw = (tok_config or {}).get("chat_template")
    if isinstance(raw, str):
        out["default"] = raw
    elif isinstance(raw, list):
        for i, item in enumerate(raw):
            if not isinstance(item, dict) or not isinstance(item.get("template"), str):
                raise InputError(
                    root / "tokenizer_config.json",
                    f"chat_template[{i}]: expected {{name, template}}",
                )
            out[str(item.get("name") or f"template_{i}")] = item["template"]
    jinja = root / "chat_template.jinja"
    if jinja.is_file():
        check_size(jinja, MAX_CONFIG_BYTES)
        out["default"] = jinja.read_text(encoding="utf-8", errors="replace")
    cj = root / "chat_template.json"
    if cj.is_file():
        value = read_json(cj).get("chat_template")
        if isinstance(value, str):
            out["default"] = value
    extra = root / "additional_chat_templates"
    if extra.is_dir():
        for p in sorted(extra.glob("*.jinja")):
            check_size(p, MAX_CONFIG_BYTES)
            out[p.stem] = p.read_text(encoding="utf-8", errors="replace")
    return dict(sorted(out.items()))


def _weights(root: Path) -> tuple[SafetensorsFile, ...]:
    index = root / INDEX_FILE
    if index.is_file():
        shards = sorted(set(read_safetensors_index(index).values()))
        missing = [s for s in shards if not (root / s).is_file()]
        if missing:
            raise InputError(index, f"weight_map names missing shard(s): {', '.join(missing)}")
        return tuple(read_safetensors(root / s) for s in shards)
    return tuple(read_safetensors(p) for p in sorted(root.glob("*.safetensors")))


_TOKENIZER_NAMES: Final = ("tokenizer.json", "tokenizer.model", "tiktoken.model")
_TORCH_SUFFIXES: Final = (".bin", ".pt", ".pth")


def _checkpoints(root: Path) -> tuple[TorchCheckpoint, ...]:
    """PyTorch checkpoints' tensor tables. One that cannot be read is left out here: the
    scan stage owns judging it, and identity only counts parameters from these."""
    out: list[TorchCheckpoint] = []
    for p in sorted(root.iterdir()):
        if p.suffix in _TORCH_SUFFIXES and p.is_file() and not p.is_symlink():
            try:
                out.append(read_torch_checkpoint(p))
            except InputError:
                continue
    return tuple(out)


def read_hf_dir(root: Path) -> HFFolder:
    """Read a model folder's declarations and weight headers (top level only)."""
    if not root.is_dir():
        raise InputError(root, "expected a model folder")

    def optional(name: str) -> dict[str, Any] | None:
        p = root / name
        return read_json(p) if p.is_file() else None

    tok_config = optional("tokenizer_config.json")
    card_path = root / "README.md"
    tokenizer_files = [root / n for n in _TOKENIZER_NAMES if (root / n).is_file()]
    tokenizer_files += sorted(root.glob("*.tiktoken"))
    return HFFolder(
        root=root,
        config=optional("config.json"),
        generation_config=optional("generation_config.json"),
        tokenizer_config=tok_config,
        adapter_config=optional("adapter_config.json"),
        card=read_card(card_path) if card_path.is_file() else {},
        chat_templates=_templates(root, tok_config),
        weights=_weights(root),
        checkpoints=_checkpoints(root),
        tokenizer_files=tuple(tokenizer_files),
    )
