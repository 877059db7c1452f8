"""Rego policy sources: discovery, package names, and the portability lint.

Policies are plain files; an engine loads them. The lint keeps the library in
the subset that both regorus and OPA run, and deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from auditor.errors import InputError
from auditor.files import read_text

_PACKAGE_RE = re.compile(r"^\s*package\s+([A-Za-z_][\w.]*)\s*$", re.MULTILINE)
_TEST_RULE_RE = re.compile(r"^(test_[A-Za-z0-9_]+)\s*(?:if\b|\{|:=|=)", re.MULTILINE)
_CALL_RE = re.compile(r"(?<![\w.])([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)\s*\(")
_INPUT_READ_RE = re.compile(r"(?<![\w.])input\.([A-Za-z_]\w*)")
_STRING_RE = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`')
_COMMENT_RE = re.compile(r"#[^\n]*")

#: Builtins or functions a policy must not use: non-deterministic, or not portable between engines.
FORBIDDEN_CALLS = {
    "time.now_ns": "not deterministic; use time.parse_rfc3339_ns(data.audit.as_of)",
    "rand.intn": "not deterministic",
    "uuid.rfc4122": "not deterministic",
    "http.send": "policies must not reach the network; collectors gather evidence",
    "opa.runtime": "differs between engines",
}
_KEYWORDS = {"if", "contains", "in", "some", "every", "not", "with", "else", "default", "as", "import", "package"}


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
        for lineno, line in enumerate(self.text.splitlines(), start=1):
            code = _COMMENT_RE.sub("", _STRING_RE.sub('""', line))
            for name in _CALL_RE.findall(code):
                if name not in _KEYWORDS:
                    found.setdefault(name, lineno)
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
    """Problems that make a policy non-deterministic or non-portable."""
    problems = []
    for name, line in sorted(source.calls().items()):
        if name in FORBIDDEN_CALLS:
            problems.append(f"{source.path}:{line}: {name}() is not allowed: {FORBIDDEN_CALLS[name]}")
    return problems
