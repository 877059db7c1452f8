"""A run killed (SIGKILL) or interrupted (SIGTERM, SIGINT) at any moment leaves a locker that verifies.

Each test drives a real ``auditor pack build --locker`` subprocess. Phases are hit deterministically
with the test-only hook in :mod:`auditor.pack.testhook`; a seeded loop also kills at random delays.
"""

from __future__ import annotations

import random
import signal
import subprocess
from pathlib import Path

import git
import pytest

from auditor.pack.locker import history, record_run, verify_locker
from auditor.pack.testhook import PHASES
from tests.pack.crash import Bench, committed_run_ids, leftovers
from tests.pack.helpers import pack, statement

#: from this phase on the branch has moved: the killed run is committed whole
COMMITTED_FROM = PHASES.index("ref")


def _check(bench: Bench, expected: list[str], context: object) -> None:
    report = verify_locker(bench.locker)
    assert report.valid, (context, report.problems)
    assert not any("reordered" in p for p in report.problems)
    assert committed_run_ids(bench.locker) == expected, context
    assert [row["run_id"] for row in history(bench.locker)] == expected, context


def _chains_onto_head(bench: Bench, results: Path, run_id: str, minute: int) -> None:
    """The next run (in-process) names the last committed run's pack as its previous."""
    head = verify_locker(bench.locker).runs[-1]["pack_sha256"]
    built, _ = record_run(bench.locker, results, lambda previous: pack(
        results, bench.evidence, bench.tmp / "next" / f"{run_id}.zip", bench.key, previous_pack_sha256=previous))
    assert built.previous_pack_sha256 == head
    assert statement(bench.locker / f"runs/2026-11-25/{run_id}/pack.zip")["predicate"]["previous_pack_sha256"] == head


def test_kill_at_every_phase(tmp_path: Path) -> None:
    bench = Bench.create(tmp_path)
    first = bench.run(bench.results("base", 0))
    assert first.returncode == 0, first.stderr
    expected = ["base"]
    for n, phase in enumerate(PHASES):
        killed = f"k{n:02d}"
        proc = bench.run(bench.results(killed, 2 * n + 1), kill_at=phase)
        assert proc.returncode == -signal.SIGKILL, (phase, proc.stderr)
        if n >= COMMITTED_FROM:
            expected.append(killed)
        _check(bench, expected, phase)
        following = f"n{n:02d}"
        _chains_onto_head(bench, bench.results(following, 2 * n + 2), following, 2 * n + 2)
        expected.append(following)
        _check(bench, expected, phase)
        assert not git.Repo(bench.locker).is_dirty(untracked_files=True), phase  # leftovers cleaned


def test_kill_at_every_phase_with_a_remote(tmp_path: Path) -> None:
    """With a remote a run lands when pushed; a commit killed before its push is pushed by the next run."""
    remote = tmp_path / "remote.git"
    git.Repo.init(remote, bare=True)
    bench = Bench.create(tmp_path)
    git.Repo.clone_from(remote, bench.locker)
    assert bench.run(bench.results("base", 0)).returncode == 0
    expected = ["base"]
    for n, phase in enumerate(("built", "commit", "ref", "pushed")):
        killed = f"k{n:02d}"
        proc = bench.run(bench.results(killed, 2 * n + 1), kill_at=phase)
        assert proc.returncode == -signal.SIGKILL, (phase, proc.stderr)
        if phase in ("ref", "pushed"):
            expected.append(killed)
        _check(bench, expected, phase)
        following = f"n{n:02d}"
        assert bench.run(bench.results(following, 2 * n + 2)).returncode == 0
        expected.append(following)
        _check(bench, expected, phase)
        assert committed_run_ids(remote) == expected, phase  # the killed-before-push commit was pushed too


def test_kill_at_random_moments(tmp_path: Path) -> None:
    bench = Bench.create(tmp_path)
    assert bench.run(bench.results("base", 0)).returncode == 0
    rng = random.Random(12)
    expected = ["base"]
    for n in range(10):
        run_id = f"x{n:02d}"
        proc = bench.run_and_signal(bench.results(run_id, n + 1), rng.uniform(0.05, 1.0), signal.SIGKILL)
        assert proc.returncode in (0, -signal.SIGKILL), proc.stderr
        ids = committed_run_ids(bench.locker)
        assert ids[:-1] == expected or ids == expected, (n, ids)
        expected = ids
        _check(bench, expected, n)
    assert bench.run(bench.results("last", 59)).returncode == 0
    _check(bench, [*expected, "last"], "last")
    assert not git.Repo(bench.locker).is_dirty(untracked_files=True)


def test_leftovers_are_not_runs_and_are_cleaned(tmp_path: Path) -> None:
    """Files in the working tree (staged or not, a 0-byte results.json) are ignored, then removed, never committed."""
    bench = Bench.create(tmp_path)
    assert bench.run(bench.results("base", 0)).returncode == 0
    ghost = bench.locker / "runs/2026-11-25/ghost"
    ghost.mkdir(parents=True)
    (ghost / "results.json").write_bytes(b"")
    (ghost / "pack.zip").write_bytes(b"PK")
    staged = bench.locker / "runs/2026-11-25/staged"
    staged.mkdir()
    (staged / "results.json").write_bytes(bench.results("staged", 3).read_bytes())
    git.Repo(bench.locker).index.add(["runs/2026-11-25/staged/results.json"])
    report = verify_locker(bench.locker)
    assert report.valid and [row["run_id"] for row in report.runs] == ["base"], report.problems
    assert len(report.notes) == 3
    assert [row["run_id"] for row in history(bench.locker)] == ["base"]
    proc = bench.run(bench.results("next", 5))
    assert proc.returncode == 0, proc.stderr
    assert not ghost.exists() and not staged.exists()
    _check(bench, ["base", "next"], "after leftovers")
    tree = git.Repo(bench.locker).head.commit.tree
    assert sorted(t.name for t in (tree / "runs/2026-11-25").trees) == ["base", "next"]


@pytest.mark.parametrize(("phase", "name", "code"), [
    ("pack-writing", "TERM", 143), ("pack-writing", "INT", 130),
    ("blobs", "TERM", 143), ("commit", "INT", 130), ("ref", "TERM", 143), ("locked", "TERM", 143),
])
def test_interrupt_at_a_phase_cleans_up(tmp_path: Path, phase: str, name: str, code: int) -> None:
    bench = Bench.create(tmp_path)
    assert bench.run(bench.results("base", 0)).returncode == 0
    before = (bench.out / "pack.zip").read_bytes()
    proc = bench.run(bench.results("sig", 1), kill_at=phase, kill_signal=name)
    assert proc.returncode == code, proc.stderr
    assert ("Terminated." if name == "TERM" else "Interrupted.") in proc.stderr
    assert "Traceback" not in proc.stderr
    assert leftovers(bench.out) == [] and leftovers(bench.locker) == []
    expected = ["base", "sig"] if PHASES.index(phase) >= COMMITTED_FROM else ["base"]
    _check(bench, expected, phase)
    if phase == "pack-writing":
        assert (bench.out / "pack.zip").read_bytes() == before  # the half-written pack never replaced it
    assert bench.run(bench.results("after", 2)).returncode == 0
    _check(bench, [*expected, "after"], phase)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signals_at_random_moments_exit_128_plus_signal(tmp_path: Path, signum: int) -> None:
    bench = Bench.create(tmp_path)
    assert bench.run(bench.results("base", 0)).returncode == 0
    rng = random.Random(int(signum))
    expected = ["base"]
    # delays count from the moment the process handles the signal (see Bench.run_and_signal): a signal
    # before the interpreter has run auditor's first line ends it by default, before anything is opened
    for n in range(5):
        proc: subprocess.CompletedProcess[str] = bench.run_and_signal(
            bench.results(f"s{n}", n + 1), rng.uniform(0.0, 0.5), signum)
        assert proc.returncode in (0, 128 + signum), proc.stderr
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
        assert leftovers(bench.out) == [] and leftovers(bench.locker) == []
        expected = committed_run_ids(bench.locker)
        _check(bench, expected, n)
