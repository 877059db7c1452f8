from __future__ import annotations

from pathlib import Path

import pytest
import xmlschema
from junitparser import Error, Failure, JUnitXml, TestSuite

from auditor.policies import load_policies
from auditor.policytest import run_policy_tests
from auditor.report.junit import JUnitFormat, policy_tests_junit
from tests.ci_helpers import FIXTURES, ci_document

#: the Jenkins xunit plugin's JUnit schema (GitLab's and Jenkins' junit reports read this shape)
JENKINS_XSD = xmlschema.XMLSchema10(FIXTURES / "junit" / "jenkins-junit-10.xsd")
SUITE_ATTRIBUTES = {"name", "tests", "failures", "errors", "skipped", "time"}


def suites(path: Path) -> list[TestSuite]:
    """The family suites (or policy-file suites) inside the root ``<testsuite>``."""
    return list(JUnitXml.fromfile(str(path)))


def cases(path: Path) -> dict[str, object]:
    return {case.name: case for suite in suites(path) for case in suite}


def check_jenkins_junit(path: Path) -> None:
    """Valid against junit-10.xsd, and every suite carries the same attribute set."""
    JENKINS_XSD.validate(str(path))
    import xml.etree.ElementTree as ET

    tree = ET.parse(path)
    assert tree.getroot().tag == "testsuites"
    for suite in tree.iter("testsuite"):
        assert set(suite.attrib) >= SUITE_ATTRIBUTES, suite.attrib
    for case in tree.iter("testcase"):
        assert {"name", "classname", "time"} <= set(case.attrib), case.attrib


def render(tmp_path: Path, document: dict) -> Path:  # type: ignore[type-arg]
    path = tmp_path / "auditor.junit.xml"
    path.write_bytes(JUnitFormat().render(document))
    check_jenkins_junit(path)
    return path


def case_properties(path: Path, name: str) -> list[tuple[str, str]]:
    """The ``key: value`` lines that open a testcase's system-out (the XSD allows no testcase properties)."""
    import xml.etree.ElementTree as ET

    for case in ET.parse(path).iter("testcase"):
        if case.get("name") == name:
            text = case.findtext("system-out") or ""
            pairs = [line.split(": ", 1) for line in text.splitlines() if not line.startswith("- ")]
            return [(k, v) for k, v in pairs]
    raise AssertionError(name)


def test_one_testcase_per_control_with_family_classname_and_failures(
    library: Path, evidence: Path, tmp_path: Path
) -> None:
    path = render(tmp_path, ci_document(library, evidence, exceptions=None))
    found = cases(path)
    assert sorted(found) == ["PRIV-001 Ledgers keep data no longer than allowed",
                             "SEC-001 Gadgets are encrypted at rest",
                             "SEC-002 Gadgets are not older than the allowed age"]
    sec1 = next(c for n, c in found.items() if n.startswith("SEC-001"))
    assert sec1.classname == "security"  # type: ignore[attr-defined]
    (failure,) = sec1.result  # type: ignore[attr-defined]
    assert isinstance(failure, Failure)
    assert failure.message == "2 violations; 2 of 4 in scope passed"
    assert "- g-2: Gadget g-2 is not encrypted at rest." in failure.text
    assert "- g-3: Gadget g-3 is not encrypted at rest." in failure.text
    priv = next(c for n, c in found.items() if n.startswith("PRIV-001"))
    assert priv.classname == "privacy" and priv.is_passed  # type: ignore[attr-defined]
    assert sum(s.tests for s in suites(path)) == 3 and sum(s.failures for s in suites(path)) == 2
    import xml.etree.ElementTree as ET

    root = ET.parse(path).getroot()
    assert (root.get("tests"), root.get("failures"), root.get("name")) == ("3", "2", "auditor")


def test_clause_ids_are_properties(library: Path, evidence: Path, tmp_path: Path) -> None:
    path = render(tmp_path, ci_document(library, evidence))
    props = case_properties(path, next(n for n in cases(path) if n.startswith("SEC-001")))
    assert ("clause", "iso27001-2022:A.8.24") in props
    assert ("clause", "nist-ai-rmf-1.0:GOVERN 1.4") in props
    assert ("severity", "high") in props


def test_waived_is_a_passed_case_marked_waived_with_system_out(library: Path, evidence: Path, tmp_path: Path) -> None:
    path = render(tmp_path, ci_document(library, evidence))
    name = next(n for n in cases(path) if n.startswith("SEC-001"))
    case = cases(path)[name]
    assert case.is_passed  # type: ignore[attr-defined]
    assert ("status", "waived") in case_properties(path, name)
    assert "waived g-2: Gadget g-2 is not encrypted at rest. (waiver EX-001" in case.system_out  # type: ignore[attr-defined]
    assert "ticket SEC-102" in case.system_out  # type: ignore[attr-defined]


def test_warnings_on_every_suite(library: Path, evidence: Path, tmp_path: Path) -> None:
    path = render(tmp_path, ci_document(library, evidence))
    for suite in suites(path):
        warnings = [p.value for p in suite.properties() if p.name == "warning"]
        assert any("EX-002" in w and "expires on 2026-11-30" in w for w in warnings)
        assert "warning: waiver EX-002" in suite._elem.find("system-err").text


def test_insufficient_evidence_fails_and_error_is_error(library: Path, evidence: Path, tmp_path: Path) -> None:
    document = ci_document(library, evidence, exceptions=None)
    for control in document["controls"]:
        if control["id"] == "PRIV-001":
            control.update(status="insufficient_evidence", reason="no evidence items of kind: ledgers")
        if control["id"] == "SEC-002":
            control.update(status="error", reason="controls.security.sec_002.violations is undefined", violations=[])
    found = cases(render(tmp_path, document))
    (priv,) = next(c for n, c in found.items() if n.startswith("PRIV-001")).result  # type: ignore[attr-defined]
    assert isinstance(priv, Failure) and priv.type == "insufficient_evidence"
    assert priv.message == "insufficient evidence: no evidence items of kind: ledgers"
    (sec2,) = next(c for n, c in found.items() if n.startswith("SEC-002")).result  # type: ignore[attr-defined]
    assert isinstance(sec2, Error) and "undefined" in sec2.message


def test_same_document_same_bytes(library: Path, evidence: Path) -> None:
    document = ci_document(library, evidence)
    assert JUnitFormat().render(document) == JUnitFormat().render(document)


def test_policy_tests_as_junit(library: Path, tmp_path: Path) -> None:
    source = library / "policies" / "security" / "sec_001_test.rego"
    source.write_text(source.read_text() + "\ntest_deliberately_wrong if {\n\tcount(sec_001.violations) == 99\n}\n")
    report = run_policy_tests(load_policies(library / "policies"))
    path = tmp_path / "policy.xml"
    path.write_bytes(policy_tests_junit(report))
    check_jenkins_junit(path)
    found = {(s.name, c.name): c for s in suites(path) for c in s}
    assert len(found) == len(report.cases)
    wrong = found[("security/sec_001_test.rego", "test_deliberately_wrong")]
    assert wrong.classname == "controls.security.sec_001_test"
    assert isinstance(wrong.result[0], Failure) and wrong.result[0].message == "undefined"
    passed = [c for c in found.values() if c.is_passed]
    assert len(passed) == report.counts()["pass"] > 0


def test_the_schema_check_rejects_what_jenkins_rejects(tmp_path: Path) -> None:
    # testcase <properties> and skipped= on <testsuites> (what this format wrote before) are both invalid
    bad = tmp_path / "bad.xml"
    bad.write_text('<testsuite name="a" tests="1" failures="0" errors="0"><testcase name="x">'
                   '<properties><property name="k" value="v"/></properties></testcase></testsuite>')
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        JENKINS_XSD.validate(str(bad))
    bad.write_text('<testsuites name="a" skipped="0"><testsuite name="a" tests="0" failures="0" errors="0"/>'
                   '</testsuites>')
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        JENKINS_XSD.validate(str(bad))


def test_evaluate_junit_from_the_cli_is_valid(library: Path, evidence: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from auditor.cli import cli

    out = tmp_path / "cli.junit.xml"
    result = CliRunner().invoke(cli, ["evaluate", "--evidence", str(evidence), "--controls",
                                       str(library / "controls"), "--policies", str(library / "policies"),
                                       "--out", str(tmp_path / "results.json"), "--as-of", "2026-12-01T00:00:00Z",
                                       "--schemas", str(FIXTURES / "schemas"), "--mappings", str(FIXTURES / "ci" / "mappings"),
                                       "--format", f"junit={out}", "--quiet"])
    assert result.exit_code in (0, 1), result.output
    check_jenkins_junit(out)


def test_policies_test_junit_from_the_cli_is_valid(library: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from auditor.cli import cli

    out = tmp_path / "policy.junit.xml"
    result = CliRunner().invoke(cli, ["policies", "test", "--controls", str(library / "controls"), "--policies", str(library / "policies"), "--format", f"junit={out}"])
    assert result.exit_code == 0, result.output
    check_jenkins_junit(out)
    assert sum(s.tests for s in suites(out)) > 0
