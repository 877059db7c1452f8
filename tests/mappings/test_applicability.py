"""Applicability files: validation (exit 2 naming file and entry) and per-clause layering."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.mappings.coverage import coverage
from auditor.mappings.load import load_layered_mappings, load_mappings


def write(root: Path, body: str, name: str = "widget-std-1.yaml") -> Path:
    folder = root / "applicability"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(body)
    return path


HEAD = "framework: widget-std-1\nowner: Risk Team\nreview_date: 2027-01-31\nclauses:\n"


def test_exclusion_counts_against_applicable_only(root: Path) -> None:
    write(root, HEAD + '  - {id: W2.4, applicable: false, justification: "We have no suppliers."}\n')
    ms = load_mappings(root)
    cov = coverage(ms, "widget-std-1")
    counts = cov.counts()
    assert (counts.clauses, counts.applicable, counts.excluded) == (7, 6, 1)
    [excluded] = cov.excluded
    assert excluded.clause.id == "W2.4" and excluded.decision is not None
    assert excluded.decision.justification == "We have no suppliers."
    assert excluded.decision.owner == "Risk Team" and excluded.decision.review_date.isoformat() == "2027-01-31"
    # W1.3 is unmapped and still applicable: uncovered; W2.4 is no longer a gap that counts
    assert [c.clause.id for c in cov.uncovered] == ["W1.3", "W2.1"]  # W2.1 has supporting controls only


@pytest.mark.parametrize(("entry", "expected"), [
    ('  - {id: W9.9, applicable: false, justification: "x"}\n', "clauses[0] (W9.9).id: unknown widget-std-1 clause"),
    ("  - {id: W2.4, applicable: false}\n", "clauses[0] (W2.4).justification: required when applicable is false"),
    ('  - {id: W2.4, applicable: false, justification: "   "}\n', "clauses[0] (W2.4).justification: required"),
    ("  - {id: W2.4, applicable: true, review_date: soon}\n", "clauses[0] (W2.4).review_date"),
    ("  - {id: W2.4, applicable: maybe}\n", "clauses[0] (W2.4).applicable"),
    ("  - {id: W2.4, applicable: true}\n  - {id: W2.4, applicable: true}\n", "duplicate entry for W2.4"),
])
def test_bad_applicability_names_file_line_and_entry(root: Path, entry: str, expected: str) -> None:
    path = write(root, HEAD + entry)
    with pytest.raises(InputError) as info:
        load_mappings(root)
    assert str(path) in info.value.message and expected in info.value.message
    assert f"{path}:5" in info.value.message or f"{path}:6" in info.value.message


def test_top_level_review_date_must_be_a_date(root: Path) -> None:
    path = write(root, HEAD.replace("2027-01-31", "next year") + "  - {id: W2.4, applicable: true}\n")
    with pytest.raises(InputError, match="review_date") as info:
        load_mappings(root)
    assert f"{path}:3" in info.value.message


def test_file_for_unknown_framework_is_refused(root: Path) -> None:
    path = write(root, HEAD.replace("widget-std-1", "widget-std-9"), name="widget-std-9.yaml")
    with pytest.raises(InputError, match="no framework catalog 'widget-std-9'") as info:
        load_mappings(root)
    assert str(path) in info.value.message


def test_org_layer_decides_per_clause_over_the_base(root: Path, tmp_path: Path) -> None:
    write(root, HEAD + '  - {id: W2.4, applicable: false, justification: "Base: no suppliers."}\n'
                       '  - {id: W1.3, applicable: false, justification: "Base: not relevant."}\n')
    org = tmp_path / "org" / "mappings"
    org.mkdir(parents=True)
    write(org, HEAD.replace("Risk Team", "Org GRC") + "  - {id: W2.4, applicable: true}\n")
    ms = load_layered_mappings([root, org])
    decided = ms.decisions("widget-std-1")
    assert decided.applicable("W2.4") is True  # the organisation's decision replaces the base's
    assert decided.decision("W2.4").owner == "Org GRC"
    assert decided.decision("W2.4").source == org / "applicability" / "widget-std-1.yaml"
    assert decided.applicable("W1.3") is False  # the organisation said nothing: the base decision stands
    assert decided.files == [root / "applicability" / "widget-std-1.yaml", org / "applicability" / "widget-std-1.yaml"]
    assert decided.applicable("W1.1") is True  # no layer mentions it: applicable
