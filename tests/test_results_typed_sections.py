"""The typed sections reports read (disabled controls, coverage, layers, organisation, mappings), their
round trip, and that the report modules do not restate the status and severity vocabulary."""

from __future__ import annotations

import ast
import copy
from pathlib import Path
from typing import Any

import orjson
import pytest

from auditor.errors import InputError
from auditor.files import pretty_json
from auditor.model import SEVERITIES, Status
from auditor.organisation import report_organisation
from auditor.report.board import build_board
from auditor.report.board_markdown import render_board_markdown
from auditor.report.disabled import describe, tally
from auditor.results_model import ClauseLink, DisabledEntry, FrameworkCoverage, Results

REPO = Path(__file__).parent.parent
GOLDEN = REPO / "tests" / "fixtures" / "golden" / "results.json"

DISABLED = [
    {"id": "AI-005", "title": "Each model has a card", "family": "ai", "severity": "medium", "owner": "ml",
     "reason": "no models here", "disabled_by": "org/overrides.yaml:12", "layer": "org",
     "mappings": [{"framework": "nist-ai-rmf-1.0", "clause": "MAP 1.1", "strength": "full"}]},
    {"id": "SEC-009", "title": "Keys rotate", "family": "security", "severity": "high", "owner": "sec",
     "reason": "not in the ci profile", "disabled_by": "controls/profiles.yaml:6", "layer": "profile:ci"},
]


def _document() -> dict[str, Any]:
    document: dict[str, Any] = orjson.loads(GOLDEN.read_bytes())
    document["disabled_controls"] = copy.deepcopy(DISABLED)
    document["profile"] = "ci"
    document["controls"][0]["layer"] = "org"
    document["controls"][0]["overridden"] = ["severity"]
    document["evidence"][0]["organisation"] = "Brightwater Financial"
    return document


def test_the_sections_reports_read_are_typed_and_round_trip_byte_for_byte() -> None:
    document = _document()
    results = Results.from_dict(document)
    assert pretty_json(results.to_dict()) == pretty_json(document)
    assert results.extra == {}  # nothing a report reads is left untyped
    assert [d.id for d in results.disabled] == ["AI-005", "SEC-009"]
    assert all(isinstance(d, DisabledEntry) for d in results.disabled)
    assert [d.by_profile for d in results.disabled] == [False, True]
    assert results.disabled[0].mappings == [ClauseLink("nist-ai-rmf-1.0", "MAP 1.1", "full")]
    assert results.coverage is not None and all(isinstance(c, FrameworkCoverage) for c in results.coverage.values())
    first = results.controls[0]
    assert (first.layer, first.overridden) == ("org", ["severity"])
    assert all(isinstance(m, ClauseLink) for c in results.controls for m in c.mappings)
    assert results.evidence[0].organisation == "Brightwater Financial"
    assert report_organisation(results) == report_organisation(document) == "Brightwater Financial"
    assert tally(results) == " · 1 disabled (not evaluated) · 1 outside the ci profile (not evaluated)"
    assert describe(results.disabled[1]).startswith("SEC-009 (high) Keys rotate: not evaluated: not in the ci")


def test_the_golden_coverage_is_the_section_results_json_holds() -> None:
    document: dict[str, Any] = orjson.loads(GOLDEN.read_bytes())
    results = Results.from_dict(document)
    assert results.coverage is not None and set(results.coverage) == set(document["coverage"])
    for framework, section in document["coverage"].items():
        typed = results.coverage[framework]
        assert typed.to_dict() == section
        assert typed.applicable == section["applicable"] and typed.automated_pass == section["automated_pass"]


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d["disabled_controls"][0].pop("disabled_by"), r"disabled_controls\[0\]\.disabled_by: required"),
    (lambda d: d["disabled_controls"][1].update(layer=3), r"disabled_controls\[1\]\.layer: found 3, expected string"),
    (lambda d: d["controls"][0].update(overridden="severity"),
     r"controls\[0\]\.overridden: found 'severity', expected array"),
])
def test_a_bad_typed_section_is_exit_2_naming_the_field(edit: Any, message: str) -> None:
    document = _document()
    edit(document)
    with pytest.raises(InputError, match=message) as raised:
        Results.from_dict(document, "results.json")
    assert raised.value.exit_code == 2


def test_the_board_is_the_same_from_typed_results_and_from_the_document() -> None:
    document = _document()
    typed = Results.from_dict(document)
    from_typed = build_board(typed, org="Brightwater Financial")
    from_document = build_board(document, org="Brightwater Financial")
    assert render_board_markdown(from_typed) == render_board_markdown(from_document)
    assert from_typed.counts == {s: n for s, n in typed.counts().items() if n}
    assert from_typed.passing == sum(c.status is Status.PASS for c in typed.controls)
    assert [d.id for d in from_typed.disabled] == ["AI-005", "SEC-009"]
    assert "AI-005 (no models here)" in from_typed.disabled_sentence()


# -- the vocabulary is stated once ------------------------------------------------------------------

#: modules that render from results: none compares or indexes with a status or severity literal
RENDERERS = sorted([*(REPO / "auditor" / "report").glob("*.py"), REPO / "auditor" / "pack" / "locker.py",
                    REPO / "auditor" / "pack" / "build.py", REPO / "auditor" / "pack" / "merge.py",
                    *(REPO / "auditor" / "pipeline").glob("*.py")])
VOCABULARY = {s.value for s in Status} | set(SEVERITIES)


def _literals(node: ast.AST) -> list[str]:
    """Status or severity words given as literals in ``node`` (a constant, or a tuple/list/set of them)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in VOCABULARY:
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [w for e in node.elts for w in _literals(e)]
    return []


def restated(path: Path, root: Path = REPO) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Compare):
            words = [w for part in (node.left, *node.comparators) for w in _literals(part)]
        elif isinstance(node, ast.Subscript):
            words = _literals(node.slice)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            words = _literals(node.args[0]) if node.args else []
        else:
            continue
        if not isinstance(node, ast.Compare):  # a lookup: "waived" is also a control's field in results.json
            words = [w for w in words if w != Status.WAIVED.value]
        found += [f"{path.relative_to(root)}:{node.lineno}: {w!r}" for w in words]
    return found


def test_no_renderer_compares_or_looks_up_a_status_or_severity_literal() -> None:
    problems = [p for path in RENDERERS for p in restated(path)]
    assert problems == [], "use Status / SEVERITIES (auditor.model) or results_model's sets instead"


def test_the_vocabulary_check_finds_a_restated_status(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('def f(c, counts, m):\n    return c["status"] in ("error", "insufficient_evidence") or '
                      'counts.get("pass") or counts["critical"] or m.risk == "moderate"\n')
    found = sorted(p.split(": ", 1)[1] for p in restated(sample, tmp_path))
    assert found == ["'critical'", "'error'", "'insufficient_evidence'", "'pass'"]
