"""Regression (issue 11): self-approval in a collected repository is flagged once identities are supplied.

The git collector used to record ``identity.author_person`` as a bare address while the
SoD policies resolved approvers to ``email:...`` or a person id, so with an ``identities``
document no self-approval matched. Here a real repository is collected, a deployments and
an identities document are written beside it, and SOD-001, SOD-002 and SOD-005 must flag
both the own-address and the second-address self-approvals, and nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from auditor.collect.base import Clock, parse_instant
from auditor.collect.git import GitCollector
from auditor.content import bundled
from auditor.controls import load_library
from auditor.engine import create
from auditor.evaluate import evaluate
from auditor.evidence import load_evidence
from auditor.model import Status
from auditor.policies import load_policies
from tests.collect.gitrepo import PINNED, init_repo

ALICE = "Alice Ng <alice@corp.example>"


def identity(person: str, account: str, emails: list[str], username: str) -> dict[str, Any]:
    return {"id": account, "person": person, "display_name": person, "username": username, "emails": emails,
            "type": "human", "system": "github", "console_access": True, "mfa_enabled": True, "access_keys": [],
            "roles": [], "created_at": "2025-01-01T00:00:00Z", "disabled": False}


def envelope(kind: str, items: list[dict[str, Any]]) -> bytes:
    return orjson.dumps({"kind": kind, "source": "test", "collected_at": PINNED,
                         "collector": {"name": "test", "version": "1"}, "errors": [], "items": items})


def deployment(n: int, commit: str, actor: str) -> dict[str, Any]:
    return {"id": f"d-{n}", "environment": "production", "service": "api", "commit": commit, "ref": f"v{n}",
            "actor": {"name": None, "email": actor, "login": None}, "approver": None,
            "started_at": f"2026-03-0{n}T10:00:00Z", "finished_at": None, "status": "success",
            "pipeline": {"platform": "github", "run_id": str(n), "url": None}, "source": "ci"}


def build(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    repo = init_repo(tmp_path / "repo")
    shas = {
        "base": repo.commit("base", author=ALICE, message="Base\n\nReviewed-by: Bob Roy <bob@corp.example>"),
        "own": repo.commit("own", author=ALICE, message="Own address\n\nReviewed-by: Alice Ng <alice@corp.example>"),
        "second": repo.commit("second", author=ALICE,
                              message="Second address\n\nReviewed-by: Alice Ng <alice.home@gmail.example>"),
        "noreply": repo.commit("noreply", author=ALICE, message=(
            "Noreply\n\nReviewed-by: Alice Ng <5101+alice-ng@users.noreply.github.com>")),
        "ok": repo.commit("ok", author=ALICE, message="Independent\n\nReviewed-by: Bob Roy <bob@corp.example>"),
    }
    out = tmp_path / "evidence"
    GitCollector(repo.path, clock=Clock(parse_instant(PINNED))).write(out)
    people = [
        identity("p-1", "okta:alice", ["alice@corp.example"], "alice"),
        identity("p-1", "github:alice-ng", ["alice.home@gmail.example"], "alice-ng"),
        identity("p-2", "okta:bob", ["bob@corp.example"], "bob"),
    ]
    (out / "identities.json").write_bytes(envelope("identities", people))
    # one production deployment per commit, each deployed by Alice from her second address
    deploys = [deployment(i + 1, shas[k], "alice.home@gmail.example") for i, k in enumerate(shas)]
    (out / "deployments.json").write_bytes(envelope("deployments", deploys))
    return out, shas


def run(evidence: Path, ids: list[str]) -> dict[str, Any]:
    library = load_library(bundled("controls")).select(ids)
    result = evaluate(library, load_policies(bundled("policies")), load_evidence(evidence), create("regorus"))
    return {r.control.id: r for r in result.results}


def test_self_approvals_in_a_collected_repository_are_flagged_with_identities(tmp_path: Path) -> None:
    evidence, shas = build(tmp_path)
    changes = orjson.loads(next(evidence.rglob("*changes*.json")).read_bytes())["items"]
    assert {c["identity"]["author_person"] for c in changes} == {"email:alice@corp.example"}
    results = run(evidence, ["SOD-001", "SOD-002", "SOD-005"])

    sod5 = results["SOD-005"]
    assert sod5.status is Status.FAIL
    assert sorted(v.resource for v in sod5.violations) == sorted([shas["own"], shas["second"], shas["noreply"]])
    assert any("another identity of its author alice@corp.example (person:p-1)" in v.message
               for v in sod5.violations)

    sod1 = results["SOD-001"]
    # d-1 is the first deployment (base alone); each later one ships exactly one new commit
    assert sorted(v.resource for v in sod1.violations) == ["d-2", "d-3", "d-4"]
    assert all("approved only by its author alice@corp.example" in v.message for v in sod1.violations)

    sod2 = results["SOD-002"]
    # Alice deploys her own commits from her second address: every deployment is at fault
    assert sorted(v.resource for v in sod2.violations) == ["d-1", "d-2", "d-3", "d-4", "d-5"]


def test_without_identities_only_the_own_address_is_self_approval(tmp_path: Path) -> None:
    evidence, shas = build(tmp_path)
    (evidence / "identities.json").unlink()
    results = run(evidence, ["SOD-005"])
    assert [v.resource for v in results["SOD-005"].violations] == [shas["own"]]
