"""The current CI pipeline's deployment, or an imported JSONL deploy log, as ``deployments``.

Only what the platform states is recorded: a variable that is not set is recorded as
unknown (``null``), never guessed from another one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from auditor.collect.base import COLLECTORS, Clock, Collector, CollectorError, Document, Progress, parse_instant
from auditor.collect.base import format_time as _utc


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    return value.strip() if value and value.strip() else None


def github_actions(env: Mapping[str, str], environment: str | None) -> tuple[str, dict[str, Any]]:
    """GitHub Actions: GITHUB_SHA, GITHUB_ACTOR, GITHUB_RUN_ID, GITHUB_REF, GITHUB_REPOSITORY.

    GitHub sets no variable naming the deployment environment or its approver:
    ``--environment`` (or ``AUDITOR_ENVIRONMENT``) names the environment, the approver stays unknown.
    """
    repo = _get(env, "GITHUB_REPOSITORY")
    run_id = _get(env, "GITHUB_RUN_ID")
    attempt = _get(env, "GITHUB_RUN_ATTEMPT")
    server = _get(env, "GITHUB_SERVER_URL")
    item = {
        "platform": "github-actions",
        "repository": repo,
        "commit": _get(env, "GITHUB_SHA"),
        "ref": _get(env, "GITHUB_REF"),
        "actor": _get(env, "GITHUB_ACTOR"),
        "triggered_by": _get(env, "GITHUB_TRIGGERING_ACTOR"),
        "environment": environment,
        "run_id": run_id,
        "run_attempt": attempt,
        "workflow": _get(env, "GITHUB_WORKFLOW"),
        "approver": None,
        "url": f"{server}/{repo}/actions/runs/{run_id}" if server and repo and run_id else None,
    }
    return f"github-actions:{repo or 'unknown'}", item


def gitlab_ci(env: Mapping[str, str], environment: str | None) -> tuple[str, dict[str, Any]]:
    """GitLab CI: CI_COMMIT_SHA, GITLAB_USER_LOGIN/EMAIL, CI_ENVIRONMENT_NAME, CI_PIPELINE_ID, CI_COMMIT_REF_NAME.

    GitLab exposes no approver of a deployment in the job's environment; it stays unknown.
    """
    repo = _get(env, "CI_PROJECT_PATH")
    item = {
        "platform": "gitlab-ci",
        "repository": repo,
        "commit": _get(env, "CI_COMMIT_SHA"),
        "ref": _get(env, "CI_COMMIT_REF_NAME"),
        "actor": _get(env, "GITLAB_USER_EMAIL") or _get(env, "GITLAB_USER_LOGIN"),
        "triggered_by": _get(env, "GITLAB_USER_LOGIN"),
        "environment": environment or _get(env, "CI_ENVIRONMENT_NAME"),
        "run_id": _get(env, "CI_PIPELINE_ID"),
        "run_attempt": None,
        "workflow": _get(env, "CI_JOB_NAME"),
        "approver": None,
        "url": _get(env, "CI_PIPELINE_URL"),
    }
    return f"gitlab-ci:{repo or 'unknown'}", item


@COLLECTORS.register("deployment")
class DeploymentCollector(Collector):
    """Deployments from the CI environment (GitHub Actions, GitLab CI) or a JSONL deploy log.

    From the environment, records the running pipeline's deployment: commit, actor,
    environment, run id, ref and approver when the platform provides it; a missing
    variable is recorded as unknown (null), never guessed.

    Example::

        # in a GitHub Actions deploy job
        auditor collect deployment --from-env --environment production --out evidence/
        # from a deploy log, one JSON object per line
        auditor collect deployment --from deploys.jsonl --out evidence/
    """

    name: ClassVar[str] = "deployment"
    version: ClassVar[str] = "0.1.0"
    kinds: ClassVar[tuple[str, ...]] = ("deployments",)
    permissions: ClassVar[tuple[str, ...]] = (
        "none: reads the CI job's standard environment variables, or a local JSONL file",
    )

    def __init__(
        self,
        from_env: bool = False,
        log: Path | None = None,
        environment: str | None = None,
        env: Mapping[str, str] | None = None,
        clock: Clock | None = None,
        progress: Progress | None = None,
    ) -> None:
        super().__init__(clock, progress)
        if from_env == (log is not None):
            raise CollectorError("collect deployment: give exactly one of --from-env or --from FILE.jsonl")
        self.from_env = from_env
        self.log = log
        self.environment = environment
        self.env = os.environ if env is None else env

    def collect(self) -> list[Document]:
        if self.from_env:
            return [self.from_environment()]
        assert self.log is not None
        return [self.from_log(self.log)]

    def from_environment(self) -> Document:
        env = self.env
        environment = self.environment or _get(env, "AUDITOR_ENVIRONMENT")
        if _get(env, "GITHUB_ACTIONS") == "true":
            source, item = github_actions(env, environment)
        elif _get(env, "GITLAB_CI") == "true":
            source, item = gitlab_ci(env, environment)
        else:
            raise CollectorError(
                "collect deployment --from-env: not running in GitHub Actions (GITHUB_ACTIONS=true) "
                "or GitLab CI (GITLAB_CI=true)"
            )
        item["deployed_at"] = self.clock.stamp()
        parts = [item["platform"], item["repository"] or "unknown", item["run_id"] or "unknown",
                 item["run_attempt"] or "1", item["environment"] or "unknown"]
        item["id"] = ":".join(parts)
        item["unknown"] = sorted(k for k, v in item.items() if v is None)
        return Document("deployments", source, [item], name=f"deployment-{item['platform']}")

    def from_log(self, path: Path) -> Document:
        import orjson

        try:
            lines = path.read_bytes().splitlines()
        except OSError as exc:
            raise CollectorError(f"{path}: cannot read: {exc.strerror}") from None
        items: dict[str, dict[str, Any]] = {}
        problems = []
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                problems.append(f"{path}:{number}: malformed JSON: {exc.msg}")
                continue
            if not isinstance(record, dict):
                problems.append(f"{path}:{number}: expected a JSON object, found {type(record).__name__}")
                continue
            try:
                item = self.log_item(record)
            except ValueError as exc:
                problems.append(f"{path}:{number}: {exc}")
                continue
            if item["id"] in items:
                problems.append(f"{path}:{number}: id: found {item['id']!r} again, expected unique ids")
                continue
            items[item["id"]] = item
        if problems:
            more = f"\n  (and {len(problems) - 20} more)" if len(problems) > 20 else ""
            raise CollectorError("deploy log rejected, nothing written:\n  " + "\n  ".join(problems[:20]) + more)
        return Document("deployments", f"deploy-log:{path.name}", list(items.values()), name="deployment-log")

    @staticmethod
    def log_item(record: dict[str, Any]) -> dict[str, Any]:
        """One deploy-log line. Required: commit, deployed_at; everything else may be unknown."""
        for field in ("commit", "deployed_at"):
            if not isinstance(record.get(field), str) or not record[field].strip():
                raise ValueError(f"{field}: found {record.get(field)!r}, expected a non-empty string")
        try:
            deployed_at = _utc(parse_instant(record["deployed_at"], "deployed_at"))
        except CollectorError as exc:
            raise ValueError(exc.message) from None
        known = ("platform", "repository", "ref", "actor", "environment", "run_id", "approver", "url")
        item: dict[str, Any] = {k: (str(record[k]) if record.get(k) not in (None, "") else None) for k in known}
        item["platform"] = item["platform"] or "deploy-log"
        item["commit"] = record["commit"].strip()
        item["deployed_at"] = deployed_at
        ident = record.get("id")
        item["id"] = str(ident) if ident not in (None, "") else f"{item['environment'] or 'unknown'}:{deployed_at}:{item['commit']}"
        item["unknown"] = sorted(k for k, v in item.items() if v is None)
        return item
