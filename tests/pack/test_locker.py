from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import git
import pytest

from auditor.pack import keys
from auditor.pack.locker import history, record_run, verify_locker
from auditor.pack.signers import Verifier
from tests.pack.helpers import copy_evidence, make_results, pack, rewrite, statement


def _record(locker: Path, tmp: Path, run_id: str, finished_at: str) -> dict[str, str]:
    evidence = copy_evidence(tmp)
    results = make_results(evidence, tmp / f"{run_id}.json", run_id=run_id, finished_at=finished_at)
    built, commit = record_run(
        locker, results,
        lambda previous: pack(results, evidence, tmp / f"{run_id}.zip", tmp / "key", previous_pack_sha256=previous),
    )
    return {"sha256": built.sha256, "commit": commit, "dir": f"runs/{finished_at[:10]}/{run_id}"}


@pytest.fixture
def three(tmp_path: Path) -> tuple[Path, list[dict[str, str]]]:
    locker = tmp_path / "locker"
    runs = [_record(locker, tmp_path, f"r{i}", f"2026-11-{20 + i}T10:00:00Z") for i in range(1, 4)]
    return locker, runs


def test_runs_chain_and_history(three: tuple[Path, list[dict[str, str]]], tmp_path: Path) -> None:
    locker, runs = three
    repo = git.Repo(locker)
    messages = [c.message for c in repo.iter_commits()]
    assert messages[0].startswith("run r3: 2 fail, 1 pass") and runs[2]["sha256"] in messages[0]
    assert len(messages) == 3
    for layout in ("results.json", "pack.zip", "pack.sha256"):
        assert (locker / runs[0]["dir"] / layout).is_file()
    assert statement(locker / runs[0]["dir"] / "pack.zip")["predicate"]["previous_pack_sha256"] is None
    assert statement(locker / runs[2]["dir"] / "pack.zip")["predicate"]["previous_pack_sha256"] == runs[1]["sha256"]
    rows = history(locker)
    assert [r["run_id"] for r in rows] == ["r1", "r2", "r3"]
    assert rows[0]["counts"] == {"fail": 2, "pass": 1} and rows[0]["pack_sha256"] == runs[0]["sha256"]
    report = verify_locker(locker, Verifier.from_pem_file(tmp_path / "key" / keys.PUBLIC_NAME))
    assert report.valid, report.problems


def _commit_all(locker: Path, message: str) -> None:
    repo = git.Repo(locker)
    repo.git.add("-A")
    repo.index.commit(message)


def test_deleted_run_is_reported(three: tuple[Path, list[dict[str, str]]]) -> None:
    locker, runs = three
    shutil.rmtree(locker / runs[1]["dir"])
    _commit_all(locker, "tidy up")
    problems = verify_locker(locker).problems
    assert any(p.startswith("run r3: a run is missing before it (deleted)") for p in problems), problems
    assert f"{runs[1]['dir']}/pack.zip: deleted from the locker in a later commit" in problems


def test_reordered_runs_are_reported(three: tuple[Path, list[dict[str, str]]], tmp_path: Path) -> None:
    locker, runs = three
    second, third = locker / runs[1]["dir"], locker / runs[2]["dir"]
    shutil.move(second, tmp_path / "swap")
    shutil.move(third, second)
    shutil.move(tmp_path / "swap", third)
    _commit_all(locker, "swap")
    problems = verify_locker(locker).problems
    assert any(p.startswith("run r3: reordered: its pack follows run r2") for p in problems), problems


def test_altered_run_is_reported(three: tuple[Path, list[dict[str, str]]], tmp_path: Path) -> None:
    locker, runs = three
    target = locker / runs[1]["dir"] / "pack.zip"
    rewrite(target, tmp_path / "t.zip", {"results.json": b"{}"})
    shutil.copyfile(tmp_path / "t.zip", target)
    problems = verify_locker(locker).problems
    assert any(p.startswith("run r2: altered: member results.json was altered") for p in problems), problems
    results = locker / runs[0]["dir"] / "results.json"
    results.write_bytes(results.read_bytes().replace(b'"fail"', b'"pass"'))
    problems = verify_locker(locker).problems
    assert "run r1: altered: results.json differs from the one in its signed pack" in problems


def _worker(locker: str, tmp: str, run_id: str) -> None:
    _record(Path(locker), Path(tmp), run_id, f"2026-11-25T10:00:{run_id[-2:]}Z")


def test_concurrent_runs_lose_no_commit(tmp_path: Path) -> None:
    locker = tmp_path / "locker"
    git.Repo.init(locker)
    pack_key = tmp_path / "key"
    keys.generate(pack_key)
    copy_evidence(tmp_path)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_worker, args=(str(locker), str(tmp_path), f"c{i:02d}")) for i in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    assert len(list(git.Repo(locker).iter_commits())) == 6
    assert len(history(locker)) == 6
    report = verify_locker(locker)
    assert report.valid, report.problems  # one unbroken chain in commit order


def test_pushes_to_a_configured_remote(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git.Repo.init(remote, bare=True)
    locker = tmp_path / "locker"
    git.Repo.clone_from(remote, locker)
    run = _record(locker, tmp_path, "p1", "2026-11-21T10:00:00Z")
    assert git.Repo(remote).head.commit.hexsha == run["commit"]
    # a second clone records a run too; the first locker then rebases onto it before pushing
    other = tmp_path / "other"
    git.Repo.clone_from(remote, other)
    _record(other, tmp_path, "p2", "2026-11-22T10:00:00Z")
    run3 = _record(locker, tmp_path, "p3", "2026-11-23T10:00:00Z")
    assert len(list(git.Repo(remote).iter_commits())) == 3
    assert statement(locker / run3["dir"] / "pack.zip")["predicate"]["previous_pack_sha256"] is not None
    assert verify_locker(locker).valid
