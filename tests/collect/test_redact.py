from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from auditor.collect.base import Clock, Collector, load_collectors, parse_instant
from auditor.collect.redact import REDACTED, looks_sensitive, mask_key_id, redact_text, scrub
from tests.conftest import FIXTURES

CLOCK = Clock(parse_instant("2026-11-20T09:00:00Z"))

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_mask_key_id_keeps_the_last_four() -> None:
    assert mask_key_id("AKIAIOSFODNN7EXAMPLE") == "****MPLE"
    assert mask_key_id("abc") == "****"
    assert mask_key_id(None) is None


def test_scrub_drops_secret_fields_and_replaces_secret_shapes() -> None:
    value = {
        "password": "hunter2", "client_secret": "s3cr3t", "session_token": "tok", "password_enabled": True,
        "password_last_used": "2026-01-01", "notes": [f"key AKIAIOSFODNN7EXAMPLE secret {SECRET}"],
        "url": "https://deploy:pa55w0rd@git.example.com/x.git", "pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n",
        "auth": "Bearer abcdefghijklmnopqrstuvwxyz012345", "sha": "0123456789abcdef0123456789abcdef01234567",
        "slack": "xoxb-123456789012-abcdefghij",
    }
    out = scrub(value)
    assert "password" not in out and "client_secret" not in out and "session_token" not in out
    assert out["password_enabled"] is True and out["password_last_used"] == "2026-01-01"
    assert out["notes"] == ["key ****MPLE secret [REDACTED]"]
    assert out["url"] == "https://deploy:[REDACTED]@git.example.com/x.git"
    assert "MIIE" not in out["pem"] and out["auth"] == "[REDACTED]" and out["slack"] == "[REDACTED]"
    assert out["sha"] == value["sha"]  # commit SHAs are not secrets


def test_clean_values_skip_the_walk() -> None:
    clean = {"id": "0123456789abcdef0123456789abcdef01234567", "name": "Alice", "tokens_used": 3}
    assert not looks_sensitive(clean)
    assert scrub(clean) is clean
    assert redact_text("nothing here") == "nothing here"


def test_secret_fields_in_camel_case_or_with_non_string_values_are_dropped() -> None:
    value = {"apiToken": "tok123", "dbPassword": "hunter2", "clientSecret": "s3", "AWSSecretAccessKey": SECRET,
             "accessToken": "t", "password": 1234, "token": ["abc"], "credentials": {"user": "u", "key": "k"},
             "password_enabled": True, "password_last_used": "2026-01-01", "tokens_used": 3, "pin": None}
    out = scrub(value)
    assert out == {"password_enabled": True, "password_last_used": "2026-01-01", "tokens_used": 3, "pin": None}


def test_secret_shapes_next_to_equals_signs_and_in_odd_urls_are_replaced() -> None:
    assert redact_text(f"AWS_SECRET_ACCESS_KEY={SECRET}") == f"AWS_SECRET_ACCESS_KEY={REDACTED}"
    assert looks_sensitive({"m": f"export AWS_SECRET_ACCESS_KEY={SECRET}"})
    assert redact_text("HTTPS://ci:s3cr3tpass@ci.example.com/x") == f"HTTPS://ci:{REDACTED}@ci.example.com/x"
    assert looks_sensitive({"u": "https://:hunter2@host/x"})
    assert redact_text("https://:hunter2@host/x") == f"https://:{REDACTED}@host/x"
    assert "ss@host" not in redact_text("clone https://user:p@ss@host/x now")
    assert "host/x now" in redact_text("clone https://user:p@ss@host/x now")


def test_gitlab_token_families_are_replaced() -> None:
    # CI_JOB_TOKEN (glcbt-), deploy, runner, trigger, feed and OAuth tokens, not only personal ones
    for prefix in ("glpat-", "glcbt-64_", "gldt-", "glrt-", "glptt-", "glft-", "gloas-", "glsoat-"):
        token = prefix + "a1B2c3D4e5F6g7H8i9J0k1L2"
        assert looks_sensitive({"m": f"x {token} y"}), prefix
        assert redact_text(f"x {token} y") == f"x {REDACTED} y", prefix


# -- free text: assignments, headers and CI variables ------------------------------------------------

# Built at run time so that no token-shaped literal sits in the repository.
GITHUB_TOKEN = "ghs_" + "Zq7R" * 9
GITLAB_TOKEN = "glpat-" + "xY9k" * 5
SLACK_TOKEN = "xoxb-" + "2048" * 3 + "-" + "aQ3z" * 4
JWT = "eyJhbGciOiJIUzI1NiJ9." + "eyJzdWIiOiJkZXBsb3kifQ" + ".c2lnbmF0dXJlLXBhcnQtb2YtdGhlLWp3dA"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7yTn\n-----END RSA PRIVATE KEY-----"


@pytest.mark.parametrize(("text", "secret"), [
    ("deploy with password=Hunter2Secret", "Hunter2Secret"),
    ("DB_PASSWORD='s3cr3t!' then restart", "s3cr3t!"),
    ("token: 7f3a9c1e55aa01", "7f3a9c1e55aa01"),
    ("set api_key=abcd1234efgh", "abcd1234efgh"),
    ("client_secret = \"Zm9vYmFyYmF6\"", "Zm9vYmFyYmF6"),
    ("X-Api-Key: live_6d1f2e9b8c7a", "live_6d1f2e9b8c7a"),
    ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
    ("curl -H 'Authorization: Bearer " + "q" * 24 + "'", "q" * 24),
    (f"GITHUB_TOKEN={GITHUB_TOKEN} in the workflow", GITHUB_TOKEN),
    (f"pushed with {GITLAB_TOKEN} today", GITLAB_TOKEN),
    (f"notify {SLACK_TOKEN}", SLACK_TOKEN),
    (f"session {JWT}", JWT.rsplit(".", 1)[1]),
    (f"key:\n{PEM}\n", "MIIEowIBAAKCAQEA7yTn"),
    ("clone https://deploy:pa55w0rd@git.example.com/x.git", "pa55w0rd"),
    ("Fix login; secret=letmein42 was committed", "letmein42"),
    ("PASSPHRASE=\"correct horse battery\" ./sign.sh", "correct horse battery"),
])
def test_free_text_secrets_are_redacted(text: str, secret: str) -> None:
    assert looks_sensitive({"m": text}), text
    out = redact_text(text)
    assert secret not in out and REDACTED in out, out


@pytest.mark.parametrize("text", [
    "password_enabled: true", "tokens_used=3", "token: expired", "rotate the password: see the runbook",
    "authorization: required",
    "commit 0123456789abcdef0123456789abcdef01234567", "sha256:" + "9f" * 32,
    "id 123e4567-e89b-12d3-a456-426614174000", "arn:aws:iam::123456789012:user/alice",
    "key ****MPLE", "password=[REDACTED]", "password=${DB_PASSWORD}", "token: null", "secret=<from-vault>",
    "Merge pull request #42 from acme/fix-token-refresh",
])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact_text(text) == text


# -- every collector, planted secrets ----------------------------------------------------------------

PLANTED_PASSWORD = "Tr0ub4dor-and-3"
PLANTED = (GITHUB_TOKEN, GITLAB_TOKEN, SLACK_TOKEN, PLANTED_PASSWORD, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
           "pa55w0rdInUrl", "MIIEowIBAAKCAQEA7yTn", "AKIAIOSFODNN7EXAMPLE")


def _plant_git(tmp_path: Path) -> Collector:
    from auditor.collect.git import GitCollector
    from tests.collect.gitrepo import init_repo

    repo = init_repo(tmp_path / "repo")
    repo.git("remote", "add", "origin", "https://ci:pa55w0rdInUrl@git.example.com/acme/app.git")
    repo.commit("one", message=f"Deploy with password={PLANTED_PASSWORD} and {GITHUB_TOKEN}\n\n"
                               f"api_key: {GITLAB_TOKEN}\nReviewed-by: Bob <bob@example.com>")
    repo.commit("two", author=f"Alice {SLACK_TOKEN} <alice@example.com>",
                message="Rotate AKIAIOSFODNN7EXAMPLE secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    repo.git("tag", "-a", "v1.0.0", "-m", "release", env={
        "GIT_COMMITTER_NAME": f"Rel {GITLAB_TOKEN}", "GIT_COMMITTER_EMAIL": "rel@example.com",
        "GIT_COMMITTER_DATE": "2026-02-01T10:00:00Z"})
    return GitCollector(repo.path, clock=CLOCK)


def _plant_deployment(tmp_path: Path) -> Collector:
    from auditor.collect.deployment import DeploymentCollector

    env = {
        "GITHUB_ACTIONS": "true", "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
        "GITHUB_REPOSITORY": "acme/app", "GITHUB_RUN_ID": "77", "GITHUB_ACTOR": "alice",
        "GITHUB_SERVER_URL": "https://ci:pa55w0rdInUrl@github.example.com",
        "GITHUB_WORKFLOW": f"deploy GITHUB_TOKEN={GITHUB_TOKEN}", "GITHUB_EVENT_NAME": f"push token: {GITLAB_TOKEN}",
        "GITHUB_REF_NAME": f"release/password={PLANTED_PASSWORD}", "GITHUB_TRIGGERING_ACTOR": SLACK_TOKEN,
    }
    return DeploymentCollector(from_env=True, environment="production", status="success", env=env, clock=CLOCK)


def _plant_deployment_log(tmp_path: Path) -> Collector:
    import orjson

    from auditor.collect.deployment import DeploymentCollector

    log = tmp_path / "deploys.jsonl"
    log.write_bytes(orjson.dumps({
        "id": "d1", "commit": "0123456789abcdef0123456789abcdef01234567", "started_at": "2026-01-02T10:00:00Z",
        "environment": "production", "url": "https://ci:pa55w0rdInUrl@ci.example.com/run/1",
        "attributes": {"ticket": f"CHG-1 password: {PLANTED_PASSWORD}", "log": f"{PEM}", "note": GITHUB_TOKEN,
                       "aws": "AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
    }) + b"\n")
    return DeploymentCollector(log=log, clock=CLOCK)


def _plant_file(tmp_path: Path) -> Collector:
    from auditor.collect.files import FileCollector

    export = tmp_path / "reviews.csv"
    export.write_text(
        "id,scope,reviewer,completed_at,privileged,findings_open,ticket\n"
        f"r1,prod-db,alice@example.com,2026-01-05T00:00:00Z,true,0,CHG-7 token: {GITLAB_TOKEN} pw={SLACK_TOKEN}\n"
        f"r2,prod-db,bob@example.com,2026-01-05T00:00:00Z,false,0,https://u:pa55w0rdInUrl@tickets.example.com/"
        f" password={PLANTED_PASSWORD}\n"
    )
    return FileCollector("access_reviews", export, clock=CLOCK)


def _plant_aws(tmp_path: Path) -> Collector:
    import boto3

    from auditor.collect.aws import AwsCollector

    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="alice", Tags=[{"Key": "email", "Value": "alice@example.com"},
                                            {"Key": "note", "Value": f"password={PLANTED_PASSWORD}"},
                                            {"Key": "ticket", "Value": f"CHG-3 {GITHUB_TOKEN}"}])
    iam.create_role(RoleName="deployer", AssumeRolePolicyDocument="{}",
                    Tags=[{"Key": "setup", "Value": f"token: {GITLAB_TOKEN} {SLACK_TOKEN}"}])
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="acme-logs")
    s3.put_bucket_tagging(Bucket="acme-logs", Tagging={"TagSet": [
        {"Key": "owner", "Value": "https://ops:pa55w0rdInUrl@wiki.example.com/ AKIAIOSFODNN7EXAMPLE"}]})
    return AwsCollector(regions=("us-east-1",), clock=CLOCK)


class _PrometheusApi:
    """Answers the two Prometheus API calls the collector makes (the real server is exercised in
    test_prometheus.py); here only what the collector copies from its URL matters."""

    class _Response:
        status_code = 200

        def __init__(self, body: dict[str, object]) -> None:
            self.body = body

        def json(self) -> dict[str, object]:
            return self.body

    def get(self, url: str, params: dict[str, str], timeout: float) -> _Response:
        del timeout
        if url.endswith("/api/v1/query_range"):
            start = int(params["start"])
            series = [{"metric": {}, "values": [[start, "0"], [start + 60, "100"]]}]
            return self._Response({"status": "success", "data": {"resultType": "matrix", "result": series}})
        return self._Response({"status": "success", "data": {"resultType": "vector", "result": []}})


def _plant_prometheus(tmp_path: Path) -> Collector:
    from auditor.collect.prometheus import PrometheusClient, PrometheusCollector

    url = "http://auditor:pa55w0rdInUrl@prometheus.example:9090"  # basic-auth credentials in the URL
    return PrometheusCollector(url, FIXTURES / "collect" / "prometheus" / "slos.yaml", at="2026-11-20T00:00:00Z",
                               client=PrometheusClient(url, session=_PrometheusApi()), clock=CLOCK)


class _PlantedGitHub:
    """Answers the GitHub collector's calls with planted secrets in every free-text field it copies."""

    def get(self, path: str, params: dict[str, object] | None = None) -> object:
        del params
        if path.endswith("/protection"):
            return {"required_status_checks": {"contexts": [f"test password={PLANTED_PASSWORD}"]}}
        if path.endswith("/check-runs"):
            return {"check_runs": [{"name": f"build {GITHUB_TOKEN}", "conclusion": "success"}]}
        if path.endswith("/status"):
            return {"statuses": [{"context": f"ci {SLACK_TOKEN}", "state": "success"}]}
        return {"sha": "1" * 40, "parents": [{"sha": "0" * 40}],
                "commit": {"author": {"name": f"Eve {GITLAB_TOKEN}", "email": "eve@example.com",
                                      "date": "2026-11-19T10:00:00Z"},
                           "committer": {"name": "GitHub", "email": "noreply@github.com", "date": "2026-11-19T10:00:00Z"},
                           "message": f"Deploy with password={PLANTED_PASSWORD} and {GITHUB_TOKEN}", "verification": {}}}

    def pages(self, path: str, params: dict[str, object] | None = None, limit: int | None = None) -> list[object]:
        del params, limit
        if path.endswith("/reviews"):
            return [{"id": 1, "user": {"login": "bob", "id": 2}, "state": "APPROVED", "commit_id": "a" * 40,
                     "submitted_at": "2026-11-19T09:00:00Z"}]
        return [{"number": 1, "merged_at": "2026-11-19T10:00:00Z", "merge_commit_sha": "1" * 40,
                 "head": {"sha": "a" * 40}, "user": {"login": f"x {SLACK_TOKEN}"}, "merged_by": {"login": "carol"}}]


def _plant_github(tmp_path: Path) -> Collector:
    from auditor.collect.github import GitHubCollector

    return GitHubCollector("acme/app", "main", client=_PlantedGitHub(), clock=CLOCK)  # type: ignore[arg-type]


class _PlantedGitLab:
    """The recorded GitLab answers with secrets in every free-text field the collector copies."""

    def __init__(self) -> None:
        import json

        routes = json.loads((FIXTURES / "collect" / "gitlab" / "acme-app.json").read_text())["routes"]
        commit = routes["/projects/42/repository/commits/" + "1" * 40]
        commit.update(title=f"Deploy with password={PLANTED_PASSWORD}", author_name=f"Eve {GITLAB_TOKEN}")
        routes["/projects/42/pipelines/101/jobs?page=1"][0]["name"] = f"test {SLACK_TOKEN}"
        routes["/projects/42/merge_requests/1/approval_state"]["rules"][0]["name"] = f"rule {GITHUB_TOKEN}"
        routes["/projects/42/merge_requests?page=1"][1]["author"]["username"] = f"x {SLACK_TOKEN}"
        self.routes = routes

    def get(self, path: str, params: dict[str, object] | None = None) -> object:
        del params
        if path not in self.routes:
            from auditor.collect.base import CollectorError

            raise CollectorError(f"{path}: HTTP 404: 404 Not Found")
        return self.routes[path]

    def pages(self, path: str, params: dict[str, object] | None = None, limit: int | None = None) -> list[object]:
        del params, limit
        if f"{path}?page=1" not in self.routes:
            return list(self.get(path))  # type: ignore[call-overload]
        found: list[object] = []
        page = 1
        while f"{path}?page={page}" in self.routes:
            found.extend(self.routes[f"{path}?page={page}"])
            page += 1
        return found


def _plant_gitlab(tmp_path: Path) -> Collector:
    from auditor.collect.gitlab import GitLabCollector

    return GitLabCollector("42", "main", client=_PlantedGitLab(), clock=CLOCK)  # type: ignore[arg-type]


PLANTERS = {"github": [_plant_github], "gitlab": [_plant_gitlab], "git": [_plant_git], "deployment": [_plant_deployment, _plant_deployment_log], "file": [_plant_file],
            "aws": [_plant_aws], "prometheus": [_plant_prometheus]}


def test_every_registered_collector_has_planted_secrets() -> None:
    assert sorted(PLANTERS) == sorted(load_collectors().names())


@pytest.mark.parametrize("plant", [p for planters in PLANTERS.values() for p in planters], ids=lambda p: p.__name__)
def test_no_planted_secret_survives_any_collector(
    plant: Callable[[Path], Collector], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Secrets planted in every free-text field a collector copies (commit subjects, author and tagger
    names, remote URLs, CI variables, deploy-log attributes, ticket columns, AWS tags) never reach its
    output, and the output passes the evidence loader's secret scan."""
    import moto

    from auditor.evidence import load_evidence

    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    out = tmp_path / "out"
    with moto.mock_aws():
        paths = plant(tmp_path).write(out)
    written = b"".join(p.read_bytes() for p in paths)
    assert REDACTED.encode() in written  # the planted fields were collected, and redacted
    for secret in PLANTED:
        assert secret.encode() not in written, secret
    load_evidence(out)  # collector output is never refused by the loader's scan
