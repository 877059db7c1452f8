"""Golden files: every output format rendered from one pinned evaluation of the demo organisation.

Regenerate with ``make golden`` (``python -m tests.golden``) after an intended change, and
review ``git diff tests/fixtures/golden`` like code. ``tests/test_golden.py`` fails when they
are stale.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.content import bundled
from auditor.controls import load_library
from auditor.engine import create
from auditor.evaluate import evaluate
from auditor.evidence import load_evidence
from auditor.files import pretty_json, write_atomic
from auditor.mappings import load_mappings
from auditor.organisation import report_organisation
from auditor.policies import load_policies
from auditor.report import FORMATS
from auditor.report.board import build_board
from auditor.report.board_markdown import render_board_markdown
from auditor.report.outputs import load_formats
from auditor.report.service_facts import read_report_evidence
from auditor.results import results_document

GOLDEN = Path(__file__).parent / "fixtures" / "golden"
PINNED = {"run_id": "golden-run", "started_at": "2026-11-20T10:00:00Z", "finished_at": "2026-11-20T10:00:01Z"}


def golden_results() -> dict[str, Any]:
    """The bundled library on the demo organisation, with the run's volatile fields pinned."""
    library = load_library(bundled("controls"))
    mappings = load_mappings(bundled("mappings"), library)
    run = evaluate(library, load_policies(bundled("policies")), load_evidence(bundled("evidence/examples/demo")),
                   create("regorus"), mappings=mappings)
    document = results_document(run)
    document.update(PINNED)
    for control in document["controls"]:
        control["duration_ms"] = 0
    return document


def render_all() -> dict[str, bytes]:
    results = golden_results()
    load_formats()
    rendered = {"results.json": pretty_json(results)}
    for name, renderer in FORMATS:
        if name != "json":
            rendered[f"{name}-{renderer.default_filename}"] = renderer().render(results)
    catalogs = load_mappings(bundled("mappings"))
    evidence = read_report_evidence(results, bundled("evidence/examples/demo"))
    board = build_board(results, catalogs=catalogs, org=report_organisation(results), evidence=evidence)
    rendered["board.md"] = render_board_markdown(board).encode()
    return rendered


def main() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    files = render_all()
    for stale in set(p.name for p in GOLDEN.iterdir()) - set(files):
        (GOLDEN / stale).unlink()
    for name, data in sorted(files.items()):
        write_atomic(GOLDEN / name, data)
        print(f"wrote {GOLDEN / name} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
