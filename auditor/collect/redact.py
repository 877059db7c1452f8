"""Masking helpers: secrets never land in evidence.

Every collector masks what it knows to be sensitive (access key ids to their last
four characters, no secret values) and the writer passes every document through
:func:`scrub` as a second line of defence: fields named like secrets are dropped
and secret-shaped strings in free text (AWS keys, platform tokens, JWTs, private
keys, passwords in URLs, ``password=...`` and ``token: ...`` assignments,
``Authorization`` headers) are replaced. What counts as a secret is decided in one
place, :mod:`auditor.evidence.secrets`, which the evidence loader also uses to refuse
hand-supplied secrets, so collector output always passes that scan. A fast check over
the serialised document skips the slow structured walk when nothing looks sensitive.
"""

from __future__ import annotations

from typing import Any

import orjson

from auditor.evidence.secrets import MASK, REDACTED, may_hold_secrets, redact_text, secret_field

__all__ = ["MASK", "REDACTED", "looks_sensitive", "mask", "mask_key_id", "redact_text", "scan", "scrub",
           "secret_field"]


def scan(data: bytes) -> bool:
    """True when serialised JSON may hold a secret-named field or a secret-shaped string
    (a cheap over-approximation of what :func:`scrub` replaces)."""
    return may_hold_secrets(data)


def mask(value: str | None, keep: int = 4) -> str | None:
    """``AKIAIOSFODNN7EXAMPLE`` -> ``****MPLE``: only the last ``keep`` characters survive."""
    if value is None:
        return None
    if len(value) <= keep:
        return MASK
    return MASK + value[-keep:]


def mask_key_id(key_id: str | None) -> str | None:
    """Mask an access key id to its last four characters."""
    return mask(key_id, 4)


def _walk(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        out = {}
        for key, inner in value.items():
            if inner is not None and not isinstance(inner, bool) and secret_field(str(key)):
                continue
            out[key] = _walk(inner)
        return out
    if isinstance(value, list):
        return [_walk(v) for v in value]
    return value


def looks_sensitive(value: Any) -> bool:
    """True when the serialised value may hold a secret-named field or a secret-shaped string
    (a cheap over-approximation; lowercase hex such as commit SHAs does not trigger it)."""
    return scan(orjson.dumps(value))


def scrub(value: Any) -> Any:
    """``value`` with secret fields dropped and secret-shaped strings replaced (a copy if changed).
    A list is checked item by item, so one suspicious item does not cost a walk of all."""
    if not looks_sensitive(value):
        return value
    if isinstance(value, list):
        return [_walk(v) if looks_sensitive(v) else v for v in value]
    return _walk(value)
