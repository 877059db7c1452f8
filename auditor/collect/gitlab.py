"""``auditor collect gitlab``: merge request approvals, pipelines and branch protection from the REST API v4.

For every merge request merged into ``--branch`` (most recently updated first, up to ``--limit``), one
``changes`` item for the commit it put on the branch (its merge commit, its squash commit, or on a
fast-forward merge its head), with:

- ``approvals``: the approvals the merge request holds (``/approvals``: who, and ``approved_at`` where
  the instance records it) that were given on its final head commit. The head an approval was given on
  is the head of the latest diff version (``/versions``) created at or before ``approved_at``; an
  approval on an earlier head does not count. Without ``approved_at`` the API's state is trusted only
  when the project resets approvals on push (``reset_approvals_on_push``: GitLab itself removed those
  given before the last push); otherwise the approval is kept in ``attributes`` and not counted.
  Each approver's address is their public (or, to an administrator, primary) email from ``/users/:id``,
  else GitLab's noreply form ``<id>-<username>@users.noreply.<host>``; ``login`` is the username, so
  ``identities`` evidence resolves either to the canonical person key (``auditor.identity``).
- ``tests_passed``: the latest pipeline of the merge request that ran on its final head (or on the
  merged commit): ``success`` is true, ``failed`` or ``canceled`` false, anything else (running,
  skipped, manual) or no pipeline at all ``null``, unknown, never a pass. Its jobs are kept in
  ``attributes.jobs``.
- ``merged_commits``: the merge request's commits (``/commits``) with their authors, for merge and squash
  commits, so a change is judged on who wrote it, not on who pressed merge.
- ``attributes``: every approval (who, when, on which head, counted or not and why), the approval rules
  and whether each was met (``/approval_state``), the pipelines, the project's approval settings and the
  branch's protection (``/protected_branches``).

Usage::

    GITLAB_TOKEN=... auditor collect gitlab --project acme/app --branch main --out evidence/

In a GitLab job the project, API root and branch default to ``CI_PROJECT_ID``, ``CI_API_V4_URL`` and
``CI_DEFAULT_BRANCH``. The token is read from the environment variable named by ``--token-env``
(default ``GITLAB_TOKEN``, sent as ``PRIVATE-TOKEN``), else from ``CI_JOB_TOKEN`` (sent as ``JOB-TOKEN``);
it is sent in that header only and never written, logged or put in a message. Pages follow ``Link:
rel="next"`` (keyset and offset pagination) or ``X-Next-Page``; a 429 (or 403) rate limit waits as
``Retry-After`` or ``RateLimit-Reset`` says (:mod:`auditor.collect.forge`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from auditor.collect.base import (
    COLLECTORS,
    Clock,
    Collector,
    CollectorError,
    Document,
    Option,
    Progress,
    Secret,
    format_time,
)
from auditor.collect.forge import ForgeClient
from auditor.identity import EMPTY as NO_DIRECTORY
from auditor.identity import normalize
from auditor.model import CollectionFailure

API = "https://gitlab.com/api/v4"
#: pipeline status -> tests_passed (any other status: not concluded, None)
PIPELINE_RESULT = {"success": True, "failed": False, "canceled": False}


def gitlab_client(api: str, token: str | None, *, job_token: bool = False) -> ForgeClient:
    """A client for GitLab's REST API v4: ``PRIVATE-TOKEN`` (personal, project or group access token) or
    ``JOB-TOKEN`` (a CI job's ``CI_JOB_TOKEN``)."""
    return ForgeClient(api, token, auth_header="JOB-TOKEN" if job_token else "PRIVATE-TOKEN", auth_prefix="",
                       headers={"Accept": "application/json"})


def noreply(user_id: Any, username: str, host: str) -> str:
    """GitLab's noreply address for an account (``<id>-<username>@users.noreply.<host>``)."""
    return f"{user_id}-{username}@users.noreply.{host}" if user_id else f"{username}@users.noreply.{host}"


def _instant(value: Any) -> str | None:
    """GitLab's timestamps (``2026-11-19T09:30:00.000Z``, or with an offset) as UTC seconds."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return format_time(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


@dataclass(frozen=True)
class _Versions:
    """The merge request's diff versions: which head was current at an instant."""

    at: tuple[str, ...]      # created_at, ascending
    heads: tuple[str, ...]   # head_commit_sha of each

    @classmethod
    def of(cls, versions: list[dict[str, Any]]) -> _Versions:
        rows = sorted((t, v.get("head_commit_sha") or "") for v in versions if (t := _instant(v.get("created_at"))))
        return cls(tuple(t for t, _ in rows), tuple(h for _, h in rows))

    def head_at(self, instant: str) -> str | None:
        index = bisect_right(self.at, instant)
        return self.heads[index - 1] if index else None


@COLLECTORS.register("gitlab")
class GitLabCollector(Collector):
    """Merged merge requests of one GitLab project as ``changes`` evidence (approvals, pipelines, protection).

    Example::

        GITLAB_TOKEN=... auditor collect gitlab --project acme/app --branch main --out ev/
    """

    version: ClassVar[str] = "1.0.0"
    kinds: ClassVar[tuple[str, ...]] = ("changes",)
    permissions: ClassVar[tuple[str, ...]] = (
        "a token with read_api on the project (a project access token of role Reporter or above, as "
        "GITLAB_TOKEN), or the job's CI_JOB_TOKEN where the instance lets it read merge requests and "
        "pipelines; protected branches and approval rules need Maintainer, else they are recorded as "
        "collection errors",
    )
    help: ClassVar[str] = ("Merged merge requests (approvals, pipelines, approval rules, protected branch) as "
                           "changes evidence.")
    options: ClassVar[tuple[Option, ...]] = (
        Option("project", "Project id or group/name path (default: $CI_PROJECT_ID, set in GitLab CI).",
               required=True, envvar="CI_PROJECT_ID"),
        Option("branch", "Target branch whose merged merge requests are read (default: $CI_DEFAULT_BRANCH, else "
               "main).", default="main", envvar="CI_DEFAULT_BRANCH"),
        Option("token", "Environment variable holding an access token (sent as PRIVATE-TOKEN); when it is not "
               "set, CI_JOB_TOKEN is used (sent as JOB-TOKEN). Never a command-line value: it would show in logs.",
               secret=True, default="GITLAB_TOKEN"),
        Option("api", "REST API v4 root (self-managed: https://HOST/api/v4; $CI_API_V4_URL in GitLab CI).",
               flag="--url", default=API, envvar="CI_API_V4_URL"),
        Option("limit", "Most recently updated merged merge requests read.", type="int", default=200, minimum=1,
               maximum=10_000),
    )

    def __init__(self, project: str, branch: str = "main", *, token: str | None = None, api: str = API,
                 job_token: bool = False, limit: int = 200, client: ForgeClient | None = None,
                 clock: Clock | None = None, progress: Progress | None = None) -> None:
        super().__init__(clock, progress)
        project = project.strip()
        if not project or project.startswith("/") or project.endswith("/"):
            raise CollectorError(f"--project: found {project!r}, expected a project id or group/name path")
        self.project = project
        self.branch = branch
        self.limit = limit
        self.host = urlsplit(api).hostname or "gitlab.com"
        self.client = client or gitlab_client(api, token, job_token=job_token)
        self._base = f"/projects/{quote(project, safe='')}"
        self._users: dict[Any, dict[str, Any]] = {}

    @classmethod
    def from_options(cls, values: dict[str, Any], notice: Callable[[str], None], **context: Any) -> Collector:
        """The token from the variable ``--token-env`` names (sent as PRIVATE-TOKEN), else the job's
        CI_JOB_TOKEN (sent as JOB-TOKEN), else none (public projects only)."""
        import os

        secret: Secret = values["token"]
        token, job_token = secret.value, secret.variable == "CI_JOB_TOKEN"
        if token is None and not job_token and os.environ.get("CI_JOB_TOKEN"):
            token, job_token = os.environ["CI_JOB_TOKEN"], True
            notice(f"collect gitlab: ${secret.variable} is not set; using the job token (CI_JOB_TOKEN)")
        elif token is None:
            notice(f"collect gitlab: neither ${secret.variable} nor $CI_JOB_TOKEN is set; calling the API without "
                   "a token (public projects only)")
        return cls(**{**values, "token": token}, job_token=job_token, **context)

    def collect(self) -> list[Document]:
        errors: list[CollectionFailure] = []
        project = self._optional("", "project", errors) or {}
        repository = project.get("path_with_namespace") or self.project
        settings = self._optional("/approvals", "approval settings", errors) or {}
        context = {
            "repository": repository,
            "branch_protection": self._protection(errors),
            "approval_settings": {k: settings.get(k) for k in (
                "approvals_before_merge", "reset_approvals_on_push", "merge_requests_author_approval",
                "merge_requests_disable_committers_approval", "disable_overriding_approvers_per_merge_request")},
            "pipeline_must_succeed": project.get("only_allow_merge_if_pipeline_succeeds"),
        }
        merged = self.client.pages(f"{self._base}/merge_requests", {
            "state": "merged", "target_branch": self.branch, "order_by": "updated_at", "sort": "desc"},
            limit=self.limit)
        items = []
        with self.progress.task(f"gitlab {repository} merge requests", len(merged)) as advance:
            for mr in merged:
                if mr.get("state") == "merged" and _merged_sha(mr):
                    items.append(self._change(mr, context, errors))
                advance(1)
        return [Document("changes", f"gitlab:{repository}", items, errors)]

    # --- project-wide settings -------------------------------------------------------------------

    def _optional(self, path: str, what: str, errors: list[CollectionFailure]) -> Any:
        """A settings endpoint: its answer, or None with a collection error (404 on a tier without it: None)."""
        try:
            return self.client.get(f"{self._base}{path}")
        except CollectorError as exc:
            if "HTTP 404" not in exc.message:
                errors.append(CollectionFailure(what, exc.message, "settings"))
            return None

    def _protection(self, errors: list[CollectionFailure]) -> dict[str, Any] | None:
        try:
            data = self.client.get(f"{self._base}/protected_branches/{quote(self.branch, safe='')}")
        except CollectorError as exc:
            if "HTTP 404" in exc.message:
                return {"protected": False}
            errors.append(CollectionFailure(f"protected branch {self.branch}", exc.message, "protection"))
            return None
        rules = self._optional("/approval_rules", "approval rules", errors)
        return {
            "protected": True,
            "push_access_levels": sorted(_levels(data.get("push_access_levels"))),
            "merge_access_levels": sorted(_levels(data.get("merge_access_levels"))),
            "allow_force_push": data.get("allow_force_push"),
            "code_owner_approval_required": data.get("code_owner_approval_required"),
            "approval_rules": None if rules is None else sorted(
                ({"name": r.get("name"), "rule_type": r.get("rule_type"),
                  "approvals_required": r.get("approvals_required")} for r in rules if isinstance(r, dict)),
                key=lambda r: (str(r["name"]), str(r["rule_type"]))),
        }

    # --- one merge request -----------------------------------------------------------------------

    def _change(self, mr: dict[str, Any], context: dict[str, Any], errors: list[CollectionFailure]) -> dict[str, Any]:
        iid = mr["iid"]
        where = f"{self._base}/merge_requests/{iid}"
        head = mr.get("sha")
        sha = str(_merged_sha(mr))
        commit = self.client.get(f"{self._base}/repository/commits/{sha}")
        approvals_doc = self.client.get(f"{where}/approvals")
        versions = _Versions.of(self.client.pages(f"{where}/versions"))
        reset_on_push = bool(context["approval_settings"].get("reset_approvals_on_push"))
        reviews, approvals = [], []
        for entry in sorted(approvals_doc.get("approved_by") or [],
                            key=lambda e: (_instant(e.get("approved_at")) or "", (e.get("user") or {}).get("id") or 0)):
            user = entry.get("user") or {}
            if not user.get("username"):
                continue
            at = _instant(entry.get("approved_at"))
            on = versions.head_at(at) if at else None
            if at and on:
                counted, why = on == head, "on the final head" if on == head else "given before a later push"
            elif reset_on_push:
                counted, why = True, "held after the last push (the project resets approvals on push)"
            else:
                counted, why = False, "no approval time: cannot show it was given on the final head"
            reviews.append({"login": user["username"], "at": at, "commit": on, "on_head": on == head if on else None,
                            "counted": counted, "why": why})
            if counted:
                approvals.append({"name": user.get("name"), "email": self._email(user, errors),
                                  "login": user["username"], "source": "gitlab", "at": at})
        pipelines, tests_passed, jobs = self._pipelines(where, iid, head, sha, errors)
        authors = self._commits(where, iid, errors) if sha != head or len(commit.get("parent_ids") or []) > 1 else None
        item: dict[str, Any] = {
            "id": sha,
            "repository": context["repository"],
            "branch": self.branch,
            "author": {"name": commit.get("author_name"), "email": commit.get("author_email")},
            "committer": {"name": commit.get("committer_name"), "email": commit.get("committer_email")},
            "authored_at": _instant(commit.get("authored_date")) or _instant(mr.get("merged_at")),
            "committed_at": _instant(commit.get("committed_date")) or _instant(mr.get("merged_at")),
            "parents": list(commit.get("parent_ids") or []),
            "is_merge": len(commit.get("parent_ids") or []) > 1,
            "message_summary": (commit.get("title") or commit.get("message") or "").split("\n", 1)[0],
            "signature": self._signature(sha, errors),
            "approvals": approvals,
            "reviewed": bool(approvals),
            "tests_passed": tests_passed,
            "pull_request": f"!{iid}",
            "identity": {"author_person": _person(commit.get("author_email")),
                         "committer_person": _person(commit.get("committer_email"))},
            "attributes": {
                "head_sha": head,
                "merged_at": _instant(mr.get("merged_at")),
                "merged_by": (mr.get("merge_user") or mr.get("merged_by") or {}).get("username"),
                "merge_request_author": (mr.get("author") or {}).get("username"),
                "squash": bool(mr.get("squash")),
                "approvals": reviews,
                "approval_rules": self._approval_state(where, iid, errors),
                "pipelines": pipelines,
                "jobs": jobs,
                **{k: context[k] for k in ("approval_settings", "branch_protection", "pipeline_must_succeed")},
            },
        }
        if authors is not None:
            item["merged_commits"] = authors
        return item

    def _email(self, user: dict[str, Any], errors: list[CollectionFailure]) -> str:
        """The approver's public (or primary) address from ``/users/:id``, else GitLab's noreply form. A
        profile that is not found (private) gives the noreply form; any other failure is a collection error,
        since the address may be what shows an approver to be the author."""
        ident = user.get("id")
        if ident not in self._users:
            try:
                self._users[ident] = self.client.get(f"/users/{ident}") if ident else {}
            except CollectorError as exc:
                if "HTTP 404" not in exc.message:
                    errors.append(CollectionFailure(f"user {user['username']}", exc.message, "users"))
                self._users[ident] = {}
        found = self._users[ident]
        address = normalize(found.get("public_email") or found.get("email"))
        return address or noreply(ident, user["username"], self.host)

    def _signature(self, sha: str, errors: list[CollectionFailure]) -> dict[str, Any]:
        try:
            data = self.client.get(f"{self._base}/repository/commits/{sha}/signature")
        except CollectorError as exc:
            if "HTTP 404" in exc.message:  # GitLab answers 404 for an unsigned commit
                return {"present": False, "verified": False, "key_id": None, "signer": None}
            errors.append(CollectionFailure(f"signature of {sha[:12]}", exc.message, "signature"))
            return {"present": False, "verified": None, "key_id": None, "signer": None}
        status = data.get("verification_status")
        return {"present": True, "verified": True if status == "verified" else None if status is None else False,
                "key_id": data.get("gpg_key_primary_keyid") or data.get("key_fingerprint_sha256") or None,
                "signer": data.get("gpg_key_user_email") or None}

    def _approval_state(self, where: str, iid: int, errors: list[CollectionFailure]) -> list[dict[str, Any]] | None:
        try:
            state = self.client.get(f"{where}/approval_state")
        except CollectorError as exc:
            if "HTTP 404" not in exc.message:  # a tier without approval rules answers 404
                errors.append(CollectionFailure(f"approval rules of !{iid}", exc.message, "approvals"))
            return None
        return sorted(({"name": r.get("name"), "rule_type": r.get("rule_type"),
                        "approvals_required": r.get("approvals_required"), "approved": r.get("approved"),
                        "approved_by": sorted(str(u["username"]) for u in r.get("approved_by") or []
                                              if isinstance(u, dict) and u.get("username"))}
                       for r in state.get("rules") or [] if isinstance(r, dict)),
                      key=lambda r: (str(r["name"]), str(r["rule_type"])))

    def _pipelines(self, where: str, iid: int, head: str | None, sha: str, errors: list[CollectionFailure]
                   ) -> tuple[list[dict[str, Any]], bool | None, list[dict[str, Any]]]:
        try:
            found = self.client.pages(f"{where}/pipelines")
        except CollectorError as exc:
            errors.append(CollectionFailure(f"pipelines of !{iid}", exc.message, "pipelines"))
            return [], None, []
        pipelines = sorted(({"id": p.get("id"), "sha": p.get("sha"), "ref": p.get("ref"), "status": p.get("status"),
                             "source": p.get("source")} for p in found if isinstance(p, dict)),
                           key=lambda p: p["id"] or 0)
        final = [p for p in pipelines if p["sha"] in {head, sha}]
        if not final:
            return pipelines, None, []
        latest = final[-1]
        try:
            jobs = [{"name": j.get("name"), "stage": j.get("stage"), "status": j.get("status"),
                     "allow_failure": bool(j.get("allow_failure"))}
                    for j in self.client.pages(f"{self._base}/pipelines/{latest['id']}/jobs")]
        except CollectorError as exc:
            errors.append(CollectionFailure(f"jobs of pipeline {latest['id']}", exc.message, "pipelines"))
            jobs = []
        return pipelines, PIPELINE_RESULT.get(str(latest["status"])), sorted(
            jobs, key=lambda j: (str(j["stage"]), str(j["name"])))

    def _commits(self, where: str, iid: int, errors: list[CollectionFailure]) -> list[dict[str, Any]]:
        try:
            commits = self.client.pages(f"{where}/commits")
        except CollectorError as exc:
            errors.append(CollectionFailure(f"commits of !{iid}", exc.message, "commits"))
            return []
        return sorted(({"id": c["id"], "author": {"name": c.get("author_name"), "email": c.get("author_email")},
                        "person": _person(c.get("author_email"))} for c in commits if c.get("id")),
                      key=lambda c: c["id"])


def _merged_sha(mr: dict[str, Any]) -> str | None:
    """The commit the merge put on the target branch: merge commit, squash commit, else (fast-forward) the head."""
    return mr.get("merge_commit_sha") or mr.get("squash_commit_sha") or mr.get("sha")


def _levels(levels: Any) -> set[str]:
    return {str(level.get("access_level_description") or level.get("access_level"))
            for level in levels or [] if isinstance(level, dict)}


def _person(email: str | None) -> str | None:
    return NO_DIRECTORY.key(email=email) if normalize(email) else None
