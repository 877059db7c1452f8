"""`auditor collect github` against recorded REST responses served on loopback (pagination, a 403 rate limit)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from click.testing import CliRunner

from auditor.collect.base import Clock, CollectorError, parse_instant
from auditor.collect.github import ForgeClient, GitHubCollector, retry_policy
from tests.conftest import FIXTURES

ROUTES = json.loads((FIXTURES / "collect" / "github" / "acme-app.json").read_text())["routes"]
TOKEN = "ghs_" + "Lo0p" * 9  # built at run time: no token-shaped literal in the repository
CLOCK = Clock(parse_instant("2026-11-20T09:00:00Z"))


class Forge:
    """A loopback GitHub: recorded answers by path, Link pagination for pulls, one 403 rate limit."""

    def __init__(self, rate_limit_once: str | None = None, status: dict[str, int] | None = None) -> None:
        self.requests: list[tuple[str, str | None]] = []
        self.rate_limit_once = rate_limit_once
        self.status = status or {}
        forge = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def do_GET(self) -> None:
                url = urlparse(self.path)
                forge.requests.append((self.path, self.headers.get("Authorization")))
                if url.path == forge.rate_limit_once:
                    forge.rate_limit_once = None
                    self._send(403, {"message": "API rate limit exceeded for installation ID 1."},
                               {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "0"})
                    return
                if url.path in forge.status:
                    self._send(forge.status[url.path], {"message": "Not Found"})
                    return
                key = url.path
                headers = {}
                if url.path == "/repos/acme/app/pulls":
                    page = int(parse_qs(url.query).get("page", ["1"])[0])
                    key = f"{url.path}?page={page}"
                    if page == 1:
                        headers["Link"] = (f'<http://127.0.0.1:{forge.port}/repos/acme/app/pulls?page=2&per_page=100>; '
                                           'rel="next", <http://127.0.0.1:{forge.port}/repos/acme/app/pulls?page=2>; '
                                           'rel="last"')
                if key not in ROUTES:
                    self._send(404, {"message": "Not Found"})
                    return
                self._send(200, ROUTES[key], headers)

            def _send(self, code: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Forge:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def forge() -> Iterator[Forge]:
    with Forge(rate_limit_once="/repos/acme/app/pulls/1/reviews") as server:
        yield server


def collector(forge: Forge, **kwargs: Any) -> GitHubCollector:
    client = ForgeClient(forge.url, TOKEN, retries=retry_policy(total=3, backoff=0.01))
    return GitHubCollector("acme/app", "main", client=client, clock=CLOCK, **kwargs)


def items(forge: Forge, tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    (path,) = collector(forge).write(tmp_path / "ev")
    document = json.loads(path.read_text())
    return document, {item["pull_request"]: item for item in document["items"]}


def test_merged_pull_requests_become_changes_with_approvals_on_the_head_commit(forge: Forge, tmp_path: Path) -> None:
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


def test_stale_and_dismissed_reviews_do_not_approve(forge: Forge, tmp_path: Path) -> None:
    _, by_pr = items(forge, tmp_path)
    two = by_pr["#2"]
    assert two["approvals"] == [] and two["reviewed"] is False
    reviews = {r["login"]: r for r in two["attributes"]["reviews"]}
    assert reviews["bob"]["on_head"] is False and reviews["bob"]["state"] == "APPROVED"  # approved an older commit
    assert reviews["dave"]["dismissed"] is True
    assert two["signature"]["verified"] is False


def test_a_failed_required_check_is_tests_passed_false(forge: Forge, tmp_path: Path) -> None:
    _, by_pr = items(forge, tmp_path)
    four = by_pr["#4"]
    assert four["tests_passed"] is False
    assert four["attributes"]["checks"] == [{"name": "ci/legacy", "result": "pending"},
                                            {"name": "test", "result": "failure"}]


def test_pagination_and_the_rate_limit_retry_and_the_token(forge: Forge, tmp_path: Path) -> None:
    items(forge, tmp_path)
    paths = [p for p, _ in forge.requests]
    assert any("page=2" in p for p in paths)
    assert paths.count("/repos/acme/app/pulls/1/reviews?per_page=100") == 2  # the 403, then the retry
    assert {auth for _, auth in forge.requests} == {f"Bearer {TOKEN}"}
    written = (tmp_path / "ev").read_bytes() if (tmp_path / "ev").is_file() else b"".join(
        p.read_bytes() for p in (tmp_path / "ev").iterdir())
    assert TOKEN.encode() not in written


def test_the_output_is_valid_changes_evidence(forge: Forge, tmp_path: Path) -> None:
    from auditor.evidence import load_evidence

    items(forge, tmp_path)
    evidence = load_evidence(tmp_path / "ev")
    assert [d.kind for d in evidence.documents] == ["changes"]


def test_rate_limit_exhausted_is_a_clear_error_without_the_token(tmp_path: Path) -> None:
    with Forge() as server:
        server.status["/repos/acme/app/pulls"] = 403
        with pytest.raises(CollectorError) as caught:
            collector(server).collect()
    assert "HTTP 403" in caught.value.message and TOKEN not in caught.value.message


def test_no_required_checks_and_no_checks_is_unknown_not_a_pass() -> None:
    from auditor.collect.github import _Checks

    assert _Checks((), {}).passed() is None
    assert _Checks((), {"build": "success"}).passed() is True
    assert _Checks(("test",), {"build": "success"}).passed() is False  # the required check never ran


def test_cli_reads_the_token_from_the_environment_only(forge: Forge, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.cli import cli

    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    result = CliRunner().invoke(cli, ["collect", "github", "--repository", "acme/app", "--api", forge.url,
                                      "--out", str(tmp_path / "ev"), "--collected-at", "2026-11-20T09:00:00Z"])
    assert result.exit_code == 0, result.output
    assert TOKEN not in result.output
    assert {auth for _, auth in forge.requests} == {f"Bearer {TOKEN}"}
