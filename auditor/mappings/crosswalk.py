"""Crosswalk: which clauses of one framework meet which of another, through shared controls.

Clause A (framework X) and clause B (framework Y) are linked when some control is
mapped to both. The strength of a link through one control is the weaker of its two
mappings (a ``partial`` X mapping and a ``full`` Y mapping give ``partial``); the
strength of the link is the strongest over all shared controls.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from auditor.mappings.load import STRENGTH_RANK, STRENGTHS, Clause, MappedClause, MappingSet


@dataclass(frozen=True)
class Via:
    control: str
    from_strength: str
    to_strength: str

    @property
    def strength(self) -> str:
        return STRENGTHS[max(STRENGTH_RANK[self.from_strength], STRENGTH_RANK[self.to_strength])]


@dataclass(frozen=True)
class Link:
    source: Clause
    target: Clause
    via: tuple[Via, ...]

    @property
    def strength(self) -> str:
        return STRENGTHS[min(STRENGTH_RANK[v.strength] for v in self.via)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.source.id, "from_title": self.source.title,
            "to": self.target.id, "to_title": self.target.title,
            "strength": self.strength,
            "via": [{"control": v.control, "from_strength": v.from_strength, "to_strength": v.to_strength}
                    for v in self.via],
        }


@dataclass
class Crosswalk:
    source: str
    target: str
    links: list[Link]
    unlinked: list[Clause]  # source clauses with controls but none shared with the target
    unmapped: list[Clause]  # source clauses with no controls at all

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.source, "to": self.target,
            "links": [link.to_dict() for link in self.links],
            "unlinked": [c.id for c in self.unlinked],
            "unmapped": [c.id for c in self.unmapped],
        }


def crosswalk(mappings: MappingSet, source: str, target: str) -> Crosswalk:
    src, dst = mappings.catalog(source), mappings.catalog(target)
    target_by_control: dict[str, list[MappedClause]] = defaultdict(list)
    for m in mappings.for_framework(target):
        target_by_control[m.control].append(m)
    source_by_clause: dict[str, list[MappedClause]] = defaultdict(list)
    for m in mappings.for_framework(source):
        source_by_clause[m.clause].append(m)
    links: list[Link] = []
    unlinked: list[Clause] = []
    unmapped: list[Clause] = []
    for clause_id, clause in src.clauses.items():
        mapped = source_by_clause.get(clause_id, [])
        if not mapped:
            unmapped.append(clause)
            continue
        vias: dict[str, list[Via]] = defaultdict(list)
        for m in mapped:
            for t in target_by_control.get(m.control, []):
                vias[t.clause].append(Via(m.control, m.strength, t.strength))
        if not vias:
            unlinked.append(clause)
        for target_id in sorted(vias, key=dst.order):
            links.append(Link(clause, dst.clauses[target_id], tuple(sorted(vias[target_id], key=lambda v: v.control))))
    return Crosswalk(source, target, links, unlinked, unmapped)
