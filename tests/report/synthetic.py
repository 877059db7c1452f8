"""Generated results.json documents for report tests and ``bench/report.py``.

``synthetic_results()`` gives a realistic, large run: 200 controls in four
families, every status, 10,000 violations spread unevenly (one control holds
half), long unbreakable resource names, markup characters in messages, waivers,
exceptions, collection errors, and mappings onto the real catalogs' clauses.
``write_locker()`` writes a locker history of earlier runs.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from auditor.files import pretty_json
from auditor.model import Status
from tests.results_builder import control_entry, evidence_entry, results_document

FAMILIES = ("privacy", "security", "segregation-of-duties", "ai-governance")
PREFIX = {"privacy": "PRIV", "security": "SEC", "segregation-of-duties": "SOD", "ai-governance": "AI"}
SEVERITIES = ("low", "medium", "high", "critical")
STATUSES = ("pass", "fail", "waived", "error", "insufficient_evidence")


def _clauses(catalog_clauses: dict[str, list[str]] | None) -> dict[str, list[str]]:
    if catalog_clauses:
        return catalog_clauses
    return {"iso27001-2022": [f"A.5.{i}" for i in range(1, 38)], "nist-ai-rmf-1.0": [f"GV-{i}" for i in range(1, 7)]}


def synthetic_results(controls: int = 200, violations: int = 10_000, seed: int = 6,
                      catalog_clauses: dict[str, list[str]] | None = None, run_id: str = "20261120T120000Z-5eed0006",
                      finished_at: str = "2026-11-20T12:05:00Z") -> dict[str, Any]:
    rng = random.Random(seed)
    clauses = _clauses(catalog_clauses)
    evidence = []
    for i in range(40):
        errors = []
        if i % 13 == 0:
            errors.append({"scope": f"account-{i}", "code": "AccessDenied",
                           "message": f"Collector could not list resources in account-{i} & region <eu-west-2>."})
        evidence.append({
            "path": f"{FAMILIES[i % 4]}/kind-{i:02d}.json", "kind": f"kind-{i:02d}", "source": f"aws:config/{i}",
            "collected_at": f"2026-11-{10 + i % 10:02d}T08:00:00Z", "sha256": f"{i:064x}", "size": 1000 + i * 17,
            "items": 10 * i, "errors": errors,
        })
    entries: list[dict[str, Any]] = []
    statuses = [STATUSES[i % 5] if i % 3 else "fail" for i in range(controls)]
    failing = [i for i, s in enumerate(statuses) if s == "fail"]
    counts = dict.fromkeys(failing, 0)
    counts[failing[0]] = violations // 2
    for _ in range(violations - violations // 2):
        counts[rng.choice(failing)] += 1
    for i in range(controls):
        family = FAMILIES[i % 4]
        cid = f"{PREFIX[family]}-{i + 1:03d}"
        status = statuses[i]
        vs = [{"resource": f"arn:aws:iam::123456789012:role/service-role/very-long-role-name-without-spaces-{i}-{n}",
               "message": f"Role {n} of control {cid} grants <Action>*</Action> & \"Resource\": \"*\"; expected a "
                          f"scoped policy. " + "Details follow. " * (n % 4)}
              for n in range(counts.get(i, 0))]
        mapped = []
        for fw, ids in sorted(clauses.items()):
            for clause in rng.sample(ids, k=min(len(ids), 1 + i % 3)):
                mapped.append({"framework": fw, "clause": clause, "strength": ("full", "partial", "supporting")[i % 3],
                               "rationale": f"{cid} evidences clause {clause} by checking role scope <automatically>."})
        entry: dict[str, Any] = {
            "id": cid, "title": f"Synthetic control {i + 1} keeps {family} risks & <exposures> in check",
            "objective": f"Every resource in scope meets requirement {i + 1} of the {family} policy.",
            "family": family, "severity": SEVERITIES[(i * 7) % 4], "owner": f"Owner {i % 9} <owner{i % 9}@example.com>",
            "policy": f"controls.{PREFIX[family].lower()}.{PREFIX[family].lower()}_{i + 1:03d}",
            "evidence_kinds": [evidence[i % 40]["kind"]],
            "evidence": [] if status == "insufficient_evidence" else [evidence[i % 40]["path"]],
            "parameters": {"max_age_days": 90 + i, "exempt": [f"svc-{i}"], "mode": "strict"},
            "status": status, "duration_ms": 1.0,
            "reason": {"pass": "no violations", "fail": f"{len(vs)} violations", "waived": "all violations waived",
                       "error": "engine error: rego_type_error: undefined function foo.bar",
                       "insufficient_evidence": f"missing evidence kind {evidence[i % 40]['kind']}"}[status],
            "violations": vs, "violation_count": len(vs), "mappings": mapped,
            # a valid results document: the population counted (none judged when not evaluated)
            "population": None if status in ("error", "insufficient_evidence") else {"in_scope": len(vs) + 1, "passed": 1},
            "remediation": "Scope the role's policy to the resources it needs & remove wildcard actions.",
        }
        if status == "waived":
            entry["waived"] = [{"resource": f"res-{i}", "message": "Known gap <tracked>",
                                "exception": {"id": f"EX-{i:03d}", "reason": "Vendor fix pending", "approver": "CISO",
                                              "expires": f"2026-12-{1 + i % 28:02d}", "ticket": f"SEC-{1000 + i}"}}]
        entries.append(entry)
    by_status = {s: statuses.count(s) for s in STATUSES}
    return {
        "schema_version": "1", "run_id": run_id, "started_at": "2026-11-20T12:00:00Z", "finished_at": finished_at,
        "as_of": "2026-11-20T08:00:00Z", "engine": {"name": "regorus", "version": "0.13.0", "auditor": "0.1.0"},
        "fail_on": "high", "exit_code": 1, "evidence": evidence, "controls": entries,
        "exceptions": [{"id": e["waived"][0]["exception"]["id"], "control": e["id"], "status": "applied",
                        "expires": e["waived"][0]["exception"]["expires"]} for e in entries if e.get("waived")]
        + [{"id": "EX-999", "control": entries[0]["id"], "status": "expired", "expires": "2026-11-01",
            "reason_not_applied": "expired on 2026-11-01"}],
        "summary": {"total": controls, "by_status": by_status, "by_family": {}},
    }


def small_run(run_id: str, finished_at: str, passing: int, failing: int, critical_fail: bool) -> dict[str, Any]:
    """A small earlier run for a locker history: a complete results document (a locker's runs are checked
    like every results.json read from a file)."""
    controls = []
    for n in range(passing + failing):
        status = Status.PASS if n < passing else Status.FAIL
        violations = [] if status is Status.PASS else [{"resource": f"g-{n}", "message": f"Gadget g-{n} is exposed."}]
        controls.append(control_entry(
            f"SEC-{n + 1:03d}", status, objective="o", severity="critical" if (critical_fail and n == passing)
            else "medium", owner="Head of Security", evidence_kinds=["gadgets"], evidence=["gadgets.json"],
            reason="no violations" if status is Status.PASS else "1 violation", violations=violations,
            population={"in_scope": 1, "passed": 1 - len(violations)}, duration_ms=1.0))
    gadgets = evidence_entry("gadgets.json", "gadgets", source="test:inventory", collected_at=finished_at,
                             size=100, items=len(controls))
    return results_document(controls, [gadgets], run_id=run_id, started_at=finished_at, finished_at=finished_at,
                            as_of=finished_at, exit_code=1 if failing else 0)


def write_locker(root: Path, runs: list[dict[str, Any]]) -> Path:
    for run in runs:
        day = run["finished_at"][:10]
        target = root / "runs" / day / run["run_id"] / "results.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pretty_json(run))
    return root
