"""``auditor collect github``: pull request reviews, required checks and branch protection from the REST API.

For every pull request merged into ``--branch`` (newest first, up to ``--limit``), one ``changes`` item
for its merge commit: the commit (author, committer, parents, signature as GitHub verified it), the
approvals that count (``APPROVED`` reviews, not dismissed, submitted on the pull request's final head
commit; with ``at`` and the reviewer's canonical person key), ``reviewed``, and ``tests_passed``: every
required status check of the branch protection concluded ``success`` on the merged head commit (with no
required checks: every check run on it succeeded, and there was at least one; no check at all is
``null``, unknown, never a pass). ``attributes`` keeps every review (who, when, on which commit,
dismissed or not), the check results and the protection settings.

Usage::

    GITHUB_TOKEN=... auditor collect github --repository acme/app --branch main --out evidence/

The token comes from ``--token-env`` (default ``GITHUB_TOKEN``, the Actions job token); it is sent in
the ``Authorization`` header only and never written, logged or put in a message. Pages follow the
``Link: rel="next"`` header; rate limits are respected by the shared forge client
(:mod:`auditor.collect.forge`: ``Retry-After``, and for a 403/429 with ``X-RateLimit-Remaining: 0`` the
wait until ``X-RateLimit-Reset``), with backoff.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from auditor.collect.base import COLLECTORS, Clock, Collector, CollectorError, Document, Option, Progress
from auditor.collect.forge import ForgeClient
from auditor.identity import EMPTY as NO_DIRECTORY
from auditor.identity import normalize
from auditor.model import CollectionFailure

API = "https://api.github.com"
HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


def github_client(api: str, token: str | None) -> ForgeClient:
    """A client for GitHub's REST API (``Authorization: Bearer``)."""
    return ForgeClient(api, token, headers=HEADERS)


def noreply(login: str, user_id: Any) -> str:
    """GitHub's noreply address for an account: what an approval records when GitHub gives no email."""
    return f"{user_id}+{login}@users.noreply.github.com" if user_id else f"{login}@users.noreply.github.com"


@dataclass(frozen=True)
class _Checks:
    required: tuple[str, ...]
    results: dict[str, str]  # check name -> conclusion (or status when not completed)

    def passed(self) -> bool | None:
        if self.required:
            return all(self.results.get(name) == "success" for name in self.required)
        if not self.results:
            return None
        return all(v in ("success", "neutral", "skipped") for v in self.results.values())


@COLLECTORS.register("github")
class GitHubCollector(Collector):
    """Merged pull requests of one GitHub repository as ``changes`` evidence (reviews, checks, protection).

    Example::

        GITHUB_TOKEN=... auditor collect github --repository acme/app --branch main --out ev/
    """

    version: ClassVar[str] = "1.0.0"
    kinds: ClassVar[tuple[str, ...]] = ("changes",)
    permissions: ClassVar[tuple[str, ...]] = (
        "a token with read access to pull requests, contents and checks (the Actions GITHUB_TOKEN with "
        "permissions: {pull-requests: read, contents: read, checks: read}); branch protection needs "
        "administration: read, else it is recorded as a collection error",
    )
    help: ClassVar[str] = ("Merged pull requests (reviews, approvals, required checks, branch protection) as "
                           "changes evidence.")
    options: ClassVar[tuple[Option, ...]] = (
        Option("repository", "owner/name (default: $GITHUB_REPOSITORY, set in GitHub Actions).", required=True,
               envvar="GITHUB_REPOSITORY"),
        Option("branch", "Base branch whose merged pull requests are read.", default="main"),
        Option("token", "Environment variable holding the token (never a command-line value: it would show in "
               "logs).", secret=True, default="GITHUB_TOKEN",
               unset="calling the API without a token (public repositories only, 60 requests an hour)"),
        Option("api", "REST API root (GitHub Enterprise: https://HOST/api/v3; $GITHUB_API_URL in Actions).",
               default=API, envvar="GITHUB_API_URL"),
        Option("limit", "Most recently updated closed pull requests read.", type="int", default=200, minimum=1,
               maximum=10_000),
    )

    def __init__(self, repository: str, branch: str = "main", *, token: str | None = None, api: str = API,
                 limit: int = 200, client: ForgeClient | None = None, clock: Clock | None = None,
                 progress: Progress | None = None) -> None:
        super().__init__(clock, progress)
        if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repository):
            raise CollectorError(f"--repository: found {repository!r}, expected owner/name")
        self.repository = repository
        self.branch = branch
        self.limit = limit
        self.client = client or github_client(api, token)

    def collect(self) -> list[Document]:
        repo = f"/repos/{self.repository}"
        errors: list[CollectionFailure] = []
        protection, required = self._protection(repo, errors)
        pulls = self.client.pages(f"{repo}/pulls", {"state": "closed", "base": self.branch, "sort": "updated",
                                                    "direction": "desc"}, limit=self.limit)
        items = []
        with self.progress.task(f"github {self.repository} pull requests", len(pulls)) as advance:
            for pull in pulls:
                if pull.get("merged_at") and pull.get("merge_commit_sha"):
                    items.append(self._change(repo, pull, required, protection, errors))
                advance(1)
        return [Document("changes", f"github:{self.repository}", items, errors)]

    def _protection(self, repo: str, errors: list[CollectionFailure]) -> tuple[dict[str, Any] | None, tuple[str, ...]]:
        try:
            data = self.client.get(f"{repo}/branches/{self.branch}/protection")
        except CollectorError as exc:
            if "HTTP 404" in exc.message:
                return {"protected": False}, ()
            errors.append(CollectionFailure(f"branch protection of {self.branch}", exc.message, "protection"))
            return None, ()
        checks = data.get("required_status_checks") or {}
        names = [c.get("context") for c in checks.get("checks") or []] or list(checks.get("contexts") or [])
        reviews = data.get("required_pull_request_reviews") or {}
        required = sorted(n for n in names if isinstance(n, str))
        settings: dict[str, Any] = {
            "protected": True,
            "required_status_checks": required,
            "strict": bool(checks.get("strict", False)),
            "required_approving_review_count": reviews.get("required_approving_review_count"),
            "dismiss_stale_reviews": reviews.get("dismiss_stale_reviews"),
            "require_code_owner_reviews": reviews.get("require_code_owner_reviews"),
            "enforce_admins": (data.get("enforce_admins") or {}).get("enabled"),
        }
        return settings, tuple(required)

    def _change(self, repo: str, pull: dict[str, Any], required: tuple[str, ...],
                protection: dict[str, Any] | None, errors: list[CollectionFailure]) -> dict[str, Any]:
        number = pull["number"]
        head = (pull.get("head") or {}).get("sha")
        sha = pull["merge_commit_sha"]
        reviews = self.client.pages(f"{repo}/pulls/{number}/reviews")
        commit = self.client.get(f"{repo}/commits/{sha}")
        checks = self._checks(repo, head or sha, required, errors, number)
        approvals = []
        seen = set()
        for review in sorted(reviews, key=lambda r: (r.get("submitted_at") or "", r.get("id") or 0)):
            user = review.get("user") or {}
            login = user.get("login")
            if (review.get("state") == "APPROVED" and login and review.get("commit_id") == head
                    and login not in seen):
                seen.add(login)
                approvals.append({"name": None, "email": noreply(login, user.get("id")), "login": login,
                                  "source": "github", "at": review.get("submitted_at")})
        detail = commit.get("commit") or {}
        author, committer = detail.get("author") or {}, detail.get("committer") or {}
        verification = detail.get("verification") or {}
        return {
            "id": sha,
            "repository": self.repository,
            "branch": self.branch,
            "author": {"name": author.get("name"), "email": author.get("email")},
            "committer": {"name": committer.get("name"), "email": committer.get("email")},
            "authored_at": author.get("date") or pull["merged_at"],
            "committed_at": committer.get("date") or pull["merged_at"],
            "parents": [p["sha"] for p in commit.get("parents") or []],
            "is_merge": len(commit.get("parents") or []) > 1,
            "message_summary": (detail.get("message") or "").split("\n", 1)[0],
            "signature": {"present": bool(verification.get("signature")),
                          "verified": bool(verification.get("verified")) if verification else None,
                          "key_id": None, "signer": None},
            "approvals": approvals,
            "reviewed": bool(approvals),
            "tests_passed": checks.passed(),
            "pull_request": f"#{number}",
            "identity": {"author_person": _person(author.get("email")),
                         "committer_person": _person(committer.get("email"))},
            "attributes": {
                "head_sha": head,
                "merged_at": pull["merged_at"],
                "merged_by": (pull.get("merged_by") or {}).get("login"),
                "pull_request_author": (pull.get("user") or {}).get("login"),
                "reviews": [{"login": (r.get("user") or {}).get("login"), "state": r.get("state"),
                             "at": r.get("submitted_at"), "commit": r.get("commit_id"),
                             "on_head": r.get("commit_id") == head, "dismissed": r.get("state") == "DISMISSED"}
                            for r in reviews],
                # a list, not a mapping by name: check names are free text, and only values are scrubbed
                "checks": [{"name": n, "result": r} for n, r in sorted(checks.results.items())],
                "required_checks": list(required),
                "branch_protection": protection,
            },
        }

    def _checks(self, repo: str, sha: str, required: tuple[str, ...], errors: list[CollectionFailure],
                number: int) -> _Checks:
        results: dict[str, str] = {}
        try:
            runs = self.client.get(f"{repo}/commits/{sha}/check-runs", {"per_page": 100})
            for run in runs.get("check_runs") or []:
                results[run["name"]] = run.get("conclusion") or run.get("status") or "unknown"
            statuses = self.client.get(f"{repo}/commits/{sha}/status")
            for status in statuses.get("statuses") or []:
                results.setdefault(status["context"], status.get("state") or "unknown")
        except CollectorError as exc:
            errors.append(CollectionFailure(f"checks of #{number}", exc.message, "checks"))
        return _Checks(required, results)


def _person(email: str | None) -> str | None:
    return NO_DIRECTORY.key(email=email) if normalize(email) else None
