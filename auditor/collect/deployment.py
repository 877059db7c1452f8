"""The current CI pipeline's deployment, or an imported JSONL deploy log, as ``deployments``.

Only what the platform states is recorded: a variable that is not set is recorded as
unknown (``null``), never guessed from another one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from auditor.collect.base import COLLECTORS, Clock, Collector, CollectorError, Document, Option, Progress, parse_instant
from auditor.collect.base import format_time as _utc


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    return value.strip() if value and value.strip() else None


STATUSES = ("success", "failed", "cancelled", "unknown")
UNKNOWN = "unknown"


def _person(name: str | None = None, email: str | None = None, login: str | None = None) -> dict[str, str | None]:
    return {"name": name, "email": email, "login": login}


def github_actions(env: Mapping[str, str]) -> dict[str, Any]:
    """GitHub Actions: GITHUB_SHA, GITHUB_ACTOR, GITHUB_RUN_ID, GITHUB_REF_NAME, GITHUB_REPOSITORY.

    GitHub sets no variable naming the deployment environment, its approver or the run's
    start: ``--environment`` names the environment, the approver stays unknown (null), and
    ``started_at`` is the moment of collection (inside the deploy job).
    """
    repo = _get(env, "GITHUB_REPOSITORY")
    run_id = _get(env, "GITHUB_RUN_ID")
    server = _get(env, "GITHUB_SERVER_URL")
    return {
        "platform": "github",
        "repository": repo,
        "commit": _get(env, "GITHUB_SHA"),
        "ref": _get(env, "GITHUB_REF_NAME") or _get(env, "GITHUB_REF"),
        "actor": _person(login=_get(env, "GITHUB_ACTOR")),
        "environment": None,
        "run_id": run_id,
        "run_attempt": _get(env, "GITHUB_RUN_ATTEMPT"),
        "url": f"{server}/{repo}/actions/runs/{run_id}" if server and repo and run_id else None,
        "started_at": None,
        "attributes": {"workflow": _get(env, "GITHUB_WORKFLOW"), "event": _get(env, "GITHUB_EVENT_NAME"),
                       "triggering_actor": _get(env, "GITHUB_TRIGGERING_ACTOR")},
    }


def gitlab_ci(env: Mapping[str, str]) -> dict[str, Any]:
    """GitLab CI: CI_COMMIT_SHA, GITLAB_USER_LOGIN/EMAIL/NAME, CI_ENVIRONMENT_NAME, CI_PIPELINE_ID,
    CI_COMMIT_REF_NAME, CI_JOB_STARTED_AT. GitLab exposes no deployment approver to the job."""
    return {
        "platform": "gitlab",
        "repository": _get(env, "CI_PROJECT_PATH"),
        "commit": _get(env, "CI_COMMIT_SHA"),
        "ref": _get(env, "CI_COMMIT_REF_NAME"),
        "actor": _person(_get(env, "GITLAB_USER_NAME"), _get(env, "GITLAB_USER_EMAIL"), _get(env, "GITLAB_USER_LOGIN")),
        "environment": _get(env, "CI_ENVIRONMENT_NAME"),
        "run_id": _get(env, "CI_PIPELINE_ID"),
        "run_attempt": None,
        "url": _get(env, "CI_PIPELINE_URL"),
        "started_at": _get(env, "CI_JOB_STARTED_AT"),
        "attributes": {"job": _get(env, "CI_JOB_NAME"), "job_id": _get(env, "CI_JOB_ID"),
                       "environment_tier": _get(env, "CI_ENVIRONMENT_TIER")},
    }


@COLLECTORS.register("deployment")
class DeploymentCollector(Collector):
    """Deployments from the CI environment (GitHub Actions, GitLab CI) or a JSONL deploy log.

    From the environment, records the running pipeline's deployment: commit, actor,
    environment, run id, ref and approver when the platform provides it. A missing
    variable is recorded as unknown (``"unknown"`` or null, and listed in
    ``attributes.unknown``), never guessed. Neither platform gives a job its deployment
    approver, so ``approver`` is null (which approval controls treat as no approval).

    Example::

        # in a GitHub Actions deploy job, after the deployment step
        auditor collect deployment --from-env --environment production --status success --out evidence/
        # from a deploy log, one JSON object per line
        auditor collect deployment --from deploys.jsonl --out evidence/
    """

    version: ClassVar[str] = "0.1.0"
    kinds: ClassVar[tuple[str, ...]] = ("deployments",)
    permissions: ClassVar[tuple[str, ...]] = (
        "none: reads the CI job's standard environment variables, or a local JSONL file",
    )
    help: ClassVar[str] = "The running pipeline's deployment, or a JSONL deploy log, as deployments."
    options: ClassVar[tuple[Option, ...]] = (
        Option("from_env", "Record this CI job's deployment (GitHub Actions or GitLab CI).", type="flag"),
        Option("log", "Import a deploy log: JSON Lines, one deployment a line.", type="file", flag="--from"),
        Option("environment", "Deployment environment (GitHub sets no variable for it)."),
        Option("service", "Service deployed (default: the repository's name)."),
        Option("status", "Outcome, when collected after the deployment step (default: unknown).", type="choice",
               choices=STATUSES),
    )

    def __init__(
        self,
        from_env: bool = False,
        log: Path | None = None,
        environment: str | None = None,
        service: str | None = None,
        status: str | None = None,
        env: Mapping[str, str] | None = None,
        clock: Clock | None = None,
        progress: Progress | None = None,
    ) -> None:
        super().__init__(clock, progress)
        if from_env == (log is not None):
            raise CollectorError("collect deployment: give exactly one of --from-env or --from FILE.jsonl")
        if status is not None and status not in STATUSES:
            raise CollectorError(f"--status: found {status!r}, expected one of: {', '.join(STATUSES)}")
        self.from_env = from_env
        self.log = log
        self.environment = environment
        self.service = service
        self.status = status
        self.env = os.environ if env is None else env

    def collect(self) -> list[Document]:
        if self.from_env:
            return [self.from_environment()]
        assert self.log is not None
        return [self.from_log(self.log)]

    def from_environment(self) -> Document:
        env = self.env
        if _get(env, "GITHUB_ACTIONS") == "true":
            found = github_actions(env)
        elif _get(env, "GITLAB_CI") == "true":
            found = gitlab_ci(env)
        else:
            raise CollectorError(
                "collect deployment --from-env: not running in GitHub Actions (GITHUB_ACTIONS=true) "
                "or GitLab CI (GITLAB_CI=true)"
            )
        commit = found["commit"]
        if not commit:
            raise CollectorError(f"collect deployment --from-env: the {found['platform']} commit variable is not "
                                 "set; a deployment without its commit cannot be recorded")
        environment = self.environment or _get(env, "AUDITOR_ENVIRONMENT") or found["environment"]
        repository = found["repository"]
        started_source = "platform"
        started = found["started_at"]
        if started:
            started = _utc(parse_instant(started, "started_at"))
        else:
            started, started_source = self.clock.stamp(), "collected_at"
        unknown = sorted(
            [k for k in ("ref", "run_id", "url") if not found[k]]
            + ([] if environment else ["environment"])
            + [f"actor.{k}" for k, v in found["actor"].items() if v is None]
            + ["approver"] + (["status"] if not self.status else [])
            + (["service"] if not (self.service or repository) else [])
        )
        item = {
            "environment": environment or UNKNOWN,
            "service": self.service or (repository.rsplit("/", 1)[-1] if repository else UNKNOWN),
            "commit": commit,
            "ref": found["ref"] or UNKNOWN,
            "actor": found["actor"],
            "approver": None,
            "started_at": started,
            "finished_at": None,
            "status": self.status or UNKNOWN,
            "pipeline": {"platform": found["platform"], "run_id": found["run_id"], "url": found["url"]},
            "source": "ci",
            "attributes": {
                **{k: v for k, v in found["attributes"].items() if v is not None},
                "repository": repository, "run_attempt": found["run_attempt"],
                "started_at_source": started_source, "unknown": unknown,
            },
        }
        parts = [found["platform"], repository or UNKNOWN, found["run_id"] or UNKNOWN,
                 found["run_attempt"] or "1", item["environment"]]
        item["id"] = ":".join(parts)
        source = f"{found['platform']}:{repository or UNKNOWN}"
        return Document("deployments", source, [item], name=f"deployment-{found['platform']}")

    def from_log(self, path: Path) -> Document:
        import orjson

        from auditor.collect.files import validate_rows
        from auditor.evidence import SchemaSet

        try:
            lines = path.read_bytes().splitlines()
        except OSError as exc:
            raise CollectorError(f"{path}: cannot read: {exc.strerror}") from None
        rows: list[tuple[str, Any]] = []
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                rows.append((where, ValueError(f"malformed JSON: {exc.msg}")))
                continue
            if not isinstance(record, dict):
                rows.append((where, ValueError(f"expected a JSON object, found {type(record).__name__}")))
                continue
            try:
                rows.append((where, self.log_item(record)))
            except ValueError as exc:
                rows.append((where, exc))
        items = validate_rows(rows, SchemaSet().schema("deployments"), path, "deployments")
        return Document("deployments", f"deploy-log:{path.name}", items, name=f"deployment-log-{path.stem}")

    @staticmethod
    def log_item(record: dict[str, Any]) -> dict[str, Any]:
        """One deploy-log line as a deployment. Required: commit and started_at (or deployed_at);
        anything else absent is recorded as unknown."""
        started = record.get("started_at", record.get("deployed_at"))
        if not isinstance(started, str) or not started.strip():
            raise ValueError(f"started_at: found {started!r}, expected an RFC 3339 date-time")
        try:
            started = _utc(parse_instant(started, "started_at"))
            finished = record.get("finished_at")
            finished = _utc(parse_instant(finished, "finished_at")) if finished else None
        except CollectorError as exc:
            raise ValueError(exc.message) from None

        def person(value: Any) -> Any:
            if isinstance(value, str):
                return _person(email=value) if "@" in value else _person(login=value)
            return value

        pipeline = record.get("pipeline")
        if pipeline is None:
            platform = record.get("platform") or UNKNOWN
            pipeline = {"platform": platform if platform in ("github", "gitlab", "other") else (
                "other" if record.get("platform") else UNKNOWN),
                "run_id": None if record.get("run_id") is None else str(record["run_id"]),
                "url": record.get("url")}
        item: dict[str, Any] = {
            "environment": record.get("environment") or UNKNOWN,
            "service": record.get("service") or UNKNOWN,
            "commit": record.get("commit"),
            "ref": record.get("ref") or UNKNOWN,
            "actor": person(record.get("actor")) or _person(),
            "approver": person(record.get("approver")),
            "started_at": started,
            "finished_at": finished,
            "status": record.get("status") or UNKNOWN,
            "pipeline": pipeline,
            "source": "import",
        }
        unknown = sorted(k for k in ("environment", "service", "ref", "status") if item[k] == UNKNOWN)
        if item["approver"] is None:
            unknown.append("approver")
        attributes = dict(record.get("attributes") or {})
        attributes["unknown"] = sorted(unknown)
        item["attributes"] = attributes
        ident = record.get("id")
        item["id"] = str(ident) if ident not in (None, "") else f"{item['environment']}:{started}:{item['commit']}"
        return item
