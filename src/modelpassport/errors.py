"""Errors a user can act on.

Every failure that reaches the command line is one of these, rendered as one line and
mapped to an exit code. Anything else is a bug and keeps its traceback.

    ModelPassportError          one-line message, exit code 2
    ├── InputError              a file or field is not what was expected (names both)
    ├── RefError                a REF string could not be resolved into a subject
    ├── MissingExtraError       an optional dependency is not installed (carries the pip hint)
    └── Interrupted             Ctrl-C or SIGTERM during an audit, exit code 130

Target errors (endpoint failures) live in ``modelpassport.targets`` because they are recorded
in the passport, not raised to the user.
"""

from __future__ import annotations

from pathlib import Path

EXIT_POLICY_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class ModelPassportError(Exception):
    """A failure the user can fix; its message is shown as one line."""

    exit_code = EXIT_USAGE


class InputError(ModelPassportError):
    """A file, or a field inside it, is not what was expected."""

    def __init__(self, where: str | Path, expected: str) -> None:
        self.where = str(where)
        self.expected = expected
        super().__init__(f"{self.where}: {expected}")


class RefError(ModelPassportError):
    """A REF string names nothing modelpassport can audit."""


class MissingExtraError(ModelPassportError):
    """An optional dependency is missing; the message says which extra installs it."""

    def __init__(self, feature: str, module: str, extra: str) -> None:
        super().__init__(
            f"{feature} needs the Python package '{module}': pip install 'modelpassport[{extra}]'"
        )


class Interrupted(ModelPassportError):
    """The user stopped an audit; everything finished is already in the journal."""

    exit_code = EXIT_INTERRUPTED

    def __init__(self) -> None:
        super().__init__(
            "interrupted: finished results are kept in the journal; "
            "rerun the same command to resume"
        )
