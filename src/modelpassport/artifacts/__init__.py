"""Read-only parsers for model files: nothing here loads weights or runs code."""

from ._set import ArtifactKind, ArtifactSet

__all__ = ["ArtifactKind", "ArtifactSet"]
