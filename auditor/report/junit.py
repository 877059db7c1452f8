"""JUnit XML: one testcase per control, so CI test views show controls like tests.

Usage: ``auditor evaluate --evidence DIR --format junit=out/auditor.junit.xml``.

* Valid against the Jenkins xunit ``junit-10.xsd`` (vendored in tests/fixtures/junit), which
  GitLab's and Jenkins' junit reports read: the root ``<testsuites name="auditor">`` (``name``,
  ``tests``, ``failures``, ``errors``, ``time``: the schema allows no more there) holds one
  ``<testsuite>`` per family; every suite carries the same attributes (``name``,
  ``tests``, ``failures``, ``errors``, ``skipped``, ``time``, ``timestamp``), every testcase
  ``name`` = ``"<id> <title>"``, ``classname`` = family and ``time``.
* The schema allows no ``<properties>`` on a testcase, so each testcase's ``<system-out>``
  starts with ``key: value`` lines: ``control``, ``severity``, ``status``, ``owner``,
  ``population`` ("3 of 4 in scope passed") and one ``clause`` line per mapped
  framework clause (``iso27001-2022:A.8.32``). Run properties stay suite ``<properties>``.
* ``fail`` -> ``<failure>`` (message = reason and population, body = the violations; with a
  baseline each is marked ``[new]`` or ``[known]``); ``insufficient_evidence`` ->
  ``<failure type="insufficient_evidence">``; ``error`` -> ``<error>``.
* ``waived`` -> a passing testcase with property ``status=waived`` and the waived
  violations in ``<system-out>``. JUnit has no "passed with waivers" state:
  ``<skipped>`` would read as "not evaluated", which is false, and a failure would
  contradict the exit code; the property and system-out keep it visible.
* Warnings (expiring or rejected waivers) are ``warning`` properties and
  ``<system-err>`` lines on every testsuite.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

from auditor.model import Status
from auditor.report import FORMATS, Format
from auditor.report.disabled import describe
from auditor.results_model import ControlOutcome, Results, Violation, WaivedViolation

if TYPE_CHECKING:
    from auditor.policytest import TestReport


def _seconds(ms: float) -> str:
    return f"{ms / 1000:.3f}"


def _root(name: str, *, tests: int, failures: int, errors: int, ms: float) -> ET.Element:
    """``<testsuites>`` with what junit-10.xsd allows on it (no ``skipped``: each suite carries its own)."""
    return ET.Element("testsuites", name=name, tests=str(tests), failures=str(failures), errors=str(errors),
                      time=_seconds(ms))


def _suite(parent: ET.Element | None, name: str, *, tests: int, failures: int, errors: int, skipped: int,
           ms: float, timestamp: str = "") -> ET.Element:
    """One ``<testsuite>`` with the attribute set every suite of every Auditor JUnit file carries
    (``timestamp`` where the run records when it started: ``evaluate``, not ``policies test``)."""
    attrs = {"name": name, "tests": str(tests), "failures": str(failures), "errors": str(errors),
             "skipped": str(skipped), "time": _seconds(ms)}
    if timestamp:
        attrs["timestamp"] = timestamp
    return ET.Element("testsuite", attrs) if parent is None else ET.SubElement(parent, "testsuite", attrs)


def _properties(parent: ET.Element, pairs: list[tuple[str, str]]) -> None:
    if not pairs:
        return
    props = ET.SubElement(parent, "properties")
    for name, value in pairs:
        ET.SubElement(props, "property", name=name, value=value)


def _violation_lines(entries: list[Violation], baseline: bool) -> str:
    lines = []
    for v in entries:
        mark = ("[new] " if v.counts_as_new else "[known] ") if baseline else ""
        lines.append(f"- {mark}{v.resource}: {v.message}")
    return "\n".join(lines) + "\n"


def _waived_lines(entries: list[WaivedViolation]) -> str:
    out = []
    for w in entries:
        ref = w.waiver
        out.append(f"- waived {w.resource}: {w.message} "
                   f"(waiver {ref.id}, approver {ref.approver}, expires {ref.expires}, ticket {ref.ticket})")
    return "\n".join(out) + "\n"


def _testcase(suite: ET.Element, control: ControlOutcome, baseline: bool) -> None:
    case = ET.SubElement(suite, "testcase", name=f"{control.id} {control.title}",
                         classname=control.family, time=_seconds(control.duration_ms))
    status = control.status
    props = [("control", control.id), ("severity", control.severity), ("status", status.value),
             ("owner", control.owner), ("population", control.population_text())]
    props += [("clause", tag) for tag in control.clause_tags()]
    out = "".join(f"{name}: {value}\n" for name, value in props)
    violations = control.violations
    if status is Status.FAIL:
        message = control.reason
        if baseline:
            new = sum(1 for v in violations if v.counts_as_new)
            message += f" ({new} new against the baseline)"
        message += f"; {control.population_text()}"
        failure = ET.SubElement(case, "failure", message=message, type=Status.FAIL.value)
        failure.text = _violation_lines(violations, baseline)
    elif status is Status.INSUFFICIENT_EVIDENCE:
        failure = ET.SubElement(case, "failure", message=f"insufficient evidence: {control.reason}",
                                type=Status.INSUFFICIENT_EVIDENCE.value)
        failure.text = ("The control could not be evaluated, so it does not pass: "
                        f"{control.reason}\n")
    elif status is Status.ERROR:
        error = ET.SubElement(case, "error", message=control.reason, type=Status.ERROR.value)
        error.text = control.reason + "\n"
    if control.waived:
        out += _waived_lines(control.waived)
    ET.SubElement(case, "system-out").text = out


def _tree_bytes(root: ET.Element) -> bytes:
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


@FORMATS.register("junit")
class JUnitFormat(Format):
    """JUnit XML, one testcase per control (GitLab ``artifacts:reports:junit``, test reporters).

    Example: ``auditor evaluate --evidence evidence/ --format junit=out/auditor.junit.xml``
    """

    default_filename = "auditor.junit.xml"

    def render(self, results: Results | dict[str, Any]) -> bytes:
        doc = Results.coerce(results)
        controls = doc.controls
        baseline = doc.has_baseline
        warnings = doc.warnings or []
        total = doc.counts()
        disabled = doc.disabled  # skipped testcases: never evaluated, never a pass
        timestamp = doc.started_at.removesuffix("Z")
        root = _root("auditor", tests=len(controls) + len(disabled),
                     failures=total[Status.FAIL] + total[Status.INSUFFICIENT_EVIDENCE], errors=total[Status.ERROR],
                     ms=sum(c.duration_ms for c in controls))
        for family in sorted({c.family for c in controls} | {d.family for d in disabled}):
            members = sorted((c for c in controls if c.family == family), key=lambda c: c.id)
            off = [d for d in disabled if d.family == family]
            fam = {s: sum(1 for c in members if c.status is s) for s in total}
            suite = _suite(root, f"auditor.{family}", tests=len(members) + len(off),
                           failures=fam[Status.FAIL] + fam[Status.INSUFFICIENT_EVIDENCE], errors=fam[Status.ERROR],
                           skipped=len(off), ms=sum(c.duration_ms for c in members),
                           timestamp=timestamp)
            props = [("run_id", doc.run_id), ("as_of", doc.as_of),
                     ("fail_on", doc.fail_on), ("exit_code", str(doc.exit_code))]
            props += [("warning", w) for w in warnings]
            _properties(suite, props)
            for control in members:
                _testcase(suite, control, baseline)
            for entry in off:
                case = ET.SubElement(suite, "testcase", name=f"{entry.id} {entry.title}", classname=family,
                                     time="0.000")
                state = "not evaluated" if entry.by_profile else "disabled"
                ET.SubElement(case, "skipped", message=f"{state}: {entry.reason}").text = describe(entry) + "\n"
            if warnings:
                ET.SubElement(suite, "system-err").text = "".join(f"warning: {w}\n" for w in warnings)
        return _tree_bytes(root)


def policy_tests_junit(report: TestReport) -> bytes:
    """Rego unit-test results (``auditor policies test --format junit=PATH``) as JUnit XML."""
    cases = sorted(report.cases, key=lambda c: (c.file, c.name))
    count = report.counts()
    root = _root("auditor policies test", tests=len(cases) + len(report.problems), failures=count[Status.FAIL],
                 errors=count[Status.ERROR] + len(report.problems), ms=sum(c.duration_ms for c in cases))
    for file in sorted({c.file for c in cases}):
        members = [c for c in cases if c.file == file]
        suite = _suite(root, file, tests=len(members), failures=sum(c.status == Status.FAIL for c in members),
                       errors=sum(c.status == Status.ERROR for c in members), skipped=0,
                       ms=sum(c.duration_ms for c in members))
        coverage = report.coverage.get(file.replace("_test.rego", ".rego"))
        if coverage:
            _properties(suite, [("coverage_percent", str(coverage["percent"]))])
        for c in members:
            case = ET.SubElement(suite, "testcase", name=c.name, classname=c.package, time=_seconds(c.duration_ms))
            if c.status in (Status.FAIL, Status.ERROR):
                element = "failure" if c.status == Status.FAIL else "error"
                ET.SubElement(case, element, message=c.message, type=c.status).text = f"{c.file}: {c.message}\n"
    if report.problems:
        suite = _suite(root, "policy problems", tests=len(report.problems), failures=0,
                       errors=len(report.problems), skipped=0, ms=0.0)
        for index, problem in enumerate(report.problems, 1):
            case = ET.SubElement(suite, "testcase", name=f"problem {index}", classname="policies", time="0.000")
            ET.SubElement(case, "error", message=problem, type="policy_problem").text = problem + "\n"
    return _tree_bytes(root)
