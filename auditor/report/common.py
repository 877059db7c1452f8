"""Small helpers the machine formats share: clause labels, ordering, counts (over the typed results)."""

from __future__ import annotations

from auditor.model import Status
from auditor.results_model import ControlOutcome, Results, Violation


def clause_ids(control: ControlOutcome) -> list[str]:
    """Bare clause ids, e.g. ``["A.8.32", "GOVERN 1.4"]``, in the mapping order."""
    return control.clause_ids()


def clause_tags(control: ControlOutcome) -> list[str]:
    """Framework-qualified clause ids, e.g. ``["iso27001-2022:A.8.32"]``."""
    return control.clause_tags()


def counts(results: Results) -> dict[Status, int]:
    """Controls per status, every status present, worst first."""
    return results.counts()


def is_new(violation: Violation) -> bool:
    """Without a baseline every violation counts as new."""
    return violation.counts_as_new


def population_text(control: ControlOutcome) -> str:
    """"3 of 4 in scope passed", or why there is no count (results.json ``population``)."""
    return control.population_text()
