"""The DSSE envelope verifies with independent code: securesystemslib and in-toto."""

from __future__ import annotations

from pathlib import Path

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
