"""The bundled control library's mappings: every id real, every control mapped where the issue requires."""

from __future__ import annotations

import pytest

from auditor.controls import load_library
from auditor.mappings import load_mappings
from auditor.mappings.coverage import coverage
from tests.conftest import REPO


@pytest.fixture(scope="module")
def bundled():  # type: ignore[no-untyped-def]
    library = load_library(REPO / "controls")
    return library, load_mappings(REPO / "mappings", library)  # raises on any unknown id or duplicate


def test_every_control_maps_to_iso27001(bundled) -> None:  # type: ignore[no-untyped-def]
    library, ms = bundled
    assert len(library) > 0
    assert ms.unmapped_controls("iso27001-2022", list(library.controls)) == []


def test_every_ai_control_maps_to_nist_ai_rmf(bundled) -> None:  # type: ignore[no-untyped-def]
    library, ms = bundled
    ai = [c.id for c in library if c.family.slug == "ai"]
    assert ai
    assert ms.unmapped_controls("nist-ai-rmf-1.0", ai) == []


def test_service_standard_mapped_where_honest(bundled) -> None:  # type: ignore[no-untyped-def]
    _library, ms = bundled
    points = {m.clause for m in ms.for_framework("gds-service-standard")}
    assert {"9", "14"} <= points
    assert points <= {"5", "9", "14"}  # user research, team and ways of working are not evidenced by controls


def test_mapping_files_name_owner_and_review_date(bundled) -> None:  # type: ignore[no-untyped-def]
    _library, ms = bundled
    assert set(ms.files) == {"iso27001-2022", "nist-ai-rmf-1.0", "gds-service-standard", "nist-csf-2.0",
                             "soc2-tsc-2017", "iso42001-2023", "eu-ai-act-2024"}
    for meta in ms.files.values():
        assert meta.owner.strip() and meta.last_reviewed.year >= 2025


def test_rationales_are_one_line_and_distinct(bundled) -> None:  # type: ignore[no-untyped-def]
    _library, ms = bundled
    for m in ms.mappings:
        assert "\n" not in m.rationale and len(m.rationale) >= 30, (m.control, m.clause)
    rationales = [(m.framework, m.rationale) for m in ms.mappings]
    assert len(rationales) == len(set(rationales))


def test_iso_coverage_has_real_gaps_and_no_phantom_clauses(bundled) -> None:  # type: ignore[no-untyped-def]
    _library, ms = bundled
    cov = coverage(ms, "iso27001-2022")
    assert cov.totals.clauses == 116
    assert cov.totals.covered + cov.totals.supported + cov.totals.gap == 116
    assert "A.7.1" in [c.clause.id for c in cov.gaps]  # no physical security control in the library


def test_ai_frameworks_map_only_ai_controls_and_incident_share(bundled) -> None:  # type: ignore[no-untyped-def]
    _library, ms = bundled
    for framework in ("iso42001-2023", "eu-ai-act-2024"):
        controls = {m.control for m in ms.for_framework(framework)}
        assert {"AI-001", "AI-002", "AI-003", "AI-004", "AI-005"} <= controls
        assert controls - {"AI-001", "AI-002", "AI-003", "AI-004", "AI-005"} == {"SM-005"}
        # a legal obligation is never fully met by one evidence check
        assert framework != "eu-ai-act-2024" or all(m.strength != "full" for m in ms.for_framework(framework))
