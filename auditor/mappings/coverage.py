"""Coverage of one framework: every clause with its controls and, given results, a rolled-up status.

Roll-up rules (documented in docs/mappings.md):

- ``coverage``: ``covered`` when at least one ``full`` or ``partial`` control is mapped, ``supported``
  when only ``supporting`` controls are, ``gap`` when nothing is.
- ``status``: ``gap`` for an unmapped clause; ``supported`` for a supporting-only clause (its
  controls help but can never make the clause pass); otherwise over the clause's ``full`` and
  ``partial`` controls: ``fail`` if any of them did not pass (fail, error, insufficient evidence
  or waived: only ``pass`` is a pass), else ``not_evaluated`` if any has no result, else ``pass``.
- Totals per group (ISO theme, NIST category) and per enclosing group (NIST function).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.mappings.load import STRENGTH_RANK, Catalog, Clause, MappingSet

COVERAGE_LEVELS = ("covered", "supported", "gap")
CLAUSE_STATUSES = ("pass", "fail", "not_evaluated", "supported", "gap")
NOT_EVALUATED = "not_evaluated"


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.clause.id,
            "title": self.clause.title,
            "group": self.clause.group,
            "groups": list(self.groups),
            "coverage": self.coverage,
            "status": self.status,
            "controls": [c.to_dict() for c in self.controls],
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

    @property
    def gaps(self) -> list[ClauseCoverage]:
        return [c for c in self.clauses if c.coverage == "gap"]

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
        }


def control_statuses(results: Mapping[str, Any]) -> dict[str, str]:
    """Control id -> status from a results.json document."""
    return {str(c["id"]): str(c["status"]) for c in results.get("controls", []) if "id" in c and "status" in c}


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


def coverage(mappings: MappingSet, framework: str, statuses: Mapping[str, str] | None = None) -> Coverage:
    """Every clause of ``framework`` with its controls; ``statuses`` (control id -> status) from results."""
    catalog = mappings.catalog(framework)
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
        item = ClauseCoverage(clause, tuple(catalog.lineage(clause.group)), tuple(links), level, status)
        items.append(item)
        overall.add(item)
        for group_id in item.groups:
            group_totals[group_id].totals.add(item)
    meta = mappings.files.get(framework)
    return Coverage(
        catalog, items, list(group_totals.values()), overall, statuses is not None,
        meta.owner if meta else None, meta.last_reviewed.isoformat() if meta else None,
    )
