"""Signing keys: generate an Ed25519 pair, load keys, compute key ids, the development key.

The key id is the hex sha256 of the public key's DER SubjectPublicKeyInfo, so anyone
holding the public key PEM can recompute it (``openssl pkey -pubin -outform DER | sha256sum``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.errors import InputError
from auditor.files import write_atomic

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes

PRIVATE_NAME = "signing-key.pem"
PUBLIC_NAME = "signing-key.pub.pem"


@dataclass(frozen=True)
class KeyPair:
    private: Path
    public: Path
    key_id: str


def mask(key_id: str) -> str:
    """Key ids in output and logs show their last four characters only."""
    return f"...{key_id[-4:]}" if len(key_id) > 4 else key_id


def public_der(public_key: PublicKeyTypes) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def public_pem(public_key: PublicKeyTypes) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_id(public_key: PublicKeyTypes) -> str:
    import hashlib

    return hashlib.sha256(public_der(public_key)).hexdigest()


def _passphrase(env_name: str | None) -> bytes | None:
    if not env_name:
        return None
    value = os.environ.get(env_name)
    if not value:
        raise InputError(f"--passphrase-env: environment variable {env_name} is not set or empty")
    return value.encode("utf-8")


def generate(out_dir: Path, passphrase_env: str | None = None) -> KeyPair:
    """Write a new Ed25519 pair into ``out_dir``; never overwrites an existing key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    out_dir = Path(out_dir)
    private_path, public_path = out_dir / PRIVATE_NAME, out_dir / PUBLIC_NAME
    for path in (private_path, public_path):
        if path.exists():
            raise InputError(f"{path}: a key already exists here; refusing to overwrite it")
    passphrase = _passphrase(passphrase_env)
    key = Ed25519PrivateKey.generate()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    )
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(private_path, private_pem, permissions=0o600)  # never readable by others, not even briefly
    write_atomic(public_path, public_pem(key.public_key()))
    return KeyPair(private_path, public_path, key_id(key.public_key()))


def load_private_key(path: Path, passphrase_env: str | None = None) -> PrivateKeyTypes:
    from cryptography.hazmat.primitives import serialization

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read signing key: {exc.strerror}") from None
    try:
        return serialization.load_pem_private_key(data, password=_passphrase(passphrase_env))
    except TypeError:
        raise InputError(
            f"{path}: the private key is encrypted; name the environment variable holding its passphrase "
            "with --passphrase-env"
        ) from None
    except ValueError:
        raise InputError(f"{path}: not a PEM private key, or the passphrase is wrong") from None


def load_public_key(path: Path) -> PublicKeyTypes:

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read public key: {exc.strerror}") from None
    return parse_public_pem(data, str(path))


def parse_public_pem(data: bytes, where: str) -> PublicKeyTypes:
    from cryptography.hazmat.primitives import serialization

    try:
        return serialization.load_pem_public_key(data)
    except ValueError:
        raise InputError(f"{where}: not a PEM public key (expected '-----BEGIN PUBLIC KEY-----')") from None


def auditor_home() -> Path:
    """``$AUDITOR_HOME`` or ``~/.config/auditor``."""
    home = os.environ.get("AUDITOR_HOME")
    return Path(home) if home else Path.home() / ".config" / "auditor"


def development_key() -> tuple[Path, bool]:
    """The local development key's private PEM, created on first use; (path, created)."""
    folder = auditor_home() / "dev-key"
    private = folder / PRIVATE_NAME
    if private.exists():
        return private, False
    generate(folder)
    return private, True
