"""Read-only parsers for model files: nothing here loads weights or runs code."""

from ._archive import (
    ARCHIVE_ERRORS,
    ArchiveMember,
    escapes,
    link_escapes,
    list_archive,
    symlink_target,
)
from ._archive_stream import MAX_DECOMPRESSED, compression_of, open_decompressed
from ._code import CodeBehaviour, CodeParseError, analyse_code, relative_imports
from ._gguf import GGUFFile, GGUFTensor, LazyArray, MetaValue, read_gguf
from ._gguf_split import read_gguf_model, split_shards
from ._hf_dir import HFFolder, read_card, read_hf_dir, read_json
from ._json import MAX_JSON_DEPTH, load_json
from ._pickle import PickleWalk, walk_pickle, walk_pickles
from ._pickle_machine import PickleImport, Ref
from ._safetensors import (
    SafetensorsFile,
    SafetensorsTensor,
    read_safetensors,
    read_safetensors_header,
    read_safetensors_index,
    safetensors_tensor_problem,
)
from ._set import ArtifactKind, ArtifactSet, printable_name
from ._templates import TemplateIssue, analyse_template, analyse_templates, normalise_template
from ._tokenizer import (
    Vocabulary,
    gguf_vocabulary,
    read_tiktoken,
    read_tokenizer_json,
    read_tokenizer_model,
)
from ._torch_zip import TensorInfo, TorchCheckpoint, is_zip, read_torch_checkpoint

__all__ = [
    "ARCHIVE_ERRORS",
    "MAX_DECOMPRESSED",
    "MAX_JSON_DEPTH",
    "ArchiveMember",
    "ArtifactKind",
    "ArtifactSet",
    "CodeBehaviour",
    "CodeParseError",
    "GGUFFile",
    "GGUFTensor",
    "HFFolder",
    "LazyArray",
    "MetaValue",
    "PickleImport",
    "PickleWalk",
    "Ref",
    "SafetensorsFile",
    "SafetensorsTensor",
    "TemplateIssue",
    "TensorInfo",
    "TorchCheckpoint",
    "Vocabulary",
    "analyse_code",
    "analyse_template",
    "analyse_templates",
    "compression_of",
    "escapes",
    "gguf_vocabulary",
    "is_zip",
    "link_escapes",
    "list_archive",
    "load_json",
    "normalise_template",
    "open_decompressed",
    "printable_name",
    "read_card",
    "read_gguf",
    "read_gguf_model",
    "read_hf_dir",
    "read_json",
    "read_safetensors",
    "read_safetensors_header",
    "read_safetensors_index",
    "read_tiktoken",
    "read_tokenizer_json",
    "read_tokenizer_model",
    "read_torch_checkpoint",
    "relative_imports",
    "safetensors_tensor_problem",
    "split_shards",
    "symlink_target",
    "walk_pickle",
    "walk_pickles",
]
