from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path
from typing import Any

import git
import pytest

from auditor.files import sha256_file
from auditor.pack import keys
from auditor.pack import locker as locker_module
from auditor.pack.locker import history, record_run, verify_locker
from auditor.pack.s3 import StorageError
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
    # uncommitted, the change is not part of the record: verify reads the commits and notes the difference
    report = verify_locker(locker)
    assert report.valid, report.problems
    assert report.notes == [f"{runs[1]['dir']}/pack.zip: differs from the committed run (ignored; verify reads "
                            "the committed runs, the next run resets it)"]
    _commit_all(locker, "alter r2")
    problems = verify_locker(locker).problems
    assert any(p.startswith("run r2: altered: member results.json was altered") for p in problems), problems
    results = locker / runs[0]["dir"] / "results.json"
    results.write_bytes(results.read_bytes().replace(b'"fail"', b'"pass"'))
    _commit_all(locker, "alter r1")
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


def _fresh_clone_report(remote: Path, where: Path) -> tuple[list[str], list[str]]:
    """Run ids in commit order and the problems `locker verify` finds, on a fresh clone of ``remote``."""
    git.Repo.clone_from(remote, where)
    report = verify_locker(where)
    return [row["run_id"] for row in report.runs], report.problems


def test_push_race_between_clones_rebuilds_the_pack(tmp_path: Path) -> None:
    """Clone B pushes after A read the chain head and built its pack: A must re-sign against B's pack."""
    remote = tmp_path / "remote.git"
    git.Repo.init(remote, bare=True)
    a, b = tmp_path / "a", tmp_path / "b"
    git.Repo.clone_from(remote, a)
    git.Repo.clone_from(remote, b)
    _record(a, tmp_path, "r1", "2026-11-21T10:00:00Z")
    git.Repo(b).git.pull()
    evidence = copy_evidence(tmp_path)
    results = make_results(evidence, tmp_path / "r3.json", run_id="r3", finished_at="2026-11-23T10:00:00Z")
    previous_seen: list[str | None] = []
    racing: dict[str, str] = {}

    def build(previous: str | None) -> Any:
        previous_seen.append(previous)
        if not racing:  # B records its run between A's chain-head read and A's push
            racing.update(_record(b, tmp_path, "r2", "2026-11-22T10:00:00Z"))
        return pack(results, evidence, tmp_path / "out" / "r3.zip", tmp_path / "key", previous_pack_sha256=previous)

    built, commit = record_run(a, results, build)
    r1 = sha256_file(a / "runs/2026-11-21/r1/pack.zip")
    assert previous_seen == [r1, racing["sha256"]]  # built twice: the second time after B's pack
    assert built.previous_pack_sha256 == racing["sha256"]
    assert git.Repo(remote).head.commit.hexsha == commit
    # the pack in the out dir is the one in the locker
    assert sha256_file(tmp_path / "out" / "r3.zip") == built.sha256 == sha256_file(a / "runs/2026-11-23/r3/pack.zip")
    assert statement(a / "runs/2026-11-23/r3/pack.zip")["predicate"]["previous_pack_sha256"] == racing["sha256"]
    order, problems = _fresh_clone_report(remote, tmp_path / "check")
    assert order == ["r1", "r2", "r3"]
    assert problems == []


def test_push_race_on_an_empty_remote(tmp_path: Path) -> None:
    """Both clones start from an empty remote; B's first commit lands first, A's must follow it."""
    remote = tmp_path / "remote.git"
    git.Repo.init(remote, bare=True)
    a, b = tmp_path / "a", tmp_path / "b"
    git.Repo.clone_from(remote, a)
    git.Repo.clone_from(remote, b)
    evidence = copy_evidence(tmp_path)
    results = make_results(evidence, tmp_path / "a1.json", run_id="a1", finished_at="2026-11-22T10:00:00Z")
    racing: dict[str, str] = {}
    previous_seen: list[str | None] = []

    def build(previous: str | None) -> Any:
        previous_seen.append(previous)
        if not racing:
            racing.update(_record(b, tmp_path, "b1", "2026-11-21T10:00:00Z"))
        return pack(results, evidence, tmp_path / "a1.zip", tmp_path / "key", previous_pack_sha256=previous)

    record_run(a, results, build)
    assert previous_seen == [None, racing["sha256"]]
    assert len(list(git.Repo(a).iter_commits())) == 2  # A's rejected first commit was not kept
    order, problems = _fresh_clone_report(remote, tmp_path / "check")
    assert order == ["b1", "a1"]
    assert problems == []


def test_clone_of_an_empty_remote_follows_runs_pushed_since(tmp_path: Path) -> None:
    """A clone made while the remote was empty must fetch before its first run, not start a new chain."""
    remote = tmp_path / "remote.git"
    git.Repo.init(remote, bare=True)
    a, b = tmp_path / "a", tmp_path / "b"
    git.Repo.clone_from(remote, a)
    git.Repo.clone_from(remote, b)
    first = _record(b, tmp_path, "b1", "2026-11-21T10:00:00Z")
    _record(a, tmp_path, "a1", "2026-11-22T10:00:00Z")
    assert statement(a / "runs/2026-11-22/a1/pack.zip")["predicate"]["previous_pack_sha256"] == first["sha256"]
    order, problems = _fresh_clone_report(remote, tmp_path / "check")
    assert order == ["b1", "a1"] and problems == []


def test_push_that_keeps_failing_is_a_storage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    remote = tmp_path / "remote.git"
    git.Repo.init(remote, bare=True)
    locker = tmp_path / "locker"
    git.Repo.clone_from(remote, locker)
    before = _record(locker, tmp_path, "p1", "2026-11-21T10:00:00Z")
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'locker is read-only' >&2\nexit 1\n")
    hook.chmod(0o755)
    monkeypatch.setattr(locker_module, "PUSH_ATTEMPTS", 3)
    monkeypatch.setattr(locker_module, "BACKOFF_SECONDS", 0.01)
    calls: list[str | None] = []
    evidence = copy_evidence(tmp_path)
    results = make_results(evidence, tmp_path / "p2.json", run_id="p2", finished_at="2026-11-22T10:00:00Z")

    def build(previous: str | None) -> Any:
        calls.append(previous)
        return pack(results, evidence, tmp_path / "p2.zip", tmp_path / "key", previous_pack_sha256=previous)

    with pytest.raises(StorageError, match=r"push to origin failed 3 times.*locker is read-only.*p2 is not"):
        record_run(locker, results, build)
    assert calls == [before["sha256"]] * 3
    # the clone is left as it was: no unpushed commit that a later run would rebase out of chain order
    repo = git.Repo(locker)
    assert repo.head.commit.hexsha == before["commit"] == git.Repo(remote).head.commit.hexsha
    assert not (locker / "runs/2026-11-22/p2").exists()
    assert not repo.is_dirty(untracked_files=True)
    hook.unlink()
    _record(locker, tmp_path, "p3", "2026-11-23T10:00:00Z")
    assert verify_locker(locker).valid


def test_unreachable_remote_is_a_storage_error(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git.Repo.init(remote, bare=True)
    locker = tmp_path / "locker"
    git.Repo.clone_from(remote, locker)
    shutil.rmtree(remote)
    with pytest.raises(StorageError, match="fetch from origin failed"):
        _record(locker, tmp_path, "u1", "2026-11-21T10:00:00Z")


def _clone_worker(locker: str, tmp: str, prefix: str) -> None:
    for n in range(2):
        run_id = f"{prefix}{n}"
        _record(Path(locker), Path(tmp), run_id, f"2026-11-25T10:{prefix[-1]}{n}:00Z")


def test_concurrent_runs_across_clones_keep_one_chain(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git.Repo.init(remote, bare=True)
    clones = [tmp_path / "a", tmp_path / "b"]
    for clone in clones:
        git.Repo.clone_from(remote, clone)
    keys.generate(tmp_path / "key")
    copy_evidence(tmp_path)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_clone_worker, args=(str(clones[i % 2]), str(tmp_path), f"w{i}"))
               for i in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(180)
        assert worker.exitcode == 0
    assert len(list(git.Repo(remote).iter_commits())) == 8
    order, problems = _fresh_clone_report(remote, tmp_path / "check")
    assert sorted(order) == sorted(f"w{i}{n}" for i in range(4) for n in range(2))
    assert problems == []


def test_a_damaged_committed_results_file_is_exit_2_naming_the_run_and_field(
        three: tuple[Path, list[dict[str, str]]]) -> None:
    """The board's history reads each committed run's results.json checked and typed: a damaged one stops
    it (exit 2) naming the run's folder and the field, rather than being skipped or counted leniently;
    `locker verify` lists the same problem."""
    from auditor.errors import InputError
    from auditor.report.history import load_history

    locker, runs = three
    results = locker / runs[1]["dir"] / "results.json"
    results.write_bytes(results.read_bytes().replace(b'"status": "fail"', b'"status": "skipped"', 1))
    _commit_all(locker, "damage r2")
    with pytest.raises(InputError, match=rf"^{locker}/{runs[1]['dir']}: results\.json: controls\[\d+\]\.status: "
                                         r"found 'skipped', expected 'pass' or "):
        load_history(locker)
    problems = verify_locker(locker).problems
    assert any(p.startswith(f"{runs[1]['dir']}: results.json: controls[") and "found 'skipped'" in p
               for p in problems), problems
