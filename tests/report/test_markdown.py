from __future__ import annotations

import json
from pathlib import Path

from auditor.report.markdown import MarkdownFormat
from tests.ci_helpers import ci_document


def render(document: dict) -> str:  # type: ignore[type-arg]
    return MarkdownFormat().render(document).decode()


def row(text: str, control: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("|") and f"`{control}`" in line)


def test_summary_headline_table_and_clause_column(library: Path, evidence: Path) -> None:
    text = render(ci_document(library, evidence, exceptions=None))
    assert text.startswith("## Auditor: failed (3 controls: 2 fail, 1 pass)")
    assert "| Status | Control | Severity | Clauses | Violations | Population | Title |" in text
    assert row(text, "SEC-001") == ("| ❌ fail | `SEC-001` | high | iso27001-2022: A.8.24 / nist-ai-rmf-1.0: GOVERN 1.4 | 2 | "
                                    "2 of 4 in scope passed | Gadgets are encrypted at rest |")
    assert "Passing: `PRIV-001` (2 of 2 in scope passed)" in text
    assert "| iso27001-2022: A.8.32 |" in row(text, "SEC-002")
    assert "- `g-2`: Gadget g-2 is not encrypted at rest." in text
    assert "Passing: `PRIV-001`" in text
    # failing high before failing medium
    assert text.index("`SEC-001` | high") < text.index("`SEC-002` | medium")


def test_waived_and_warnings_are_shown(library: Path, evidence: Path) -> None:
    text = render(ci_document(library, evidence))
    assert text.startswith("## Auditor: passed")
    assert "| ⚪ waived | `SEC-001` | high | iso27001-2022: A.8.24 / nist-ai-rmf-1.0: GOVERN 1.4 | 2 waived |" in text
    assert "- waived `g-2`: Gadget g-2 is not encrypted at rest. (waiver `EX-001`" in text
    assert "> ⚠️ **Warning:** waiver EX-002 (SEC-001, g-3*) expires on 2026-11-30 (in 10 days)" in text
    assert "| `EX-003` | `SEC-002` | `*` | not_applied | 2027-01-31 | approver is the requester" in text


def test_baseline_marks_new_and_known(library: Path, evidence: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "b.json"
    baseline.write_text(json.dumps({"kind": "auditor-baseline",
                                    "violations": [{"control": "SEC-001", "resource": "g-2"}]}))
    text = render(ci_document(library, evidence, exceptions=None, baseline=baseline))
    assert "baseline: 2 new, 1 known violations" in text
    assert "| 2 (1 new) |" in row(text, "SEC-001")
    assert "- known `g-2`" in text and "- **new** `g-3`" in text


def test_pipes_in_messages_do_not_break_the_table(library: Path, evidence: Path) -> None:
    document = ci_document(library, evidence, exceptions=None)
    document["controls"][1]["title"] = "a | b"
    assert "a \\| b" in render(document)
