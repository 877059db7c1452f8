"""Plain typed objects passed between the pipeline's stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class Family(StrEnum):
    PRIVACY = "privacy"
    SECURITY = "security"
    SOD = "segregation-of-duties"
    AI = "ai-governance"
    SM = "service-management"

    @property
    def slug(self) -> str:
        return FAMILY_SLUGS[self]

    @property
    def prefix(self) -> str:
        return FAMILY_PREFIXES[self]


FAMILY_SLUGS = {
    Family.PRIVACY: "privacy",
    Family.SECURITY: "security",
    Family.SOD: "sod",
    Family.AI: "ai",
    Family.SM: "sm",
}
FAMILY_PREFIXES = {
    Family.PRIVACY: "PRIV",
    Family.SECURITY: "SEC",
    Family.SOD: "SOD",
    Family.AI: "AI",
    Family.SM: "SM",
}

SEVERITIES = ("low", "medium", "high", "critical")


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


class Status(StrEnum):
    """Each control ends as exactly one of these. Only ``pass`` is a pass."""

    PASS = "pass"
    FAIL = "fail"
    WAIVED = "waived"
    ERROR = "error"
    INSUFFICIENT_EVIDENCE = "insufficient_evidence"


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: Any
    description: str = ""
    minimum: float | None = None
    maximum: float | None = None
    allowed: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class Reference:
    title: str
    url: str | None = None


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    objective: str
    family: Family
    severity: str
    owner: str
    policy: str
    evidence: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    references: tuple[Reference, ...]
    remediation: str
    path: Path

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.parameters}


@dataclass(frozen=True, order=True)
class CollectionError:
    """A part of a collection that failed; recorded in its evidence document, never dropped."""

    scope: str
    message: str
    code: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"scope": self.scope, "code": self.code, "message": self.message}


@dataclass
class EvidenceDocument:
    """One evidence file as evaluated. ``items_json`` is the items array, serialised."""

    path: Path
    relpath: str
    kind: str
    source: str
    collected_at: str
    sha256: str
    size: int
    item_count: int
    collector: dict[str, str] | None
    errors: tuple[CollectionError, ...]
    items_json: bytes = field(repr=False, default=b"[]")

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.relpath,
            "kind": self.kind,
            "source": self.source,
            "collected_at": self.collected_at,
            "sha256": self.sha256,
            "size": self.size,
            "items": self.item_count,
            "errors": [e.as_dict() for e in self.errors],
        }
        if self.collector:
            out["collector"] = dict(self.collector)
        return out


@dataclass(frozen=True, order=True)
class Violation:
    resource: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"resource": self.resource, "message": self.message}


@dataclass
class ControlResult:
    control: Control
    status: Status
    reason: str
    violations: list[Violation]
    duration_ms: float
    parameters: dict[str, Any]
    evidence: list[str]  # relpaths of the documents it read
    waived: list[dict[str, Any]] = field(default_factory=list)
