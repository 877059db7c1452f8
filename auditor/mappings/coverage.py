"""Coverage of one framework: every clause with its controls and, given results, a rolled-up status.

Roll-up rules (documented in docs/mappings.md):

- ``coverage``: ``covered`` when at least one ``full`` or ``partial`` control is mapped, ``supported``
  when only ``supporting`` controls are, ``gap`` when nothing is.
- ``status``: ``gap`` for an unmapped clause; ``supported`` for a supporting-only clause (its
  controls help but can never make the clause pass); otherwise over the clause's ``full`` and
  ``partial`` controls: ``fail`` if any of them did not pass (fail, error, insufficient evidence
  or waived: only ``pass`` is a pass), else ``not_evaluated`` if any has no result, else ``pass``.
- Totals per group (ISO theme, NIST category) and per enclosing group (NIST function).

Applicability and attestations (``implementation`` of each clause):

- ``excluded``: declared not applicable (``mappings/applicability/``), shown with its justification
  and counted in no denominator;
- ``automated``: applicable, with at least one ``full`` or ``partial`` control (its status is the
  controls' latest status: pass, fail or not_evaluated);
- ``attested``: applicable, no deciding control, but a valid attestation at ``as_of``;
- ``uncovered``: applicable and neither (supporting-only clauses and expired attestations included).

:func:`coverage_counts` gives the four numbers every report shows (the board, the evidence report,
the Statement of Applicability), so they agree by construction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.mappings.applicability import Applicability, Decision
from auditor.mappings.attestations import VALID, Attestation
from auditor.mappings.load import STRENGTH_RANK, Catalog, Clause, MappingSet

if TYPE_CHECKING:
    from auditor.model import Status
    from auditor.results_model import Results

COVERAGE_LEVELS = ("covered", "supported", "gap")
CLAUSE_STATUSES = ("pass", "fail", "not_evaluated", "supported", "gap")
NOT_EVALUATED = "not_evaluated"
IMPLEMENTATIONS = ("automated", "attested", "uncovered", "excluded")


@dataclass(frozen=True)
class ControlLink:
    control: str
    strength: str
    rationale: str
    status: str  # the control's result status, or not_evaluated

    def to_dict(self) -> dict[str, str]:
        return {"control": self.control, "strength": self.strength, "rationale": self.rationale,
                "status": self.status}


@dataclass(frozen=True)
class ClauseCoverage:
    clause: Clause
    groups: tuple[str, ...]  # the clause's group, then its enclosing groups
    controls: tuple[ControlLink, ...]
    coverage: str
    status: str
    applicable: bool = True
    decision: Decision | None = None  # the declared applicability decision, if any
    attestations: tuple[tuple[Attestation, str], ...] = ()  # (attestation, state at as_of)
    as_of: datetime | None = None

    @property
    def implementation(self) -> str:
        if not self.applicable:
            return "excluded"
        if self.coverage == "covered":
            return "automated"
        if any(state == VALID for _a, state in self.attestations):
            return "attested"
        return "uncovered"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.clause.id,
            "title": self.clause.title,
            "group": self.clause.group,
            "groups": list(self.groups),
            "coverage": self.coverage,
            "status": self.status,
            "applicable": self.applicable,
            "implementation": self.implementation,
            "applicability": self.decision.to_dict() if self.decision else None,
            "controls": [c.to_dict() for c in self.controls],
            "attestations": [a.to_dict(self.as_of) for a, _s in self.attestations] if self.as_of else [],
        }


@dataclass
class Totals:
    clauses: int = 0
    covered: int = 0
    supported: int = 0
    gap: int = 0
    by_status: dict[str, int] = field(default_factory=lambda: {s: 0 for s in CLAUSE_STATUSES})

    def add(self, item: ClauseCoverage) -> None:
        self.clauses += 1
        setattr(self, item.coverage, getattr(self, item.coverage) + 1)
        self.by_status[item.status] += 1

    def to_dict(self) -> dict[str, Any]:
        return {"clauses": self.clauses, "covered": self.covered, "supported": self.supported, "gap": self.gap,
                "by_status": dict(self.by_status)}


@dataclass
class GroupTotals:
    id: str
    title: str
    parent: str | None
    totals: Totals

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "parent": self.parent, **self.totals.to_dict()}


@dataclass
class Coverage:
    catalog: Catalog
    clauses: list[ClauseCoverage]
    groups: list[GroupTotals]
    totals: Totals
    results_given: bool
    owner: str | None
    last_reviewed: str | None
    applicability_files: list[str] = field(default_factory=list)
    applicability_owner: str | None = None
    as_of: datetime | None = None

    @property
    def gaps(self) -> list[ClauseCoverage]:
        return [c for c in self.clauses if c.coverage == "gap"]

    @property
    def uncovered(self) -> list[ClauseCoverage]:
        return [c for c in self.clauses if c.implementation == "uncovered"]

    @property
    def excluded(self) -> list[ClauseCoverage]:
        return [c for c in self.clauses if c.implementation == "excluded"]

    def counts(self) -> CoverageCounts:
        return CoverageCounts.of(self.clauses)

    def to_dict(self) -> dict[str, Any]:
        return {
            "framework": self.catalog.framework,
            "name": self.catalog.name,
            "version": self.catalog.version,
            "owner": self.owner,
            "last_reviewed": self.last_reviewed,
            "results_given": self.results_given,
            "totals": self.totals.to_dict(),
            "groups": [g.to_dict() for g in self.groups],
            "clauses": [c.to_dict() for c in self.clauses],
            "gaps": [c.clause.id for c in self.gaps],
            "applicability": {"files": self.applicability_files, **self.counts().to_dict()},
            "uncovered": [c.clause.id for c in self.uncovered],
            "excluded": [{"id": c.clause.id, "justification": c.decision.justification if c.decision else None}
                         for c in self.excluded],
            "as_of": self.as_of.strftime("%Y-%m-%dT%H:%M:%SZ") if self.as_of else None,
        }


@dataclass(frozen=True)
class CoverageCounts:
    """The figures every report shows for one framework (and for the SoA, its Annex A)."""

    clauses: int  # every clause in the catalog (or the SoA's part of it)
    applicable: int
    excluded: int
    automated: int  # applicable, decided by a full/partial control
    automated_pass: int  # of those, every deciding control passed
    automated_fail: int  # of those, some deciding control did not pass
    attested: int  # applicable, no deciding control, a valid attestation
    uncovered: int  # applicable, neither

    @classmethod
    def of(cls, items: list[ClauseCoverage]) -> CoverageCounts:
        impl = [c.implementation for c in items]
        automated = [c for c in items if c.implementation == "automated"]
        return cls(len(items), sum(1 for i in impl if i != "excluded"), impl.count("excluded"),
                   len(automated), sum(1 for c in automated if c.status == "pass"),
                   sum(1 for c in automated if c.status == "fail"), impl.count("attested"), impl.count("uncovered"))

    def to_dict(self) -> dict[str, int]:
        return {"clauses": self.clauses, "applicable": self.applicable, "excluded": self.excluded,
                "automated": self.automated, "automated_pass": self.automated_pass,
                "automated_fail": self.automated_fail, "attested": self.attested, "uncovered": self.uncovered}


def control_statuses(results: Results) -> dict[str, Status]:
    """Control id -> status of every control a run evaluated."""
    return {control.id: control.status for control in results.controls}


#: the run label of coverage judged without results
NO_RESULTS = "no results"


def judged_coverage(
    mappings: MappingSet,
    framework: str,
    results: Results | None = None,
    evidence: Path | None = None,
    as_of: str | None = None,
) -> tuple[Coverage, str]:
    """Coverage of ``framework`` with each control's status from ``results`` (when given) and the
    attestations of ``evidence`` judged at ``as_of`` (default: the results' ``as_of``, else the
    evidence's latest ``collected_at``); and the run it was judged from (its id, or "no results").

    What ``auditor mappings coverage`` and ``auditor mappings soa`` show.
    """
    from auditor.mappings.attestations import load_attestations

    statuses = control_statuses(results) if results is not None else None
    instant = as_of or (results.as_of if results is not None else None)
    attestations, when = (load_attestations(evidence, mappings.catalogs, instant) if evidence is not None
                          else ([], None))
    run = results.run_id if results is not None else NO_RESULTS
    return coverage(mappings, framework, statuses, attestations, when), run


def clause_status(links: list[ControlLink]) -> tuple[str, str]:
    """(coverage, status) of one clause from its control links; see the module docstring."""
    if not links:
        return "gap", "gap"
    deciding = [link for link in links if link.strength != "supporting"]
    if not deciding:
        return "supported", "supported"
    if any(link.status not in ("pass", NOT_EVALUATED) for link in deciding):
        return "covered", "fail"
    if any(link.status == NOT_EVALUATED for link in deciding):
        return "covered", NOT_EVALUATED
    return "covered", "pass"


def coverage(
    mappings: MappingSet,
    framework: str,
    statuses: Mapping[str, str] | None = None,
    attestations: list[Attestation] | None = None,
    as_of: datetime | None = None,
    applicability: Applicability | None = None,
) -> Coverage:
    """Every clause of ``framework`` with its controls; ``statuses`` (control id -> status) from results.

    Applicability defaults to the mapping set's merged decisions; ``attestations`` are judged at ``as_of``.
    """
    catalog = mappings.catalog(framework)
    decided = applicability if applicability is not None else mappings.decisions(framework)
    attested: dict[str, list[tuple[Attestation, str]]] = {}
    for att in attestations or []:
        if att.framework != framework:
            continue
        if as_of is None:
            raise ValueError("attestations need the instant to judge them at (as_of)")
        for clause_id in att.clauses:
            attested.setdefault(clause_id, []).append((att, att.state(as_of)))
    by_clause: dict[str, list[ControlLink]] = {clause_id: [] for clause_id in catalog.clauses}
    for m in mappings.for_framework(framework):
        status = statuses.get(m.control, NOT_EVALUATED) if statuses is not None else NOT_EVALUATED
        by_clause[m.clause].append(ControlLink(m.control, m.strength, m.rationale, status))
    group_totals = {g.id: GroupTotals(g.id, g.title, g.parent, Totals()) for g in catalog.clause_groups()}
    overall = Totals()
    items: list[ClauseCoverage] = []
    for clause_id, clause in catalog.clauses.items():
        links = sorted(by_clause[clause_id], key=lambda link: (STRENGTH_RANK[link.strength], link.control))
        level, status = clause_status(links)
        item = ClauseCoverage(clause, tuple(catalog.lineage(clause.group)), tuple(links), level, status,
                              decided.applicable(clause_id), decided.decision(clause_id),
                              tuple(attested.get(clause_id, ())), as_of)
        items.append(item)
        overall.add(item)
        for group_id in item.groups:
            group_totals[group_id].totals.add(item)
    meta = mappings.files.get(framework)
    return Coverage(
        catalog, items, list(group_totals.values()), overall, statuses is not None,
        meta.owner if meta else None, meta.last_reviewed.isoformat() if meta else None,
        [str(p) for p in decided.files], decided.owner, as_of,
    )


def coverage_counts(
    mappings: MappingSet,
    framework: str,
    statuses: Mapping[str, str] | None = None,
    attestations: list[Attestation] | None = None,
    as_of: datetime | None = None,
    groups: tuple[str, ...] | None = None,
) -> CoverageCounts:
    """Applicable / excluded / automated / attested / uncovered clause counts of ``framework``.

    The one function the board, the evidence report and the SoA call, so their figures agree.
    ``groups`` limits the count to clauses filed under (or rolling up to) those groups, e.g.
    ``("A",)`` for ISO/IEC 27001 Annex A; default every clause.
    """
    cov = coverage(mappings, framework, statuses, attestations, as_of)
    items = [c for c in cov.clauses if groups is None or set(groups) & set(c.groups)]
    return CoverageCounts.of(items)


def coverage_section(
    mappings: MappingSet,
    statuses: Mapping[str, str],
    attestations: list[Attestation],
    as_of: datetime,
) -> dict[str, Any]:
    """results.json ``coverage``: per framework, the :func:`coverage_counts` figures and the excluded clauses
    with their justification; the board and the evidence report show these numbers."""
    section: dict[str, Any] = {}
    for framework in mappings.frameworks():
        cov = coverage(mappings, framework, statuses, attestations, as_of)
        section[framework] = {
            **cov.counts().to_dict(),
            "excluded_clauses": [{"id": c.clause.id, "title": c.clause.title,
                                  "justification": c.decision.justification if c.decision else ""}
                                 for c in cov.excluded],
        }
    return section
