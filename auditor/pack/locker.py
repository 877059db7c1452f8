"""The evidence locker: a git repository holding every run's pack and results.

Layout (other parts of Auditor read it; keep it stable)::

    runs/<YYYY-MM-DD>/<run-id>/results.json
    runs/<YYYY-MM-DD>/<run-id>/pack.zip
    runs/<YYYY-MM-DD>/<run-id>/pack.sha256     # "<hex>  pack.zip\\n"

A run is committed with git plumbing only (blobs, ``mktree``, ``commit-tree``,
then one ``update-ref`` with the expected old value), never through the index
or working tree, so it is visible whole or not at all, whenever the process is
killed. Readers see only committed runs (git objects at the branch head); files
in the working tree are a convenience copy, and the next run removes anything
there that is not committed. The test suite drives a kill at every phase through
the test-only hook in :mod:`auditor.pack.testhook`.

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

import errno
import fcntl
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson

from auditor.errors import InputError
from auditor.files import sha256_file
from auditor.pack.testhook import phase as _phase
from auditor.results import WrittenResults
from auditor.results_model import Results

if TYPE_CHECKING:
    from auditor.pack.build import PackResult

LOCK_NAME = "auditor-locker.lock"
AUTHOR = ("Auditor", "auditor@localhost")
PUSH_ATTEMPTS = 8  #: build-commit-push attempts against a remote before giving up
BACKOFF_SECONDS = 0.2  #: first wait after a rejected push; doubles (with jitter) per attempt
BACKOFF_MAX = 5.0  #: longest wait between attempts
ZERO = "0" * 40
RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}|undated")
RUN_FILES = ("results.json", "pack.zip", "pack.sha256")

class PushRejected(Exception):
    """The remote refused the push (usually: another clone pushed first)."""

    def __init__(self, remote: str, detail: str) -> None:
        super().__init__(detail)
        self.remote = remote
        self.detail = detail


class RefMoved(Exception):
    """The branch moved between reading the chain head and ``update-ref`` (someone else committed)."""


def _one_line(text: str) -> str:
    return "; ".join(line.strip() for line in text.strip().splitlines() if line.strip())


def run_dir(results: Results) -> str:
    """``runs/<YYYY-MM-DD>/<run-id>``: the run's folder in the locker."""
    finished = results.finished_at or results.started_at
    day = finished[:10] if len(finished) >= 10 else "undated"
    run_id = results.run_id
    if not RUN_ID.fullmatch(run_id) or not DAY.fullmatch(day):
        raise InputError(f"results.json: run_id/finished_at: found {run_id!r} / {finished!r}, expected a run id of "
                         "letters, digits, '.', '_' or '-' and an ISO date: it names the run's locker folder")
    return f"runs/{day}/{run_id}"


def _parse_digest(raw: bytes) -> str | None:
    try:
        return raw.decode("ascii").split()[0]
    except (IndexError, UnicodeDecodeError):
        return None


def _storage_error(where: Path, what: str, detail: str) -> Exception:
    from auditor.pack.s3 import StorageError

    return StorageError(f"{where}: {what}: {detail}; the locker is left as it was (its last committed run "
                        "stands): fix the locker folder and run again")


class Locker:
    """A locker clone. Readers see only committed runs (git objects at the branch head), never the working tree.

    A run is written with git plumbing (``hash-object``, ``mktree``, ``commit-tree``, then
    ``update-ref`` with the expected old value), so it becomes visible in one atomic ref update or
    not at all. The working tree is a convenience copy of the head, reset by each run.
    """

    def __init__(self, path: Path, create: bool = True) -> None:
        import git

        self.path = Path(path)
        try:
            self.repo = git.Repo(self.path)
        except git.NoSuchPathError:
            if not create:
                raise InputError(f"{self.path}: locker not found") from None
            self.repo = _create(self.path)
        except git.InvalidGitRepositoryError:
            if not create or any(self.path.iterdir()):
                raise InputError(f"{self.path}: not a git repository (a locker is a git repository)") from None
            self.repo = _create(self.path)
        if self.repo.bare:
            raise InputError(f"{self.path}: a bare repository cannot be a locker; clone it first")
        self.git_dir = Path(self.repo.git_dir)

    # -- git plumbing -------------------------------------------------------------------------------------------
    def git(self, *args: str, input: bytes | None = None, check: bool = True) -> str:
        """Run ``git -C <locker> args``; failures raise :class:`auditor.pack.s3.StorageError` naming the locker."""
        env = {**os.environ, "GIT_AUTHOR_NAME": AUTHOR[0], "GIT_AUTHOR_EMAIL": AUTHOR[1],
               "GIT_COMMITTER_NAME": AUTHOR[0], "GIT_COMMITTER_EMAIL": AUTHOR[1], "GIT_TERMINAL_PROMPT": "0"}
        try:
            proc = subprocess.run(["git", "-C", str(self.path), *args], input=input, capture_output=True, env=env,
                                  check=False)
        except OSError as exc:
            raise _storage_error(self.path, f"git {args[0]} failed", exc.strerror or str(exc)) from None
        if check and proc.returncode != 0:
            detail = _one_line(proc.stderr.decode("utf-8", "replace")) or f"exit {proc.returncode}"
            raise _storage_error(self.path, f"git {args[0]} failed", detail)
        return proc.stdout.decode("utf-8", "replace").strip() if proc.returncode == 0 else ""

    def branch_ref(self) -> str:
        ref = self.git("symbolic-ref", "-q", "HEAD", check=False)
        if not ref.startswith("refs/heads/"):
            raise InputError(f"{self.path}: HEAD is detached; check out the locker's branch first")
        return ref

    def _resolve(self, ref: str) -> str | None:
        return self.git("rev-parse", "--verify", "-q", f"{ref}^{{commit}}", check=False) or None

    def head(self) -> str | None:
        """The commit at the tip of the locker's branch (None while the branch is unborn)."""
        return self._resolve(self.branch_ref())

    @contextmanager
    def lock(self) -> Iterator[None]:
        lock_path = self.git_dir / LOCK_NAME
        try:
            handle = lock_path.open("a")
        except OSError as exc:
            raise InputError(f"{self.path}: the locker is not writable ({exc.strerror or exc}): {lock_path}") from None
        with handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _remote(self) -> Any:
        return self.repo.remotes[0] if self.repo.remotes else None

    def clear_stale_git_locks(self) -> None:
        """Remove git's own ``*.lock`` files left by a killed run (call inside :meth:`lock`).

        Under the locker lock no other Auditor process is running git here, so a git lock file is a
        leftover of a process killed mid-command; git would otherwise refuse every later ref update.
        """
        candidates = [self.git_dir / "index.lock", self.git_dir / "HEAD.lock", self.git_dir / "packed-refs.lock",
                      self.git_dir / "ORIG_HEAD.lock", self.git_dir / "FETCH_HEAD.lock"]
        candidates += list((self.git_dir / "refs").rglob("*.lock"))
        for lock_file in candidates:
            with suppress(OSError):
                lock_file.unlink()

    def clean_working_tree(self) -> None:
        """Reset the index and working tree to the committed head and remove anything under ``runs/`` not committed.

        Files a killed run left (staged or not, empty or partial) are never chained onto or committed.
        """
        if self.head() is None:
            self.git("read-tree", "--empty")
        else:
            self.git("reset", "-q", "--hard", "HEAD")
        self.git("clean", "-q", "-f", "-d", "-x", "--", "runs")

    def sync(self) -> None:
        """Fetch the remote and bring the branch up to the remote's head, with plumbing only.

        Behind: fast-forward. Ahead (commits a killed run made but never pushed): kept, pushed with this run.
        Diverged (another clone pushed meanwhile): the never-pushed local commits are dropped, since
        rebasing them would keep packs naming the wrong predecessor. No remote: nothing to do.
        """
        from auditor.pack.s3 import StorageError

        remote = self._remote()
        if remote is None:
            return
        ref = self.branch_ref()
        branch = ref.removeprefix("refs/heads/")
        try:
            self.git("fetch", "-q", remote.name)
        except StorageError as exc:
            raise StorageError(f"{self.path}: fetch from {remote.name} failed: {exc.message}") from None
        tracking = self._resolve(f"refs/remotes/{remote.name}/{branch}")
        if tracking is None:  # empty remote, or the branch is not there yet
            return
        local = self._resolve(ref)
        if local == tracking:
            return
        if local is not None and self._is_ancestor(tracking, local):
            return  # ahead: pushed with the next push
        self.git("update-ref", "-m", f"auditor: sync to {remote.name}/{branch}", ref, tracking, local or ZERO)

    def _is_ancestor(self, older: str, newer: str) -> bool:
        proc = subprocess.run(["git", "-C", str(self.path), "merge-base", "--is-ancestor", older, newer],
                              capture_output=True, check=False)
        return proc.returncode == 0

    # -- reading committed runs -------------------------------------------------------------------------------
    def committed_runs(self) -> list[CommittedRun]:
        """Every run in the branch head's tree (``runs/<day>/<run-id>/``), in no particular order."""
        head = self.head()
        if head is None:
            return []
        try:
            runs_tree = self.repo.commit(head).tree / "runs"
        except KeyError:
            return []
        found = []
        for day in runs_tree.trees:
            for run in day.trees:
                blobs = {blob.name: blob for blob in run.blobs}
                found.append(CommittedRun(f"runs/{day.name}/{run.name}", run.name, blobs))
        return found

    def last_pack_sha256(self) -> str | None:
        """The newest committed run's pack digest (the head of the chain), or None for an empty locker.

        Read at every commit: the runs are ordered without checking and typing each one's results
        (about 10x the parse), which nothing here reads; verify and history check them."""
        runs = self.runs_in_commit_order(checked=False)
        return runs[-1].recorded_sha256 if runs else None

    def runs_in_commit_order(self, checked: bool = True) -> list[RunEntry]:
        """Every committed run, in the order it was committed; ``checked``: with its results checked and
        typed (``RunEntry.results``, or ``problem``), else only what orders the chain."""
        entries = {e.directory: e for e in (_entry(run, checked) for run in self.committed_runs())}
        order: list[str] = []
        if entries:
            log = self.git("log", "--reverse", "--diff-filter=A", "--name-only", "--format=", self.branch_ref(),
                           "--", "runs/*/*/pack.zip", "runs/*/*/results.json")
            for line in log.splitlines():
                directory = line.strip().rsplit("/", 1)[0]
                if directory in entries and directory not in order:
                    order.append(directory)
        rest = sorted((d for d in entries if d not in order), key=lambda d: (entries[d].finished_at, entries[d].run_id))
        return [entries[d] for d in order + rest]

    # -- writing a run ----------------------------------------------------------------------------------------
    def _blob(self, path: Path | None = None, data: bytes | None = None) -> str:
        if path is not None:
            return self.git("hash-object", "-w", "--no-filters", "--", str(Path(path).resolve()))
        return self.git("hash-object", "-w", "--no-filters", "--stdin", input=data)

    def _ls_tree(self, tree: str | None) -> dict[str, tuple[str, str, str]]:
        if tree is None:
            return {}
        out = subprocess.run(["git", "-C", str(self.path), "ls-tree", "-z", tree], capture_output=True, check=True)
        entries = {}
        for record in out.stdout.split(b"\0"):
            if not record:
                continue
            meta, name = record.split(b"\t", 1)
            mode, kind, sha = meta.decode("ascii").split()
            entries[name.decode("utf-8", "surrogateescape")] = (mode, kind, sha)
        return entries

    def _mktree(self, entries: dict[str, tuple[str, str, str]]) -> str:
        body = b"".join(f"{mode} {kind} {sha}\t".encode("ascii") + name.encode("utf-8", "surrogateescape") + b"\0"
                        for name, (mode, kind, sha) in entries.items())
        return self.git("mktree", "-z", input=body)

    def _tree_with(self, base: str | None, parts: list[str], leaf: str, rel: str) -> str:
        """``base`` (a tree sha, or None for empty) with the tree ``leaf`` at ``parts``; refuses to replace a run."""
        entries = self._ls_tree(base)
        name = parts[0]
        current = entries.get(name)
        if len(parts) == 1:
            if current is not None:
                raise InputError(f"{self.path / rel}: run {name} is already in the locker")
            entries[name] = ("040000", "tree", leaf)
        else:
            sub = current[2] if current is not None and current[1] == "tree" else None
            entries[name] = ("040000", "tree", self._tree_with(sub, parts[1:], leaf, rel))
        return self._mktree(entries)

    def commit_run(self, results_path: Path | WrittenResults, pack_path: Path,
                   pack_sha256: str) -> tuple[str, str | None, str]:
        """Commit a run's results and pack without touching the index or working tree (call inside :meth:`lock`).

        Returns (new commit, the branch's old commit or None, the run's folder). The branch moves with
        ``update-ref <ref> <new> <old>``; :class:`RefMoved` if it moved since it was read.
        """
        written = results_path if isinstance(results_path, WrittenResults) else WrittenResults.read(results_path)
        results = written.results
        rel = run_dir(results)
        ref = self.branch_ref()
        before = self._resolve(ref)
        run_tree = self._mktree({
            "results.json": ("100644", "blob", self._blob(data=written.raw)),
            "pack.zip": ("100644", "blob", self._blob(pack_path)),
            "pack.sha256": ("100644", "blob", self._blob(data=f"{pack_sha256}  pack.zip\n".encode("ascii"))),
        })
        _phase("blobs")
        base_tree = self.git("rev-parse", f"{before}^{{tree}}") if before else None
        root = self._tree_with(base_tree, rel.split("/"), run_tree, rel)
        _phase("tree")
        counts = ", ".join(f"{n} {s}" for s, n in results.statuses_present().items())
        message = f"run {results.run_id}: {counts}\n\npack sha256 {pack_sha256}\n"
        commit = self.git("commit-tree", root, *(["-p", before] if before else []), input=message.encode("utf-8"))
        _phase("commit")
        proc = subprocess.run(["git", "-C", str(self.path), "update-ref", "-m", f"auditor: run {results.run_id}",
                               ref, commit, before or ZERO], capture_output=True, check=False)
        if proc.returncode != 0:
            if self._resolve(ref) != before:
                raise RefMoved(_one_line(proc.stderr.decode("utf-8", "replace")))
            raise _storage_error(self.path, "git update-ref failed",
                                 _one_line(proc.stderr.decode("utf-8", "replace")) or "no detail")
        _phase("ref")
        return commit, before, rel

    def push(self) -> None:
        """Push the branch to the remote (if any); :class:`PushRejected` when refused."""
        remote = self._remote()
        if remote is None:
            return
        branch = self.branch_ref().removeprefix("refs/heads/")
        proc = subprocess.run(["git", "-C", str(self.path), "push", "-q", remote.name, f"{branch}:{branch}"],
                              capture_output=True, check=False, env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
        if proc.returncode != 0:
            raise PushRejected(remote.name, _one_line(proc.stderr.decode("utf-8", "replace")))

    def undo_commit(self, commit: str, before: str | None) -> None:
        """Move the branch back from ``commit`` (its push was refused) to ``before``, or unborn if None."""
        ref = self.branch_ref()
        if before is not None:
            self.git("update-ref", "-m", "auditor: push refused", ref, before, commit)
        else:
            self.git("update-ref", "-d", ref, commit)


def _create(path: Path) -> Any:
    """Create a new locker atomically: ``git init`` in a temporary folder beside it, then rename into place.

    Several first runs racing to create the same locker all land: one rename wins, the others find a
    complete repository there (a half-initialised one is never visible).
    """
    import git

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.init-"))
    except OSError as exc:
        raise InputError(f"{path}: cannot create the locker: {exc.strerror or exc}") from None
    try:
        subprocess.run(["git", "init", "-q", str(staging)], capture_output=True, check=True)
        try:
            staging.rename(path)
        except OSError as exc:
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise InputError(f"{path}: cannot create the locker: {exc.strerror or exc}") from None
    except subprocess.CalledProcessError as exc:
        raise InputError(f"{path}: git init failed: {_one_line(exc.stderr.decode('utf-8', 'replace'))}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    try:
        return git.Repo(path)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise InputError(f"{path}: not a git repository (a locker is a git repository)") from None


@dataclass
class CommittedRun:
    directory: str  # runs/<date>/<run-id>
    name: str
    blobs: dict[str, Any]

    def read(self, name: str) -> bytes | None:
        blob = self.blobs.get(name)
        return bytes(blob.data_stream.read()) if blob is not None else None

    def copy_to(self, name: str, target: IO[bytes]) -> bool:
        blob = self.blobs.get(name)
        if blob is None:
            return False
        shutil.copyfileobj(blob.data_stream, target)
        return True


@dataclass
class RunEntry:
    directory: str  # runs/<date>/<run-id>
    run_id: str
    finished_at: str
    counts: dict[str, int]
    recorded_sha256: str | None
    #: the committed results.json, checked and typed (None when it cannot be read: ``problem`` says why)
    results: Results | None = None
    source: CommittedRun | None = None
    problem: str | None = None  #: the committed results.json cannot be read

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "finished_at": self.finished_at,
            "counts": self.counts,
            "total": sum(self.counts.values()),
            "pack_sha256": self.recorded_sha256,
            "path": self.directory,
        }


def _entry(run: CommittedRun, checked: bool = True) -> RunEntry:
    raw = run.read("results.json")
    digest = run.read("pack.sha256")
    recorded = _parse_digest(digest) if digest is not None else None
    results: Results | None = None
    problem = None
    if raw is None:
        problem = "results.json is missing"
    else:
        try:
            document = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            problem = f"results.json is not valid JSON ({exc.msg})"
        else:
            if not checked:  # the chain's order only: the run id and time, when the document has them
                fields = document if isinstance(document, dict) else {}
                return RunEntry(run.directory, str(fields.get("run_id") or run.name),
                                str(fields.get("finished_at") or ""), {}, recorded, None, run)
            try:  # checked like every results.json read from a file: the problem names the field
                results = Results.from_dict(document, "results.json")
            except InputError as exc:
                problem = exc.message
    if results is None:
        return RunEntry(run.directory, run.name, "", {}, recorded, None, run, problem)
    return RunEntry(
        directory=run.directory,
        run_id=results.run_id,
        finished_at=results.finished_at,
        counts=results.statuses_present(),
        recorded_sha256=recorded,
        results=results,
        source=run,
    )


def _open(path: Path) -> Locker:
    path = Path(path)
    if not path.is_dir():
        raise InputError(f"{path}: locker folder not found")
    return Locker(path, create=False)


def history(path: Path) -> list[dict[str, Any]]:
    """Every committed run in the locker, oldest first (finished_at, then run id): what the board trend reads.

    Files in the working tree that are not a committed run (a killed run's leftovers) are not runs.
    """
    entries = [e for e in _open(path).runs_in_commit_order() if e.problem is None]
    return [e.to_dict() for e in sorted(entries, key=lambda e: (e.finished_at, e.run_id))]


def committed_results(path: Path) -> list[Results] | None:
    """The typed results of every committed run (unordered), or None when ``path`` is not a git repository.

    A committed results.json that cannot be read (missing, not JSON, not a results document) is exit 2
    naming the run's folder in the locker and the field.
    """
    import git

    try:
        git.Repo(path)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    found = []
    for entry in _open(path).runs_in_commit_order():
        if entry.results is None:
            raise InputError(f"{Path(path) / entry.directory}: {entry.problem}")
        found.append(entry.results)
    return found


@dataclass
class LockerReport:
    runs: list[dict[str, Any]]
    problems: list[str]
    #: working-tree files that differ from the committed runs (ignored: verify reads the commits)
    notes: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


def pinned_digest(value: str) -> str:
    """``--since``: a pack file (its sha256) or a pack's sha256 in hex."""
    candidate = Path(value)
    if candidate.is_file():
        return sha256_file(candidate)
    if re.fullmatch(r"[0-9a-fA-F]{64}", value):
        return value.lower()
    raise InputError(f"--since: found {value!r}, expected a pack file or a pack's sha256 (64 hex digits)")


def verify_locker(path: Path, verifier: Any = None, *, since: list[str] | None = None,
                  pinned_sources: dict[str, str] | None = None) -> LockerReport:
    """Verify every committed pack in commit order and the chain of previous-pack digests.

    ``since`` are pack digests an auditor has seen (``locker verify --since``); each must still be a
    run in the chain, else the newest runs were deleted or the history rewritten. ``pinned_sources``
    names where each came from (for messages), e.g. the S3 Object Lock copy.
    """
    from auditor.pack import keys
    from auditor.pack.verify import verify_pack

    locker = _open(path)
    runs = locker.runs_in_commit_order()
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    digests: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="auditor-locker-verify-") as scratch:
        packs: dict[str, Path] = {}
        for n, entry in enumerate(runs):
            target = Path(scratch) / f"{n}.zip"
            with target.open("wb") as handle:
                present = entry.source is not None and entry.source.copy_to("pack.zip", handle)
            if present:
                packs[entry.directory] = target
                digests[sha256_file(target)] = entry.run_id
        expected_previous: str | None = None
        for entry in runs:
            row = entry.to_dict()
            rows.append(row)
            if entry.problem is not None:
                problems.append(f"{entry.directory}: {entry.problem}")
            pack = packs.get(entry.directory)
            if pack is None:
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
            stored_results = entry.source.read("results.json") if entry.source is not None else None
            if packed_results is not None and stored_results is not None and packed_results != stored_results:
                problems.append(f"run {entry.run_id}: altered: results.json differs from the one in its signed pack")
            previous = result.predicate.get("previous_pack_sha256") if result.valid else expected_previous
            if result.valid and previous != expected_previous:
                if previous is not None and previous in digests:
                    problems.append(
                        f"run {entry.run_id}: reordered: its pack follows run {digests[previous]}, "
                        f"but the locker records it after {digests.get(expected_previous or '', 'the start')}"
                    )
                elif previous is None:
                    problems.append(f"run {entry.run_id}: its pack starts a new chain, "
                                    "but runs precede it in the locker")
                else:
                    problems.append(
                        f"run {entry.run_id}: a run is missing before it (deleted): its previous pack "
                        f"sha256 {previous[:12]}... is not in the locker"
                    )
            expected_previous = actual
    for digest in since or []:
        if digest not in digests:
            where = (pinned_sources or {}).get(digest, "--since")
            problems.append(f"{where}: the pinned run (pack sha256 {digest[:12]}...) is no longer in the locker's "
                            "chain: runs were deleted or the history rewritten")
    head = locker.head()
    if head is not None:
        deleted = locker.git("log", "--diff-filter=D", "--name-only", "--format=", head, "--", "runs")
        committed = {e.directory for e in runs}
        for name in sorted({line.strip() for line in deleted.splitlines() if line.strip().endswith("pack.zip")}):
            if name.rsplit("/", 1)[0] not in committed:
                problems.append(f"{name}: deleted from the locker in a later commit")
    return LockerReport(rows, problems, _working_tree_notes(locker))


def _working_tree_notes(locker: Locker) -> list[str]:
    """Uncommitted changes under ``runs/`` (a killed run's leftovers, or edits): not part of the record."""
    proc = subprocess.run(["git", "-C", str(locker.path), "status", "--porcelain=v1", "-z", "--untracked-files=all",
                           "--", "runs"], capture_output=True, check=False)
    notes = []
    for record in proc.stdout.split(b"\0"):
        if len(record) > 3:
            state, name = record[:2].decode("ascii", "replace"), record[3:].decode("utf-8", "replace")
            what = "not committed" if state in ("??", "A ", "AM") else "differs from the committed run"
            notes.append(f"{name}: {what} (ignored; verify reads the committed runs, the next run resets it)")
    return notes


def _packed_results(pack: Path) -> bytes | None:
    import zipfile

    try:
        with zipfile.ZipFile(pack) as archive:
            return archive.read("results.json")
    except (zipfile.BadZipFile, KeyError, OSError):
        return None


def record_run(path: Path, results_path: Path | WrittenResults,
               build: Callable[[str | None], PackResult]) -> tuple[PackResult, str]:
    """Under the locker's lock: clean, sync, read the chain head, ``build(previous_sha256)`` the pack, commit, push.

    The commit is made with plumbing and published by one ``update-ref`` (see :class:`Locker`), so a
    run killed at any moment is either committed whole or absent; whatever it left in the working tree
    is removed by the next run. ``build`` returns a :class:`auditor.pack.build.PackResult` and may be
    called more than once: when the push is refused (another clone pushed first) or the branch moved,
    the local commit is dropped, the clone re-synced and the pack rebuilt against the new chain head, up
    to :data:`PUSH_ATTEMPTS` times with backoff. The pack ``build`` wrote last is the one committed.
    Returns (that pack, commit sha). Raises :class:`auditor.pack.s3.StorageError` when the remote
    cannot be reached or keeps refusing, or the locker cannot take the run (full disk, read-only).
    """
    from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

    from auditor.pack.s3 import StorageError

    written = results_path if isinstance(results_path, WrittenResults) else WrittenResults.read(results_path)
    rel = run_dir(written.results)
    locker = Locker(path)

    def attempt() -> tuple[PackResult, str]:
        locker.sync()
        _phase("synced")
        pack = build(locker.last_pack_sha256())
        _phase("built")
        commit, before, _ = locker.commit_run(written, pack.path, pack.sha256)
        try:
            locker.push()
        except PushRejected:
            locker.undo_commit(commit, before)
            raise
        _phase("pushed")
        return pack, commit

    retrying = Retrying(
        stop=stop_after_attempt(PUSH_ATTEMPTS),
        wait=wait_exponential_jitter(multiplier=BACKOFF_SECONDS, max=BACKOFF_MAX, jitter=BACKOFF_SECONDS),
        retry=retry_if_exception_type((PushRejected, RefMoved)),
        reraise=True,
    )
    with locker.lock():
        _phase("locked")
        locker.clear_stale_git_locks()
        locker.clean_working_tree()
        _phase("cleaned")
        try:
            built, commit = retrying(attempt)
        except PushRejected as exc:
            raise StorageError(
                f"{locker.path}: push to {exc.remote} failed {PUSH_ATTEMPTS} times (last: {exc.detail}); "
                f"run {rel.rsplit('/', 1)[-1]} is not in the locker, which is left as it was: run again"
            ) from None
        except RefMoved as exc:
            raise StorageError(f"{locker.path}: the branch kept moving under this run ({exc}); run "
                               f"{rel.rsplit('/', 1)[-1]} is not in the locker: run again") from None
        with suppress(StorageError):  # the working tree is only a view of the head: best effort
            locker.clean_working_tree()
        _phase("materialised")
        return built, commit
