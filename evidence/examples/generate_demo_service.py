#!/usr/bin/env python3
# ruff: noqa: E501 (dense data tables and one-line violation records)
"""Generate the service-management demo evidence for Brightwater Financial.

Writes evidence/examples/demo/{services,change_requests,incidents,slo_reports}.json
and VIOLATIONS-service.md, which lists every deliberate violation by control and
resource id. Deterministic: fixed records, a fixed collection instant, no clock,
no randomness. Standard library only.

    python evidence/examples/generate_demo_service.py [--out DIR]   # default: evidence/examples/demo

SM-008 (no non-emergency deployment while the error budget is exhausted) joins
slo_reports with deployments.json, written by generate_demo_sod_security.py: run
that generator first (``make demo`` does). The deployment ids used here are
checked against that file, so a change there fails this generator loudly.

Every control runs with its default parameters (72 hours for emergency change
review, 10 days for post-implementation reviews, 5 days for post-incident
reviews, one independent approval, two for high risk).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

COLLECTED_AT = "2026-11-20T09:00:00Z"
WINDOW_START = "2026-10-23T09:00:00Z"
WINDOW_END = "2026-11-20T09:00:00Z"
OUT = Path(__file__).resolve().parent / "demo"
PASSES = "No deliberate violations: this control passes on the demo."

TITLES = {
    "SM-001": "normal changes risk-assessed and independently approved",
    "SM-002": "emergency changes reviewed within 72 hours",
    "SM-003": "failed changes get a post-implementation review",
    "SM-004": "P1 and P2 incidents resolved within their SLA",
    "SM-005": "major incidents reviewed on time, actions closed by their due dates",
    "SM-006": "production services have an owner, a tier, an SLO and an error-budget policy",
    "SM-007": "SLO attainment meets target",
    "SM-008": "no non-emergency deployment while the error budget is exhausted",
}

EXPECTED: dict[str, dict[str, str]] = {}
NOTES: list[tuple[str, str, str]] = []


def expect(control: str, resource: str, why: str) -> None:
    EXPECTED.setdefault(control, {})[resource] = why


def note(kind: str, resource: str, why: str) -> None:
    NOTES.append((kind, resource, why))


def who(email: str | None, name: str | None = None) -> dict[str, Any] | None:
    return None if email is None else {"name": name, "email": email, "login": None}


# ---- services --------------------------------------------------------------------------------

EBP = {"document": "https://wiki.brightwater.example/sre/error-budget-policy", "freeze_non_emergency_changes": True}


def service(
    sid: str,
    name: str,
    outcome: str,
    owner: tuple[str, str] | None,
    tier: int | None,
    slos: list[dict[str, Any]],
    ebp: dict[str, Any] | None,
    channels: list[str],
    data: list[str],
    models: list[str],
    environment: str = "production",
) -> dict[str, Any]:
    return {
        "id": sid,
        "name": name,
        "environment": environment,
        "outcome": outcome,
        "owner": who(owner[1], owner[0]) if owner else None,
        "tier": tier,
        "channels": channels,
        "data_classes": data,
        "models": models,
        "slos": slos,
        "error_budget_policy": ebp,
        "on_call": {"rotation": f"{sid}-primary", "escalation_policy": f"{sid}-escalation"},
    }


def slo(sid: str, sli: str, target: float) -> dict[str, Any]:
    return {"id": sid, "sli": sli, "target": target, "window": "28d"}


AVAIL = "Share of requests answered without a 5xx"
LATENCY = "Share of requests answered within 300 ms"

SERVICES = [
    service(
        "payments-api",
        "Payments API",
        "Customers' card and bank payments are authorised in under a second, every time.",
        ("Priya Shah", "priya.shah@brightwater.example"),
        1,
        [slo("availability", AVAIL, 0.999), slo("latency", LATENCY, 0.99)],
        EBP,
        ["api", "app", "web"],
        ["personal", "payment"],
        ["fraud-scoring-v3"],
    ),
    service(
        "ledger-service",
        "Ledger",
        "Every posted transaction is recorded exactly once and balances are correct at all times.",
        ("Kwame Mensah", "kwame.mensah@brightwater.example"),
        1,
        [slo("availability", AVAIL, 0.999)],
        EBP,
        ["internal"],
        ["payment"],
        [],
    ),
    service(
        "customer-portal",
        "Customer portal",
        "Customers can see their accounts and statements online.",
        ("Leo Fischer", "leo.fischer@brightwater.example"),
        2,
        [slo("availability", AVAIL, 0.995)],
        EBP,
        ["web"],
        ["personal"],
        ["support-assistant-v1"],
    ),
    service(
        "mobile-bff",
        "Mobile backend",
        "The mobile app can show balances and start payments.",
        ("Emily Sato", "emily.sato@brightwater.example"),
        2,
        [slo("availability", AVAIL, 0.995)],
        None,
        ["app"],
        ["personal"],
        [],
    ),
    service(
        "statements-batch",
        "Statements batch",
        "Monthly statements are produced and delivered on the first working day.",
        ("Jakub Nowak", "jakub.nowak@brightwater.example"),
        3,
        [],
        None,
        ["email", "post"],
        ["personal"],
        [],
        environment="staging",
    ),
]
expect("SM-006", "mobile-bff", "the mobile backend has SLOs but no agreed error-budget policy")
note(
    "services",
    "statements-batch",
    "no SLO and no error-budget policy, but it is a staging service, outside SM-006's population (SM-006 passes for it)",
)


# ---- change requests -------------------------------------------------------------------------


def change(
    cid: str,
    kind: str,
    svc: str,
    risk: str | None,
    implementer: str | None,
    approvals: list[tuple[str, str | None]],
    start: str,
    end: str,
    outcome: str = "successful",
    review: dict[str, Any] | None = None,
    impact: str | None = "Rolling restart; no user-visible downtime expected.",
    deployments: list[str] | None = None,
    summary: str = "",
) -> dict[str, Any]:
    return {
        "id": cid,
        "type": kind,
        "summary": summary or f"{kind.title()} change to {svc}",
        "service": svc,
        "state": "closed",
        "risk": risk,
        "impact_assessment": impact,
        "requested_by": who("priya.shah@brightwater.example", "Priya Shah"),
        "implementer": who(implementer),
        "approvals": [{"approver": who(a), "state": "approved", "at": at} for a, at in approvals],
        "planned_start": None if kind == "emergency" else start,
        "planned_end": None if kind == "emergency" else end,
        "actual_start": start,
        "actual_end": end,
        "backout_plan": "Redeploy the previous release.",
        "outcome": outcome,
        "review": review,
        "deployments": deployments or [],
    }


def review(
    at: str | None,
    reviewer: str = "amelia.hughes@brightwater.example",
    summary: str = "Reviewed by the change advisory board.",
) -> dict[str, Any]:
    return {"completed_at": at, "reviewer": who(reviewer), "summary": summary}


LEO, EMILY, ETHAN, JAKUB, AMELIA = (
    f"{n}@brightwater.example" for n in ("leo.fischer", "emily.sato", "ethan.walsh", "jakub.nowak", "amelia.hughes")
)

CHANGES = [
    change(
        "CHG0031001",
        "normal",
        "payments-api",
        "moderate",
        ETHAN,
        [(AMELIA, "2026-10-30T15:00:00Z")],
        "2026-10-31T13:00:00Z",
        "2026-10-31T13:40:00Z",
        deployments=["deploy-payments-api-prod-202610311300"],
        summary="Release payments-api 2.14",
    ),
    change(
        "CHG0031002",
        "normal",
        "payments-api",
        "high",
        ETHAN,
        [(AMELIA, "2026-11-06T10:00:00Z"), (JAKUB, "2026-11-06T11:00:00Z")],
        "2026-11-07T09:00:00Z",
        "2026-11-07T09:50:00Z",
        outcome="unsuccessful",
        review=review(
            "2026-11-12T14:00:00Z",
            summary="Connection pool exhausted on start-up; pool sizing now part of the release checklist.",
        ),
        deployments=["deploy-payments-api-prod-202611070900"],
        summary="Payments API connection pool change",
    ),
    change(
        "CHG0031003",
        "normal",
        "ledger-service",
        "high",
        JAKUB,
        [(AMELIA, "2026-11-04T16:00:00Z")],
        "2026-11-05T11:00:00Z",
        "2026-11-05T11:30:00Z",
        deployments=["deploy-ledger-service-prod-202611051100"],
        summary="Ledger schema migration 41",
    ),
    change(
        "CHG0031004",
        "normal",
        "mobile-bff",
        "low",
        EMILY,
        [("41851+satoe@users.noreply.github.com", "2026-11-13T17:00:00Z")],
        "2026-11-14T10:00:00Z",
        "2026-11-14T10:20:00Z",
        deployments=["deploy-mobile-bff-prod-202611141000"],
        summary="Mobile backend feature flags",
    ),
    change(
        "CHG0031005",
        "normal",
        "customer-portal",
        None,
        LEO,
        [(AMELIA, "2026-11-12T12:00:00Z")],
        "2026-11-13T10:00:00Z",
        "2026-11-13T10:15:00Z",
        impact=None,
        deployments=["deploy-customer-portal-prod-202611131000"],
        summary="Customer portal statement download",
    ),
    change(
        "CHG0031006",
        "normal",
        "ledger-service",
        "moderate",
        JAKUB,
        [(LEO, "2026-11-16T11:30:00Z")],
        "2026-11-16T10:00:00Z",
        "2026-11-16T10:30:00Z",
        deployments=["deploy-ledger-service-prod-202611161000"],
        summary="Ledger reconciliation report",
    ),
    change(
        "CHG0031007",
        "standard",
        "customer-portal",
        "low",
        LEO,
        [],
        "2026-11-17T08:00:00Z",
        "2026-11-17T08:05:00Z",
        summary="Rotate the portal TLS certificate (pre-approved standard change)",
    ),
    change(
        "CHG0041001",
        "emergency",
        "ledger-service",
        "high",
        JAKUB,
        [],
        "2026-11-11T11:00:00Z",
        "2026-11-11T11:25:00Z",
        review=review("2026-11-12T16:00:00Z", summary="Ratified: fix for double-posting during the SLO breach."),
        deployments=["deploy-ledger-service-prod-202611111100"],
        summary="Stop double-posting of card settlements",
    ),
    change(
        "CHG0041002",
        "emergency",
        "payments-api",
        "high",
        ETHAN,
        [],
        "2026-11-08T09:25:00Z",
        "2026-11-08T09:40:00Z",
        review=review("2026-11-12T10:00:00Z", summary="Ratified late: the CAB met four days after the hotfix."),
        deployments=["deploy-payments-api-prod-202611080925"],
        summary="Hotfix: roll back the connection pool change",
    ),
    change(
        "CHG0041003",
        "emergency",
        "mobile-bff",
        "moderate",
        EMILY,
        [],
        "2026-11-18T04:00:00Z",
        "2026-11-18T04:10:00Z",
        review=review(None),
        deployments=["deploy-mobile-bff-prod-202611180400"],
        summary="Hotfix: expired push-notification key",
    ),
]
expect(
    "SM-001", "CHG0031003", "high-risk ledger schema migration approved by one person; two are required for high risk"
)
expect(
    "SM-001",
    "CHG0031004",
    "approved only from 41851+satoe@users.noreply.github.com, the GitHub address of its implementer Emily Sato",
)
expect("SM-001", "CHG0031005", "customer portal release with no risk rating and no impact assessment")
expect("SM-001", "CHG0031006", "the only approval was given at 11:30, ninety minutes after implementation started")
expect("SM-002", "CHG0041002", "payments hotfix ratified 96 hours after it finished, beyond the 72 allowed")
note(
    "change_requests",
    "CHG0041003",
    "emergency change of 18 November not yet reviewed, but its 72-hour deadline has not passed at the evaluation instant (SM-002 does not judge it yet)",
)
note(
    "change_requests",
    "CHG0031002",
    "failed change whose post-implementation review was completed five days later (SM-003 passes)",
)
note(
    "change_requests",
    "CHG0031007",
    "no approvals, but a pre-approved standard change, outside SM-001's population (SM-001 passes for it)",
)


# ---- incidents -------------------------------------------------------------------------------


def incident(
    iid: str,
    priority: str,
    svc: str,
    title: str,
    detected: str,
    acknowledged: str | None,
    resolved: str | None,
    sla: int | None,
    major: bool = False,
    pir: dict[str, Any] | None = None,
    change_id: str | None = None,
    ai: bool = False,
    models: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "id": iid,
        "title": title,
        "priority": priority,
        "service": svc,
        "major": major,
        "ai_related": ai,
        "models": models or [],
        "detected_at": detected,
        "acknowledged_at": acknowledged,
        "resolved_at": resolved,
        "sla_minutes": sla,
        "caused_by_change": change_id,
        "review": pir,
    }


def action(aid: str, text: str, owner: str | None, due: str | None, closed: str | None) -> dict[str, Any]:
    return {"id": aid, "description": text, "owner": who(owner), "due_at": due, "closed_at": closed}


INCIDENTS = [
    incident(
        "INC0012001",
        "P1",
        "payments-api",
        "Card payments failing after connection pool change",
        "2026-11-07T09:52:00Z",
        "2026-11-07T09:55:00Z",
        "2026-11-08T09:40:00Z",
        240,
        major=True,
        change_id="CHG0031002",
        pir={
            "completed_at": "2026-11-11T15:00:00Z",
            "status": "complete",
            "actions": [
                action(
                    "PIR-1",
                    "Load-test connection pool sizes before release",
                    ETHAN,
                    "2026-11-18T00:00:00Z",
                    "2026-11-17T12:00:00Z",
                ),
                action("PIR-2", "Alert on pool saturation", AMELIA, "2026-11-14T00:00:00Z", None),
            ],
        },
    ),
    incident(
        "INC0012002",
        "P1",
        "ledger-service",
        "Card settlements posted twice",
        "2026-11-10T06:10:00Z",
        "2026-11-10T06:14:00Z",
        "2026-11-10T09:30:00Z",
        240,
        major=True,
        pir={
            "completed_at": "2026-11-13T10:00:00Z",
            "status": "complete",
            "actions": [action("PIR-1", "Idempotency key on settlement posting", JAKUB, "2026-11-30T00:00:00Z", None)],
        },
    ),
    incident(
        "INC0012003",
        "P2",
        "customer-portal",
        "Support assistant gave wrong statement dates",
        "2026-11-12T10:00:00Z",
        "2026-11-12T10:20:00Z",
        "2026-11-12T13:00:00Z",
        480,
        ai=True,
        models=["support-assistant-v1"],
    ),
    incident(
        "INC0012004",
        "P2",
        "mobile-bff",
        "Push notifications not delivered",
        "2026-11-17T22:00:00Z",
        "2026-11-17T22:30:00Z",
        "2026-11-18T04:10:00Z",
        480,
    ),
    incident(
        "INC0012005",
        "P2",
        "payments-api",
        "Slow refunds page",
        "2026-11-15T14:00:00Z",
        "2026-11-15T14:10:00Z",
        "2026-11-15T15:00:00Z",
        None,
    ),
    incident(
        "INC0012006",
        "P3",
        "customer-portal",
        "Typo on the statements page",
        "2026-11-03T09:00:00Z",
        None,
        "2026-11-10T09:00:00Z",
        2880,
    ),
    incident(
        "INC0012007",
        "P1",
        "mobile-bff",
        "Mobile app login outage",
        "2026-11-19T20:00:00Z",
        "2026-11-19T20:03:00Z",
        "2026-11-19T21:30:00Z",
        240,
        major=True,
    ),
]
expect("SM-004", "INC0012001", "P1 card payment failure resolved after 23.8 hours against a 4-hour SLA")
expect("SM-004", "INC0012005", "P2 incident raised with no resolution SLA target")
expect(
    "SM-005",
    "INC0012001",
    "post-incident action PIR-2 (alert on pool saturation) was due 14 November and is still open",
)
note(
    "incidents",
    "INC0012002",
    "major incident reviewed three days after resolution, its only action due 30 November and still open: not yet late (SM-005 passes for it)",
)
note(
    "incidents",
    "INC0012003",
    "AI-related P2 (support assistant) resolved in 3 hours against an 8-hour SLA (SM-004 passes for it)",
)
note(
    "incidents",
    "INC0012007",
    "major incident resolved the evening before the evaluation, review not yet due (SM-005 does not judge it yet)",
)


# ---- SLO reports -----------------------------------------------------------------------------


def report(
    svc: str, slo_id: str, sli: str, target: float, good: int, total: int, exhausted: str | None, fired: int
) -> dict[str, Any]:
    attainment = good / total
    remaining = 1 - (1 - attainment) / (1 - target)
    return {
        "id": f"{svc}/{slo_id}/{WINDOW_END}",
        "service": svc,
        "slo": slo_id,
        "sli": sli,
        "target": target,
        "window": "28d",
        "window_start": WINDOW_START,
        "window_end": WINDOW_END,
        "good_events": good,
        "total_events": total,
        "attainment": round(attainment, 6),
        "error_budget_remaining": round(remaining, 6),
        "error_budget_exhausted_at": exhausted,
        "burn_rate_alerts": [
            {
                "name": f"{svc}-{slo_id}-fast-burn",
                "threshold": 14.4,
                "lookback": "1h",
                "configured": True,
                "fired": fired,
            },
            {
                "name": f"{svc}-{slo_id}-slow-burn",
                "threshold": 6.0,
                "lookback": "6h",
                "configured": True,
                "fired": min(fired, 1),
            },
        ],
    }


REPORTS = [
    report("payments-api", "availability", AVAIL, 0.999, 41_962_000, 41_980_000, None, 1),
    report("payments-api", "latency", LATENCY, 0.99, 41_720_000, 41_980_000, None, 0),
    report("ledger-service", "availability", AVAIL, 0.999, 12_968_000, 12_990_000, "2026-11-10T08:00:00Z", 3),
    report("customer-portal", "availability", AVAIL, 0.995, 8_955_000, 8_990_000, None, 0),
    report("mobile-bff", "availability", AVAIL, 0.995, 20_921_000, 21_010_000, None, 0),
]
expect(
    "SM-007",
    f"ledger-service/availability/{WINDOW_END}",
    "the ledger attained 99.831% against 99.9%: the double-posting incident spent the budget on 10 November",
)
note(
    "slo_reports",
    f"payments-api/availability/{WINDOW_END}",
    "the P1 of 7 November burned 43% of the budget but the SLO was met at 99.957% (SM-007 passes for it)",
)

DEPLOYMENT_NOTES = {
    "deploy-ledger-service-prod-202611161000": (
        "SM-008",
        "ledger release of 16 November under a normal change while the ledger's error budget was exhausted (since 10 November)",
    ),
    "deploy-ledger-service-prod-202611111100": (
        None,
        "ledger deployment after the budget ran out, but linked to emergency change CHG0041001 (SM-008 passes for it)",
    ),
}


def check_deployments(out: Path) -> None:
    path = out / "deployments.json"
    if not path.is_file():
        raise SystemExit(f"{path}: not found; run generate_demo_sod_security.py first (make demo does)")
    known = {d["id"] for d in json.loads(path.read_text(encoding="utf-8"))["items"]}
    wanted = {d for c in CHANGES for d in c["deployments"]} | set(DEPLOYMENT_NOTES)
    missing = sorted(wanted - known)
    if missing:
        raise SystemExit(f"{path}: deployments {', '.join(missing)} not found; the demo generators are out of step")
    for dep, (control, why) in DEPLOYMENT_NOTES.items():
        if control:
            expect(control, dep, why)
        else:
            note("deployments", dep, why)


#: the organisation the evidence describes: the service catalogue names it (envelope ``organisation``)
ORGANISATION = "Brightwater Financial"


def document(kind: str, source: str, collector: str, items: list[dict[str, Any]],
             organisation: str | None = None) -> dict[str, Any]:
    return {
        **({"organisation": organisation} if organisation else {}),
        "kind": kind,
        "source": source,
        "collected_at": COLLECTED_AT,
        "collector": {"name": collector, "version": "0.1.0"},
        "errors": [],
        "item_count": len(items),
        "items": items,
    }


def violations_md(counts: dict[str, int]) -> str:
    lines = [
        "# Deliberate violations: service management (Brightwater Financial demo)",
        "",
        "Generated by `evidence/examples/generate_demo_service.py`; do not edit by hand.",
        f"Evidence collected at {COLLECTED_AT}; every control with its default parameters.",
        "Each control fails on exactly the resources listed under it; a control with no deliberate violations passes.",
        "",
        "Items: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + ".",
        "",
    ]
    for control, title in TITLES.items():
        lines += [f"## {control}: {title}", ""]
        entries = EXPECTED.get(control, {})
        for resource in sorted(entries):
            lines.append(f"- `{resource}`: {entries[resource]}")
        if not entries:
            lines.append(PASSES)
            near = [(k, r, w) for k, r, w in sorted(NOTES) if re.search(rf"\b{control}\b", w)]
            if near:
                lines += ["", "Near misses that pass:", ""]
                lines += [f"- {k} `{r}`: {w}" for k, r, w in near]
        lines.append("")
    lines += ["## Look odd but pass", ""]
    lines += [f"- {k} `{r}`: {w}" for k, r, w in sorted(NOTES)]
    return "\n".join(lines) + "\n"


def write(out: Path, name: str, doc: dict[str, Any]) -> None:
    (out / name).write_text(json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output directory (default: {OUT})")
    out = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)
    check_deployments(out)
    docs = {
        "services": document("services", "backstage:brightwater/catalog", "file", SERVICES, ORGANISATION),
        "change_requests": document("change_requests", "servicenow:brightwater/change_request", "file", CHANGES),
        "incidents": document("incidents", "servicenow:brightwater/incident", "file", INCIDENTS),
        "slo_reports": document(
            "slo_reports", "prometheus:https://prometheus.brightwater.example", "prometheus", REPORTS
        ),
    }
    for kind, doc in docs.items():
        write(out, f"{kind}.json", doc)
    counts = {kind: len(doc["items"]) for kind, doc in docs.items()}
    (out / "VIOLATIONS-service.md").write_text(violations_md(counts), encoding="utf-8")
    print(f"wrote {', '.join(f'{k} ({v})' for k, v in counts.items())} to {out}")


if __name__ == "__main__":
    main()
