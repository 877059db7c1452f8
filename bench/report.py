"""Benchmark: render both PDF reports for 200 controls and 10,000 violations.

Target (issue 6): each report generates within 10 s.

    python bench/report.py [--controls 200] [--violations 10000] [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from auditor.report.board import build_board, render_board_pdf  # noqa: E402
from auditor.report.evidence_report import EvidenceReport  # noqa: E402
from auditor.report.figures import load_catalogs  # noqa: E402
from tests.report.synthetic import synthetic_results  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--controls", type=int, default=200)
    parser.add_argument("--violations", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    catalogs = load_catalogs(REPO / "mappings")
    clauses = {fw: list(c.clauses) for fw, c in catalogs.catalogs.items()} if catalogs else None
    results = synthetic_results(args.controls, args.violations, catalog_clauses=clauses)
    out = args.out or Path(tempfile.mkdtemp(prefix="auditor-bench-report-"))
    out.mkdir(parents=True, exist_ok=True)

    start, cpu = time.perf_counter(), time.process_time()
    evidence_pdf = EvidenceReport(results, org="Bench Ltd", catalogs=catalogs).render()
    evidence_s, evidence_cpu = time.perf_counter() - start, time.process_time() - cpu
    (out / "evidence-report.pdf").write_bytes(evidence_pdf)

    start = time.perf_counter()
    board_pdf = render_board_pdf(build_board(results, history=[], catalogs=catalogs, org="Bench Ltd"))
    board_s = time.perf_counter() - start
    (out / "board.pdf").write_bytes(board_pdf)

    from pypdf import PdfReader

    pages = len(PdfReader(out / "evidence-report.pdf").pages)
    print(f"controls={args.controls} violations={args.violations}")
    print(f"evidence report: {evidence_s:.2f} s wall, {evidence_cpu:.2f} s CPU, {pages} pages"
          f", {len(evidence_pdf) / 1e6:.2f} MB (target < 10 s)")
    print(f"board summary:   {board_s:.2f} s, {len(PdfReader(out / 'board.pdf').pages)} pages (target < 10 s)")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
