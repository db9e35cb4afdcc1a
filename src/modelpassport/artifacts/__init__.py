"""Read-only parsers for model files: nothing here loads weights or runs code."""

from ._gguf import GGUFFile, GGUFTensor, LazyArray, MetaValue, read_gguf
from ._pickle import PickleImport, PickleWalk, Ref, walk_pickle, walk_pickles
from ._set import ArtifactKind, ArtifactSet
from ._torch_zip import TensorInfo, TorchCheckpoint, read_torch_checkpoint

__all__ = [
    "ArtifactKind",
    "ArtifactSet",
    "GGUFFile",
    "GGUFTensor",
    "LazyArray",
    "MetaValue",
    "PickleImport",
    "PickleWalk",
    "Ref",
    "TensorInfo",
    "TorchCheckpoint",
    "read_gguf",
    "read_torch_checkpoint",
    "walk_pickle",
    "walk_pickles",
]
