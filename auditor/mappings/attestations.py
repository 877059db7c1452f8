"""Attestations: a person's statement that clauses no automated control decides are met.

Attestations are evidence (kind ``attestations``, ``evidence/schemas/attestations.schema.json``),
loaded and validated like every other kind. At the instant ``as_of`` an attestation is

- ``valid``: attested at or before ``as_of`` and expiring after it: the clause is *attested*;
- ``expired``: ``expires_at`` at or before ``as_of``: the clause is a gap;
- ``future``: attested after ``as_of`` (not yet made at that instant): the clause is a gap.

An attestation is never an automated pass; coverage counts it separately.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from auditor.errors import InputError
from auditor.evidence.load import format_time, parse_time

if TYPE_CHECKING:
    from auditor.evidence.load import EvidenceSet

KIND = "attestations"
VALID, EXPIRED, FUTURE = "valid", "expired", "future"


@dataclass(frozen=True)
class Attestation:
    id: str
    framework: str
    clauses: tuple[str, ...]
    statement: str
    evidence_ref: str
    attester: str  # "Name <email>"
    attested_at: datetime
    expires_at: datetime
    signature: str  # method, or "none"
    source: str  # evidence file (relative path)

    def state(self, as_of: datetime) -> str:
        if self.attested_at > as_of:
            return FUTURE
        if self.expires_at <= as_of:
            return EXPIRED
        return VALID

    def to_dict(self, as_of: datetime) -> dict[str, Any]:
        return {"id": self.id, "statement": self.statement, "evidence_ref": self.evidence_ref,
                "attester": self.attester, "attested_at": format_time(self.attested_at),
                "expires_at": format_time(self.expires_at), "signature": self.signature,
                "state": self.state(as_of), "source": self.source}


def load_attestations(evidence_dir: Path, catalogs: dict[str, Any], as_of: str | None = None,
                      ) -> tuple[list[Attestation], datetime]:
    """Every attestation in ``evidence_dir`` (validated against the kind's schema) and the instant to judge at.

    ``as_of`` defaults to the evidence's own instant (the latest ``collected_at``). An attestation
    naming an unknown framework or clause is exit 2 naming the file, item and clause.
    """
    from auditor.evidence.load import load_evidence

    evidence = load_evidence(Path(evidence_dir))
    instant = parse_time(as_of) if as_of else parse_time(evidence.as_of())
    return attestations_in(evidence, catalogs), instant


def attestations_in(evidence: EvidenceSet, catalogs: dict[str, Any]) -> list[Attestation]:
    """The attestations of an evidence set already loaded (``auditor run`` uses the set it evaluated)."""
    found: list[Attestation] = []
    for doc in evidence.for_kind(KIND):
        for index, item in enumerate(orjson.loads(doc.items_json)):
            where = f"{doc.path}: items[{index}] ({item['id']})"
            catalog = catalogs.get(item["framework"])
            if catalog is None:
                raise InputError(f"{where}.framework: found {item['framework']!r}, expected one of: "
                                 f"{', '.join(sorted(catalogs))}")
            for cindex, clause in enumerate(item["clauses"]):
                if clause not in catalog.clauses:
                    raise InputError(f"{where}.clauses[{cindex}]: unknown {item['framework']} clause {clause!r}")
            attested, expires = parse_time(item["attested_at"]), parse_time(item["expires_at"])
            if expires <= attested:
                raise InputError(f"{where}.expires_at: found {item['expires_at']}, expected an instant after "
                                 f"attested_at {item['attested_at']}")
            attester = item["attester"]
            signature = (item.get("signature") or {}).get("method", "none")
            found.append(Attestation(item["id"], item["framework"], tuple(item["clauses"]), item["statement"],
                                     item["evidence_ref"], f"{attester['name']} <{attester['email']}>",
                                     attested, expires, signature, doc.relpath))
    found.sort(key=lambda a: a.id)
    return found
