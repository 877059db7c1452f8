"""Plain typed objects passed between the pipeline's stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Family:
    """A control family, defined as data in ``controls/families.yaml`` (see :mod:`auditor.families`).

    ``id`` is what a control's ``family:`` names (``segregation-of-duties``), ``slug`` the folder
    and Rego package segment (``sod``), ``prefix`` the start of every control id (``SOD``).
    """

    id: str
    slug: str
    prefix: str
    title: str
    description: str = field(default="", compare=False)
    path: Path | None = field(default=None, compare=False)

    @property
    def value(self) -> str:
        """The family as written in control files and results (``control.family.value``)."""
        return self.id

    def __str__(self) -> str:
        return self.id


SEVERITIES = ("low", "medium", "high", "critical")
#: the severity at and above which a failing control fails the run, unless --fail-on says otherwise
DEFAULT_FAIL_ON = SEVERITIES[2]


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
    #: what the policy's ``in_scope`` counts, a plural noun phrase ("production deployments")
    population: str
    parameters: tuple[Parameter, ...]
    references: tuple[Reference, ...]
    remediation: str
    path: Path
    #: what failing the control means for the organisation, one sentence (``impact:``)
    impact: str = ""
    uses: tuple[str, ...] = ()  # optional kinds: read when present, never required

    @property
    def reads(self) -> tuple[str, ...]:
        """Every kind the control may read: required (evidence) then optional (uses)."""
        return self.evidence + self.uses

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.parameters}


@dataclass(frozen=True)
class DisabledControl:
    """A control a library layer switched off, with its recorded reason; reported, never evaluated."""

    control: Control
    reason: str
    where: str  # "org-library/overrides.yaml:12"
    layer: str

    def to_dict(self) -> dict[str, Any]:
        c = self.control
        return {"id": c.id, "title": c.title, "family": c.family.value, "severity": c.severity,
                "owner": c.owner, "reason": self.reason, "disabled_by": self.where, "layer": self.layer}


@dataclass(frozen=True, order=True)
class CollectionFailure:
    """A record: a part of a collection that failed, kept in its evidence document's ``errors``, never dropped.

    Not an exception: a collection that cannot produce a document at all raises
    :class:`auditor.collect.base.CollectorError`.
    """

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
    errors: tuple[CollectionFailure, ...]
    items_json: bytes = field(repr=False, default=b"[]")
    #: Secrets replaced at load (``--redact-secrets``): where and what kind, never the value.
    redactions: tuple[dict[str, Any], ...] = ()
    #: the organisation the document says the evidence describes (envelope ``organisation``), if it says
    organisation: str | None = None

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
        if self.redactions:
            out["redactions"] = [dict(r) for r in self.redactions]
        if self.organisation:
            out["organisation"] = self.organisation
        return out


@dataclass(frozen=True, order=True)
class Violation:
    resource: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"resource": self.resource, "message": self.message}


@dataclass(frozen=True)
class Population:
    """How many evidence items a control judged (``in_scope`` plus any violating resource) and how many passed."""

    in_scope: int
    passed: int

    def to_dict(self) -> dict[str, int]:
        return {"in_scope": self.in_scope, "passed": self.passed}

    def sentence(self) -> str:
        """"3 of 4 in scope passed"."""
        return f"{self.passed:,} of {self.in_scope:,} in scope passed"


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
    #: None when the policy was never evaluated (evidence absent or stale, engine failure)
    population: Population | None = None
