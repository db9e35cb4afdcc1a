"""Endpoint failures, typed so callers can decide to retry and record without guessing.

    TargetError                 any failure to get a completion
    ├── TransientTargetError    worth retrying: timeouts, 429, 5xx, dropped streams
    └── PermanentTargetError    retrying cannot help: bad request, unknown model, an answer
        │                       over the response cap
        └── AuthTargetError     the credentials are refused (401, 403): no later request
                                can succeed, so the run stops asking

A target error is stored in the journal as an error and shown in the passport as an error;
it is never turned into answer text and never scored as a refusal.
"""

from __future__ import annotations


class TargetError(Exception):
    """A request to a target failed."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def kind(self) -> str:
        """The error class name, as stored in the journal and the passport."""
        return type(self).__name__


class TransientTargetError(TargetError):
    """A failure that may pass: retried with backoff, then recorded.

    ``retry_after_s`` carries a server's ``Retry-After`` so the retry waits as asked
    (capped by ``Limits.retry_after_max_s``) instead of hammering a rate-limited endpoint.
    """

    def __init__(
        self, message: str, *, status: int | None = None, retry_after_s: float | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after_s = retry_after_s


class PermanentTargetError(TargetError):
    """A failure that will not pass by retrying: recorded at once."""


class AuthTargetError(PermanentTargetError):
    """The target refused our credentials: the runner stops sending, the stage fails."""
