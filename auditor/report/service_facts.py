"""What the board and the evidence report say per service and per high-risk model, from the evidence itself.

results.json records counts and violations, not the service catalogue, the SLO reports, the
incidents or the model registry: those live in the evidence documents the run evaluated.
:func:`read_report_evidence` reads exactly the documents results.json lists (by path, from the
evidence folder the run read), validates them as the run did and refuses one whose sha256 is not
the one the run recorded, so the reports can never describe other evidence than the verdicts.

Usage::

    evidence = read_report_evidence(results, Path("evidence/examples/demo"))
    for service in service_facts(results, evidence):
        print(service.name, service.slo_sentence())
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from auditor.errors import InputError
from auditor.report.period import ReportPeriod, change_time, report_period
from auditor.results_model import EvidenceEntry, Results

#: the kinds the reports read documents of (the rest is summarised from results.json)
REPORT_KINDS = ("services", "slo_reports", "incidents", "change_requests", "models", "deployments")
#: kinds whose controls judge services directly
SERVICE_KINDS = {"services", "slo_reports", "incidents", "change_requests"}
PRIORITY_ORDER = ("P1", "P2", "P3", "P4", "P5")
FAILED_OUTCOMES = ("unsuccessful", "successful_with_issues")


@dataclass
class ReportEvidence:
    """Items per kind, from the evidence documents the run evaluated."""

    root: Path | None
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return self.items.get(kind, [])


def needed_documents(results: Results) -> list[EvidenceEntry]:
    """The results' evidence entries of the kinds the reports read."""
    return [e for e in results.evidence if e.kind in REPORT_KINDS]


def missing_evidence_message(results: Results) -> str | None:
    """Why a report needs ``--evidence``, or ``None`` when results.json lists no document it reads."""
    docs = needed_documents(results)
    if not docs:
        return None
    names = ", ".join(sorted(d.path for d in docs))
    return (f"results.json: the run read {names}; the board and the evidence report show services, SLOs, "
            "incidents, changes and models from those documents: pass --evidence DIR, the evidence folder "
            "the run evaluated")


def read_report_evidence(given: Results | dict[str, Any], root: Path | None) -> ReportEvidence:
    """Read the documents results.json lists of :data:`REPORT_KINDS` from ``root`` (checked by sha256)."""
    from auditor.evidence.load import load_document
    from auditor.evidence.schemas import SchemaSet

    results = Results.coerce(given)
    docs = needed_documents(results)
    if root is None:
        if docs:
            raise InputError(str(missing_evidence_message(results)))
        return ReportEvidence(None)
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: evidence folder not found (expected the folder the run evaluated)")
    schemas = SchemaSet()
    found = ReportEvidence(root)
    for entry in sorted(docs, key=lambda d: d.path):
        path = root / entry.path
        if not path.exists() and not path.is_symlink():
            raise InputError(f"{path}: not found; results.json lists it as evidence the run read "
                             f"(kind {entry.kind}): expected the evidence folder the run evaluated")
        document = load_document(path, root, schemas)
        if document.sha256 != entry.sha256:
            raise InputError(f"{path}: sha256 {document.sha256} differs from {entry.sha256} recorded "
                             "in results.json: the document changed since the run; report on the evidence "
                             "the run evaluated")
        found.items.setdefault(document.kind, []).extend(orjson.loads(document.items_json))
    return found


# -- per service --------------------------------------------------------------------


@dataclass(frozen=True)
class SloFact:
    slo: str
    target: float
    attainment: float | None
    budget_left: float | None  # share of the error budget left; negative when overspent
    window: str

    @property
    def met(self) -> bool | None:
        return None if self.attainment is None else self.attainment >= self.target


@dataclass(frozen=True)
class IncidentFact:
    id: str
    priority: str
    title: str
    major: bool
    resolved: bool


@dataclass
class ServiceFacts:
    id: str
    name: str
    environment: str
    outcome: str
    owner: str
    tier: int | None
    slos: list[SloFact]
    declared_slos: int
    incidents: list[IncidentFact]
    changes: int
    failed_changes: int
    #: (control id, title, status for this service): "finding", "no finding", or the control's own status
    controls: list[tuple[str, str, str]] = field(default_factory=list)
    #: incidents and completed changes of the service outside the reporting period (not counted above)
    incidents_outside: int = 0
    changes_outside: int = 0

    @property
    def worst_incident(self) -> IncidentFact | None:
        if not self.incidents:
            return None
        return min(self.incidents, key=lambda i: (_priority_rank(i.priority), not i.major, i.id))

    @property
    def change_failure_rate(self) -> float | None:
        return self.failed_changes / self.changes if self.changes else None

    @property
    def lowest_budget(self) -> SloFact | None:
        known = [s for s in self.slos if s.budget_left is not None]
        return min(known, key=lambda s: (s.budget_left, s.slo)) if known else None

    def slo_sentence(self) -> str:
        if not self.slos:
            return ("no SLO report in the evidence" if self.declared_slos else "no SLO defined")
        met = sum(1 for s in self.slos if s.met)
        parts = [f"{s.slo} {pct(s.attainment, 2)} against {pct(s.target, 2)}" for s in self.slos]
        return f"{met} of {len(self.slos)} SLOs met ({'; '.join(parts)})"

    @property
    def worst_slo(self) -> SloFact | None:
        """The SLO furthest below (or least above) its target."""
        known = [x for x in self.slos if x.attainment is not None]
        return min(known, key=lambda x: ((x.attainment or 0) - x.target, x.slo)) if known else None

    def slo_short(self) -> str:
        """"0 of 2 met; worst latency 98.90% for 99.00%" (or "tightest" when all are met): the board's cell."""
        if not self.slos:
            return "no SLO report" if self.declared_slos else "no SLO defined"
        met = sum(1 for x in self.slos if x.met)
        worst = self.worst_slo
        word = "tightest" if worst is not None and worst.met else "worst"
        tail = f"; {word} {worst.slo} {pct(worst.attainment, 2)} for {pct(worst.target, 2)}" if worst else ""
        return f"{met} of {len(self.slos)} met{tail}"

    def budget_short(self) -> str:
        low = self.lowest_budget
        if low is None or low.budget_left is None:
            return "not reported"
        if low.budget_left < 0:
            return f"exhausted ({low.slo} {pct(-low.budget_left)} overspent)"
        return f"{pct(low.budget_left)} left ({low.slo})"

    def _outside(self, n: int, what: str) -> str:
        return f" ({n} {what} outside the period not counted)" if n else ""

    def incident_short(self, title_chars: int = 48) -> str:
        if not self.incidents:
            return "none in the period" if self.incidents_outside else "none recorded"
        worst = self.worst_incident
        assert worst is not None
        title = worst.title if len(worst.title) <= title_chars else worst.title[:title_chars - 3].rstrip() + "..."
        major = sum(1 for i in self.incidents if i.major)
        return (f"{len(self.incidents)} ({major} major); worst {worst.priority} {worst.id}: {title}"
                + ("" if worst.resolved else " (unresolved)"))

    def budget_sentence(self) -> str:
        low = self.lowest_budget
        if low is None:
            return "unknown: no error budget reported"
        if low.budget_left is not None and low.budget_left < 0:
            return f"exhausted: {low.slo} overspent by {pct(-low.budget_left)} of its budget"
        return f"{pct(low.budget_left)} left ({low.slo}, the lowest)"

    def incident_sentence(self) -> str:
        outside = self._outside(self.incidents_outside, "incidents")
        if not self.incidents:
            return ("none in the period" if self.incidents_outside else "none recorded") + outside
        worst = self.worst_incident
        assert worst is not None
        major = sum(1 for i in self.incidents if i.major)
        return (f"{len(self.incidents)} ({major} major); worst {worst.priority} {worst.id}: {worst.title}"
                + ("" if worst.resolved else " (unresolved)") + outside)

    def change_short(self) -> str:
        if not self.changes:
            return "no completed change in the period" if self.changes_outside else "no completed change recorded"
        return f"{pct(self.change_failure_rate)} ({self.failed_changes} of {self.changes} changes failed)"

    def change_sentence(self) -> str:
        return self.change_short() + self._outside(self.changes_outside, "completed changes")

    def control_counts(self) -> tuple[int, int, int]:
        """(no finding, with a finding, not proven) among the controls judging this service."""
        clean = sum(1 for _, _, s in self.controls if s == "no finding")
        found = sum(1 for _, _, s in self.controls if s == "finding")
        return clean, found, len(self.controls) - clean - found

    def control_sentence(self) -> str:
        if not self.controls:
            return "no control judged this service"
        clean, _found, unproven = self.control_counts()
        failing = [cid for cid, _, s in self.controls if s == "finding"]
        text = f"{clean} of {len(self.controls)} without a finding here"
        if failing:
            text += f"; findings: {', '.join(failing)}"
        if unproven:
            text += f"; {unproven} not proven"
        return text


def pct(value: float | None, places: int = 0) -> str:
    return "n/a" if value is None else f"{value * 100:.{places}f}%"


def _priority_rank(priority: str) -> int:
    return PRIORITY_ORDER.index(priority) if priority in PRIORITY_ORDER else len(PRIORITY_ORDER)


def _owner(owner: Any) -> str:
    if not isinstance(owner, dict):
        return "nobody named"
    return str(owner.get("name") or owner.get("email") or owner.get("login") or "nobody named")


def resource_services(evidence: ReportEvidence) -> dict[str, set[str]]:
    """Which services each evidence resource id belongs to (violations name resources by these ids)."""
    index: dict[str, set[str]] = {}

    def add(resource: Any, service: Any) -> None:
        if resource and service:
            index.setdefault(str(resource), set()).add(str(service))

    for s in evidence.of("services"):
        add(s["id"], s["id"])
        for model in s.get("models") or []:
            add(model, s["id"])
    for kind in ("slo_reports", "incidents", "change_requests", "deployments"):
        for item in evidence.of(kind):
            add(item.get("id"), item.get("service"))
    for change in evidence.of("change_requests"):
        for deployment in change.get("deployments") or []:
            add(deployment, change.get("service"))
    return index


def service_facts(given: Results | dict[str, Any], evidence: ReportEvidence,
                  period: ReportPeriod | None = None) -> list[ServiceFacts]:
    """One entry per service in the catalogue (production first, then by tier and id).

    Incidents and completed changes count only inside ``period`` (default: :func:`report_period` of the
    results, the 90 days to ``as_of``); those outside are counted as such, never in the figures."""
    results = Results.coerce(given)
    period = period or report_period(results)
    services = sorted(evidence.of("services"), key=lambda s: (s["environment"] != "production",
                                                              s.get("tier") if s.get("tier") is not None else 99,
                                                              s["id"]))
    index = resource_services(evidence)
    controls = sorted(results.controls, key=lambda c: c.id)
    out = []
    for s in services:
        sid = s["id"]
        slos = [SloFact(str(r["slo"]), float(r["target"]), r.get("attainment"), r.get("error_budget_remaining"),
                        str(r.get("window", ""))) for r in evidence.of("slo_reports") if r.get("service") == sid]
        own = [i for i in evidence.of("incidents") if i.get("service") == sid]
        inside = [i for i in own if period.contains(i.get("detected_at"))]
        # resolved at as_of: a resolution recorded after the instant of the verdicts is not yet known
        incidents = [IncidentFact(str(i["id"]), str(i["priority"]), str(i.get("title") or "untitled"),
                                  bool(i.get("major")), i.get("resolved_at") is not None
                                  and period.contains(i.get("resolved_at")))
                     for i in inside]
        done = [c for c in evidence.of("change_requests")
                if c.get("service") == sid and c.get("outcome") not in (None, "cancelled")]
        completed = [c for c in done if period.contains(change_time(c))]
        facts = ServiceFacts(
            id=sid, name=str(s.get("name") or sid), environment=str(s.get("environment", "")),
            outcome=str(s.get("outcome") or "no outcome stated"), owner=_owner(s.get("owner")),
            tier=s.get("tier"), slos=sorted(slos, key=lambda x: x.slo), declared_slos=len(s.get("slos") or []),
            incidents=sorted(incidents, key=lambda i: (_priority_rank(i.priority), i.id)),
            changes=len(completed), failed_changes=sum(1 for c in completed if c.get("outcome") in FAILED_OUTCOMES),
            incidents_outside=len(own) - len(inside), changes_outside=len(done) - len(completed),
        )
        for control in controls:
            touched = any(sid in index.get(v.resource, ()) for v in control.violations)
            # the service-management controls judge production services; elsewhere only a finding counts
            judges = facts.environment == "production" and bool(SERVICE_KINDS & set(control.evidence_kinds))
            if touched:
                facts.controls.append((control.id, control.title, "finding"))
            elif judges:  # a verdict without a finding here is "no finding"; no verdict keeps its status
                facts.controls.append((control.id, control.title,
                                       control.status.value if control.explained else "no finding"))
        out.append(facts)
    return out


# -- high-risk models ---------------------------------------------------------------

#: the model registry's vocabulary (evidence schema ``models``), not a control status or severity
HIGH_RISK = "high"
BIAS_PASSED = "pass"
#: how the board prints a bias evaluation's result
BIAS_LABELS = {BIAS_PASSED: "passed", "fail": "FAILED", "conditional": "conditional", "missing": "MISSING"}


@dataclass(frozen=True)
class ModelProof:
    id: str
    stage: str
    owner: str
    model_card: bool
    bias_check: str  # a bias evaluation's result (BIAS_LABELS), or "missing"
    rollback: bool

    @property
    def complete(self) -> bool:
        return self.model_card and self.bias_check == BIAS_PASSED and self.rollback


def model_proofs(evidence: ReportEvidence) -> list[ModelProof]:
    """Every high-risk model not retired: model card, bias check and rollback plan present or missing."""
    out = []
    for m in evidence.of("models"):
        if m.get("risk_tier") != HIGH_RISK or m.get("stage") == "retired":
            continue
        card = m.get("model_card") or {}
        bias = m.get("bias_evaluation") or {}
        rollback = m.get("rollback") or {}
        out.append(ModelProof(
            id=str(m["id"]), stage=str(m.get("stage", "")), owner=_owner(m.get("owner")),
            model_card=bool(card.get("url")),
            bias_check=str(bias.get("result")) if bias.get("completed_at") and bias.get("result") else "missing",
            rollback=bool(rollback.get("documented") and rollback.get("runbook_ref")),
        ))
    return sorted(out, key=lambda p: (p.stage != "production", p.id))
