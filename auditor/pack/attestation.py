"""The pack's signature: an in-toto Statement v1 inside a DSSE envelope.

Signature = Sign(PAE(payloadType, payload)) where, per the DSSE v1 protocol,
``PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`` with
``LEN`` the ASCII decimal byte length. The payload is the statement's canonical
JSON (sorted keys, no whitespace); the envelope's ``payload`` and ``sig`` are base64.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from auditor.files import canonical_json

PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://auditor.dev/audit-pack/v1"


class EnvelopeError(ValueError):
    """The envelope or statement is malformed (message in plain words)."""


def pae(payload_type: str, payload: bytes) -> bytes:
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(payload), payload)


def statement(subjects: dict[str, str], predicate: dict[str, Any]) -> dict[str, Any]:
    """``subjects``: member name -> sha256 hex."""
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": name, "digest": {"sha256": digest}} for name, digest in sorted(subjects.items())],
        "predicateType": PREDICATE_TYPE,
        "predicate": predicate,
    }


def sign(statement_doc: dict[str, Any], signer: Any) -> dict[str, Any]:
    payload = canonical_json(statement_doc)
    signature = signer.sign(pae(PAYLOAD_TYPE, payload))
    return {
        "payload": base64.b64encode(payload).decode("ascii"),
        "payloadType": PAYLOAD_TYPE,
        "signatures": [{"keyid": signer.key_id, "sig": base64.b64encode(signature).decode("ascii")}],
    }


def parse_envelope(raw: bytes) -> tuple[dict[str, Any], bytes]:
    """(envelope, payload bytes); :class:`EnvelopeError` if malformed. The payload is not interpreted yet."""
    try:
        envelope = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise EnvelopeError(f"the attestation is not valid JSON ({exc.msg})") from None
    if not isinstance(envelope, dict) or not {"payload", "payloadType", "signatures"} <= envelope.keys():
        raise EnvelopeError("the attestation is not a DSSE envelope (payload, payloadType, signatures)")
    if envelope["payloadType"] != PAYLOAD_TYPE:
        raise EnvelopeError(f"the attestation's payloadType is {envelope['payloadType']!r}, expected {PAYLOAD_TYPE}")
    signatures = envelope["signatures"]
    if not isinstance(signatures, list) or len(signatures) != 1 or not isinstance(signatures[0], dict):
        raise EnvelopeError("the attestation must carry exactly one signature")
    try:
        payload = base64.b64decode(envelope["payload"], validate=True)
        base64.b64decode(signatures[0].get("sig", ""), validate=True)
    except (binascii.Error, TypeError):
        raise EnvelopeError("the attestation's payload or signature is not valid base64") from None
    return envelope, payload


def parse_statement(payload: bytes) -> dict[str, Any]:
    """The in-toto statement from a payload whose signature has been verified."""
    try:
        doc = orjson.loads(payload)
    except orjson.JSONDecodeError:
        raise EnvelopeError("the attested statement is not valid JSON") from None
    if not isinstance(doc, dict) or doc.get("_type") != STATEMENT_TYPE:
        raise EnvelopeError(f"the attested statement is not an in-toto Statement ({STATEMENT_TYPE})")
    if doc.get("predicateType") != PREDICATE_TYPE or not isinstance(doc.get("predicate"), dict):
        raise EnvelopeError(f"the attested statement's predicateType is not {PREDICATE_TYPE}")
    subjects = doc.get("subject")
    if not isinstance(subjects, list) or not all(
        isinstance(s, dict) and isinstance(s.get("name"), str) and isinstance(s.get("digest"), dict)
        and isinstance(s["digest"].get("sha256"), str) for s in subjects
    ):
        raise EnvelopeError("the attested statement's subjects are malformed")
    names: set[str] = set()
    for subject in subjects:
        extra = sorted(set(subject["digest"]) - {"sha256"})
        if extra:  # a digest the verifier does not check must not pass as verified
            raise EnvelopeError(f"the attested statement's subject {subject['name']} carries a {extra[0]} digest: "
                                "packs are attested by sha256 only")
        if subject["name"] in names:
            raise EnvelopeError(f"the attested statement lists subject {subject['name']} twice")
        names.add(subject["name"])
    return doc


def subjects_of(doc: dict[str, Any]) -> dict[str, str]:
    return {s["name"]: s["digest"]["sha256"] for s in doc["subject"]}


def signature_bytes(envelope: dict[str, Any]) -> tuple[str, bytes]:
    entry = envelope["signatures"][0]
    return str(entry.get("keyid", "")), base64.b64decode(entry["sig"])
