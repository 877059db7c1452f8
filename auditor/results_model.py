"""The typed results of a run: what results.json holds, as dataclasses (``from_dict`` / ``to_dict``).

A document read from disk is checked first (:func:`auditor.results_check.check_results`: exit 2 naming
the field); then every value is typed: statuses are :class:`auditor.model.Status`, severities one of
:data:`auditor.model.SEVERITIES`. ``to_dict`` gives back exactly the document it was built from
(fields a newer writer added are kept in ``extra``), so results.json's bytes never change by going
through this model::

    results = Results.read(Path("out/results.json"))
    failing = [c.id for c in results.controls if c.status is Status.FAIL]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from auditor.model import SEVERITIES, Status


def _split(document: dict[str, Any], known: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k not in known}


def _present(out: dict[str, Any], **optional: Any) -> dict[str, Any]:
    """``out`` plus every optional field that was present (``None`` means absent)."""
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


@dataclass(frozen=True)
class Violation:
    resource: str
    message: str
    #: with a baseline: whether the violation is absent from it (None: no baseline)
    new: bool | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Violation:
        return cls(d["resource"], d["message"], d.get("new"))

    def to_dict(self) -> dict[str, Any]:
        return _present({"resource": self.resource, "message": self.message}, new=self.new)

    @property
    def counts_as_new(self) -> bool:
        """Without a baseline every violation counts as new."""
        return self.new is not False


@dataclass(frozen=True)
class WaiverRef:
    """The waiver that covers a waived violation (results.json ``waived[].exception``)."""

    id: str
    reason: str | None = None
    #: ``None``: no approver recorded (always written, as ``null`` then)
    approver: str | None = None
    expires: str | None = None
    ticket: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: whether the document has an ``approver`` key (Auditor always writes one; ``null`` is no approver)
    approver_recorded: bool = True

    _FIELDS: ClassVar[tuple[str, ...]] = ("id", "reason", "approver", "expires", "ticket")

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> WaiverRef:
        return cls(d["id"], d.get("reason"), d.get("approver"), d.get("expires"), d.get("ticket"),
                   _split(d, cls._FIELDS), "approver" in d)

    def to_dict(self) -> dict[str, Any]:
        out = {"id": self.id, **self.extra, **({"approver": self.approver} if self.approver_recorded else {})}
        return _present(out, reason=self.reason, expires=self.expires, ticket=self.ticket)


@dataclass(frozen=True)
class WaivedViolation:
    resource: str
    message: str
    #: the waiver that covers it (results.json spells it ``exception``)
    waiver: WaiverRef

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> WaivedViolation:
        return cls(d["resource"], d["message"], WaiverRef.from_dict(d["exception"]))

    def to_dict(self) -> dict[str, Any]:
        return {"resource": self.resource, "message": self.message, "exception": self.waiver.to_dict()}


#: a judged waiver's statuses (``auditor.waivers.judge``)
WAIVER_APPLIED, WAIVER_EXPIRING, WAIVER_EXPIRED, WAIVER_NOT_APPLIED = "applied", "expiring", "expired", "not_applied"
#: the statuses of a waiver that is applied (an expiring one still is, with a warning)
WAIVER_IN_FORCE = frozenset({WAIVER_APPLIED, WAIVER_EXPIRING})


@dataclass(frozen=True)
class JudgedWaiver:
    """One waiver as the run judged it at its ``as_of`` (results.json ``exceptions[]``)."""

    id: str
    control: str
    #: applied | expiring | expired | not_applied
    status: str
    resource: str | None = None
    #: the judgement in words: why it was refused, or until when it is in force
    detail: str | None = None
    reason: str | None = None
    requester: str | None = None
    #: ``None``: no approver (always written, as ``null`` then)
    approver: str | None = None
    created: str | None = None
    expires: str | None = None
    days_left: int | None = None
    ticket: str | None = None
    #: violations it waived
    matched: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: whether the document has an ``approver`` key (Auditor always writes one; ``null`` is no approver)
    approver_recorded: bool = True

    _FIELDS: ClassVar[tuple[str, ...]] = ("id", "control", "status", "resource", "detail", "reason", "requester",
                                          "approver", "created", "expires", "days_left", "ticket", "matched")

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> JudgedWaiver:
        return cls(d["id"], d["control"], d["status"], d.get("resource"), d.get("detail"), d.get("reason"),
                   d.get("requester"), d.get("approver"), d.get("created"), d.get("expires"), d.get("days_left"),
                   d.get("ticket"), d.get("matched"), _split(d, cls._FIELDS), "approver" in d)

    def to_dict(self) -> dict[str, Any]:
        out = {"id": self.id, "control": self.control, "status": self.status, **self.extra,
               **({"approver": self.approver} if self.approver_recorded else {})}
        return _present(out, resource=self.resource, detail=self.detail, reason=self.reason,
                        requester=self.requester, created=self.created, expires=self.expires,
                        days_left=self.days_left, ticket=self.ticket, matched=self.matched)

    @property
    def judgement(self) -> str:
        """Why it was or was not applied (results of early versions said it as ``reason_not_applied``)."""
        return self.detail or str(self.extra.get("reason_not_applied") or "")


@dataclass(frozen=True)
class ClauseLink:
    """A framework clause a control maps to (results.json ``mappings``)."""

    framework: str
    clause: str
    strength: str | None = None
    rationale: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ClauseLink:
        return cls(d["framework"], d["clause"], d.get("strength"), d.get("rationale"),
                   _split(d, ("framework", "clause", "strength", "rationale")))

    def to_dict(self) -> dict[str, Any]:
        return _present({"framework": self.framework, "clause": self.clause, **self.extra},
                        strength=self.strength, rationale=self.rationale)

    @property
    def tag(self) -> str:
        """``iso27001-2022:A.8.32``."""
        return f"{self.framework}:{self.clause}"


@dataclass(frozen=True)
class Population:
    in_scope: int
    passed: int

    def sentence(self) -> str:
        return f"{self.passed:,} of {self.in_scope:,} in scope passed"


_CONTROL_FIELDS = ("id", "title", "objective", "family", "severity", "owner", "policy", "evidence_kinds",
                   "evidence", "parameters", "status", "reason", "violations", "violation_count", "population",
                   "duration_ms", "mappings", "impact", "remediation", "source", "waived", "layer", "overridden")


@dataclass
class ControlOutcome:
    """One control's entry in results.json."""

    id: str
    title: str
    objective: str
    family: str
    severity: str
    owner: str
    policy: str
    evidence_kinds: list[str]
    evidence: list[str]
    parameters: dict[str, Any]
    status: Status
    reason: str
    violations: list[Violation]
    violation_count: int
    population: Population | None
    duration_ms: float
    mappings: list[ClauseLink]
    impact: str | None = None
    remediation: str | None = None
    source: str | None = None
    waived: list[WaivedViolation] | None = None
    #: the organisation layer that added the control (absent: the bundled or base library)
    layer: str | None = None
    #: the fields a layer's overrides changed
    overridden: list[str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ControlOutcome:
        population = d["population"]
        if d["severity"] not in SEVERITIES:  # guarded by the schema; kept here for direct callers
            raise ValueError(f"controls: severity: found {d['severity']!r}, expected one of {SEVERITIES}")
        return cls(
            id=d["id"], title=d["title"], objective=d["objective"], family=d["family"], severity=d["severity"],
            owner=d["owner"], policy=d["policy"], evidence_kinds=list(d["evidence_kinds"]),
            evidence=list(d["evidence"]), parameters=d["parameters"], status=Status(d["status"]),
            reason=d["reason"], violations=[Violation.from_dict(v) for v in d["violations"]],
            violation_count=d["violation_count"],
            population=Population(population["in_scope"], population["passed"]) if population is not None else None,
            duration_ms=d["duration_ms"], mappings=[ClauseLink.from_dict(m) for m in d["mappings"]],
            impact=d.get("impact"), remediation=d.get("remediation"), source=d.get("source"),
            waived=[WaivedViolation.from_dict(w) for w in d["waived"]] if "waived" in d else None,
            layer=d.get("layer"), overridden=d.get("overridden"), extra=_split(d, _CONTROL_FIELDS),
        )

    def to_dict(self) -> dict[str, Any]:
        population = ({"in_scope": self.population.in_scope, "passed": self.population.passed}
                      if self.population is not None else None)
        out = {
            "id": self.id, "title": self.title, "objective": self.objective, "family": self.family,
            "severity": self.severity, "owner": self.owner, "policy": self.policy,
            "evidence_kinds": self.evidence_kinds, "evidence": self.evidence, "parameters": self.parameters,
            "status": self.status.value, "reason": self.reason, "violations": [v.to_dict() for v in self.violations],
            "violation_count": self.violation_count, "population": population, "duration_ms": self.duration_ms,
            "mappings": [m.to_dict() for m in self.mappings], **self.extra,
        }
        waived = [w.to_dict() for w in self.waived] if self.waived is not None else None
        return _present(out, impact=self.impact, remediation=self.remediation, source=self.source, waived=waived,
                        layer=self.layer, overridden=self.overridden)

    @property
    def waived_violations(self) -> list[WaivedViolation]:
        return self.waived or []

    @property
    def explained(self) -> bool:
        """Whether the control has no verdict, only a reason (``error``, ``insufficient_evidence``)."""
        return self.status in UNDECIDED

    @property
    def passing(self) -> bool:
        """Only ``pass`` passes (``waived`` is a pass with recorded exceptions, not counted here)."""
        return self.status is Status.PASS

    @property
    def not_passing(self) -> bool:
        """``fail``, ``error`` or ``insufficient_evidence``: what counts against a critical control."""
        return self.status in NOT_PASSING

    @property
    def critical(self) -> bool:
        return self.severity == CRITICAL

    def clause_ids(self) -> list[str]:
        """Bare clause ids, e.g. ``["A.8.32", "GOVERN 1.4"]``, in the mapping order."""
        return [m.clause for m in self.mappings]

    def clause_tags(self) -> list[str]:
        """Framework-qualified clause ids, e.g. ``["iso27001-2022:A.8.32"]``."""
        return [m.tag for m in self.mappings]

    def population_text(self) -> str:
        """"3 of 4 in scope passed", or "not evaluated"."""
        return self.population.sentence() if self.population is not None else "not evaluated"


_EVIDENCE_FIELDS = ("path", "kind", "source", "collected_at", "sha256", "size", "items", "errors", "collector",
                    "organisation")


@dataclass
class EvidenceEntry:
    """One evidence document the run read."""

    path: str
    kind: str
    source: str
    collected_at: str
    sha256: str
    size: int
    items: int
    #: collection failures recorded in the document (scope, code, message)
    errors: list[dict[str, str]]
    collector: dict[str, str] | None = None
    #: the organisation the document names (envelope ``organisation``), when it names one
    organisation: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EvidenceEntry:
        return cls(d["path"], d["kind"], d["source"], d["collected_at"], d["sha256"], d["size"], d["items"],
                   list(d["errors"]), d.get("collector"), d.get("organisation"), _split(d, _EVIDENCE_FIELDS))

    def to_dict(self) -> dict[str, Any]:
        out = {"path": self.path, "kind": self.kind, "source": self.source, "collected_at": self.collected_at,
               "sha256": self.sha256, "size": self.size, "items": self.items, "errors": self.errors, **self.extra}
        return _present(out, collector=self.collector, organisation=self.organisation)


@dataclass(frozen=True)
class DisabledEntry:
    """A control a library layer disabled or a profile left out (results.json ``disabled_controls``):
    never evaluated, never a pass."""

    id: str
    title: str
    family: str
    severity: str
    owner: str
    reason: str
    #: file and line of the override (or profile) that disabled it
    disabled_by: str
    layer: str
    mappings: list[ClauseLink] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    _FIELDS: ClassVar[tuple[str, ...]] = ("id", "title", "family", "severity", "owner", "reason", "disabled_by",
                                          "layer", "mappings")

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DisabledEntry:
        mappings = [ClauseLink.from_dict(m) for m in d["mappings"]] if "mappings" in d else None
        return cls(d["id"], d["title"], d["family"], d["severity"], d["owner"], d["reason"], d["disabled_by"],
                   d["layer"], mappings, _split(d, cls._FIELDS))

    def to_dict(self) -> dict[str, Any]:
        out = {"id": self.id, "title": self.title, "family": self.family, "severity": self.severity,
               "owner": self.owner, "reason": self.reason, "disabled_by": self.disabled_by, "layer": self.layer,
               **self.extra}
        return _present(out, mappings=[m.to_dict() for m in self.mappings] if self.mappings is not None else None)

    @property
    def by_profile(self) -> bool:
        """Left out by a profile (``layer`` ``profile:<name>``) rather than disabled by an override."""
        from auditor.profiles import LAYER_PREFIX

        return self.layer.startswith(LAYER_PREFIX)


@dataclass(frozen=True)
class ExcludedClause:
    id: str
    title: str = ""
    justification: str = ""


@dataclass(frozen=True)
class FrameworkCoverage:
    """One framework of results.json ``coverage``: clauses counted against the applicable ones."""

    clauses: int
    applicable: int
    excluded: int
    automated: int
    automated_pass: int
    automated_fail: int
    attested: int
    uncovered: int
    #: the excluded clauses with their justification (None: not recorded)
    excluded_clauses: list[dict[str, str]] | None = None

    _COUNTS: ClassVar[tuple[str, ...]] = ("clauses", "applicable", "excluded", "automated", "automated_pass",
                                          "automated_fail", "attested", "uncovered")

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FrameworkCoverage:
        excluded = d.get("excluded_clauses")
        counts = {k: int(d[k]) for k in cls._COUNTS}
        return cls(**counts, excluded_clauses=list(excluded) if excluded is not None else None)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: getattr(self, k) for k in self._COUNTS}
        return _present(out, excluded_clauses=self.excluded_clauses)

    def excluded_list(self) -> list[ExcludedClause]:
        return [ExcludedClause(str(e["id"]), str(e.get("title", "")), str(e.get("justification", "")))
                for e in self.excluded_clauses or []]


_RESULTS_FIELDS = ("schema_version", "run_id", "started_at", "finished_at", "as_of", "engine", "fail_on",
                   "exit_code", "evidence", "controls", "summary", "exceptions", "warnings", "baseline", "profile",
                   "disabled_controls", "coverage")


@dataclass
class Results:
    """A run's results (results.json, schema 1)."""

    schema_version: str
    run_id: str
    started_at: str
    finished_at: str
    as_of: str
    engine: dict[str, str]
    fail_on: str
    exit_code: int
    evidence: list[EvidenceEntry]
    controls: list[ControlOutcome]
    #: total, by_status, by_family and (when controls were disabled) disabled
    summary: dict[str, Any]
    #: judged waivers (results.json spells the key ``exceptions``); absent in results of early versions
    waivers: list[JudgedWaiver] | None = None
    warnings: list[str] | None = None
    #: with --baseline: known, new and baseline_size
    baseline: dict[str, int] | None = None
    profile: str | None = None
    #: controls a library layer disabled (absent when none was)
    disabled_controls: list[DisabledEntry] | None = None
    #: per framework (absent in results written before it existed, or without mappings)
    coverage: dict[str, FrameworkCoverage] | None = None
    #: fields this version does not type (a merged pack's shards, a newer writer's additions)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, document: Any, where: Path | str = "results") -> Results:
        """Check ``document`` (exit 2 naming the field when it is not a results document), then type it."""
        from auditor.results_check import check_results

        d = check_results(document, where)
        return cls(
            schema_version=d["schema_version"], run_id=d["run_id"], started_at=d["started_at"],
            finished_at=d["finished_at"], as_of=d["as_of"], engine=d["engine"], fail_on=d["fail_on"],
            exit_code=d["exit_code"], evidence=[EvidenceEntry.from_dict(e) for e in d["evidence"]],
            controls=[ControlOutcome.from_dict(c) for c in d["controls"]], summary=d["summary"],
            waivers=[JudgedWaiver.from_dict(w) for w in d["exceptions"]] if "exceptions" in d else None,
            warnings=d.get("warnings"), baseline=d.get("baseline"),
            profile=d.get("profile"),
            disabled_controls=[DisabledEntry.from_dict(e) for e in d["disabled_controls"]]
            if "disabled_controls" in d else None,
            coverage={fw: FrameworkCoverage.from_dict(c) for fw, c in d["coverage"].items()}
            if "coverage" in d else None,
            extra=_split(d, _RESULTS_FIELDS),
        )

    @classmethod
    def read(cls, path: Path) -> Results:
        """Read and check a results.json a command starts from."""
        from auditor.results import read_results

        return cls.from_dict(read_results(path), path)

    @classmethod
    def coerce(cls, value: Results | dict[str, Any]) -> Results:
        """``value`` typed: a results document is checked and converted, a :class:`Results` kept."""
        return value if isinstance(value, Results) else cls.from_dict(value)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "schema_version": self.schema_version, "run_id": self.run_id, "started_at": self.started_at,
            "finished_at": self.finished_at, "as_of": self.as_of, "engine": self.engine, "fail_on": self.fail_on,
            "exit_code": self.exit_code, "evidence": [e.to_dict() for e in self.evidence],
            "controls": [c.to_dict() for c in self.controls], "summary": self.summary, **self.extra,
        }
        disabled = [e.to_dict() for e in self.disabled_controls] if self.disabled_controls is not None else None
        coverage = {fw: c.to_dict() for fw, c in self.coverage.items()} if self.coverage is not None else None
        waivers = [w.to_dict() for w in self.waivers] if self.waivers is not None else None
        return _present(out, exceptions=waivers, warnings=self.warnings, baseline=self.baseline,
                        profile=self.profile, disabled_controls=disabled, coverage=coverage)

    @property
    def disabled(self) -> list[DisabledEntry]:
        """Disabled controls, by id."""
        return sorted(self.disabled_controls or [], key=lambda d: d.id)

    @property
    def has_baseline(self) -> bool:
        return self.baseline is not None

    def statuses_present(self) -> dict[str, int]:
        """Controls per status, only the statuses some control has, by status name (the pack predicate's
        and the locker's counts)."""
        found: dict[str, int] = {}
        for control in self.controls:
            found[control.status.value] = found.get(control.status.value, 0) + 1
        return dict(sorted(found.items()))

    def counts(self) -> dict[Status, int]:
        """Controls per status, every status present (worst first: :data:`STATUS_ORDER`)."""
        found = {s: 0 for s in STATUS_ORDER}
        for control in self.controls:
            found[control.status] += 1
        return found


#: Worst first: the order outputs list controls in.
STATUS_ORDER = (Status.ERROR, Status.INSUFFICIENT_EVIDENCE, Status.FAIL, Status.WAIVED, Status.PASS)
#: no verdict, only a reason
UNDECIDED = frozenset({Status.ERROR, Status.INSUFFICIENT_EVIDENCE})
#: what counts as "a critical control failed" (fail closed: an error or missing evidence is not a pass)
NOT_PASSING = frozenset({Status.FAIL, Status.ERROR, Status.INSUFFICIENT_EVIDENCE})
#: worst first
SEVERITY_ORDER = tuple(reversed(SEVERITIES))
CRITICAL = SEVERITY_ORDER[0]
