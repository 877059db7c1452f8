"""Coverage roll-up semantics on the fixture framework (widget-std-1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.mappings import load_mappings
from auditor.mappings.coverage import ControlLink, clause_status, control_statuses, coverage
from auditor.model import Status
from auditor.results_model import Results

RESULTS = {"SOD-001": "pass", "SEC-001": "fail", "SEC-002": "pass", "PRIV-001": "pass"}


def status_of(cov) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {c.clause.id: (c.coverage, c.status) for c in cov.clauses}


def test_rollup_with_results(fix: Path, controls) -> None:  # type: ignore[no-untyped-def]
    cov = coverage(load_mappings(fix / "root", controls), "widget-std-1", RESULTS)
    assert status_of(cov) == {
        "W1.1": ("covered", "fail"),  # full SOD-001 passes, partial SEC-001 fails -> clause fails
        "W1.2": ("covered", "pass"),  # full SEC-002 passes; supporting SEC-001 failing does not matter
        "W1.3": ("gap", "gap"),
        "W2.1": ("supported", "supported"),  # supporting only: never "pass", even though SOD-001 passes
        "W2.2": ("covered", "pass"),
        "W2.3": ("covered", "not_evaluated"),  # AI-001 has no result
        "W2.4": ("gap", "gap"),
    }
    assert [c.clause.id for c in cov.gaps] == ["W1.3", "W2.4"]
    w21 = next(c for c in cov.clauses if c.clause.id == "W2.1")
    assert [(link.control, link.status) for link in w21.controls] == [("AI-001", "not_evaluated"), ("SOD-001", "pass")]
    totals = {g.id: g.totals.to_dict() for g in cov.groups}
    assert totals["P1"] == {"clauses": 3, "covered": 2, "supported": 0, "gap": 1,
                            "by_status": {"pass": 1, "fail": 1, "not_evaluated": 0, "supported": 0, "gap": 1}}
    assert totals["P2"]["by_status"] == {"pass": 1, "fail": 0, "not_evaluated": 1, "supported": 1, "gap": 1}
    assert totals["W"]["clauses"] == 7 and totals["W"] == cov.totals.to_dict()  # parent rolls up both parts


def test_without_results_everything_mapped_is_not_evaluated(fix: Path, controls) -> None:  # type: ignore[no-untyped-def]
    cov = coverage(load_mappings(fix / "root", controls), "widget-std-1")
    assert {s for _, s in status_of(cov).values()} == {"not_evaluated", "supported", "gap"}
    assert cov.totals.by_status["pass"] == 0 and not cov.results_given


@pytest.mark.parametrize("bad", ["fail", "error", "insufficient_evidence", "waived"])
def test_only_pass_counts_as_passing(fix: Path, controls, bad: str) -> None:  # type: ignore[no-untyped-def]
    cov = coverage(load_mappings(fix / "root", controls), "widget-std-1", {**RESULTS, "PRIV-001": bad})
    assert status_of(cov)["W2.2"] == ("covered", "fail")


def test_fail_wins_over_not_evaluated() -> None:
    links = [ControlLink("A", "full", "r", "not_evaluated"), ControlLink("B", "partial", "r", "error")]
    assert clause_status(links) == ("covered", "fail")
    assert clause_status([ControlLink("A", "supporting", "r", "fail")]) == ("supported", "supported")
    assert clause_status([]) == ("gap", "gap")


def test_control_statuses_from_results_file(fix: Path) -> None:
    statuses = control_statuses(Results.read(fix / "results.json"))
    assert statuses == RESULTS
    assert all(isinstance(s, Status) for s in statuses.values())


def test_catalog_without_mapping_file_is_all_gaps(root: Path, controls) -> None:  # type: ignore[no-untyped-def]
    (root / "widget-std-1.yaml").unlink()
    cov = coverage(load_mappings(root, controls), "widget-std-1", RESULTS)
    assert cov.totals.gap == 7 and cov.owner is None
