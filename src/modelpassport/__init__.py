"""modelpassport: a passport for an AI model, issued before you adopt it."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from modelpassport._version import __version__

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    # Read from the installed metadata only when asked: importing the package stays cheap.
    if name == "__version__":
        from modelpassport._version import __version__

        return __version__
    raise AttributeError(f"module 'modelpassport' has no attribute {name!r}")
