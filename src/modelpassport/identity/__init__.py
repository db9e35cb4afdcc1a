"""Identity and lineage: who made a model, judged from its files rather than its name."""

from ._fingerprint import (
    TokenizerFingerprint,
    exact_overlap,
    fingerprint,
    fingerprint_file,
    read_vocabulary,
    sketch_jaccard,
)
from ._identify import IdentifyOptions, identify_artifacts, identify_hosted
from ._stage import IdentityStage

__all__ = [
    "IdentifyOptions",
    "IdentityStage",
    "TokenizerFingerprint",
    "exact_overlap",
    "fingerprint",
    "fingerprint_file",
    "identify_artifacts",
    "identify_hosted",
    "read_vocabulary",
    "sketch_jaccard",
]
