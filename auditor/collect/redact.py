"""Masking helpers: secrets never land in evidence.

Every collector masks what it knows to be sensitive (access key ids to their last
four characters, no secret values) and the writer passes every document through
:func:`scrub` as a second line of defence: fields named like secrets are dropped
and secret-shaped strings (AWS keys, platform tokens, private keys, passwords in
URLs) are replaced. A fast check over the serialised document skips the slow
structured walk when nothing looks sensitive, so large clean documents cost little.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

MASK = "****"
REDACTED = "[REDACTED]"

#: Field names whose values are secrets (``password_enabled: true`` is kept: a flag, not a value).
#: Matched after camelCase is split (``dbPassword`` -> ``db_Password``, ``AWSSecretKey`` -> ``AWS_Secret_Key``).
SECRET_FIELD = re.compile(
    r"(?i)^(.*[_-])?(password|passwd|passphrase|secret|secret_access_key|secret_key|session_token|token|"
    r"access_token|refresh_token|api_key|apikey|private_key|client_secret|credentials?|authorization|cookie)$"
)

_AWS_KEY_ID = r"\b(?:AKIA|ASIA|AIDA|AROA|ABIA|ACCA|AGPA|ANPA|ANVA|APKA|ASCA)[A-Z0-9]{12}([A-Z0-9]{4})\b"
# GitLab: personal (glpat-), CI job (glcbt-), deploy, runner, pipeline trigger, feed, OAuth,
# service account, incoming mail and agent tokens.
_GITLAB_PREFIXES = "gl(?:pat|cbt|dt|rt|ptt|ft|oas|soat|imt|agent)-"
_TOKENS = (
    r"\bgh[pousr]_[A-Za-z0-9]{20,}\b",
    r"\bgithub_pat_[A-Za-z0-9_]{20,}\b",
    rf"\b{_GITLAB_PREFIXES}[A-Za-z0-9_-]{{20,}}",
    r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b",
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
    r"\b[Bb]earer\s+[A-Za-z0-9._~+/=-]{16,}",
)
_TOKEN = re.compile("|".join(f"(?:{t})" for t in _TOKENS))
_AWS_KEY = re.compile(_AWS_KEY_ID)
# A 40-character AWS secret access key: base64 alphabet, mixed case and digits (so commit
# SHAs and other lowercase hex never match). ``=`` before it is a separator (``KEY=<secret>``).
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+])(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[a-z])"
                         r"(?=[A-Za-z0-9/+]*[0-9])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
# ``scheme://user:password@``: any case of scheme, an empty user, an unencoded ``@`` in the password.
_URL_PASSWORD = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*):[^/\s]+@")

# The fast pre-check over serialised JSON uses substring search (C speed) rather than one
# regular expression, which Python runs position by position (seconds on a 50 MB document).
# Field-name endings: ``key":`` covers api_key, apikey, private_key, secret_key and
# secret_access_key; ``token":`` every *_token; ``secret":`` client_secret.
_SECRET_WORDS = ("password", "passwd", "passphrase", "secret", "key", "token", "credential", "credentials",
                 "authorization", "cookie")
_KEY_ENDS = tuple(f'{word}":'.encode() for word in _SECRET_WORDS)
_LITERALS = (b"github_pat_", b"PRIVATE KEY-----")
# Patterns that start with a literal, which Python's engine searches for at C speed.
_TOKEN_BYTES = (re.compile(rb"gh[pousr]_[A-Za-z0-9]{20}"), re.compile(rb"xox[abposr]-"),
                re.compile(_GITLAB_PREFIXES.encode() + rb"[A-Za-z0-9_-]{20}"))
_AWS_KEY_BYTES = re.compile(rb"A(?:KIA|SIA|IDA|ROA|BIA|CCA|GPA|NPA|NVA|PKA|SCA)[A-Z0-9]{16}")
_URL_PASSWORD_BYTES = re.compile(rb"://[^/\s:@\"]*:[^/\s@\"]+@")
_BASE64_RUNS = bytes(
    ord("a") if chr(c).isascii() and (chr(c).isalnum() or chr(c) in "/+") else ord(" ") for c in range(256)
)
_RUN_40 = b" " + b"a" * 40 + b" "


def _has_secret_run(data: bytes) -> bool:
    """A run of exactly 40 base64 characters with an upper-case letter (so not a hex SHA)."""
    runs = data.translate(_BASE64_RUNS)
    at = runs.find(_RUN_40)
    while at != -1:
        segment = data[at + 1:at + 41]
        if segment != segment.lower():
            return True
        at = runs.find(_RUN_40, at + 41)
    return False


def scan(data: bytes) -> bool:
    """True when serialised JSON may hold a secret-named field or a secret-shaped string
    (a cheap over-approximation of what :func:`scrub` replaces)."""
    lower = data.lower()
    if any(key in lower for key in _KEY_ENDS) or b"bearer " in lower:
        return True
    if any(literal in data for literal in _LITERALS) or any(p.search(data) for p in _TOKEN_BYTES):
        return True
    if _AWS_KEY_BYTES.search(data):
        return True
    if b"://" in data and _URL_PASSWORD_BYTES.search(data):
        return True
    return _has_secret_run(data)


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


def redact_text(text: str) -> str:
    """Replace secret-shaped substrings in free text."""
    text = _AWS_KEY.sub(lambda m: MASK + m.group(1), text)
    text = _TOKEN.sub(REDACTED, text)
    text = _AWS_SECRET.sub(REDACTED, text)
    return _URL_PASSWORD.sub(lambda m: m.group(1) + ":" + REDACTED + "@", text)


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def secret_field(name: str) -> bool:
    """Whether a field of this name holds a secret: ``password``, ``client_secret``, ``apiToken``, ..."""
    return SECRET_FIELD.match(_CAMEL.sub("_", name)) is not None


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
