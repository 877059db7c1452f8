"""The DSSE envelope verifies with independent code: securesystemslib and in-toto."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey

from auditor.pack import attestation, keys
from tests.pack.helpers import copy_evidence, make_results, member, pack

ATTESTATION = "signature/attestation.dsse.json"


def _pack(tmp_path: Path) -> tuple[Path, SSlibKey]:
    evidence = copy_evidence(tmp_path)
    results = make_results(evidence, tmp_path / "results.json")
    built = pack(results, evidence, tmp_path / "pack.zip", tmp_path / "key")
    public = keys.load_public_key(tmp_path / "key" / keys.PUBLIC_NAME)
    return built.path, SSlibKey.from_crypto(public, keyid=built.key_id, scheme="ed25519")


def test_pae_matches_securesystemslib() -> None:
    ours = attestation.pae(attestation.PAYLOAD_TYPE, b'{"a":1}')
    assert ours == Envelope(b'{"a":1}', attestation.PAYLOAD_TYPE, {}).pae()
    assert ours == b'DSSEv1 28 application/vnd.in-toto+json 7 {"a":1}'


def test_envelope_verifies_with_securesystemslib(tmp_path: Path) -> None:
    path, key = _pack(tmp_path)
    envelope = Envelope.from_dict(orjson.loads(member(path, ATTESTATION)))
    accepted = envelope.verify([key], 1)
    assert list(accepted) == [key.keyid]
    statement = orjson.loads(envelope.payload)
    assert statement["_type"] == "https://in-toto.io/Statement/v1"


def test_envelope_verifies_with_in_toto(tmp_path: Path) -> None:
    from in_toto.models.metadata import Envelope as InTotoEnvelope

    path, key = _pack(tmp_path)
    envelope = InTotoEnvelope.from_dict(orjson.loads(member(path, ATTESTATION)))
    envelope.verify_signature({"keyid": key.keyid, **key.to_dict()})  # raises on failure


def test_tampered_envelope_fails_with_securesystemslib(tmp_path: Path) -> None:
    import base64

    import pytest
    from securesystemslib.exceptions import VerificationError

    path, key = _pack(tmp_path)
    data = orjson.loads(member(path, ATTESTATION))
    statement = orjson.loads(base64.b64decode(data["payload"]))
    statement["subject"][0]["digest"]["sha256"] = "0" * 64
    data["payload"] = base64.b64encode(orjson.dumps(statement)).decode()
    with pytest.raises(VerificationError):
        Envelope.from_dict(data).verify([key], 1)


def _resign(tmp_path: Path, path: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    """The pack with its statement edited and signed again by the genuine key."""
    from tests.pack.helpers import rewrite, signer, statement

    doc = statement(path)
    edit(doc)
    envelope = attestation.sign(doc, signer(tmp_path / "key"))
    rewrite(path, tmp_path / "resigned.zip", {ATTESTATION: orjson.dumps(envelope)})
    return tmp_path / "resigned.zip"


def _verify(path: Path, tmp_path: Path) -> Any:
    from auditor.pack.signers import Verifier
    from auditor.pack.verify import verify_pack

    return verify_pack(path, Verifier.from_pem_file(tmp_path / "key" / keys.PUBLIC_NAME))


def test_subject_with_an_unchecked_digest_algorithm_is_rejected(tmp_path: Path) -> None:
    """A subject claiming a sha512 the verifier never checks (here a wrong one) must not pass as verified."""
    path, _ = _pack(tmp_path)

    def add_sha512(doc: dict[str, Any]) -> None:
        doc["subject"][0]["digest"]["sha512"] = "00" * 64

    result = _verify(_resign(tmp_path, path, add_sha512), tmp_path)
    assert not result.valid
    assert "digest" in result.reason and "sha512" in result.reason


def test_subject_listed_twice_is_rejected(tmp_path: Path) -> None:
    path, _ = _pack(tmp_path)

    def duplicate(doc: dict[str, Any]) -> None:
        first = doc["subject"][0]
        doc["subject"].insert(0, {"name": first["name"], "digest": {"sha256": "00" * 32}})

    result = _verify(_resign(tmp_path, path, duplicate), tmp_path)
    assert not result.valid
    assert "twice" in result.reason


def test_resigned_statement_is_still_valid(tmp_path: Path) -> None:
    """The two tests above fail for their edit, not for the re-signing."""
    path, _ = _pack(tmp_path)
    assert _verify(_resign(tmp_path, path, lambda doc: None), tmp_path).valid
