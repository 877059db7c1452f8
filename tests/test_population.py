"""Populations: every control counts what it judged, and nothing in scope is never a pass."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from auditor.collect.base import Clock, parse_instant
from auditor.collect.git import GitCollector
from auditor.content import bundled
from auditor.controls import load_library
from auditor.engine import create
from auditor.errors import InputError
from auditor.evaluate import Run, evaluate
from auditor.evidence import SchemaSet, load_evidence
from auditor.model import Population, Status
from auditor.policies import load_policies
from auditor.report import FORMATS
from auditor.report.outputs import load_formats
from auditor.results import results_document
from tests.collect.gitrepo import PINNED, sample_repo


def run_library(library: Path, evidence: Path, fixtures: Path, **kwargs: object) -> Run:
    return evaluate(
        load_library(library / "controls"),
        load_policies(library / "policies"),
        load_evidence(evidence, SchemaSet(fixtures / "schemas")),
        create("regorus"),
        **kwargs,  # type: ignore[arg-type]
    )


def results(run: Run) -> dict[str, object]:
    return {r.control.id: r for r in run.results}


def test_counts_in_scope_and_passed(library: Path, evidence: Path, fixtures: Path) -> None:
    by_id = results(run_library(library, evidence, fixtures))
    # SEC-001: four gadgets in scope, g-2 and g-3 unencrypted.
    assert by_id["SEC-001"].population == Population(in_scope=4, passed=2)  # type: ignore[attr-defined]
    assert by_id["SEC-001"].population.sentence() == "2 of 4 in scope passed"  # type: ignore[attr-defined]
    # PRIV-001 passes over two ledgers: 2 of 2.
    assert by_id["PRIV-001"].status is Status.PASS  # type: ignore[attr-defined]
    assert by_id["PRIV-001"].population == Population(in_scope=2, passed=2)  # type: ignore[attr-defined]


def test_empty_population_is_insufficient_evidence_with_the_controls_phrase(
    library: Path, evidence: Path, fixtures: Path, tmp_path: Path
) -> None:
    # Every gadget's owner exempt: SEC-001 judges nothing, so it cannot pass.
    control = library / "controls/security/SEC-001.yaml"
    control.write_text(control.read_text().replace("default: []", "default: [alice, bob, carol, dave]"))
    result = results(run_library(library, evidence, fixtures))["SEC-001"]
    assert result.status is Status.INSUFFICIENT_EVIDENCE  # type: ignore[attr-defined]
    assert result.reason == "no gadgets in the evidence"  # type: ignore[attr-defined]
    assert result.population == Population(0, 0)  # type: ignore[attr-defined]


def test_violating_resources_outside_in_scope_are_still_counted(
    library: Path, evidence: Path, fixtures: Path
) -> None:
    # A policy whose in_scope forgets the failing items: M is in_scope united with the violating resources.
    policy = library / "policies/security/sec_001.rego"
    text = policy.read_text()
    head, _, _ = text.partition("in_scope contains")
    policy.write_text(head + "in_scope contains g.id if {\n\tsome g in input.gadgets\n\tg.encrypted\n}\n")
    result = results(run_library(library, evidence, fixtures))["SEC-001"]
    assert result.status is Status.FAIL  # type: ignore[attr-defined]
    assert result.population == Population(in_scope=4, passed=2)  # type: ignore[attr-defined]


def test_policy_without_in_scope_is_rejected_naming_the_file(library: Path, evidence: Path, fixtures: Path) -> None:
    policy = library / "policies/privacy/priv_001.rego"
    policy.write_text(policy.read_text().replace("in_scope contains l.id if some l in input.ledgers\n", ""))
    with pytest.raises(InputError, match=r"priv_001.rego: package controls.privacy.priv_001 defines no 'in_scope'"):
        run_library(library, evidence, fixtures)


def test_in_scope_of_non_strings_is_an_error(library: Path, evidence: Path, fixtures: Path) -> None:
    policy = library / "policies/privacy/priv_001.rego"
    policy.write_text(policy.read_text().replace("in_scope contains l.id if", "in_scope contains l if"))
    result = results(run_library(library, evidence, fixtures))["PRIV-001"]
    assert result.status is Status.ERROR  # type: ignore[attr-defined]
    assert "in_scope must be a set of resource ids" in result.reason  # type: ignore[attr-defined]


def test_population_is_a_required_control_field(library: Path, evidence: Path, fixtures: Path) -> None:
    control = library / "controls/privacy/PRIV-001.yaml"
    control.write_text(control.read_text().replace("population: ledgers\n", ""))
    with pytest.raises(InputError, match=r"PRIV-001.yaml.*population.*required"):
        run_library(library, evidence, fixtures)


def test_population_in_results_and_every_machine_format(library: Path, evidence: Path, fixtures: Path) -> None:
    document = results_document(run_library(library, evidence, fixtures))
    entry = next(c for c in document["controls"] if c["id"] == "SEC-001")
    assert entry["population"] == {"in_scope": 4, "passed": 2}
    load_formats()
    for name in ("json", "junit", "sarif", "markdown", "oscal"):
        rendered = FORMATS.get(name)().render(document).decode()
        assert "2 of 4 in scope passed" in rendered or '"in_scope": 4' in rendered, name
        if name != "json":
            assert "2 of 2 in scope passed" in rendered, name  # PRIV-001, a passing control


def test_sec_004_on_git_only_evidence_is_insufficient_not_pass(tmp_path: Path) -> None:
    """The issue's case: a repository's release tags are deployments of environment ``unknown``."""
    repo = sample_repo(tmp_path)
    out = tmp_path / "evidence"
    GitCollector(repo.path, clock=Clock(parse_instant(PINNED))).write(out)
    deployments = [orjson.loads(p.read_bytes()) for p in out.rglob("*.json")]
    assert any(d["kind"] == "deployments" and d["items"] for d in deployments)
    library = load_library(bundled("controls")).select(["SEC-004"])
    run = evaluate(library, load_policies(bundled("policies")), load_evidence(out), create("regorus"))
    result = run.results[0]
    assert result.status is Status.INSUFFICIENT_EVIDENCE, (result.reason, result.violations)
    assert result.reason == "no production deployments in the evidence"
    assert result.population == Population(0, 0)
