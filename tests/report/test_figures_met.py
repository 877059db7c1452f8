"""The board's framework bars share one base: met is never more than covered."""

from __future__ import annotations

from auditor.content import bundled
from auditor.mappings import load_mappings
from auditor.report.figures import framework_figures
from tests.golden import golden_results


def test_met_is_a_share_of_all_clauses_and_never_exceeds_coverage() -> None:
    results = golden_results()
    figures = {f.framework: f for f in framework_figures(results, load_mappings(bundled("mappings")))}
    iso = figures["iso27001-2022"]
    assert iso.total_clauses == 116
    assert iso.met == iso.passing / 116
    for figure in figures.values():
        assert figure.met is not None and figure.coverage is not None
        assert figure.met <= figure.coverage
