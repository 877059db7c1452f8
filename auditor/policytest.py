"""``auditor policies test``: run every ``test_`` rule on the embedded engine, like ``opa test``.

Also fails a policy that calls a builtin the engine lacks (regorus only reports
that when the rule is evaluated, so a missing builtin could otherwise hide
behind an untested branch), or a non-deterministic one.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from auditor.controls import ControlLibrary
from auditor.engine.regorus_engine import RegorusEngine, clean_message
from auditor.errors import InputError
from auditor.model import Status
from auditor.policies import PolicySet, PolicySource, lint

TEST_AS_OF = "2026-01-01T00:00:00Z"
_IMPORT_RE = re.compile(r"^\s*import\s+data\.([\w.]+?)(?:\s+as\s+(\w+))?\s*$", re.MULTILINE)
_DEF_RE = re.compile(r"^([a-z_][a-z0-9_]*)\s*\(", re.MULTILINE | re.IGNORECASE)


#: what a Rego unit test ends as: the rule held, did not hold, or could not be evaluated
TEST_OUTCOMES = (Status.PASS, Status.FAIL, Status.ERROR)


@dataclass
class TestCase:
    package: str
    name: str
    file: str
    status: Status  # one of TEST_OUTCOMES
    message: str = ""
    duration_ms: float = 0.0


@dataclass
class TestReport:
    cases: list[TestCase] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    coverage: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.cases) and all(c.status is Status.PASS for c in self.cases)

    def counts(self) -> dict[Status, int]:
        counts = dict.fromkeys(TEST_OUTCOMES, 0)
        for case in self.cases:
            counts[case.status] += 1
        return counts


def _builtin_calls(source: PolicySource, defined: set[str]) -> dict[str, int]:
    aliases = {"data", "input"}
    for path, alias in _IMPORT_RE.findall(source.text):
        aliases.add(alias or path.rsplit(".", 1)[-1])
    calls = {}
    for name, line in source.calls().items():
        head = name.split(".", 1)[0]
        if head in aliases or name in defined:
            continue
        calls[name] = line
    return calls


def missing_builtin_problems(policies: PolicySet, engine: RegorusEngine) -> list[str]:
    defined = {m for s in policies.sources for m in _DEF_RE.findall(s.text)}
    per_source = {s.relpath: _builtin_calls(s, defined) for s in policies.sources}
    names = {n for calls in per_source.values() for n in calls}
    missing = engine.missing_builtins(sorted(names))
    problems = []
    for source in policies.sources:
        for name, line in sorted(per_source[source.relpath].items()):
            if name in missing:
                problems.append(
                    f"{source.path}:{line}: builtin {name}() is not available in the {engine.name} engine; "
                    "use the portable subset (docs/authoring.md)"
                )
    return problems


def run_policy_tests(policies: PolicySet, library: ControlLibrary | None = None) -> TestReport:
    report = TestReport()
    for source in policies.sources:
        report.problems.extend(lint(source))
    engine = RegorusEngine()
    report.problems.extend(missing_builtin_problems(policies, engine))
    params = library.defaults_document() if library else {}  # tests assert the defaults
    engine.load(policies.sources, {"params": params, "audit": {"as_of": TEST_AS_OF}})
    raw = engine.raw
    raw.set_enable_coverage(True)
    for source in policies.tests:
        for rule in source.test_rules():
            start = time.perf_counter()
            case = TestCase(package=source.package, name=rule, file=source.relpath, status=Status.PASS)
            try:
                value = raw.eval_rule(f"data.{source.package}.{rule}")
                if value is not True:
                    case.status = Status.FAIL
                    case.message = "undefined" if value is None else f"returned {value!r}"
            except BaseException as exc:
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                case.status = Status.ERROR
                case.message = clean_message(str(exc))
            case.duration_ms = round((time.perf_counter() - start) * 1000, 3)
            report.cases.append(case)
    if not report.cases and not report.problems:
        raise InputError(f"{policies.root}: no test_ rules found in *_test.rego files")
    by_path = {s.path.as_posix(): s for s in policies.runtime}
    for entry in orjson.loads(raw.get_coverage_report_as_json()).get("files", []):
        covered_source = by_path.get(entry["path"])
        if covered_source is None:
            continue
        covered, missed = len(entry.get("covered", [])), len(entry.get("not_covered", []))
        total = covered + missed
        report.coverage[covered_source.relpath] = {
            "covered": covered,
            "not_covered": missed,
            "percent": round(100.0 * covered / total, 1) if total else 100.0,
            "not_covered_lines": entry.get("not_covered", []),
        }
    return report
