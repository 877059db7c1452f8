"""The Statement of Applicability (ISO/IEC 27001:2022 clause 6.1.3 d) as CSV, Markdown or PDF.

One row per control in the catalog's ``soa_scope`` (Annex A for ISO/IEC 27001; every clause
for a catalog without one): applicable or not, the justification, how it is implemented
(automated control ids with their latest status, attestations with attester and expiry, or
a gap), the decision's owner and review date. The figures at the top are
:func:`auditor.mappings.coverage.CoverageCounts` of the same rows, so the SoA, ``mappings
coverage`` and the board agree.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from auditor.mappings.coverage import ClauseCoverage, Coverage, CoverageCounts

SOA_FORMATS = ("csv", "markdown", "pdf")
HEADERS = ["control", "title", "applicable", "justification", "implementation", "implemented by", "owner",
           "review date"]
IMPLEMENTATION_LABELS = {"automated": "automated control", "attested": "attested", "uncovered": "gap",
                         "excluded": "not applicable"}


@dataclass
class Soa:
    coverage: Coverage
    rows: list[ClauseCoverage]
    counts: CoverageCounts
    run: str  # the results' run id, or "no results"

    @property
    def as_of(self) -> datetime | None:
        return self.coverage.as_of


def build_soa(cov: Coverage, run: str = "no results") -> Soa:
    scope = cov.catalog.soa_scope
    rows = [c for c in cov.clauses if not scope or set(scope) & set(c.groups)]
    return Soa(cov, rows, CoverageCounts.of(rows), run)


def implemented_by(item: ClauseCoverage, results_given: bool) -> str:
    """Deciding controls with their status, then attestations with their state; or why it is a gap."""
    parts = []
    for link in item.controls:
        status = link.status if results_given else "not evaluated"
        parts.append(f"{link.control} ({link.strength}, {status})")
    for att, state in item.attestations:
        parts.append(f"attestation {att.id} by {att.attester}, expires {att.expires_at:%Y-%m-%d} ({state}; "
                     f"evidence {att.evidence_ref})")
    if not parts:
        return "none: no control or attestation"
    return "; ".join(parts)


def _row(item: ClauseCoverage, results_given: bool, default_owner: str) -> list[str]:
    """Undeclared clauses are applicable by default: no justification, the mapping owner, no review date."""
    decision = item.decision
    return [
        item.clause.id,
        item.clause.title,
        "yes" if item.applicable else "no",
        (decision.justification or "") if decision else "(no decision declared: applicable by default)",
        IMPLEMENTATION_LABELS[item.implementation],
        implemented_by(item, results_given) if item.applicable else "",
        decision.owner if decision else default_owner,
        decision.review_date.isoformat() if decision else "",
    ]


def rows(soa: Soa) -> list[list[str]]:
    owner = soa.coverage.applicability_owner or soa.coverage.owner or ""
    return [_row(item, soa.coverage.results_given, owner) for item in soa.rows]


def summary_lines(soa: Soa) -> list[str]:
    c, cat = soa.counts, soa.coverage.catalog
    as_of = f"{soa.as_of:%Y-%m-%dT%H:%M:%SZ}" if soa.as_of else "not given (no evidence: no attestations)"
    return [
        f"Statement of Applicability: {cat.name} ({cat.framework})",
        f"Results: {soa.run}; attestations judged at {as_of}",
        f"Applicability decisions: {', '.join(soa.coverage.applicability_files) or 'none declared (all applicable)'}",
        f"{c.clauses} controls: {c.applicable} applicable, {c.excluded} not applicable. Of the applicable: "
        f"{c.automated} automated ({c.automated_pass} passing, {c.automated_fail} failing), {c.attested} attested, "
        f"{c.uncovered} uncovered.",
    ]


def to_csv(soa: Soa) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADERS)
    writer.writerows(rows(soa))
    return out.getvalue()


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(soa: Soa) -> str:
    lines = [f"# {summary_lines(soa)[0]}", ""]
    lines += [f"- {line}" for line in summary_lines(soa)[1:]]
    lines += ["", "| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in rows(soa)]
    return "\n".join(lines) + "\n"


def to_pdf(soa: Soa) -> bytes:
    from auditor.report.pdf_common import heading, para, render_pdf, table

    cat = soa.coverage.catalog

    def story() -> list[Any]:
        flow: list[Any] = [heading(summary_lines(soa)[0], 0, "soa")]
        flow += [para(line) for line in summary_lines(soa)[1:]]
        header = ["control", "title", "applies", "justification", "how", "implemented by", "owner", "review"]
        short = {"automated control": "automated", "not applicable": "excluded"}
        body = [[*row[:4], short.get(row[4], row[4]), *row[5:]] for row in rows(soa)]
        flow.append(table(header, body, [0.07, 0.145, 0.07, 0.185, 0.095, 0.245, 0.09, 0.1]))
        return flow

    return render_pdf(story, title=f"Statement of Applicability: {cat.name}", author="Auditor",
                      subject=f"Statement of Applicability, {cat.name}", run_id=soa.run,
                      footer_label=f"Statement of Applicability: {cat.name}", keywords=["SoA", cat.framework])


def render_soa(soa: Soa, fmt: str) -> bytes:
    if fmt == "csv":
        return to_csv(soa).encode()
    if fmt == "markdown":
        return to_markdown(soa).encode()
    return to_pdf(soa)
