"""Real ``auditor pack build --locker`` subprocesses, killed or interrupted on purpose (shared by crash tests)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import git

from auditor.pack import keys
from auditor.pack.testhook import KILL_AT_ENV, KILL_SIGNAL_ENV
from tests.pack.helpers import FIXTURES, copy_evidence, make_results

REPO = FIXTURES.parent.parent


@dataclass
class Bench:
    """Evidence, key, results to pack, and a locker: enough to run ``auditor pack build --locker``."""

    tmp: Path
    evidence: Path
    key: Path
    locker: Path
    out: Path

    @classmethod
    def create(cls, tmp: Path, locker: Path | None = None) -> Bench:
        key = tmp / "key"
        if not (key / keys.PRIVATE_NAME).exists():
            keys.generate(key)
        return cls(tmp, copy_evidence(tmp), key, locker or tmp / "locker", tmp / "out")

    def results(self, run_id: str, minute: int) -> Path:
        return make_results(self.evidence, self.tmp / f"{run_id}.json", run_id=run_id,
                            finished_at=f"2026-11-25T10:{minute:02d}:00Z")

    def command(self, results: Path, out: Path | None = None, locker: Path | None = None) -> list[str]:
        return [sys.executable, "-m", "auditor", "pack", "build", "--results", str(results),
                "--evidence", str(self.evidence), "--out", str(out or self.out / "pack.zip"),
                "--key", str(self.key / keys.PRIVATE_NAME), "--locker", str(locker or self.locker),
                "--controls", str(FIXTURES / "library" / "controls"),
                "--policies", str(FIXTURES / "library" / "policies")]

    def run(self, results: Path, *, kill_at: str | None = None, kill_signal: str = "KILL",
            out: Path | None = None, locker: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in (KILL_AT_ENV, KILL_SIGNAL_ENV)}
        if kill_at:
            env[KILL_AT_ENV], env[KILL_SIGNAL_ENV] = kill_at, kill_signal
        return subprocess.run(self.command(results, out, locker), capture_output=True, text=True, env=env, cwd=REPO,
                              timeout=120, check=False)

    def run_and_signal(self, results: Path, delay: float, signum: int) -> subprocess.CompletedProcess[str]:
        """Start a run and send ``signum`` after ``delay`` seconds (or let it finish first)."""
        env = {k: v for k, v in os.environ.items() if k not in (KILL_AT_ENV, KILL_SIGNAL_ENV)}
        proc = subprocess.Popen(self.command(results), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=env, cwd=REPO)
        if signum != signal.SIGKILL:
            _wait_until_handled(proc)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signum)
        out, err = proc.communicate(timeout=120)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _wait_until_handled(proc: subprocess.Popen[str], timeout: float = 30.0) -> None:
    """Wait until Auditor's handlers are installed (Linux: SIGTERM in SigCgt of /proc/PID/status).

    :func:`auditor.interrupt.install` sets SIGINT's handler, then SIGTERM's; Python itself catches only
    SIGINT, so SIGTERM caught means both are Auditor's. Before that the interpreter is still starting
    (nothing opened yet) and a signal's default action ends it; the delay under test counts from here.
    """
    signum = signal.SIGTERM
    deadline = time.monotonic() + timeout
    status = Path(f"/proc/{proc.pid}/status")
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            caught = next(line for line in status.read_text().splitlines() if line.startswith("SigCgt:"))
        except (OSError, StopIteration):
            return
        if int(caught.split()[1], 16) & (1 << (signum - 1)):
            return
        time.sleep(0.002)


def leftovers(folder: Path) -> list[str]:
    """Temporary files an interrupted write would leave (``.<name>.<random>.tmp``)."""
    return sorted(p.name for p in folder.rglob(".*.tmp")) if folder.exists() else []


def committed_run_ids(locker: Path) -> list[str]:
    repo = git.Repo(locker)
    if not repo.head.is_valid():
        return []
    return [c.message.split(":", 1)[0].removeprefix("run ") for c in reversed(list(repo.iter_commits()))]


__all__ = ["Bench", "committed_run_ids", "leftovers", "signal"]
