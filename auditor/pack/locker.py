"""The evidence locker: a git repository holding every run's pack and results.

Layout (other parts of Auditor read it; keep it stable)::

    runs/<YYYY-MM-DD>/<run-id>/results.json
    runs/<YYYY-MM-DD>/<run-id>/pack.zip
    runs/<YYYY-MM-DD>/<run-id>/pack.sha256     # "<hex>  pack.zip\\n"

Each pack's attestation names the previous pack's sha256, so the runs form a
chain in commit order. A run takes the locker's lock (``fcntl.flock`` on
``.git/auditor-locker.lock``) from reading the previous digest until its commit
is made (and pushed), so concurrent runs on one clone serialise and none is lost.

The lock cannot cover other clones of the same remote (two CI jobs, each with
its own checkout). With a remote, :func:`record_run` therefore fetches before it
reads the chain head, and when the push is rejected because another clone got
there first, it drops its local commit, syncs to the new remote head and
rebuilds (re-signs) the pack naming that head's pack as previous, then commits
and pushes again, with jittered exponential backoff between attempts. Rebasing
the old commit instead would keep a pack naming the wrong predecessor, which
``locker verify`` rightly reports as reordered.
"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.files import sha256_file, write_atomic
from auditor.results import read_results

LOCK_NAME = "auditor-locker.lock"
AUTHOR = ("Auditor", "auditor@localhost")
PUSH_ATTEMPTS = 8  #: build-commit-push attempts against a remote before giving up
BACKOFF_SECONDS = 0.2  #: first wait after a rejected push; doubles (with jitter) per attempt
BACKOFF_MAX = 5.0  #: longest wait between attempts


class PushRejected(Exception):
    """The remote refused the push (usually: another clone pushed first)."""

    def __init__(self, remote: str, detail: str) -> None:
        super().__init__(detail)
        self.remote = remote
        self.detail = detail


def _one_line(text: str) -> str:
    return "; ".join(line.strip() for line in text.strip().splitlines() if line.strip())


def run_dir(results: dict[str, Any]) -> str:
    finished = str(results.get("finished_at") or results.get("started_at") or "")
    day = finished[:10] if len(finished) >= 10 else "undated"
    return f"runs/{day}/{results['run_id']}"


def _counts(results: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for control in results.get("controls") or []:
        status = str(control.get("status", "error"))
        counts[status] = counts.get(status, 0) + 1
    return dict(sorted(counts.items()))


def _read_digest(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii").split()[0]
    except (OSError, IndexError, UnicodeDecodeError):
        return None


class Locker:
    def __init__(self, path: Path, create: bool = True) -> None:
        import git

        self.path = Path(path)
        try:
            self.repo = git.Repo(self.path)
        except git.NoSuchPathError:
            if not create:
                raise InputError(f"{self.path}: locker not found") from None
            self.repo = git.Repo.init(self.path, mkdir=True)
        except git.InvalidGitRepositoryError:
            if not create or any(self.path.iterdir()):
                raise InputError(f"{self.path}: not a git repository (a locker is a git repository)") from None
            self.repo = git.Repo.init(self.path)
        if self.repo.bare:
            raise InputError(f"{self.path}: a bare repository cannot be a locker; clone it first")

    @contextmanager
    def lock(self) -> Iterator[None]:
        lock_path = Path(self.repo.git_dir) / LOCK_NAME
        with lock_path.open("a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _remote(self) -> Any:
        return self.repo.remotes[0] if self.repo.remotes else None

    def _resolve(self, ref: str) -> str | None:
        import git

        try:
            return str(self.repo.git.rev_parse("--verify", "-q", f"{ref}^{{commit}}"))
        except git.GitCommandError:
            return None

    def sync(self) -> None:
        """Fetch the remote and bring this clone up to its head (rebasing any local-only commits).

        An unborn branch (a clone of a then-empty remote) checks the remote head out. No remote: nothing to do.
        """
        import git

        from auditor.pack.s3 import StorageError

        remote = self._remote()
        if remote is None:
            return
        branch = self.repo.active_branch.name
        try:
            self.repo.git.fetch(remote.name)
        except git.GitCommandError as exc:
            raise StorageError(f"{self.path}: fetch from {remote.name} failed: {_one_line(exc.stderr)}") from None
        tracking = f"refs/remotes/{remote.name}/{branch}"
        if self._resolve(tracking) is None:  # empty remote, or the branch is not there yet
            return
        try:
            if self.repo.head.is_valid():
                self.repo.git.rebase(tracking)
            else:
                self.repo.git.checkout("-q", "-B", branch, tracking)
        except git.GitCommandError as exc:
            if self.repo.head.is_valid() and (Path(self.repo.git_dir) / "rebase-merge").exists():
                self.repo.git.rebase("--abort")
            raise StorageError(
                f"{self.path}: cannot bring the locker up to {remote.name}/{branch}: {_one_line(exc.stderr)}"
            ) from None

    def last_pack_sha256(self) -> str | None:
        """The newest committed run's pack digest (the head of the chain), or None for an empty locker."""
        runs = self.runs_in_commit_order()
        return runs[-1].recorded_sha256 if runs else None

    def runs_in_commit_order(self) -> list[RunEntry]:
        entries = {e.directory: e for e in _scan(self.path)}
        order: list[str] = []
        if self.repo.head.is_valid():
            log = self.repo.git.log("--reverse", "--diff-filter=A", "--name-only", "--format=", "--",
                                    "runs/*/*/pack.zip")
            for line in log.splitlines():
                directory = line.strip().removesuffix("/pack.zip")
                if directory in entries and directory not in order:
                    order.append(directory)
        uncommitted = sorted((d for d in entries if d not in order),
                             key=lambda d: (entries[d].finished_at, entries[d].run_id))
        return [entries[d] for d in order + uncommitted]

    def commit_run(self, results_path: Path, pack_path: Path, pack_sha256: str) -> str:
        """Copy a run's results and pack into the locker and commit them, without pushing (call inside :meth:`lock`)."""
        results = read_results(results_path)
        rel = run_dir(results)
        target = self.path / rel
        if target.exists():
            raise InputError(f"{target}: run {results['run_id']} is already in the locker")
        target.mkdir(parents=True)
        shutil.copyfile(results_path, target / "results.json")
        shutil.copyfile(pack_path, target / "pack.zip")
        write_atomic(target / "pack.sha256", f"{pack_sha256}  pack.zip\n")
        self.repo.index.add([f"{rel}/results.json", f"{rel}/pack.zip", f"{rel}/pack.sha256"])
        counts = ", ".join(f"{n} {s}" for s, n in _counts(results).items())
        message = f"run {results['run_id']}: {counts}\n\npack sha256 {pack_sha256}\n"
        import git

        actor = git.Actor(*AUTHOR)
        commit = self.repo.index.commit(message, author=actor, committer=actor)
        return commit.hexsha

    def push(self) -> None:
        """Push the current branch to the remote (if any); :class:`PushRejected` when refused."""
        import git

        remote = self._remote()
        if remote is None:
            return
        branch = self.repo.active_branch.name
        try:
            self.repo.git.push(remote.name, f"{branch}:{branch}")
        except git.GitCommandError as exc:
            raise PushRejected(remote.name, _one_line(exc.stderr)) from None

    def undo_commit(self, before: str | None, rel: str) -> None:
        """Drop the run just committed at ``rel`` (its push was refused): back to ``before``, or unborn if None."""
        if before is not None:
            self.repo.git.reset("-q", "--mixed", before)  # index and branch only; the run's files go below
        else:  # the clone's first commit: make the branch unborn again
            self.repo.git.update_ref("-d", "HEAD")
            self.repo.git.rm("-r", "-q", "--cached", "--ignore-unmatch", "--", rel)
        target = self.path / rel
        shutil.rmtree(target, ignore_errors=True)
        with suppress(OSError):
            target.parent.rmdir()  # the date folder, when this run was its only one


@dataclass
class RunEntry:
    directory: str  # runs/<date>/<run-id>
    run_id: str
    finished_at: str
    counts: dict[str, int]
    recorded_sha256: str | None
    results: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "finished_at": self.finished_at,
            "counts": self.counts,
            "total": sum(self.counts.values()),
            "pack_sha256": self.recorded_sha256,
            "path": self.directory,
        }


def _scan(root: Path) -> list[RunEntry]:
    entries = []
    for results_path in sorted(Path(root).glob("runs/*/*/results.json")):
        results = read_results(results_path)
        directory = results_path.parent.relative_to(root).as_posix()
        entries.append(RunEntry(
            directory=directory,
            run_id=str(results["run_id"]),
            finished_at=str(results.get("finished_at") or ""),
            counts=_counts(results),
            recorded_sha256=_read_digest(results_path.parent / "pack.sha256"),
            results=results,
        ))
    return entries


def history(path: Path) -> list[dict[str, Any]]:
    """Every run in the locker, oldest first (finished_at, then run id): what the board trend reads."""
    path = Path(path)
    if not path.is_dir():
        raise InputError(f"{path}: locker folder not found")
    return [e.to_dict() for e in sorted(_scan(path), key=lambda e: (e.finished_at, e.run_id))]


@dataclass
class LockerReport:
    runs: list[dict[str, Any]]
    problems: list[str]

    @property
    def valid(self) -> bool:
        return not self.problems


def verify_locker(path: Path, verifier: Any = None) -> LockerReport:
    """Verify every pack in commit order and the chain of previous-pack digests."""
    from auditor.pack import keys
    from auditor.pack.verify import verify_pack

    locker = Locker(path, create=False)
    runs = locker.runs_in_commit_order()
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    digests: dict[str, str] = {}
    for entry in runs:
        pack = locker.path / entry.directory / "pack.zip"
        if pack.is_file():
            digests[sha256_file(pack)] = entry.run_id
    expected_previous: str | None = None
    for entry in runs:
        pack = locker.path / entry.directory / "pack.zip"
        row = entry.to_dict()
        rows.append(row)
        if not pack.is_file():
            problems.append(f"run {entry.run_id}: pack.zip is missing (deleted)")
            row["valid"] = False
            expected_previous = entry.recorded_sha256
            continue
        result = verify_pack(pack, verifier)
        row["valid"] = result.valid
        row["development"] = result.development
        row["key_id"] = keys.mask(result.key_id) if result.key_id else None
        row["key_pinned"] = result.key_pinned
        actual = result.sha256
        if not result.valid:
            problems.append(f"run {entry.run_id}: altered: {result.reason}")
        if entry.recorded_sha256 != actual:
            problems.append(f"run {entry.run_id}: altered: pack.zip sha256 differs from pack.sha256")
        packed_results = _packed_results(pack)
        stored_results = (locker.path / entry.directory / "results.json").read_bytes()
        if packed_results is not None and packed_results != stored_results:
            problems.append(f"run {entry.run_id}: altered: results.json differs from the one in its signed pack")
        previous = result.predicate.get("previous_pack_sha256") if result.valid else expected_previous
        if result.valid and previous != expected_previous:
            if previous is not None and previous in digests:
                problems.append(
                    f"run {entry.run_id}: reordered: its pack follows run {digests[previous]}, "
                    f"but the locker records it after {digests.get(expected_previous or '', 'the start')}"
                )
            elif previous is None:
                problems.append(f"run {entry.run_id}: its pack starts a new chain, but runs precede it in the locker")
            else:
                problems.append(
                    f"run {entry.run_id}: a run is missing before it (deleted): its previous pack "
                    f"sha256 {previous[:12]}... is not in the locker"
                )
        expected_previous = actual
    if locker.repo.head.is_valid():
        deleted = locker.repo.git.log("--diff-filter=D", "--name-only", "--format=", "--", "runs")
        for name in sorted({line.strip() for line in deleted.splitlines() if line.strip().endswith("pack.zip")}):
            if not (locker.path / name).exists():
                problems.append(f"{name}: deleted from the locker in a later commit")
    return LockerReport(rows, problems)


def _packed_results(pack: Path) -> bytes | None:
    import zipfile

    try:
        with zipfile.ZipFile(pack) as archive:
            return archive.read("results.json")
    except (zipfile.BadZipFile, KeyError, OSError):
        return None


def record_run(path: Path, results_path: Path, build: Callable[[str | None], Any]) -> tuple[Any, str]:
    """Under the locker's lock: sync, read the chain head, ``build(previous_sha256)`` the pack, commit, push.

    ``build`` returns a :class:`auditor.pack.build.PackResult` and may be called more than once: when
    the push is refused (another clone pushed first), the local commit is dropped, the clone re-synced
    and the pack rebuilt against the new chain head, up to :data:`PUSH_ATTEMPTS` times with backoff.
    The pack ``build`` wrote last is the one committed. Returns (that pack, commit sha). Raises
    :class:`auditor.pack.s3.StorageError` when the remote cannot be reached or keeps refusing.
    """
    from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

    from auditor.pack.s3 import StorageError

    locker = Locker(path)
    rel = run_dir(read_results(results_path))

    def attempt() -> tuple[Any, str]:
        locker.sync()
        pack = build(locker.last_pack_sha256())
        before = locker.repo.head.commit.hexsha if locker.repo.head.is_valid() else None
        commit = locker.commit_run(results_path, pack.path, pack.sha256)
        try:
            locker.push()
        except PushRejected:
            locker.undo_commit(before, rel)
            raise
        return pack, commit

    retrying = Retrying(
        stop=stop_after_attempt(PUSH_ATTEMPTS),
        wait=wait_exponential_jitter(multiplier=BACKOFF_SECONDS, max=BACKOFF_MAX, jitter=BACKOFF_SECONDS),
        retry=retry_if_exception_type(PushRejected),
        reraise=True,
    )
    with locker.lock():
        try:
            return retrying(attempt)
        except PushRejected as exc:
            raise StorageError(
                f"{locker.path}: push to {exc.remote} failed {PUSH_ATTEMPTS} times (last: {exc.detail}); "
                f"run {rel.rsplit('/', 1)[-1]} is not in the locker, which is left as it was: run again"
            ) from None
