"""Keep a target's own credentials out of everything written: answers, raw payloads, errors.

A server may echo what it received (an error page quoting the ``Authorization`` header, a
model repeating its prompt's headers): the key would then reach the journal, the passport
and the report. Each target knows its credentials, so each target removes them from what
it returns, before anything else sees it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REDACTED = "[redacted]"
# Shorter values are not treated as secrets (they would match ordinary text).
MIN_SECRET = 8
_CREDENTIAL_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "proxy-authorization"})


def credentials(headers: Mapping[str, str], url: str = "") -> tuple[str, ...]:
    """The secret values among request headers (the token after a ``Bearer``/``Basic``
    scheme as well as the whole value) and a URL's password."""
    found: set[str] = set()
    for name, value in headers.items():
        if name.lower() in _CREDENTIAL_HEADERS:
            found.add(value)
            found.add(value.partition(" ")[2])
    password = urlsplit(url).password if url else None
    if password:
        found.add(password)
    return tuple(sorted((s for s in found if len(s) >= MIN_SECRET), key=len, reverse=True))


def without_userinfo(url: str) -> str:
    """``url`` with any ``user:password@`` removed (for identities written to passports)."""
    parts = urlsplit(url)
    if not parts.username and not parts.password:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every secret replaced by ``[redacted]``."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def redact_value(value: Any, secrets: tuple[str, ...]) -> Any:
    """A JSON-like value (dicts, lists, strings) with every secret replaced in its strings."""
    if not secrets:
        return value
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {redact(str(k), secrets): redact_value(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(v, secrets) for v in value]
    return value
