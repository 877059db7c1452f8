"""Signers and verifiers behind one interface.

A signer signs bytes (the DSSE pre-authentication encoding) and names its key by
the key id (hex sha256 of the DER public key). A verifier is built from a public
key PEM, or fetched from KMS, and checks a signature locally.

Signers register in :data:`SIGNERS`; each declares its ``options`` and the
``credentials`` it needs.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from auditor.errors import InputError
from auditor.pack import keys
from auditor.registry import Registry

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

#: KMS signs a RAW message of at most this many bytes; longer ones are sent as their SHA-256 digest.
KMS_RAW_LIMIT = 4096


class Signer(ABC):
    """What signs a pack's attestation. A subclass registers with ``@SIGNERS.register("name")``, declares
    ``options`` (its constructor's inputs; the first names its CLI option: ``key`` -> ``--key``) and
    ``credentials`` (what it needs), and builds itself from them with ``from_options``."""

    name: ClassVar[str]
    options: ClassVar[dict[str, str]] = {}
    credentials: ClassVar[str] = ""
    key_id: str
    algorithm: str

    @abstractmethod
    def sign(self, data: bytes) -> bytes: ...

    @abstractmethod
    def public_key_pem(self) -> bytes: ...


SIGNERS: Registry[type[Signer]] = Registry("signer", group="auditor.signers")


def _algorithm(public_key: PublicKeyTypes) -> str:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return "ed25519"
    if isinstance(public_key, ec.EllipticCurvePublicKey) and public_key.curve.name == "secp256r1":
        return "ecdsa-p256-sha256"
    raise InputError(f"unsupported key type {type(public_key).__name__}: expected Ed25519 or ECDSA P-256")


@SIGNERS.register("local")
class LocalSigner(Signer):
    """Sign with a private key file (Ed25519; ECDSA P-256 also accepted).

    Example: ``auditor pack build ... --key keys/signing-key.pem [--passphrase-env AUDITOR_KEY_PASSPHRASE]``
    """

    options: ClassVar[dict[str, str]] = {
        "key": "path of the PEM private key",
        "passphrase_env": "environment variable holding the key's passphrase (optional)",
    }
    credentials: ClassVar[str] = "read access to the private key file"

    def __init__(self, private_key: Any) -> None:
        self._key = private_key
        self.public_key = private_key.public_key()
        self.algorithm = _algorithm(self.public_key)
        self.key_id = keys.key_id(self.public_key)

    @classmethod
    def from_options(cls, key: Path, passphrase_env: str | None = None) -> LocalSigner:
        return cls(keys.load_private_key(key, passphrase_env))

    def sign(self, data: bytes) -> bytes:
        if self.algorithm == "ed25519":
            return bytes(self._key.sign(data))
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        return bytes(self._key.sign(data, ec.ECDSA(hashes.SHA256())))

    def public_key_pem(self) -> bytes:
        return keys.public_pem(self.public_key)


@SIGNERS.register("kms")
class KmsSigner(Signer):
    """Sign with an AWS KMS asymmetric key (KeySpec ECC_NIST_P256, KeyUsage SIGN_VERIFY), ECDSA SHA-256.

    Example: ``auditor pack build ... --kms-key-id alias/auditor-packs`` (region and credentials
    from the usual AWS environment). Messages over 4 KiB are signed as their SHA-256 digest.
    """

    options: ClassVar[dict[str, str]] = {"kms_key_id": "KMS key id, ARN or alias"}
    credentials: ClassVar[str] = "kms:Sign and kms:GetPublicKey on the key"
    algorithm = "ecdsa-p256-sha256"

    def __init__(self, kms_key_id: str, client: Any) -> None:
        self.kms_key_id = kms_key_id
        self._client = client
        self.public_key = kms_public_key(client, kms_key_id)
        if _algorithm(self.public_key) != self.algorithm:
            raise InputError(f"KMS key {kms_key_id}: expected an ECC_NIST_P256 signing key")
        self.key_id = keys.key_id(self.public_key)

    @classmethod
    def from_options(cls, kms_key_id: str, client: Any = None) -> KmsSigner:
        if client is None:
            import boto3

            client = boto3.client("kms")
        return cls(kms_key_id, client)

    def sign(self, data: bytes) -> bytes:
        if len(data) <= KMS_RAW_LIMIT:
            message, message_type = data, "RAW"
        else:
            message, message_type = hashlib.sha256(data).digest(), "DIGEST"
        response = self._client.sign(
            KeyId=self.kms_key_id, Message=message, MessageType=message_type, SigningAlgorithm="ECDSA_SHA_256"
        )
        return bytes(response["Signature"])

    def public_key_pem(self) -> bytes:
        return keys.public_pem(self.public_key)


def kms_public_key(client: Any, kms_key_id: str) -> PublicKeyTypes:
    from botocore.exceptions import BotoCoreError, ClientError
    from cryptography.hazmat.primitives import serialization

    try:
        response = client.get_public_key(KeyId=kms_key_id)
    except (ClientError, BotoCoreError) as exc:
        raise InputError(f"KMS key {kms_key_id}: cannot fetch the public key: {exc}") from None
    return serialization.load_der_public_key(response["PublicKey"])


@dataclass(frozen=True)
class Verifier:
    """Checks signatures made by one public key."""

    public_key: Any
    key_id: str
    algorithm: str
    source: str  # where the key came from, for messages

    @classmethod
    def from_public_key(cls, public_key: Any, source: str) -> Verifier:
        return cls(public_key, keys.key_id(public_key), _algorithm(public_key), source)

    @classmethod
    def from_pem_file(cls, path: Path) -> Verifier:
        return cls.from_public_key(keys.load_public_key(path), str(path))

    @classmethod
    def from_kms(cls, kms_key_id: str, client: Any = None) -> Verifier:
        if client is None:
            import boto3

            client = boto3.client("kms")
        return cls.from_public_key(kms_public_key(client, kms_key_id), f"kms:{kms_key_id}")

    def verify(self, signature: bytes, data: bytes) -> bool:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        try:
            if self.algorithm == "ed25519":
                self.public_key.verify(signature, data)
            else:
                self.public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return False
        return True
