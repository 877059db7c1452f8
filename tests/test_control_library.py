"""The bundled control library: every control against its pass and fail evidence fixtures.

Fixtures live in ``tests/fixtures/controls/<ID>/{pass,fail}/`` (evidence folders)
with ``expected_fail.yaml`` listing exactly the resources that must fail.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from auditor.content import bundled
from auditor.controls import ControlLibrary, load_library
from auditor.engine import create
from auditor.evaluate import evaluate
from auditor.evidence import load_evidence
from auditor.families import bundled_families
from auditor.model import Status
from auditor.policies import PolicySet, load_policies
from auditor.policytest import run_policy_tests

FIXTURES = Path(__file__).parent / "fixtures" / "controls"


@cache
def library() -> ControlLibrary:
    return load_library(bundled("controls"))


@cache
def policies() -> PolicySet:
    return load_policies(bundled("policies"))


def control_ids() -> list[str]:
    return [c.id for c in library()]


def test_library_size_and_families() -> None:
    lib = library()
    assert len(lib) >= 20
    for family in bundled_families():
        assert sum(1 for c in lib if c.family == family) >= 4, family


def test_every_control_has_fixtures() -> None:
    missing = [cid for cid in control_ids() if not (FIXTURES / cid / "expected_fail.yaml").is_file()]
    assert missing == []


def test_every_policy_has_tests_and_they_pass() -> None:
    policy_set = policies()
    runtime = {s.package for s in policy_set.runtime}
    tested = {s.package.removesuffix("_test") for s in policy_set.tests if s.test_rules()}
    assert runtime - tested == set()
    report = run_policy_tests(policy_set, library())
    failures = [f"{c.package}.{c.name}: {c.status} {c.message}" for c in report.cases if c.status != "pass"]
    assert report.problems == []
    assert failures == []


def _run(control_id: str, evidence: Path) -> object:
    lib = library().select([control_id])
    run = evaluate(lib, policies(), load_evidence(evidence), create("regorus"))
    return run.results[0]


@pytest.mark.parametrize("control_id", control_ids())
def test_control_passes_on_pass_fixture(control_id: str) -> None:
    result = _run(control_id, FIXTURES / control_id / "pass")
    assert result.status is Status.PASS, (result.reason, result.violations)  # type: ignore[attr-defined]


@pytest.mark.parametrize("control_id", control_ids())
def test_control_fails_exactly_the_expected_resources(control_id: str) -> None:
    expected = yaml.safe_load((FIXTURES / control_id / "expected_fail.yaml").read_text())["resources"]
    result = _run(control_id, FIXTURES / control_id / "fail")
    assert result.status is Status.FAIL, result.reason  # type: ignore[attr-defined]
    assert sorted({v.resource for v in result.violations}) == sorted(expected)  # type: ignore[attr-defined]
    for violation in result.violations:  # type: ignore[attr-defined]
        assert violation.message.strip().endswith((".", ")")), violation.message
        assert len(violation.message) > 20


def test_demo_organisation_fails_in_every_family_and_passes_plenty() -> None:
    run = evaluate(library(), policies(), load_evidence(bundled("evidence/examples/demo")), create("regorus"))
    statuses = {r.control.id: r.status for r in run.results}
    assert Status.ERROR not in statuses.values()
    assert Status.INSUFFICIENT_EVIDENCE not in statuses.values()
    for family in bundled_families():
        assert any(r.status is Status.FAIL for r in run.results if r.control.family == family), family
    assert sum(r.status is Status.PASS for r in run.results) >= 1


def _scope_and_violations(control_id: str, folder: Path) -> tuple[set[str], set[str]]:
    """The policy's own in_scope and violating resources on an evidence folder, straight from the engine."""
    lib = library().select([control_id])
    evidence = load_evidence(folder)
    engine = create("regorus")
    engine.load(policies().runtime, {"params": lib.params_document(), "audit": {"as_of": evidence.as_of()}})
    engine.set_input(evidence.input_json())
    values = engine.query_rules(lib[control_id].policy, ("violations", "in_scope"))
    return set(values["in_scope"]), {v["resource"] for v in values["violations"]}


@pytest.mark.parametrize("control_id", control_ids())
@pytest.mark.parametrize("case", ["pass", "fail"])
def test_violating_resources_are_in_scope(control_id: str, case: str) -> None:
    in_scope, violating = _scope_and_violations(control_id, FIXTURES / control_id / case)
    assert violating <= in_scope, f"violating but not in in_scope: {sorted(violating - in_scope)}"
    assert in_scope, "in_scope is empty: the fixture proves nothing"
    result = _run(control_id, FIXTURES / control_id / case)
    assert result.population is not None  # type: ignore[attr-defined]
    assert result.population.in_scope == len(in_scope)  # type: ignore[attr-defined]
    assert result.population.passed == len(in_scope - violating)  # type: ignore[attr-defined]
