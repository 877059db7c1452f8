"""Rego policy sources: discovery, package names, and the portability lint.

Policies are plain files; an engine loads them. The lint keeps the library in
the subset that both regorus and OPA run, and deterministic. It reads tokens
(pygments' Rego lexer: comments, strings, raw strings, names), not lines, so a
forbidden reference is found however it is written (``http.send`` split over
lines, ``time["now_ns"]()``, ``with f as http.send``) and never in a comment or
a string.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from auditor.errors import InputError
from auditor.files import read_text

_PACKAGE_RE = re.compile(r"^\s*package\s+([A-Za-z_][\w.]*)\s*$", re.MULTILINE)
_TEST_RULE_RE = re.compile(r"^(test_[A-Za-z0-9_]+)\s*(?:if\b|\{|:=|=)", re.MULTILINE)
_INPUT_READ_RE = re.compile(r"(?<![\w.])input\.([A-Za-z_]\w*)")
_STRING_RE = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`')
_COMMENT_RE = re.compile(r"#[^\n]*")

#: Builtins a policy must not use (a name, or a namespace covering every builtin under it):
#: non-deterministic, reaching the network, or not portable between engines.
FORBIDDEN_CALLS = {
    "time.now_ns": "not deterministic; use time.parse_rfc3339_ns(data.audit.as_of)",
    "rand.intn": "not deterministic",
    "uuid.rfc4122": "not deterministic",
    "http.send": "policies must not reach the network; collectors gather evidence",
    "net.lookup_ip_addr": "policies must not reach the network (DNS); collectors gather evidence",
    "opa.runtime": "differs between engines",
    "io.jwt": "not portable (regorus has no io.jwt builtins) and io.jwt.decode_verify reads the clock",
    "crypto.x509.parse_and_verify_certificates": "reads the clock to check validity; not deterministic",
}


@dataclass(frozen=True)
class Ref:
    """A reference in Rego source: ``a.b.c`` or ``a["b"].c`` (as ``a.b.c``), with its line."""

    name: str
    line: int
    called: bool



def string_literal(value: str) -> str | None:
    """The text of a Rego string token (``"..."`` with JSON escapes, or a raw `` `...` ``); None when the
    lexer split it (the token is not a whole literal)."""
    if value.startswith("`"):
        return value[1:-1]
    try:
        decoded = json.loads(value)
    except ValueError:
        return None
    return decoded if isinstance(decoded, str) else None

def rego_refs(text: str) -> Iterator[Ref]:
    """Every reference that starts a term, in source order; nothing inside comments or strings.

    Parts joined by ``.`` or indexed by a string literal (``["b"]``, ``[`b`]``) make one name;
    whitespace and comments between parts are skipped (engines reject them, the lint need not trust
    that). A ref that follows a ``.`` or ``]`` is the tail of a longer one and is not reported.
    """
    from pygments.lexers.rego import RegoLexer
    from pygments.token import Comment, Keyword, Name, Punctuation, String, Whitespace

    tokens = [
        (index, kind, value)
        for index, kind, value in RegoLexer(stripnl=False, ensurenl=False).get_tokens_unprocessed(text)
        if kind not in Whitespace and kind not in Comment and not value.isspace()
    ]
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def is_name(n: int) -> bool:
        return n < len(tokens) and (tokens[n][1] in Name or tokens[n][1] in Keyword)

    def punct(n: int, value: str) -> bool:
        return n < len(tokens) and tokens[n][1] in Punctuation and tokens[n][2] == value

    def literal(n: int) -> str | None:
        if n >= len(tokens) or tokens[n][1] not in String:
            return None
        return string_literal(tokens[n][2])

    n = 0
    while n < len(tokens):
        index, kind, value = tokens[n]
        if kind not in Name or (n > 0 and (punct(n - 1, ".") or punct(n - 1, "]"))):
            n += 1
            continue
        parts = [value]
        n += 1
        while True:
            if punct(n, ".") and is_name(n + 1):
                parts.append(tokens[n + 1][2])
                n += 2
            elif punct(n, "[") and literal(n + 1) is not None and punct(n + 2, "]"):
                parts.append(literal(n + 1) or "")
                n += 3
            else:
                break
        yield Ref(".".join(parts), bisect.bisect_left(newlines, index) + 1, punct(n, "("))


@dataclass(frozen=True)
class PolicySource:
    path: Path
    relpath: str
    package: str
    text: str

    @property
    def is_test(self) -> bool:
        return self.path.stem.endswith("_test")

    def test_rules(self) -> list[str]:
        return sorted(set(_TEST_RULE_RE.findall(self.text)))

    def calls(self) -> dict[str, int]:
        """Function names called in the source, with the first line of each."""
        found: dict[str, int] = {}
        for ref in rego_refs(self.text):
            if ref.called:
                found.setdefault(ref.name, ref.line)
        return found

    def input_reads(self) -> dict[str, int]:
        """Evidence kinds read as ``input.<kind>`` (not ``object.get(input, ...)``), with the first line of each."""
        found: dict[str, int] = {}
        for lineno, line in enumerate(self.text.splitlines(), start=1):
            for name in _INPUT_READ_RE.findall(_COMMENT_RE.sub("", _STRING_RE.sub('""', line))):
                found.setdefault(name, lineno)
        return found


def _code_only(text: str) -> str:
    return _COMMENT_RE.sub("", _STRING_RE.sub('""', text))


def load_policy(path: Path, root: Path) -> PolicySource:
    text = read_text(path)
    packages = _PACKAGE_RE.findall(_code_only(text))
    if len(packages) != 1:
        raise InputError(f"{path}: expected exactly one 'package' declaration, found {len(packages)}")
    return PolicySource(path=path, relpath=path.relative_to(root).as_posix(), package=packages[0], text=text)


@dataclass
class PolicySet:
    root: Path
    sources: list[PolicySource]

    def by_package(self) -> dict[str, PolicySource]:
        return {s.package: s for s in self.sources}

    @property
    def runtime(self) -> list[PolicySource]:
        """Policies that evaluation loads (tests excluded)."""
        return [s for s in self.sources if not s.is_test]

    @property
    def tests(self) -> list[PolicySource]:
        return [s for s in self.sources if s.is_test]


def load_policies(root: Path) -> PolicySet:
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: policies folder not found")
    sources = [load_policy(p, root) for p in sorted(root.rglob("*.rego"))]
    seen: dict[str, PolicySource] = {}
    for source in sources:
        if source.package in seen and not source.package.startswith("lib."):
            raise InputError(
                f"{source.path}: package {source.package} is already declared in {seen[source.package].path}; "
                "one package per control"
            )
        seen[source.package] = source
    return PolicySet(root, sources)


def lint(source: PolicySource) -> list[str]:
    """Problems that make a policy non-deterministic or non-portable: any reference to a forbidden builtin.

    Not only calls: ``with f as http.send`` would call it too.
    """
    problems = []
    seen: set[tuple[str, int]] = set()
    for ref in rego_refs(source.text):
        forbidden = next((f for f in FORBIDDEN_CALLS if ref.name == f or ref.name.startswith(f + ".")), None)
        if forbidden is None or (ref.name, ref.line) in seen:
            continue
        seen.add((ref.name, ref.line))
        problems.append(f"{source.path}:{ref.line}: {ref.name}() is not allowed: {FORBIDDEN_CALLS[forbidden]}")
    return problems
