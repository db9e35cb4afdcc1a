"""Detached ed25519 signatures over a passport.

What is signed is the sha256 of the passport's canonical JSON (sorted keys, no whitespace),
so re-indenting the file does not break a signature while changing any value does. The
signature file also records the findings digest, and ``verify_passport`` recomputes it: a
passport whose findings were edited after it was written fails even before the signature
is looked at.

Signature file (JSON)::

    {"format": "modelpassport-signature/1", "algorithm": "ed25519",
     "passport_sha256": HEX, "findings_digest": HEX, "public_key": BASE64 (raw 32 bytes),
     "key_id": HEX (first 16 of sha256(public key)), "signature": BASE64}
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ValidationError

from modelpassport._files import write_atomic
from modelpassport.errors import InputError, MissingExtraError

from ._schema import Passport

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

SIGNATURE_FORMAT = "modelpassport-signature/1"
_MAX_KEY_BYTES = 64 * 1024
_DOMAIN = b"modelpassport-signature/1\n"


class SignatureFile(BaseModel):
    """The detached signature as written beside the passport."""

    format: str
    algorithm: str
    passport_sha256: str
    findings_digest: str
    public_key: str
    key_id: str
    signature: str


@dataclass(frozen=True)
class Verification:
    """What verification found; ``ok`` only when every check passed."""

    digest_ok: bool
    hash_ok: bool
    signature_ok: bool
    key_id: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when digest, passport hash and signature all check out."""
        return self.digest_ok and self.hash_ok and self.signature_ok


def _require_crypto() -> None:
    try:
        import cryptography  # noqa: F401
    except ImportError:
        raise MissingExtraError("passport signing", "cryptography", "report") from None


def passport_sha256(passport: Passport) -> str:
    """The hash that a signature covers: sha256 of the canonical JSON of the whole passport."""
    return hashlib.sha256(passport.canonical().encode("utf-8")).hexdigest()


def _message(sha: str, digest: str) -> bytes:
    return _DOMAIN + sha.encode("ascii") + b"\n" + digest.encode("ascii")


def key_id(public_raw: bytes) -> str:
    """A short, stable name for a public key, shown by ``keygen``, ``sign`` and ``verify``."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def _public_raw(key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def generate_keypair(private_path: Path) -> tuple[Path, str]:
    """Write a new ed25519 key (PEM, PKCS#8, mode 0600) and its public half to ``PATH.pub``.

    Returns the public key path and the key id. Refuses to overwrite an existing key, since a
    lost private key cannot be recovered.
    """
    _require_crypto()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    public_path = private_path.with_name(private_path.name + ".pub")
    for path in (private_path, public_path):
        if path.exists():
            raise InputError(path, "already exists; refusing to overwrite a key")
    key = ed25519.Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    private_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    public = key.public_key()
    write_atomic(
        public_path,
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )
    return public_path, key_id(_public_raw(public))


def _read_key_bytes(path: Path) -> bytes:
    if not path.is_file():
        raise InputError(path, "no such key file")
    if path.stat().st_size > _MAX_KEY_BYTES:
        raise InputError(path, "too large to be a key file")
    return path.read_bytes()


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Read an unencrypted PEM ed25519 private key, with a one-line error otherwise."""
    _require_crypto()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    try:
        key = serialization.load_pem_private_key(_read_key_bytes(path), password=None)
    except (ValueError, TypeError) as exc:
        raise InputError(path, f"expected an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise InputError(path, "expected an ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """Read a PEM ed25519 public key (as written by ``keygen``)."""
    _require_crypto()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    try:
        key = serialization.load_pem_public_key(_read_key_bytes(path))
    except (ValueError, TypeError) as exc:
        raise InputError(path, f"expected a PEM public key ({exc})") from None
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise InputError(path, "expected an ed25519 public key")
    return key


def sign_passport(passport: Passport, key: Ed25519PrivateKey) -> SignatureFile:
    """Sign a passport whose findings digest is intact.

    Raises:
        InputError: the recorded findings digest does not match the findings (nothing
            trustworthy to sign).
    """
    digest = passport.actual_digest()
    if digest != passport.findings_digest:
        raise InputError("findings_digest", "does not match the findings; refusing to sign")
    sha = passport_sha256(passport)
    public_raw = _public_raw(key.public_key())
    return SignatureFile(
        format=SIGNATURE_FORMAT,
        algorithm="ed25519",
        passport_sha256=sha,
        findings_digest=digest,
        public_key=base64.b64encode(public_raw).decode("ascii"),
        key_id=key_id(public_raw),
        signature=base64.b64encode(key.sign(_message(sha, digest))).decode("ascii"),
    )


def write_signature(sig: SignatureFile, path: Path) -> None:
    """Write the detached signature file (JSON, atomic replace)."""
    write_atomic(path, json.dumps(sig.model_dump(), indent=2, sort_keys=True) + "\n")


def read_signature(path: Path) -> SignatureFile:
    """Read and validate a detached signature file."""
    raw = _read_key_bytes(path)
    try:
        sig = SignatureFile.model_validate(json.loads(raw.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(path, f"expected signature JSON ({exc})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise InputError(path, f"field {where}: {first['msg']}") from None
    if sig.format != SIGNATURE_FORMAT or sig.algorithm != "ed25519":
        raise InputError(path, f"expected format {SIGNATURE_FORMAT} with algorithm ed25519")
    return sig


def verify_passport(
    passport: Passport, sig: SignatureFile, trusted: Ed25519PublicKey
) -> Verification:
    """Check a passport against its detached signature and a public key the user trusts.

    The key embedded in the signature file is never trusted by itself: it only helps say
    which key signed when it is not the trusted one.
    """
    from cryptography.exceptions import InvalidSignature

    problems: list[str] = []
    digest = passport.actual_digest()
    digest_ok = digest == passport.findings_digest == sig.findings_digest
    if digest != passport.findings_digest:
        problems.append(
            f"findings digest recomputed as {digest[:16]}…, passport records "
            f"{passport.findings_digest[:16]}… (findings were edited)"
        )
    elif digest != sig.findings_digest:
        problems.append("the signature covers different findings")
    sha = passport_sha256(passport)
    hash_ok = sha == sig.passport_sha256
    if not hash_ok:
        problems.append("passport content differs from what was signed")
    trusted_id = key_id(_public_raw(trusted))
    try:
        trusted.verify(base64.b64decode(sig.signature, validate=True), _message(sha, digest))
        signature_ok = True
    except (InvalidSignature, binascii.Error, ValueError):
        signature_ok = False
        if trusted_id != sig.key_id:
            problems.append(f"signed by key {sig.key_id}, not by the trusted key {trusted_id}")
        else:
            problems.append("signature does not verify")
    return Verification(digest_ok, hash_ok, signature_ok, trusted_id, tuple(problems))
