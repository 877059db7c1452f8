"""`auditor collect github` against recorded REST responses served on loopback (tests/forge_double.py:
pagination, a 403 rate limit)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.collect.base import Clock, CollectorError, parse_instant
from auditor.collect.forge import ForgeClient, retry_policy
from auditor.collect.github import HEADERS, GitHubCollector
from tests.conftest import FIXTURES
from tests.forge_double import ForgeDouble

ROUTES = json.loads((FIXTURES / "collect" / "github" / "acme-app.json").read_text())["routes"]
TOKEN = "ghs_" + "Lo0p" * 9  # built at run time: no token-shaped literal in the repository
CLOCK = Clock(parse_instant("2026-11-20T09:00:00Z"))


def github(rate_limit_once: str | None = None) -> ForgeDouble:
    """A loopback GitHub: the recorded answers, Link pagination for pulls, one 403 rate limit."""
    limit = {rate_limit_once: (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "0"})} if rate_limit_once \
        else {}
    return ForgeDouble(ROUTES, limit_once=limit)


@pytest.fixture
def forge() -> Iterator[ForgeDouble]:
    with github(rate_limit_once="/repos/acme/app/pulls/1/reviews") as server:
        yield server


def collector(forge: ForgeDouble, **kwargs: Any) -> GitHubCollector:
    client = ForgeClient(forge.url, TOKEN, headers=HEADERS, retries=retry_policy(total=3, backoff=0.01))
    return GitHubCollector("acme/app", "main", client=client, clock=CLOCK, **kwargs)


def items(forge: ForgeDouble, tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    (path,) = collector(forge).write(tmp_path / "ev")
    document = json.loads(path.read_text())
    return document, {item["pull_request"]: item for item in document["items"]}


def test_merged_pull_requests_become_changes_with_approvals_on_the_head_commit(forge: ForgeDouble, tmp_path: Path) -> None:
    document, by_pr = items(forge, tmp_path)
    assert document["kind"] == "changes" and document["source"] == "github:acme/app"
    assert sorted(by_pr) == ["#1", "#2", "#4"]  # #3 was closed without merging; #4 came from page 2
    one = by_pr["#1"]
    assert one["id"] == "1" * 40 and one["parents"] == ["0" * 40]
    assert one["approvals"] == [{"name": None, "email": "22+bob@users.noreply.github.com", "login": "bob",
                                 "source": "github", "at": "2026-11-19T09:30:00Z"}]
    assert one["reviewed"] is True and one["tests_passed"] is True
    assert one["identity"]["author_person"] == "email:alice@acme.example"
    assert one["signature"] == {"present": True, "verified": True, "key_id": None, "signer": None}
    assert one["attributes"]["branch_protection"]["required_status_checks"] == ["test"]
    assert one["attributes"]["branch_protection"]["dismiss_stale_reviews"] is True


def test_stale_and_dismissed_reviews_do_not_approve(forge: ForgeDouble, tmp_path: Path) -> None:
    _, by_pr = items(forge, tmp_path)
    two = by_pr["#2"]
    assert two["approvals"] == [] and two["reviewed"] is False
    reviews = {r["login"]: r for r in two["attributes"]["reviews"]}
    assert reviews["bob"]["on_head"] is False and reviews["bob"]["state"] == "APPROVED"  # approved an older commit
    assert reviews["dave"]["dismissed"] is True
    assert two["signature"]["verified"] is False


def test_a_failed_required_check_is_tests_passed_false(forge: ForgeDouble, tmp_path: Path) -> None:
    _, by_pr = items(forge, tmp_path)
    four = by_pr["#4"]
    assert four["tests_passed"] is False
    assert four["attributes"]["checks"] == [{"name": "ci/legacy", "result": "pending"},
                                            {"name": "test", "result": "failure"}]


def test_pagination_and_the_rate_limit_retry_and_the_token(forge: ForgeDouble, tmp_path: Path) -> None:
    items(forge, tmp_path)
    paths = forge.paths()
    assert any("page=2" in p for p in paths)
    assert paths.count("/repos/acme/app/pulls/1/reviews?per_page=100") == 2  # the 403, then the retry
    assert {h.get("authorization") for _, h in forge.requests} == {f"Bearer {TOKEN}"}
    written = (tmp_path / "ev").read_bytes() if (tmp_path / "ev").is_file() else b"".join(
        p.read_bytes() for p in (tmp_path / "ev").iterdir())
    assert TOKEN.encode() not in written


def test_the_output_is_valid_changes_evidence(forge: ForgeDouble, tmp_path: Path) -> None:
    from auditor.evidence import load_evidence

    items(forge, tmp_path)
    evidence = load_evidence(tmp_path / "ev")
    assert [d.kind for d in evidence.documents] == ["changes"]


def test_rate_limit_exhausted_is_a_clear_error_without_the_token(tmp_path: Path) -> None:
    with github() as server:
        server.status["/repos/acme/app/pulls"] = 403
        with pytest.raises(CollectorError) as caught:
            collector(server).collect()
    assert "HTTP 403" in caught.value.message and TOKEN not in caught.value.message


def test_no_required_checks_and_no_checks_is_unknown_not_a_pass() -> None:
    from auditor.collect.github import _Checks

    assert _Checks((), {}).passed() is None
    assert _Checks((), {"build": "success"}).passed() is True
    assert _Checks(("test",), {"build": "success"}).passed() is False  # the required check never ran


def test_cli_reads_the_token_from_the_environment_only(forge: ForgeDouble, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.cli import cli

    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    result = CliRunner().invoke(cli, ["collect", "github", "--repository", "acme/app", "--api", forge.url,
                                      "--out", str(tmp_path / "ev"), "--collected-at", "2026-11-20T09:00:00Z"])
    assert result.exit_code == 0, result.output
    assert TOKEN not in result.output
    assert {h.get("authorization") for _, h in forge.requests} == {f"Bearer {TOKEN}"}
