"""Secrets in evidence: one detector for collectors, messages and the evidence loader.

Three uses share :data:`DETECTOR`, so what a collector redacts, what a message masks
and what the loader refuses are the same set:

* collectors pass every document through :func:`auditor.collect.redact.scrub`, which
  calls :func:`redact_text` on every string;
* every :class:`auditor.errors.AuditorError` message is passed through
  :func:`redact_text`, so no message echoes a secret-shaped evidence value;
* :func:`check_document` runs on every evidence document as it is loaded: a secret is
  refused (exit 2, naming file, item, field, kind and the value masked) or, when the
  organisation opts in (``--redact-secrets``), replaced and recorded.

Token formats come from Yelp's detect-secrets plugins (their ``denylist`` patterns,
compiled once: the library's own line scanner costs milliseconds per line, far too
slow for 170,000 items), beside Auditor's own patterns for free text
(``password=...``, ``token: ...``, ``Authorization: Basic ...``, passwords in URLs,
40-character AWS secret keys). A cheap check over a document's serialised bytes
(substring searches at C speed) skips the walk over its items when nothing can match.

Example::

    from auditor.evidence.secrets import redact_text, find_in_items
    redact_text("deploy with password=hunter2")   # 'deploy with password=[REDACTED]'
    find_in_items([{"id": "a", "note": "ghp_" + "x" * 36}])[0].kind   # 'GitHub token'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from auditor.model import EvidenceDocument

MASK = "****"
REDACTED = "[REDACTED]"

#: What the loader does with a secret in evidence: refuse the document (the default) or redact it.
REFUSE, REDACT = "refuse", "redact"
_MODE: ContextVar[str] = ContextVar("auditor_secrets_mode", default=REFUSE)


@contextmanager
def secrets_mode(mode: str) -> Iterator[None]:
    """Within the block, :func:`check_document` refuses (``refuse``) or redacts (``redact``) secrets."""
    if mode not in (REFUSE, REDACT):
        raise ValueError(f"secrets mode: found {mode!r}, expected {REFUSE!r} or {REDACT!r}")
    token = _MODE.set(mode)
    try:
        yield
    finally:
        _MODE.reset(token)


# -- the rules -----------------------------------------------------------------------------

#: Field names whose values are secrets (``password_enabled: true`` is kept: a flag, not a value).
#: Matched after camelCase is split (``dbPassword`` -> ``db_Password``, ``AWSSecretKey`` -> ``AWS_Secret_Key``).
SECRET_FIELD = re.compile(
    r"(?i)^(.*[_-])?(password|passwd|passphrase|secret|secret_access_key|secret_key|session_token|token|"
    r"access_token|refresh_token|api_key|apikey|private_key|client_secret|credentials?|authorization|cookie)$"
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

_AWS_KEY_ID = r"\b(?:AKIA|ASIA|AIDA|AROA|ABIA|ACCA|AGPA|ANPA|ANVA|APKA|ASCA|A3T[A-Z0-9])[A-Z0-9]{12}([A-Z0-9]{4})\b"
# GitLab: personal (glpat-), CI job (glcbt-), deploy, runner, pipeline trigger, feed, OAuth,
# service account, incoming mail and agent tokens.
_GITLAB_PREFIXES = "gl(?:pat|cbt|dt|rt|ptt|ft|oas|soat|imt|agent)-"
_GITLAB_HINTS = tuple(
    f"gl{p}-".encode() for p in ["pat", "cbt", "dt", "rt", "ptt", "ft", "oas", "soat", "imt", "agent"]
)
_AWS_KEY_HINT = re.compile(rb"A(?:KIA|SIA|IDA|ROA|BIA|CCA|GPA|NPA|NVA|PKA|SCA|3T)[A-Z0-9]{16}")
_GITHUB_HINTS = (b"ghp_", b"gho_", b"ghu_", b"ghs_", b"ghr_")
# A 40-character AWS secret access key: base64 alphabet, mixed case and digits (so commit
# SHAs and other lowercase hex never match). ``=`` before it is a separator (``KEY=<secret>``).
_AWS_SECRET = (r"(?<![A-Za-z0-9/+])(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[a-z])"
               r"(?=[A-Za-z0-9/+]*[0-9])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
# ``scheme://user:password@``: any case of scheme, an empty user, an unencoded ``@`` in the password.
_URL_PASSWORD = r"\b([A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*):(?P<value>[^/\s]+)@"

# ``NAME=value`` / ``NAME: value`` where NAME ends in a secret word (DB_PASSWORD, GITHUB_TOKEN,
# aws_secret_access_key, X-Api-Key); the value is judged by :func:`_keyword_value`.
_SECRET_WORDS = (r"(?:password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|"
                 r"private[_-]?key|credentials?)")
_KEYWORD = (r"(?i)(?<![A-Za-z0-9])(?P<name>(?:[A-Za-z0-9]+[_.-])*" + _SECRET_WORDS + r")[\"']?"
            r"(?P<sep>\s*(?::=|=>|==?|:)\s*)"
            r"(?P<value>\"[^\"\r\n]{1,256}\"|'[^'\r\n]{1,256}'|[^\s\"'`,;&<>(){}\[\]]{1,256})")
_AUTHORIZATION = r"(?i)\b(?P<name>authorization)(?P<sep>\s*[:=]\s*(?:basic|bearer|token|digest)?\s*)" \
                 r"(?P<value>[A-Za-z0-9._~+/=-]{8,})"
_BEARER = r"\b[Bb]earer\s+[A-Za-z0-9._~+/=-]{16,}"
_PLACEHOLDER = re.compile(
    r"(?i)^(?:\**|\*{4}.*|\[redacted\].*|<[^>]*>|x{3,}|\.{3,}|\$\{?[A-Za-z_][A-Za-z0-9_.]*\}?|\{\{.*\}\}|%\(.*\)s?"
    r"|\$\(.*\)|null|none|nil|true|false|undefined|redacted|masked|hidden|required|optional|unset|empty|n/a)$"
)


def _keyword_value(match: re.Match[str]) -> bool:
    """Whether ``NAME<sep>value`` carries a secret. ``=`` is an assignment: any value of four
    characters or more (quoted, spaces and all). ``:`` also ends prose (``token: expired``), so
    an unquoted value after a colon counts only when it has eight characters and a digit, or
    sixteen characters."""
    raw = match["value"]
    quoted = raw[:1] in "\"'"
    value = raw[1:-1] if quoted else raw
    if _PLACEHOLDER.match(value.strip()) or len(value) < 4:
        return False
    if "=" in match["sep"] and quoted:  # a quoted assignment: a passphrase may have spaces
        return True
    if " " in value.strip():
        return False
    if "=" in match["sep"] or quoted:
        return True
    return len(value) >= 16 or (len(value) >= 8 and any(c.isdigit() for c in value))


def _header_value(match: re.Match[str]) -> bool:
    """``Authorization: Basic dXNl...`` carries credentials; ``authorization: required`` is prose."""
    value = match["value"]
    if _PLACEHOLDER.match(value):
        return False
    scheme = match["sep"].strip(" :=\t").lower()
    return bool(scheme) or len(value) >= 16 or any(c.isdigit() or c in "+/=" for c in value)


@dataclass(frozen=True)
class Rule:
    """One kind of secret: its pattern and what a match is replaced by, with the cheap check:
    ``hints``, lower-case byte strings one of which every match contains, and ``confirm``, a
    bytes test run only when a hint was found (or always, for a rule without hints)."""

    kind: str
    pattern: re.Pattern[str]
    hints: tuple[bytes, ...] = ()
    confirm: Callable[[bytes, bytes, set[bytes]], bool] | None = None
    replace: Callable[[re.Match[str]], str] | None = None
    accept: Callable[[re.Match[str]], bool] | None = None

    def matches(self, text: str) -> Iterator[re.Match[str]]:
        for match in self.pattern.finditer(text):
            if self.accept is None or self.accept(match):
                yield match

    def replacement(self, match: re.Match[str]) -> str:
        return self.replace(match) if self.replace else REDACTED


_BASE64_RUNS = bytes(
    ord("a") if chr(c).isascii() and (chr(c).isalnum() or chr(c) in "/+") else ord(" ") for c in range(256)
)
_RUN_40 = b" " + b"a" * 40 + b" "


_HEX_RUNS = bytes(
    ord("h") if chr(c) in "0123456789abcdef" else (ord("a") if _BASE64_RUNS[c] == ord("a") else ord(" "))
    for c in range(256)
)
_HEX_40 = b" " + b"h" * 40 + b" "


def _padded(runs: bytes) -> tuple[bytes, int]:
    """``runs`` with a space at both ends, so a run may start or end the text, and the number of bytes
    added in front (serialised JSON starts and ends with a bracket, already a space: a large document is
    not copied)."""
    lead = 0
    if runs[:1] != b" ":
        runs, lead = b" " + runs, 1
    if runs[-1:] != b" ":
        runs += b" "
    return runs, lead


def _has_secret_run(data: bytes, _lowered: bytes = b"", _found: set[bytes] | None = None) -> bool:
    """A run of exactly 40 base64 characters with an upper-case letter (so not a hex SHA).

    Fast path: when every exactly-40 run is lower-case hex (commit SHAs), counted at C speed
    (runs of 40 or more minus runs of 41 or more, against bounded 40-hex runs), there is none."""
    runs, lead = _padded(data.translate(_BASE64_RUNS))
    exact = runs.count(b"a" * 40 + b" ") - runs.count(b"a" * 41 + b" ")
    if exact == 0 or exact == _padded(data.translate(_HEX_RUNS))[0].count(_HEX_40):
        return False
    at = runs.find(_RUN_40)
    while at != -1:
        start = at + 1 - lead  # the run's first byte in data
        segment = data[start:start + 40]
        if not segment.islower():  # hex digests are lower case or all digits
            return True
        at = runs.find(_RUN_40, at + 41)
    return False


def _keep_name(match: re.Match[str]) -> str:
    return match["name"] + match["sep"] + REDACTED


_KEYWORD_ENDS = ("password", "passwd", "passphrase", "secret", "token", "credential", "credentials", "apikey",
                 "api_key", "api-key", "accesskey", "access_key", "access-key", "privatekey", "private_key",
                 "private-key")
# a secret word, then (a quote, perhaps JSON-escaped) and an assignment: ``token=``, ``token":``, ``TOKEN: ``
_KEYWORD_AFTER = {w.encode(): re.compile(re.escape(w.encode()) + rb"(?:\\?[\"'])?\s*[:=]") for w in _KEYWORD_ENDS}


def _keyword_after(_data: bytes, lowered: bytes, found: set[bytes]) -> bool:
    return any(_KEYWORD_AFTER[word].search(lowered) for word in found if word in _KEYWORD_AFTER)


def _searcher(pattern: re.Pattern[bytes]) -> Callable[[bytes, bytes, set[bytes]], bool]:
    return lambda data, _low, _found: pattern.search(data) is not None


#: detect-secrets plugins whose ``denylist`` patterns are distinctive token formats, with the
#: literals (lower case) every match contains and, where those are common, a confirming pattern.
#: Not taken: the entropy, keyword and public-IP plugins and Artifactory's ``AP...`` (they flag
#: ordinary words, digests and addresses in evidence), and the Discord, Telegram and Twilio
#: formats, which begin with no fixed text and so cannot be pre-checked cheaply over bulk evidence.
_LIBRARY_PLUGINS: dict[str, tuple[str, tuple[bytes, ...], re.Pattern[bytes] | None]] = {
    "azure_storage_key.AzureStorageKeyDetector": ("Azure storage key", (b"accountkey=",), None),
    "github_token.GitHubTokenDetector": ("GitHub token", (b"ghp_", b"gho_", b"ghu_", b"ghs_", b"ghr_"), None),
    "gitlab_token.GitLabTokenDetector": ("GitLab token", (*_GITLAB_HINTS, b"gr1348941"), None),
    "jwt.JwtTokenDetector": ("JSON web token", (b"eyj",), re.compile(rb"eyJ[A-Za-z0-9_=-]+\.")),
    "mailchimp.MailchimpDetector": ("Mailchimp key", (b"-us",), re.compile(rb"[0-9a-z]{32}-us[0-9]")),
    "npm.NpmDetector": ("npm token", (b"_authtoken",), None),
    "openai.OpenAIDetector": ("OpenAI key", (b"t3blbkfj",), None),
    "private_key.PrivateKeyDetector": ("private key", (b"private key", b"putty-user-key-file"), None),
    "pypi_token.PypiTokenDetector": ("PyPI token", (b"pypi-",), None),
    "sendgrid.SendGridDetector": ("SendGrid key", (b"sg.",), None),
    "slack.SlackDetector": ("Slack token", (b"xox", b"hooks.slack.com"), None),
    "square_oauth.SquareOAuthDetector": ("Square OAuth secret", (b"sq0csp-",), None),
    "stripe.StripeDetector": ("Stripe key", (b"k_live_",), None),
}


def _denylists() -> list[tuple[str, str, int]]:
    """Each plugin's ``denylist`` patterns: ``(plugin, pattern, flags)``, in :data:`_LIBRARY_PLUGINS` order."""
    import importlib

    found: list[tuple[str, str, int]] = []
    for name in _LIBRARY_PLUGINS:
        module, cls = name.rsplit(".", 1)
        plugin = getattr(importlib.import_module(f"detect_secrets.plugins.{module}"), cls)
        found.extend((name, pattern.pattern, pattern.flags) for pattern in plugin.denylist
                     if isinstance(pattern, re.Pattern) and isinstance(pattern.pattern, str))
    return found


def _denylists_apart() -> list[tuple[str, str, int]]:
    """:func:`_denylists`, read in a forked child where this process has not imported detect-secrets:
    the library imports requests, urllib3 and about 190 modules (14 MB resident, kept for the whole run,
    the engine's peak included) for the few patterns taken from it."""
    import sys
    import threading

    from auditor.workers import Failed, Limits, can_fork, run_forked

    # only from a single-threaded process: a fork copies no other thread, nor releases a lock one holds
    if "detect_secrets" in sys.modules or not can_fork() or threading.active_count() > 1:
        return _denylists()
    (found,) = run_forked(lambda _: _denylists(), [0], jobs=1, limits=Limits(timeout_s=120, memory_mib=1024))
    return _denylists() if isinstance(found, Failed) else found


def _library_rules() -> list[Rule]:
    rules = []
    for name, source, flags in _denylists_apart():
        kind, hints, confirm = _LIBRARY_PLUGINS[name]
        cls = name.rsplit(".", 1)[1]
        if "PrivateKey" in cls:  # redact the whole block, not only its first line
            source = f"(?:{source})" + r"[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY(?: BLOCK)?-----|$)"
        elif "Jwt" in cls:  # the whole token, signature included
            source = source.removesuffix("*?") + "*"
        rules.append(Rule(kind, re.compile(source, flags), hints, confirm=_searcher(confirm) if confirm else None))
    return rules


_AWS_KEY_PREFIXES = (b"akia", b"asia", b"aida", b"aroa", b"abia", b"acca", b"agpa", b"anpa", b"anva", b"apka",
                     b"asca", b"a3t")
_URL_PASSWORD_BYTES = re.compile(rb"://[^/\s:@\"]*:[^/\s@\"]+@")


def _own_rules() -> list[Rule]:
    return [
        # private key blocks first: a block's base64 body must not be cut into other findings
        Rule("private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?"
                                       r"(?:-----END [A-Z ]*PRIVATE KEY(?: BLOCK)?-----|$)"), (b"private key-----",)),
        Rule("AWS access key id", re.compile(_AWS_KEY_ID), _AWS_KEY_PREFIXES, confirm=_searcher(_AWS_KEY_HINT),
             replace=lambda m: MASK + m.group(1)),
        Rule("GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}\b"), _GITHUB_HINTS),
        Rule("GitHub token", re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}\b"), (b"github_pat_",)),
        Rule("GitLab token", re.compile(rf"\b{_GITLAB_PREFIXES}[A-Za-z0-9_-]{{20,}}"), _GITLAB_HINTS),
        Rule("Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"), (b"xox",)),
        Rule("password in a URL", re.compile(_URL_PASSWORD), (b"://",), confirm=_searcher(_URL_PASSWORD_BYTES),
             replace=lambda m: m.group(1) + ":" + REDACTED + "@", accept=lambda m: m["value"] != REDACTED),
        Rule("bearer token", re.compile(_BEARER), (b"bearer",)),
        Rule("authorization header", re.compile(_AUTHORIZATION), (b"authorization",), replace=_keep_name,
             accept=_header_value),
        Rule("AWS secret access key", re.compile(_AWS_SECRET), confirm=_has_secret_run),
        Rule("secret assignment", re.compile(_KEYWORD), tuple(w.encode() for w in _KEYWORD_ENDS),
             confirm=_keyword_after, replace=_keep_name, accept=_keyword_value),
    ]


_FIELD_HINTS = tuple(f'{w}":'.encode() for w in (
    "password", "passwd", "passphrase", "secret", "token", "credential", "credentials", "authorization", "cookie",
    "api_key", "apikey", "api-key", "private_key", "privatekey", "private-key", "secret_key", "secretkey",
    "secret-key", "secret_access_key", "secretaccesskey"))


@dataclass(frozen=True)
class Hit:
    """A match: the span replaced, the secret itself (a ``NAME=value`` match keeps its name) and its kind."""

    kind: str
    start: int
    end: int
    replacement: str
    secret: str


class Detector:
    """The compiled rules. :meth:`candidates` is the cheap over-approximation of :meth:`find`:
    one Aho-Corasick pass finds every rule's literals in the lower-cased bytes, then only the
    confirming patterns of rules whose literals were found run."""

    def __init__(self, rules: list[Rule]) -> None:
        import ahocorasick_rs

        self.rules = rules
        self.literals = sorted({h for rule in rules for h in rule.hints} | set(_FIELD_HINTS))
        self._automaton = ahocorasick_rs.BytesAhoCorasick(self.literals)
        self._field_hints = set(_FIELD_HINTS)

    def _found(self, lowered: bytes) -> set[bytes]:
        matches = self._automaton.find_matches_as_indexes(lowered, overlapping=True)
        return {self.literals[i] for i, _start, _end in matches}

    def _rules(self, data: bytes, lowered: bytes, found: set[bytes]) -> list[Rule]:
        out = []
        for rule in self.rules:
            if rule.hints and not found.intersection(rule.hints):
                continue
            if rule.confirm is None or rule.confirm(data, lowered, found):
                out.append(rule)
        return out

    def candidates(self, data: bytes) -> list[Rule]:
        """The rules that may match somewhere in ``data`` (UTF-8 bytes of text or JSON)."""
        lowered = data.lower()
        return self._rules(data, lowered, self._found(lowered))

    def screen(self, data: bytes) -> tuple[list[Rule], bool]:
        """For serialised JSON: the rules that may match, and whether a secret-named field may be present."""
        lowered = data.lower()
        found = self._found(lowered)
        return self._rules(data, lowered, found), bool(found & self._field_hints)

    def find(self, text: str, rules: list[Rule] | None = None) -> list[Hit]:
        """Non-overlapping secret spans in ``text``, leftmost first (earlier rules win ties)."""
        hits: list[Hit] = []
        for rule in self.rules if rules is None else rules:
            for match in rule.matches(text):
                start, end = match.span()
                if end > start and not any(h.start < end and start < h.end for h in hits):
                    secret = match["value"] if "value" in match.re.groupindex else match.group(0)
                    hits.append(Hit(rule.kind, start, end, rule.replacement(match), secret.strip("\"'")))
        return sorted(hits, key=lambda h: h.start)

    def redact(self, text: str, rules: list[Rule] | None = None) -> str:
        hits = self.find(text, rules)
        if not hits:
            return text
        out, at = [], 0
        for hit in hits:
            out += [text[at:hit.start], hit.replacement]
            at = hit.end
        out.append(text[at:])
        return "".join(out)


@cache
def detector() -> Detector:
    """The one detector (built on first use: importing the plugins costs ~0.1 s)."""
    own = _own_rules()
    return Detector(own[:1] + _library_rules() + own[1:])


def redact_text(text: str) -> str:
    """``text`` with every secret-shaped substring replaced (``[REDACTED]``; AWS key ids to their last four)."""
    found = detector()
    data = text.encode("utf-8", "surrogatepass")
    rules = found.candidates(data)
    return found.redact(text, rules) if rules else text


def secret_field(name: str) -> bool:
    """Whether a field of this name holds a secret: ``password``, ``client_secret``, ``apiToken``, ..."""
    return SECRET_FIELD.match(_CAMEL.sub("_", name)) is not None


def mask_secret(value: str) -> str:
    """A found secret as shown in a message: its length and, when long enough to spare them, its last
    four characters (``****MPLE (20 characters)``); never enough to use it."""
    tail = value[-4:] if len(value) >= 20 else ""
    return f"{MASK}{tail} ({len(value)} characters)"


# -- evidence ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """A secret in an evidence item (``index`` -1: in the document's source or errors): where,
    what kind, and the value masked."""

    index: int
    item_id: str | None
    field: str
    kind: str
    masked: str

    def path(self) -> str:
        """The field's place in the document: ``items[3].attributes.note``, or ``source``."""
        return self.field if self.index < 0 else f"items[{self.index}].{self.field}"

    def describe(self) -> str:
        if self.index < 0:
            return f"{self.field}: {self.kind} {self.masked}"
        ident = f" (id {self.item_id!r})" if self.item_id is not None else ""
        return f"items[{self.index}]{ident}: {self.field}: {self.kind} {self.masked}"

    def as_dict(self) -> dict[str, Any]:
        """As recorded in results.json: where and what kind, never the value."""
        return {"field": self.path(), "id": self.item_id, "kind": self.kind}


def _placeholder(value: Any) -> bool:
    """Not a secret although under a secret-named field: null, a flag, an empty value, ``[REDACTED]``."""
    if value is None or isinstance(value, bool) or (isinstance(value, (list, dict)) and not value):
        return True
    return isinstance(value, str) and bool(_PLACEHOLDER.match(value))


def _walk(value: Any, path: str, rules: list[Rule], out: list[tuple[str, str, str]], redact: bool) -> Any:
    """Findings ``(field, kind, value)`` under ``value``; returns the value redacted when ``redact``."""
    found = detector()
    if isinstance(value, str):
        hits = found.find(value, rules)
        out.extend((path, h.kind, h.secret) for h in hits)
        return found.redact(value, rules) if (redact and hits) else value
    if isinstance(value, dict):
        result = {}
        for key, inner in value.items():
            where = f"{path}.{key}" if path else str(key)
            if secret_field(str(key)) and not _placeholder(inner):
                shown = inner if isinstance(inner, str) else orjson.dumps(inner).decode()
                out.append((where, f"value of a secret field ({key})", shown))
                if redact:
                    result[key] = REDACTED
                    continue
            result[key] = _walk(inner, where, rules, out, redact)
        return result
    if isinstance(value, list):
        return [_walk(inner, f"{path}[{i}]", rules, out, redact) for i, inner in enumerate(value)]
    return value


def find_in_items(items: list[Any], *, redact: bool = False) -> tuple[list[Finding], list[Any]]:
    """Secrets in evidence items, and the items with them redacted (the same list when none or not
    ``redact``). Each item is serialised once for the cheap check; only suspicious items are walked."""
    found = detector()
    findings: list[Finding] = []
    result = items
    for index, item in enumerate(items):
        rules, fields = found.screen(orjson.dumps(item))
        if not rules and not fields:
            continue
        raw: list[tuple[str, str, str]] = []
        cleaned = _walk(item, "", rules, raw, redact)
        if not raw:
            continue
        ident = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else None
        findings.extend(Finding(index, ident, field, kind, mask_secret(value)) for field, kind, value in raw)
        if redact:
            if result is items:
                result = list(items)
            result[index] = cleaned
    return findings, result


def may_hold_secrets(data: bytes) -> bool:
    """The cheap check over a whole serialised document: False means no item can hold a secret."""
    rules, fields = detector().screen(data)
    return bool(rules) or fields


MAX_REPORTED = 10


def _envelope_texts(document: EvidenceDocument) -> dict[str, str]:
    """The document's own free text: its source and its collection errors."""
    texts = {"source": document.source}
    for i, error in enumerate(document.errors):
        texts[f"errors[{i}].scope"] = error.scope
        texts[f"errors[{i}].message"] = error.message
    return texts


def checked(
    document: EvidenceDocument, items: list[Any] | None = None, screen: bytes | None = None
) -> EvidenceDocument:
    """An evidence document as loaded, scanned for secrets before it is evaluated or packed.

    A secret is refused (:class:`~auditor.errors.InputError`, exit 2: file, item index and id,
    field, kind of secret, the value masked) unless the active :func:`secrets_mode` is ``redact``:
    then the file itself is rewritten with the secrets replaced (so the pack, which copies the
    evaluated files, never holds them) and each replacement is recorded in the document's
    ``redactions`` (written to results.json). A clean document costs one cheap check.

    ``items``: the document's items, every field (default: ``document.items_json`` parsed), when
    ``items_json`` holds fewer (projected); ``screen``: bytes holding every item's orjson serialisation
    for the cheap check (default: ``items_json``), e.g. the whole document as its parse serialised it
    (more text can only make the cheap check find more, never less). A redacted document's
    ``items_json`` holds every field of the redacted items.
    """
    from auditor.errors import InputError

    found = detector()
    texts = _envelope_texts(document)
    if not may_hold_secrets(document.items_json if screen is None else screen) and not found.candidates(
            "\n".join(texts.values()).encode()):
        return document
    redact = _MODE.get() == REDACT
    findings = [Finding(-1, None, where, h.kind, mask_secret(h.secret))
                for where, text in texts.items() for h in found.find(text)]
    item_findings, items = find_in_items(orjson.loads(document.items_json) if items is None else items,
                                         redact=redact)
    findings += item_findings
    if not findings:
        return document
    where = str(document.path)
    if not redact:
        shown = "\n  ".join(f"{where}: {f.describe()}" for f in findings[:MAX_REPORTED])
        more = f"\n  (and {len(findings) - MAX_REPORTED} more)" if len(findings) > MAX_REPORTED else ""
        raise InputError(
            f"{where}: {len(findings)} secret{'s' if len(findings) != 1 else ''} in evidence, refused "
            f"(nothing was evaluated or packed):\n  {shown}{more}\n"
            "Remove the secret (and rotate it), or pass --redact-secrets to replace secrets with "
            "[REDACTED] in the evidence file, recorded in results.json"
        )
    return _redacted(document, items, {k: found.redact(v) for k, v in texts.items()}, findings)


def _redacted(
    document: EvidenceDocument, items: list[Any], texts: dict[str, str], findings: list[Finding]
) -> EvidenceDocument:
    """Write the redacted document over its file (atomically) and return it as loaded from there.
    A YAML document is written as JSON, which YAML readers also read."""
    import dataclasses
    import hashlib

    from auditor.files import load_data, pretty_json, write_atomic
    from auditor.model import CollectionFailure

    errors = tuple(
        CollectionFailure(scope=texts[f"errors[{i}].scope"], message=texts[f"errors[{i}].message"], code=e.code)
        for i, e in enumerate(document.errors)
    )
    original = orjson.loads(orjson.dumps(load_data(document.path), default=str))
    original["items"] = items
    original["source"] = texts["source"]
    for entry, error in zip(original.get("errors", []), errors, strict=True):
        entry["scope"], entry["message"] = error.scope, error.message
    raw = pretty_json(original)
    try:
        write_atomic(document.path, raw)
    except OSError as exc:
        from auditor.errors import InputError

        raise InputError(f"{document.path}: --redact-secrets: cannot rewrite the evidence file: "
                         f"{exc.strerror}; nothing was evaluated") from None
    return dataclasses.replace(
        document, items_json=orjson.dumps(items), source=texts["source"], errors=errors,
        sha256=hashlib.sha256(raw).hexdigest(), size=len(raw), redactions=tuple(f.as_dict() for f in findings),
    )
