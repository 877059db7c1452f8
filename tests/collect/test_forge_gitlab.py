"""`auditor collect gitlab` against recorded REST API v4 responses served on loopback (X-Next-Page and Link
pagination, a 429 rate limit with RateLimit-Reset, a 403 that stays), then SOD-001/SEC-004/SOD-008 judging them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.collect.base import Clock, CollectorError, parse_instant
from auditor.collect.forge import ForgeClient, retry_policy
from auditor.collect.gitlab import GitLabCollector
from tests.conftest import FIXTURES
from tests.forge_double import ForgeDouble

RECORDED = json.loads((FIXTURES / "collect" / "gitlab" / "acme-app.json").read_text())["routes"]
TOKEN = "glpat-" + "Lo0p" * 5  # built at run time: no token-shaped literal in the repository
CLOCK = Clock(parse_instant("2026-11-20T09:00:00Z"))
H = {c: c * 40 for c in "0123456789abcdef"}


def double(routes: dict[str, Any] | None = None, **kwargs: Any) -> ForgeDouble:
    return ForgeDouble(routes or RECORDED, prefix="/api/v4", aliases={"/projects/acme%2Fapp": "/projects/42"},
                       paging={"/projects/42/merge_requests": "x-next-page"}, **kwargs)


@pytest.fixture
def forge() -> Iterator[ForgeDouble]:
    # GitLab's throttle: 429 with RateLimit-* headers (no Retry-After here: the reset instant decides)
    limit = {"/projects/42/merge_requests/1/approvals": (429, {"RateLimit-Remaining": "0", "RateLimit-Reset": "0",
                                                               "RateLimit-Limit": "600"})}
    with double(limit_once=limit) as server:
        yield server


def collector(forge: ForgeDouble, project: str = "42", **kwargs: Any) -> GitLabCollector:
    client = ForgeClient(f"{forge.url}/api/v4", TOKEN, auth_header="PRIVATE-TOKEN", auth_prefix="",
                         retries=retry_policy(total=3, backoff=0.01))
    return GitLabCollector(project, "main", api=f"{forge.url}/api/v4", client=client, clock=CLOCK, **kwargs)


def collected(forge: ForgeDouble, tmp_path: Path, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    (path,) = collector(forge, **kwargs).write(tmp_path / "ev")
    document = json.loads(path.read_text())
    return document, {item["pull_request"]: item for item in document["items"]}


def test_merged_merge_requests_become_changes_with_approvals_on_the_final_head(forge: ForgeDouble,
                                                                               tmp_path: Path) -> None:
    document, by_mr = collected(forge, tmp_path)
    assert document["kind"] == "changes" and document["source"] == "gitlab:acme/app"
    assert document["collector"] == {"name": "gitlab", "version": "1.0.0"} and document["errors"] == []
    assert sorted(by_mr) == ["!1", "!2", "!4", "!5"]  # !4 came from page 2 (X-Next-Page)
    one = by_mr["!1"]
    assert one["id"] == H["1"] and one["parents"] == [H["0"], H["a"]] and one["is_merge"] is True
    # bob has no public address: GitLab's noreply form with his username as login
    assert one["approvals"] == [{"name": "Bob Brown", "email": "22-bob@users.noreply.127.0.0.1", "login": "bob",
                                 "source": "gitlab", "at": "2026-11-19T09:30:00Z"}]
    assert one["reviewed"] is True and one["tests_passed"] is True
    assert one["authored_at"] == "2026-11-19T10:00:00Z"
    assert one["signature"] == {"present": False, "verified": False, "key_id": None, "signer": None}  # 404: unsigned
    # the merge commit is the merger's; the code is alice's, recorded as the commit it brought in
    assert one["merged_commits"] == [{"id": H["a"], "author": {"name": "Alice Adams", "email": "alice@acme.example"},
                                      "person": "email:alice@acme.example"}]
    attrs = one["attributes"]
    assert attrs["merged_by"] == "carol" and attrs["merge_request_author"] == "alice"
    assert attrs["approval_rules"] == [{"name": "All Members", "rule_type": "any_approver", "approvals_required": 1,
                                        "approved": True, "approved_by": ["bob"]}]
    # the failed pipeline 100 ran on an older head: the latest on the final head decides; allow_failure kept
    assert [p["id"] for p in attrs["pipelines"]] == [100, 101]
    assert attrs["jobs"] == [{"name": "lint", "stage": "test", "status": "failed", "allow_failure": True},
                             {"name": "test", "stage": "test", "status": "success", "allow_failure": False}]
    assert attrs["branch_protection"] == {
        "protected": True, "push_access_levels": ["Maintainers"], "merge_access_levels": ["Developers + Maintainers"],
        "allow_force_push": False, "code_owner_approval_required": False,
        "approval_rules": [{"name": "All Members", "rule_type": "any_approver", "approvals_required": 1}]}
    assert attrs["approval_settings"]["reset_approvals_on_push"] is False and attrs["pipeline_must_succeed"] is True


def test_an_approval_before_a_later_push_does_not_count_and_a_failed_pipeline_fails(forge: ForgeDouble,
                                                                                   tmp_path: Path) -> None:
    _, by_mr = collected(forge, tmp_path)
    two = by_mr["!2"]
    assert two["approvals"] == [] and two["reviewed"] is False and two["tests_passed"] is False
    (review,) = two["attributes"]["approvals"]
    assert review == {"login": "bob", "at": "2026-11-19T08:30:00Z", "commit": "b1" + "b" * 38, "on_head": False,
                      "counted": False, "why": "given before a later push"}
    assert two["signature"] == {"present": True, "verified": True, "key_id": "8254AAB3FBD54AC9",
                                "signer": "carol@acme.example"}


def test_squash_fast_forward_no_pipeline_and_no_approval_time(forge: ForgeDouble, tmp_path: Path) -> None:
    _, by_mr = collected(forge, tmp_path)
    four = by_mr["!4"]  # squash commit: its id, the merge request's commits brought in; approved by its author
    assert four["id"] == H["4"] and four["is_merge"] is False and [m["id"] for m in four["merged_commits"]] == [H["d"]]
    assert four["approvals"] == [{"name": "Alice Adams", "email": "alice@acme.example", "login": "alice",
                                  "source": "gitlab", "at": "2026-11-18T11:00:00Z"}]
    assert four["tests_passed"] is None  # no pipeline at all: unknown, never a pass
    five = by_mr["!5"]  # fast-forward: the head itself is on the branch
    assert five["id"] == H["e"] and "merged_commits" not in five
    assert five["tests_passed"] is None  # still running when merged: not concluded
    assert five["approvals"] == [] and five["attributes"]["approvals"][0]["counted"] is False


def test_without_approval_times_the_api_state_counts_when_the_project_resets_approvals_on_push(
        tmp_path: Path) -> None:
    routes = {**RECORDED, "/projects/42/approvals": {**RECORDED["/projects/42/approvals"],
                                                     "reset_approvals_on_push": True}}
    with double(routes) as server:
        _, by_mr = collected(server, tmp_path)
    five = by_mr["!5"]
    assert five["approvals"] == [{"name": "Dave Dune", "email": "44-dave@users.noreply.127.0.0.1", "login": "dave",
                                  "source": "gitlab", "at": None}]
    assert five["attributes"]["approvals"][0]["why"].startswith("held after the last push")


def test_pagination_the_rate_limit_wait_and_the_token_header(forge: ForgeDouble, tmp_path: Path) -> None:
    collected(forge, tmp_path)
    paths = forge.paths()
    assert "/api/v4/projects/42/merge_requests?state=merged&target_branch=main&order_by=updated_at&sort=desc" \
           "&per_page=100&page=2" in paths  # X-Next-Page, the query kept
    assert "/api/v4/projects/42/pipelines/101/jobs?page=2&per_page=100" in paths  # Link rel=next
    assert paths.count("/api/v4/projects/42/merge_requests/1/approvals") == 2  # the 429, then the retry
    assert {h.get("private-token") for _, h in forge.requests} == {TOKEN}
    assert not any("authorization" in h or "job-token" in h for _, h in forge.requests)
    written = b"".join(p.read_bytes() for p in (tmp_path / "ev").iterdir())
    assert TOKEN.encode() not in written


def test_a_project_path_is_encoded_and_the_output_is_valid_changes_evidence(tmp_path: Path) -> None:
    from auditor.evidence import load_evidence

    with double() as server:
        collected(server, tmp_path, project="acme/app")
        assert all(p.startswith(("/api/v4/projects/acme%2Fapp", "/api/v4/users/")) for p in server.paths())
    assert [d.kind for d in load_evidence(tmp_path / "ev").documents] == ["changes"]


def test_a_rate_limit_that_stays_is_a_clear_error_without_the_token() -> None:
    with double(status={"/projects/42/merge_requests": 403}) as server, pytest.raises(CollectorError) as caught:
        collector(server).collect()
    assert "merge_requests: HTTP 403" in caught.value.message and TOKEN not in caught.value.message
    assert "?" not in caught.value.message  # no query string in messages


def test_forbidden_settings_and_pipelines_are_collection_errors_not_silence(tmp_path: Path) -> None:
    with double(status={"/projects/42/protected_branches/main": 403, "/projects/42/merge_requests/1/pipelines": 403}
                ) as server:
        document, by_mr = collected(server, tmp_path)
    scopes = sorted(e["scope"] for e in document["errors"])
    assert scopes == ["pipelines of !1", "protected branch main"]
    assert by_mr["!1"]["tests_passed"] is None and by_mr["!1"]["attributes"]["branch_protection"] is None


def test_an_approvers_profile_that_cannot_be_read_is_a_collection_error(tmp_path: Path) -> None:
    # a private profile (404) is GitLab's noreply form; any other failure may hide who approved: recorded
    with double(status={"/users/22": 403}) as server:
        document, by_mr = collected(server, tmp_path)
    assert [e["scope"] for e in document["errors"]] == ["user bob"]
    assert by_mr["!1"]["approvals"][0]["email"] == "22-bob@users.noreply.127.0.0.1"


def test_cli_token_from_gitlab_token_else_the_job_token_never_in_output(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.cli import cli

    monkeypatch.delenv("GITLAB_TOKEN", raising=False)
    monkeypatch.setenv("CI_JOB_TOKEN", TOKEN)
    monkeypatch.setenv("CI_PROJECT_ID", "42")
    with double() as server:
        monkeypatch.setenv("CI_API_V4_URL", f"{server.url}/api/v4")
        result = CliRunner().invoke(cli, ["collect", "gitlab", "--out", str(tmp_path / "ev"),
                                          "--collected-at", "2026-11-20T09:00:00Z"])
        assert result.exit_code == 0, result.output
        assert {h.get("job-token") for _, h in server.requests} == {TOKEN}
        assert not any("private-token" in h for _, h in server.requests)
    assert TOKEN not in result.output and "using the job token" in result.output
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN[::-1])
    with double() as server:
        monkeypatch.setenv("CI_API_V4_URL", f"{server.url}/api/v4")
        result = CliRunner().invoke(cli, ["collect", "gitlab", "--out", str(tmp_path / "ev2"),
                                          "--collected-at", "2026-11-20T09:00:00Z"])
        assert result.exit_code == 0, result.output
        assert {h.get("private-token") for _, h in server.requests} == {TOKEN[::-1]}


def test_sod_and_sec_controls_judge_collected_merge_requests(tmp_path: Path) -> None:
    """SOD-001, SEC-004 and SOD-008 on the collected merge requests, with an identity directory that knows
    bob's GitLab login (his approval carries only a noreply address) and alice's address."""
    from auditor.content import bundled
    from auditor.controls import load_library
    from auditor.engine import create
    from auditor.evaluate import evaluate
    from auditor.evidence import load_evidence
    from auditor.policies import load_policies

    with double() as server:
        collected(server, tmp_path)
    people = [_identity("p-alice", "alice", "alice@acme.example"), _identity("p-bob", "bob", "bob@acme.example")]
    _document(tmp_path / "ev" / "identities.json", "identities", people)
    # d1 ships !1 (bob approved alice's code, tested); d4 ships !4 (alice approved herself, no pipeline)
    deploys = [_deployment("d1", H["1"], "2026-11-19T10:10:00Z"), _deployment("d4", H["4"], "2026-11-18T12:10:00Z")]
    _document(tmp_path / "ev" / "deployments.json", "deployments", deploys)
    library = load_library(bundled("controls")).select(["SOD-001", "SEC-004", "SOD-008"])
    result = evaluate(library, load_policies(bundled("policies")), load_evidence(tmp_path / "ev"), create("regorus"))
    by_id = {r.control.id: r for r in result.results}
    failing = {cid: sorted({v.resource for v in r.violations}) for cid, r in by_id.items()}
    # SOD-008 judges every change: !2's approval was stale, !4 self-approved, !5's approval has no time
    assert failing["SOD-008"] == sorted([H["2"], H["4"], H["e"]])
    assert failing["SOD-001"] == ["d4"] and failing["SEC-004"] == ["d4"]
    assert any("approved only by its author alice@acme.example" in v.message for v in by_id["SOD-001"].violations)
    assert by_id["SOD-001"].population is not None and by_id["SOD-001"].population.in_scope == 2


def _identity(person: str, username: str, email: str) -> dict[str, Any]:
    return {"id": f"okta:{username}", "person": person, "display_name": username, "username": username,
            "emails": [email], "type": "human", "system": "okta", "console_access": True, "mfa_enabled": True,
            "access_keys": [], "roles": [], "created_at": "2025-01-01T00:00:00Z", "disabled": False}


def _document(path: Path, kind: str, items: list[dict[str, Any]]) -> None:
    path.write_text(json.dumps({"kind": kind, "source": "test", "collected_at": "2026-11-20T08:00:00Z",
                                "collector": {"name": "test", "version": "1"}, "errors": [], "items": items}))


def _deployment(ident: str, commit: str, at: str) -> dict[str, Any]:
    return {"id": ident, "environment": "production", "service": "app", "commit": commit, "ref": "main",
            "actor": {"name": "Deploy Bot", "email": "deploy@acme.example", "login": None}, "approver": None,
            "started_at": at, "finished_at": None, "status": "success",
            "pipeline": {"platform": "gitlab", "run_id": "9", "url": None}, "source": "ci"}
