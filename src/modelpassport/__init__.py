"""modelpassport: a passport for an AI model, issued before you adopt it."""

from modelpassport._version import __version__

__all__ = ["__version__"]
