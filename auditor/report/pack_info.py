"""What the evidence report says about a pack: its digest and who signed it.

Tolerant by design: the pack format belongs to ``auditor pack``; this module only
looks for a DSSE envelope (``signatures[].keyid``) in a member whose name says
signature, attestation, DSSE or in-toto, and reports "unsigned" when it finds none.
Key ids are shown masked (last four characters), as everywhere in Auditor's output.
"""

from __future__ import annotations

import base64
import binascii
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from auditor.errors import InputError
from auditor.files import sha256_file

_SIGNATURE_HINTS = ("signature", "attestation", "dsse", "intoto", "in-toto")
_MAX_ATTESTATION_BYTES = 16 << 20


@dataclass(frozen=True)
class PackInfo:
    path: Path
    sha256: str
    members: int
    signed: bool
    key_id: str | None  # masked
    attestation: str | None  # member name
    development: bool = False


def mask_key_id(key_id: str) -> str:
    key_id = key_id.removeprefix("sha256:")
    return f"...{key_id[-4:]}" if len(key_id) > 4 else key_id


def _find_key_id(envelope: Any) -> tuple[str | None, bool]:
    """(key id, development-signed) from a DSSE envelope or a bare in-toto statement."""
    if not isinstance(envelope, dict):
        return None, False
    key_id: str | None = None
    signatures = envelope.get("signatures")
    if isinstance(signatures, list):
        for signature in signatures:
            if isinstance(signature, dict) and signature.get("keyid"):
                key_id = str(signature["keyid"])
                break
    statement: Any = envelope
    payload = envelope.get("payload")
    if isinstance(payload, str):
        try:
            statement = orjson.loads(base64.b64decode(payload, validate=False))
        except (binascii.Error, orjson.JSONDecodeError, ValueError):
            statement = {}
    predicate = statement.get("predicate", {}) if isinstance(statement, dict) else {}
    development = False
    if isinstance(predicate, dict):
        for name in ("signer_key_id", "key_id", "keyid", "signer"):
            value = predicate.get(name)
            if key_id is None and isinstance(value, str) and value:
                key_id = value
            if isinstance(value, dict) and key_id is None and value.get("key_id"):
                key_id = str(value["key_id"])
        development = bool(predicate.get("development") or predicate.get("development_signed")
                           or (isinstance(predicate.get("signer"), dict) and predicate["signer"].get("development")))
    return key_id, development


def read_pack_info(path: Path) -> PackInfo:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: pack not found")
    digest = sha256_file(path)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            candidates = sorted(
                (i for i in infos if not i.is_dir() and any(h in i.filename.lower() for h in _SIGNATURE_HINTS)),
                key=lambda i: i.filename,
            )
            for info in candidates:
                if info.file_size > _MAX_ATTESTATION_BYTES:
                    continue
                try:
                    document = orjson.loads(archive.read(info))
                except orjson.JSONDecodeError:
                    continue
                key_id, development = _find_key_id(document)
                if key_id:
                    return PackInfo(path, digest, len(infos), True, mask_key_id(key_id), info.filename, development)
            return PackInfo(path, digest, len(infos), False, None, None)
    except zipfile.BadZipFile:
        raise InputError(f"{path}: not a zip archive (expected an Auditor pack)") from None
