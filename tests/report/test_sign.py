"""Signing: keygen, detached ed25519 signatures, verification of digest and content."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from modelpassport.errors import InputError, MissingExtraError
from modelpassport.passport import (
    generate_keypair,
    load_private_key,
    load_public_key,
    read_signature,
    sign_passport,
    verify_passport,
    write_signature,
)
from modelpassport.passport.sections import ScanSection

from .conftest import make_passport


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    public, key_id = generate_keypair(tmp_path / "team.key")
    assert len(key_id) == 16
    return tmp_path / "team.key", public


def test_signature_round_trip_verifies(keys: tuple[Path, Path], tmp_path: Path) -> None:
    private, public = keys
    assert private.stat().st_mode & 0o077 == 0, "private key must not be group/world readable"
    passport = make_passport()
    sig = sign_passport(passport, load_private_key(private))
    write_signature(sig, tmp_path / "p.sig")
    result = verify_passport(passport, read_signature(tmp_path / "p.sig"), load_public_key(public))
    assert result.ok, result.problems
    assert result.problems == ()


def test_edited_findings_fail_digest_and_signature(keys: tuple[Path, Path]) -> None:
    private, public = keys
    passport = make_passport()
    sig = sign_passport(passport, load_private_key(private))
    edited = passport.model_copy(
        update={
            "findings": passport.findings.model_copy(
                update={"scan": ScanSection(status="ok", reason=None)}
            )
        }
    )
    result = verify_passport(edited, sig, load_public_key(public))
    assert not result.ok
    assert not result.digest_ok
    assert any("findings were edited" in p for p in result.problems)


def test_edited_run_metadata_breaks_signature_but_not_digest(keys: tuple[Path, Path]) -> None:
    private, public = keys
    passport = make_passport()
    sig = sign_passport(passport, load_private_key(private))
    edited = passport.model_copy(
        update={"run": passport.run.model_copy(update={"host": "elsewhere"})}
    )
    result = verify_passport(edited, sig, load_public_key(public))
    assert result.digest_ok
    assert not result.hash_ok
    assert not result.signature_ok


def test_signature_from_another_key_is_named(keys: tuple[Path, Path], tmp_path: Path) -> None:
    private, _ = keys
    other_public, other_id = generate_keypair(tmp_path / "other.key")
    sig = sign_passport(make_passport(), load_private_key(private))
    result = verify_passport(make_passport(), sig, load_public_key(other_public))
    assert not result.signature_ok
    assert any(sig.key_id in p and other_id in p for p in result.problems)


def test_keygen_refuses_to_overwrite(keys: tuple[Path, Path]) -> None:
    private, _ = keys
    with pytest.raises(InputError, match="refusing to overwrite"):
        generate_keypair(private)


def test_refuses_to_sign_a_passport_with_a_wrong_digest(keys: tuple[Path, Path]) -> None:
    passport = make_passport().model_copy(update={"findings_digest": "0" * 64})
    with pytest.raises(InputError, match="findings_digest"):
        sign_passport(passport, load_private_key(keys[0]))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"not a key", "expected an unencrypted PEM private key"),
        (b"", "expected an unencrypted PEM private key"),
    ],
)
def test_bad_private_key_is_one_line(tmp_path: Path, content: bytes, expected: str) -> None:
    (tmp_path / "bad.key").write_bytes(content)
    with pytest.raises(InputError, match=expected):
        load_private_key(tmp_path / "bad.key")


def test_public_key_given_as_private_is_refused(keys: tuple[Path, Path]) -> None:
    with pytest.raises(InputError, match="private key"):
        load_private_key(keys[1])


def test_bad_signature_file_names_field(tmp_path: Path) -> None:
    (tmp_path / "x.sig").write_text(json.dumps({"format": "modelpassport-signature/1"}))
    with pytest.raises(InputError, match="field algorithm"):
        read_signature(tmp_path / "x.sig")
    (tmp_path / "y.sig").write_text("{")
    with pytest.raises(InputError, match="expected signature JSON"):
        read_signature(tmp_path / "y.sig")


def test_missing_cryptography_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "cryptography", None)  # import now raises ImportError
    with pytest.raises(MissingExtraError, match=r"pip install 'modelpassport\[report\]'"):
        generate_keypair(tmp_path / "k.key")
