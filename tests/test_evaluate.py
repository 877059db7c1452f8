from __future__ import annotations

from pathlib import Path

import pytest

from auditor.controls import load_library
from auditor.engine import create
from auditor.errors import EngineError, ExitCode, InputError
from auditor.evaluate import Run, evaluate
from auditor.evidence import SchemaSet, load_evidence
from auditor.model import Status
from auditor.policies import load_policies
from auditor.results import results_document


def run_library(library: Path, evidence: Path, fixtures: Path, **kwargs: object) -> Run:
    return evaluate(
        load_library(library / "controls", kwargs.pop("params", None)),  # type: ignore[arg-type]
        load_policies(library / "policies"),
        load_evidence(evidence, SchemaSet(fixtures / "schemas")),
        create("regorus"),
        **kwargs,  # type: ignore[arg-type]
    )


def by_id(run: Run) -> dict[str, object]:
    return {r.control.id: r for r in run.results}


def test_statuses_and_violations(library: Path, evidence: Path, fixtures: Path) -> None:
    run = run_library(library, evidence, fixtures)
    results = by_id(run)
    sec1 = results["SEC-001"]
    assert sec1.status is Status.FAIL  # type: ignore[attr-defined]
    assert [v.resource for v in sec1.violations] == ["g-2", "g-3"]  # type: ignore[attr-defined]
    assert sec1.violations[0].message == "Gadget g-2 is not encrypted at rest."  # type: ignore[attr-defined]
    # as_of defaults to the latest collected_at (2026-11-20); g-3 was created 2026-01-01.
    assert run.as_of == "2026-11-20T12:00:00Z"
    assert [v.resource for v in results["SEC-002"].violations] == ["g-3"]  # type: ignore[attr-defined]
    assert results["PRIV-001"].status is Status.PASS  # type: ignore[attr-defined]
    assert run.exit_code() is ExitCode.FAILED


def test_params_override_changes_the_outcome(library: Path, evidence: Path, fixtures: Path, tmp_path: Path) -> None:
    params = tmp_path / "org.yaml"
    params.write_text("PRIV-001:\n  max_retention_days: 100\nSEC-001:\n  exempt_owners: [bob, carol]\n")
    results = by_id(run_library(library, evidence, fixtures, params=params))
    assert [v.resource for v in results["PRIV-001"].violations] == ["ledger-b"]  # type: ignore[attr-defined]
    assert results["SEC-001"].status is Status.PASS  # type: ignore[attr-defined]


def test_as_of_moves_the_clock(library: Path, evidence: Path, fixtures: Path) -> None:
    results = by_id(run_library(library, evidence, fixtures, as_of="2026-02-01T00:00:00Z"))
    assert results["SEC-002"].status is Status.PASS  # type: ignore[attr-defined]


def test_missing_kind_is_insufficient_evidence_not_pass(library: Path, evidence: Path, fixtures: Path) -> None:
    (evidence / "ledgers.yaml").unlink()
    run = run_library(library, evidence, fixtures, fail_on="critical")
    result = by_id(run)["PRIV-001"]
    assert result.status is Status.INSUFFICIENT_EVIDENCE  # type: ignore[attr-defined]
    assert "ledgers" in result.reason  # type: ignore[attr-defined]
    # PRIV-001 is critical: not passing it fails the run even at --fail-on critical.
    assert run.exit_code() is ExitCode.FAILED


def test_empty_kind_is_insufficient_evidence(library: Path, evidence: Path, fixtures: Path) -> None:
    (evidence / "ledgers.yaml").write_text(
        "kind: ledgers\nsource: s\ncollected_at: '2026-11-19T08:00:00Z'\nitems: []\n"
    )
    assert by_id(run_library(library, evidence, fixtures))["PRIV-001"].status is Status.INSUFFICIENT_EVIDENCE  # type: ignore[attr-defined]


def test_collection_errors_prevent_a_pass(library: Path, evidence: Path, fixtures: Path) -> None:
    (evidence / "ledgers.yaml").write_text(
        "kind: ledgers\nsource: s\ncollected_at: '2026-11-19T08:00:00Z'\n"
        "errors: [{scope: 'eu-west-2', code: AccessDenied, message: denied}]\n"
        "items: [{id: l1, retention_days: 1}]\n"
    )
    result = by_id(run_library(library, evidence, fixtures))["PRIV-001"]
    assert result.status is Status.INSUFFICIENT_EVIDENCE  # type: ignore[attr-defined]
    assert "collection error" in result.reason  # type: ignore[attr-defined]


def test_engine_error_is_error_status_and_run_goes_on(library: Path, evidence: Path, fixtures: Path) -> None:
    # A builtin error at evaluation time (bad timestamp) errors this control only.
    policy = library / "policies/security/sec_002.rego"
    policy.write_text(policy.read_text().replace("g.created_at", '"not-a-time"'))
    run = run_library(library, evidence, fixtures)
    results = by_id(run)
    assert results["SEC-002"].status is Status.ERROR  # type: ignore[attr-defined]
    assert results["SEC-002"].reason  # type: ignore[attr-defined]
    assert "Stack backtrace" not in results["SEC-002"].reason  # type: ignore[attr-defined]
    assert results["SEC-001"].status is Status.FAIL  # type: ignore[attr-defined]
    assert run.exit_code() is ExitCode.INTERNAL


def test_panic_is_caught_at_the_engine_boundary(library: Path, evidence: Path, fixtures: Path) -> None:
    policy = library / "policies/security/sec_002.rego"
    policy.write_text(
        "package controls.security.sec_002\nimport rego.v1\n"
        'violations contains {"resource": "x", "message": "m"} if { strings.count("abc", "") > 0 }\n'
    )
    result = by_id(run_library(library, evidence, fixtures))["SEC-002"]
    assert result.status is Status.ERROR  # type: ignore[attr-defined]


def test_malformed_violation_is_an_error(library: Path, evidence: Path, fixtures: Path) -> None:
    policy = library / "policies/security/sec_002.rego"
    policy.write_text(
        "package controls.security.sec_002\nimport rego.v1\n"
        'violations contains {"id": g.id} if { some g in input.gadgets }\n'
    )
    result = by_id(run_library(library, evidence, fixtures))["SEC-002"]
    assert result.status is Status.ERROR  # type: ignore[attr-defined]
    assert "resource" in result.reason  # type: ignore[attr-defined]


def test_missing_policy_package(library: Path, evidence: Path, fixtures: Path) -> None:
    (library / "policies/security/sec_002.rego").unlink()
    with pytest.raises(InputError, match=r"SEC-002.yaml: policy: package 'controls.security.sec_002' not found"):
        run_library(library, evidence, fixtures)


def test_policy_syntax_error_names_file_and_line(library: Path, evidence: Path, fixtures: Path) -> None:
    policy = library / "policies/privacy/priv_001.rego"
    policy.write_text(policy.read_text() + "\noops if { x := := 1 }\n")
    with pytest.raises(InputError, match=r"priv_001.rego:12:16: expecting expression"):
        run_library(library, evidence, fixtures)


def test_time_now_is_rejected(library: Path, evidence: Path, fixtures: Path) -> None:
    policy = library / "policies/security/sec_002.rego"
    policy.write_text(policy.read_text().replace("time.parse_rfc3339_ns(data.audit.as_of)", "time.now_ns()"))
    with pytest.raises(InputError, match=r"sec_002.rego:7: time.now_ns\(\) is not allowed"):
        run_library(library, evidence, fixtures)


def test_policy_reading_an_undeclared_kind_is_rejected_not_passed(
    library: Path, evidence: Path, fixtures: Path
) -> None:
    # input.gadgetz is undefined, so no violation could ever fire: SEC-001 used to pass.
    policy = library / "policies/security/sec_001.rego"
    policy.write_text(policy.read_text().replace("input.gadgets", "input.gadgetz"))
    with pytest.raises(
        InputError,
        match=r"sec_001.rego:8: input.gadgetz: found a read of kind 'gadgetz', expected one of the "
              r"control's evidence kinds \(gadgets\)",
    ):
        run_library(library, evidence, fixtures)


def test_optional_reads_and_mentions_in_comments_or_strings_are_allowed(
    library: Path, evidence: Path, fixtures: Path
) -> None:
    policy = library / "policies/security/sec_001.rego"
    policy.write_text(policy.read_text() + (
        '\n# input.ledgers is not read here\nnote := "see input.ledgers"\n'
        'extra := object.get(input, "ledgers", [])\n'
    ))
    assert by_id(run_library(library, evidence, fixtures))["SEC-001"].status is Status.FAIL  # type: ignore[attr-defined]


def test_bad_as_of(library: Path, evidence: Path, fixtures: Path) -> None:
    with pytest.raises(InputError, match="--as-of: found 'yesterday'"):
        run_library(library, evidence, fixtures, as_of="yesterday")


def test_results_are_deterministic(library: Path, evidence: Path, fixtures: Path) -> None:
    volatile = {"run_id", "started_at", "finished_at"}

    def stable() -> dict[str, object]:
        doc = results_document(run_library(library, evidence, fixtures))
        for control in doc["controls"]:
            control.pop("duration_ms")
        return {k: v for k, v in doc.items() if k not in volatile}

    first, second = stable(), stable()
    assert first == second
    assert [d["path"] for d in first["evidence"]] == ["gadgets.json", "ledgers.yaml"]  # type: ignore[index]
    assert first["summary"]["by_status"]["fail"] == 2  # type: ignore[index]


def test_engine_query_of_unknown_rule_raises_engine_error() -> None:
    engine = create("regorus")
    engine.load([], {})
    engine.set_input(b"{}")
    with pytest.raises(EngineError):
        engine.query("data.nothing.here")
