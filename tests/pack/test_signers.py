from __future__ import annotations

import hashlib
from pathlib import Path

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from auditor.errors import InputError
from auditor.pack import keys
from auditor.pack.build import build_pack
from auditor.pack.signers import SIGNERS, KmsSigner, LocalSigner, Verifier
from auditor.pack.verify import verify_pack
from tests.pack.helpers import copy_evidence, make_results


@pytest.mark.parametrize(("name", "plugin"), list(SIGNERS))
def test_every_signer_declares_its_contract(name: str, plugin: type) -> None:
    assert plugin.name == name
    assert plugin.options and all(isinstance(v, str) and v for v in plugin.options.values())
    assert plugin.credentials
    assert "Example:" in (plugin.__doc__ or "")
    assert callable(plugin.from_options)


def test_key_id_is_sha256_of_der_public_key(tmp_path: Path) -> None:
    pair = keys.generate(tmp_path)
    public = keys.load_public_key(pair.public)
    assert pair.key_id == hashlib.sha256(keys.public_der(public)).hexdigest()
    assert LocalSigner.from_options(pair.private).key_id == pair.key_id
    with pytest.raises(InputError, match="refusing to overwrite"):
        keys.generate(tmp_path)


def test_encrypted_key_needs_its_passphrase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACK_PASS", "correct horse")
    pair = keys.generate(tmp_path, "PACK_PASS")
    assert b"ENCRYPTED" in pair.private.read_bytes()
    assert pair.private.stat().st_mode & 0o777 == 0o600
    with pytest.raises(InputError, match="--passphrase-env"):
        LocalSigner.from_options(pair.private)
    monkeypatch.setenv("WRONG", "nope")
    with pytest.raises(InputError, match="passphrase is wrong"):
        LocalSigner.from_options(pair.private, "WRONG")
    signer = LocalSigner.from_options(pair.private, "PACK_PASS")
    assert Verifier.from_pem_file(pair.public).verify(signer.sign(b"data"), b"data")
    monkeypatch.delenv("PACK_PASS")
    with pytest.raises(InputError, match="PACK_PASS is not set"):
        LocalSigner.from_options(pair.private, "PACK_PASS")


@mock_aws
def test_kms_signed_pack_verifies_with_kms_public_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    client = boto3.client("kms", region_name="eu-west-2")
    key_id = client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    evidence = copy_evidence(tmp_path)
    (evidence / "ledgers.yaml").unlink()  # a small pack keeps the signed message under KMS's 4 KiB RAW limit
    results = make_results(evidence, tmp_path / "results.json")
    signer = KmsSigner.from_options(key_id, client)
    built = build_pack(results, evidence, tmp_path / "p.zip", signer)
    result = verify_pack(built.path, Verifier.from_kms(key_id, client))
    assert result.valid, result.reason
    assert result.predicate["signer"]["algorithm"] == "ecdsa-p256-sha256"
    other = client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    assert verify_pack(built.path, Verifier.from_kms(other, client)).reason.startswith("signed by a different key")


@mock_aws
def test_kms_rejects_a_non_p256_key() -> None:
    client = boto3.client("kms", region_name="eu-west-2")
    key_id = client.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    with pytest.raises(InputError, match="expected Ed25519 or ECDSA P-256"):
        KmsSigner.from_options(key_id, client)


@mock_aws
def test_kms_signs_long_messages_as_a_digest() -> None:
    client = boto3.client("kms", region_name="eu-west-2")
    key_id = client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    signer = KmsSigner.from_options(key_id, client)
    message = b"x" * 5000
    with Stubber(client) as stub:
        stub.add_response("sign", {"Signature": b"sig", "KeyId": key_id, "SigningAlgorithm": "ECDSA_SHA_256"},
                          {"KeyId": key_id, "Message": hashlib.sha256(message).digest(), "MessageType": "DIGEST",
                           "SigningAlgorithm": "ECDSA_SHA_256"})
        stub.add_response("sign", {"Signature": b"sig", "KeyId": key_id, "SigningAlgorithm": "ECDSA_SHA_256"},
                          {"KeyId": key_id, "Message": b"short", "MessageType": "RAW", "SigningAlgorithm": ANY})
        assert signer.sign(message) == b"sig"
        assert signer.sign(b"short") == b"sig"
        stub.assert_no_pending_responses()




def test_private_key_is_never_readable_by_others_even_briefly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The key file must be 0600 before it appears under its name, not chmod-ed afterwards."""
    import os
    import pathlib

    modes: dict[str, int] = {}
    real_replace = pathlib.Path.replace

    def spy(self: pathlib.Path, target: object) -> pathlib.Path:
        modes[pathlib.Path(str(target)).name] = self.stat().st_mode & 0o777
        return real_replace(self, target)  # type: ignore[arg-type]

    monkeypatch.setattr(pathlib.Path, "replace", spy)
    old = os.umask(0o022)
    try:
        pair = keys.generate(tmp_path / "k")
    finally:
        os.umask(old)
    assert modes[keys.PRIVATE_NAME] == 0o600
    assert pair.private.stat().st_mode & 0o777 == 0o600
    assert modes[keys.PUBLIC_NAME] == 0o644
