from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from tests.collect.gitrepo import GitRepo, sample_repo
from tests.conftest import FIXTURES

FILES = FIXTURES / "collect" / "files"


@pytest.fixture
def git_repo(tmp_path: Path) -> GitRepo:
    return sample_repo(tmp_path)


def test_collect_git_cli_is_reproducible_with_a_pinned_clock(
    cli: Callable[..., object], git_repo: GitRepo, tmp_path: Path
) -> None:
    for out in ("a", "b"):
        result = cli("collect", "git", "--repo", git_repo.path, "--out", tmp_path / out,
                     "--collected-at", "2026-11-20T09:00:00Z", "--no-progress")
        assert result.code == 0, result.err  # type: ignore[attr-defined]
    assert "git-changes.json: changes: 5 items" in result.err  # type: ignore[attr-defined]
    for name in ("git-changes.json", "git-deployments.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_source_date_epoch_pins_collected_at(
    cli: Callable[..., object], git_repo: GitRepo, tmp_path: Path, monkeypatch: object
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1763629200")  # type: ignore[attr-defined]
    cli("collect", "git", "--repo", git_repo.path, "--out", tmp_path)
    doc = orjson.loads((tmp_path / "git-changes.json").read_bytes())
    assert doc["collected_at"] == "2025-11-20T09:00:00Z"


def test_collect_file_rejects_bad_rows_with_exit_2(cli: Callable[..., object], tmp_path: Path) -> None:
    result = cli("collect", "file", "--kind", "access_reviews", FILES / "access-review-bad.csv", "--out", tmp_path)
    assert result.code == 2  # type: ignore[attr-defined]
    assert "access-review-bad.csv:3: reviewer:" in result.err  # type: ignore[attr-defined]
    assert "Traceback" not in result.err  # type: ignore[attr-defined]
    assert list(tmp_path.iterdir()) == []
    ok = cli("collect", "file", "--kind", "access_reviews", FILES / "access-review.csv", "--out", tmp_path)
    assert ok.code == 0 and (tmp_path / "file-access_reviews-access-review.json").is_file()  # type: ignore[attr-defined]


def test_collect_deployment_from_env(cli: Callable[..., object], tmp_path: Path, monkeypatch: object) -> None:
    for name, value in {"GITHUB_ACTIONS": "true", "GITHUB_SHA": "a" * 40, "GITHUB_REPOSITORY": "acme/api",
                        "GITHUB_RUN_ID": "1", "GITHUB_ACTOR": "alice"}.items():
        monkeypatch.setenv(name, value)  # type: ignore[attr-defined]
    monkeypatch.delenv("GITLAB_CI", raising=False)  # type: ignore[attr-defined]
    result = cli("collect", "deployment", "--from-env", "--environment", "production", "--status", "success",
                 "--out", tmp_path)
    assert result.code == 0, result.err  # type: ignore[attr-defined]
    (item,) = orjson.loads((tmp_path / "deployment-github.json").read_bytes())["items"]
    assert item["environment"] == "production" and item["status"] == "success"
    bad = cli("collect", "deployment", "--out", tmp_path)
    assert bad.code == 2 and "exactly one of --from-env or --from" in bad.err  # type: ignore[attr-defined]


def test_collect_list(cli: Callable[..., object]) -> None:
    result = cli("collect", "list")
    assert result.code == 0  # type: ignore[attr-defined]
    kinds = "identities, access_grants, access_policies, data_stores, encryption_keys, audit_trails, cloud_accounts"
    assert f"aws 0.1.0: {kinds}" in result.out  # type: ignore[attr-defined]


def test_run_collect_git_evaluates_real_history_with_the_evidence(
    cli: Callable[..., object], git_repo: GitRepo, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = cli("run", "--evidence", FIXTURES / "evidence" / "basic", "--controls",
                 FIXTURES / "library" / "controls", "--policies", FIXTURES / "library" / "policies",
                 "--schemas", FIXTURES / "schemas", "--mappings", FIXTURES / "mappings-empty",
                 "--collect", "git", "--repo", git_repo.path, "--out-dir", out)
    assert result.code in (0, 1), result.err  # type: ignore[attr-defined]
    assert (out / "evidence" / "gadgets.json").is_file()
    assert (out / "evidence" / "collected" / "git-changes.json").is_file()
    results = orjson.loads((out / "results.json").read_bytes())
    paths = {d["path"] for d in results["evidence"]["documents"]} if isinstance(results["evidence"], dict) else {
        d["path"] for d in results["evidence"]}
    assert "collected/git-changes.json" in paths and "gadgets.json" in paths
