from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from auditor.collect.base import Clock, parse_instant
from auditor.collect.deployment import DeploymentCollector
from auditor.errors import InputError
from auditor.evidence import load_evidence
from tests.collect.gitrepo import PINNED

SHA = "0123456789abcdef0123456789abcdef01234567"
TOKEN = "ghs_" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1"
GITHUB = {
    "GITHUB_ACTIONS": "true", "GITHUB_SHA": SHA, "GITHUB_ACTOR": "alice", "GITHUB_RUN_ID": "9001",
    "GITHUB_RUN_ATTEMPT": "2", "GITHUB_REF_NAME": "main", "GITHUB_REPOSITORY": "acme/payments",
    "GITHUB_SERVER_URL": "https://github.com", "GITHUB_WORKFLOW": "deploy", "GITHUB_TOKEN": TOKEN,
    "ACTIONS_RUNTIME_TOKEN": TOKEN,
}
CLOCK = Clock(parse_instant(PINNED))


def written(collector: DeploymentCollector, out: Path) -> dict:
    (path,) = collector.write(out)
    return orjson.loads(path.read_bytes())


def test_github_actions_environment(tmp_path: Path) -> None:
    doc = written(DeploymentCollector(from_env=True, environment="production", status="success", env=GITHUB,
                                      clock=CLOCK), tmp_path)
    (item,) = doc["items"]
    assert doc["source"] == "github:acme/payments"
    assert item["id"] == "github:acme/payments:9001:2:production"
    assert item["commit"] == SHA and item["ref"] == "main" and item["service"] == "payments"
    assert item["actor"] == {"name": None, "email": None, "login": "alice"}
    assert item["pipeline"] == {"platform": "github", "run_id": "9001",
                                "url": "https://github.com/acme/payments/actions/runs/9001"}
    assert item["approver"] is None  # GitHub gives a job no approver: unknown, never guessed
    assert item["started_at"] == PINNED and item["attributes"]["started_at_source"] == "collected_at"
    assert item["attributes"]["unknown"] == ["actor.email", "actor.name", "approver"]
    assert TOKEN not in (tmp_path / "deployment-github.json").read_text()
    assert load_evidence(tmp_path).kinds() == {"deployments": 1}


def test_missing_variables_are_unknown_not_guessed(tmp_path: Path) -> None:
    env = {"GITHUB_ACTIONS": "true", "GITHUB_SHA": SHA}
    (item,) = written(DeploymentCollector(from_env=True, env=env, clock=CLOCK), tmp_path)["items"]
    assert item["environment"] == "unknown" and item["ref"] == "unknown" and item["status"] == "unknown"
    assert item["service"] == "unknown" and item["pipeline"]["run_id"] is None
    assert {"environment", "ref", "run_id", "service", "status", "approver"} <= set(item["attributes"]["unknown"])
    with pytest.raises(InputError, match="commit variable is not set"):
        DeploymentCollector(from_env=True, env={"GITHUB_ACTIONS": "true"}).collect()
    with pytest.raises(InputError, match="not running in GitHub Actions"):
        DeploymentCollector(from_env=True, env={}).collect()


def test_gitlab_ci_environment(tmp_path: Path) -> None:
    env = {
        "GITLAB_CI": "true", "CI_COMMIT_SHA": SHA, "CI_COMMIT_REF_NAME": "v2.0.0", "CI_PROJECT_PATH": "acme/ledger",
        "GITLAB_USER_LOGIN": "bob", "GITLAB_USER_EMAIL": "bob@example.com", "GITLAB_USER_NAME": "Bob",
        "CI_ENVIRONMENT_NAME": "production", "CI_PIPELINE_ID": "77", "CI_JOB_STARTED_AT": "2026-11-19T08:00:00Z",
        "CI_JOB_TOKEN": "glpat-" + "x" * 20, "CI_PIPELINE_URL": "https://gitlab.example/acme/ledger/-/pipelines/77",
    }
    (item,) = written(DeploymentCollector(from_env=True, env=env, clock=CLOCK), tmp_path)["items"]
    assert item["environment"] == "production" and item["started_at"] == "2026-11-19T08:00:00Z"
    assert item["actor"] == {"name": "Bob", "email": "bob@example.com", "login": "bob"}
    assert item["pipeline"]["platform"] == "gitlab" and item["id"] == "gitlab:acme/ledger:77:1:production"
    assert "glpat-" not in (tmp_path / "deployment-gitlab.json").read_text()


def test_jsonl_import(tmp_path: Path) -> None:
    log = tmp_path / "deploys.jsonl"
    log.write_text(
        orjson.dumps({"commit": SHA, "deployed_at": "2026-11-01T10:00:00+01:00", "environment": "production",
                      "service": "payments", "actor": "alice@example.com", "approver": "bob@example.com",
                      "status": "success", "platform": "github", "run_id": 5}).decode() + "\n\n"
        + orjson.dumps({"id": "d-2", "commit": SHA, "started_at": "2026-11-02T10:00:00Z"}).decode() + "\n"
    )
    doc = written(DeploymentCollector(log=log, clock=CLOCK), tmp_path / "out")
    first, second = sorted(doc["items"], key=lambda i: i["started_at"])
    assert first["started_at"] == "2026-11-01T09:00:00Z" and first["approver"]["email"] == "bob@example.com"
    assert first["pipeline"] == {"platform": "github", "run_id": "5", "url": None}
    assert second["id"] == "d-2" and second["approver"] is None and second["environment"] == "unknown"
    assert load_evidence(tmp_path / "out").kinds() == {"deployments": 2}


def test_jsonl_bad_lines_reject_the_whole_log(tmp_path: Path) -> None:
    log = tmp_path / "deploys.jsonl"
    log.write_text(
        orjson.dumps({"commit": SHA, "deployed_at": "2026-11-01T10:00:00Z"}).decode() + "\n"
        + "{not json\n"
        + orjson.dumps({"commit": "not-a-sha", "deployed_at": "2026-11-01T10:00:00Z"}).decode() + "\n"
        + orjson.dumps({"commit": SHA}).decode() + "\n"
    )
    with pytest.raises(InputError) as info:
        DeploymentCollector(log=log, clock=CLOCK).write(tmp_path / "out")
    message = info.value.message
    assert "3 problems, nothing written" in message
    assert f"{log}:2: malformed JSON" in message
    assert f"{log}:3: commit: " in message
    assert f"{log}:4: started_at: found None" in message
    assert not (tmp_path / "out").exists()
