"""Load an evidence directory into validated documents and the engine's input.

Each document is parsed, validated and re-serialised one at a time, so peak
memory holds one document's Python objects, not the whole organisation's.
"""

from __future__ import annotations

import gc
import hashlib
import io
import os
import pickle
import stat
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson

from auditor.errors import InputError
from auditor.evidence import secrets
from auditor.evidence.projection import NONE, Projection
from auditor.evidence.schemas import SchemaSet
from auditor.files import load_data_serialised
from auditor.model import CollectionFailure, EvidenceDocument
from auditor.organisation import organisation_of

DATA_SUFFIXES = (".json", ".yaml", ".yml")
#: the largest evidence document read (a larger one is refused, not read until memory runs out)
MAX_DOCUMENT_BYTES = 512 * 1024 * 1024
_KINDS_OF_FILE = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFCHR: "a character device",
                  stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


def parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class EvidenceSet:
    root: Path
    documents: list[EvidenceDocument]
    #: the projection the items were loaded with (:data:`NONE`: every field as collected)
    projection: Projection = NONE
    #: seconds per phase of the load (read, parse, schema, ids, secrets, project: summed over documents, in
    #: every worker; ``workers (wall)``, ``total (wall)``), for the bench; not part of any result
    timings: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    def __iter__(self) -> Iterator[EvidenceDocument]:
        return iter(self.documents)

    def kinds(self) -> dict[str, int]:
        """Item count per kind present."""
        counts: dict[str, int] = defaultdict(int)
        for doc in self.documents:
            counts[doc.kind] += doc.item_count
        return dict(counts)

    def for_kind(self, kind: str) -> list[EvidenceDocument]:
        return [d for d in self.documents if d.kind == kind]

    def as_of(self) -> str:
        """The evaluation instant: the latest ``collected_at`` of any document."""
        if not self.documents:
            return format_time(datetime(1970, 1, 1, tzinfo=UTC))
        return format_time(max(parse_time(d.collected_at) for d in self.documents))

    def input_json(self, projection: Projection = NONE) -> bytes:
        """``{"<kind>": [items of every document of that kind, in path order]}``, spliced as bytes."""
        out = io.BytesIO()
        self.write_input(out, projection)
        return out.getvalue()

    def write_input(self, out: IO[bytes], projection: Projection = NONE, *, release: bool = False) -> int:
        """Write the engine's input (:meth:`input_json`) to ``out``, each kind projected; return its size.

        With ``release``, each document's serialised items are dropped as soon as they are written,
        so the payload never sits in memory beside every document's copy.
        """
        if self.projection.active:
            if not self.projection.covers(projection):
                raise ValueError("the evidence was loaded projected without fields the projection asked for keeps")
            projection = NONE  # projected at load: nothing more to drop
        by_kind: dict[str, list[EvidenceDocument]] = defaultdict(list)
        for doc in self.documents:
            by_kind[doc.kind].append(doc)
        size = out.write(b"{")
        for k, (kind, docs) in enumerate(sorted(by_kind.items())):
            size += out.write((b"," if k else b"") + orjson.dumps(kind) + b":[")
            first = True
            for doc in docs:
                items = doc.items_json
                if not projection.keeps_whole(kind):
                    items = orjson.dumps(projection.project(kind, orjson.loads(items)))
                body = _array_body(items)
                if len(body):
                    if not first:
                        size += out.write(b",")
                    size += out.write(body)
                    first = False
                del items, body
                if release:
                    doc.items_json = b"[]"
            size += out.write(b"]")
        return size + out.write(b"}")

    def release(self) -> None:
        """Drop the serialised items once the engine holds the input."""
        for doc in self.documents:
            doc.items_json = b"[]"


def _array_body(array: bytes) -> memoryview:
    """The elements of a serialised JSON array, without copying them."""
    start, end = array.index(b"[") + 1, array.rindex(b"]")
    body = memoryview(array)[start:end]
    while len(body) and body[0] in b" \t\r\n":
        body = body[1:]
    while len(body) and body[-1] in b" \t\r\n":
        body = body[:-1]
    return body


def evidence_files(root: Path) -> list[Path]:
    """Every data file under ``root`` (hidden entries skipped), sorted.

    An unreadable folder is an error. A data file that is a dangling symlink is listed, so
    reading it fails loudly; a
    symlinked folder is an error: skipping it would silently drop evidence, following it
    could loop or leave the evidence folder.
    """
    def unreadable(exc: OSError) -> None:
        raise InputError(f"{exc.filename}: cannot read evidence folder: {exc.strerror}")

    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in dirnames:
            if (here / name).is_symlink():
                raise InputError(
                    f"{here / name}: a symlink to a folder inside the evidence folder; "
                    "copy the documents in or pass that folder as --evidence"
                )
        found.extend(
            here / name
            for name in filenames
            if not name.startswith(".") and Path(name).suffix.lower() in DATA_SUFFIXES
        )
    return sorted(found)


def item_ids(items: Iterable[Any]) -> list[str | None]:
    """Each item's id, in order (None where an item has no string id)."""
    try:  # every item an object (as every bundled schema requires): one pass at C speed
        ids: list[Any] = [item.get("id") for item in items]
    except AttributeError:  # an item that is not an object (only ``dict`` has ``get`` among JSON values)
        ids = [item.get("id") if isinstance(item, dict) else None for item in items]
    if set(map(type, ids)) <= {str}:
        return ids
    return [i if isinstance(i, str) else None for i in ids]


class IdIndex:
    """Item ids seen so far, per kind, across documents: results, waivers and baselines key on them, so they
    are unique within a kind. The one exception: a commit collected by git and by a forge (``merges``
    collects its id; see :mod:`auditor.evidence.merge`).

    A document's ids are checked against a set per kind at C speed; which document first used an id is
    worked out only where one repeats (a refusal's message, or a commit to merge)."""

    def __init__(self) -> None:
        self._kinds: dict[str, set[str]] = {}
        #: per document added: where it is (for messages), its kind, its collector and its ids
        self._documents: list[tuple[str, str, str | None, list[str | None]]] = []
        #: kind -> id -> the number of the document that first used it (built when an id first repeats)
        self._first: dict[str, dict[str, int]] = {}
        #: (kind, id) -> the collectors of a merged commit (``git+github``): a third record is refused
        self._merged: dict[tuple[str, str], str | None] = {}

    def add(self, ids: list[str | None], kind: str, where: str, collector: str | None = None,
            merges: set[str] | None = None) -> None:
        """Record one document's item ids (:func:`item_ids`); refuse the first repeated one
        (:class:`InputError` naming both places), or add a mergeable commit's id to ``merges``."""
        known = self._kinds.setdefault(kind, set())
        number = len(self._documents)
        self._documents.append((where, kind, collector, ids))
        present: list[str] = [i for i in ids if i is not None] if None in ids else ids  # type: ignore[assignment]
        fresh = set(present)
        if len(fresh) == len(present) and known.isdisjoint(fresh):  # the usual case
            known |= fresh
            if kind in self._first:
                self._first[kind].update(dict.fromkeys(present, number))
            return
        self._one_by_one(ids, kind, where, collector, merges, known, number)

    def _first_of(self, kind: str, before: int) -> dict[str, int]:
        first = self._first.get(kind)
        if first is None:
            first = self._first[kind] = {}
            for number, (_, of_kind, _, ids) in enumerate(self._documents[:before]):
                if of_kind == kind:
                    for item_id in ids:
                        if item_id is not None:
                            first.setdefault(item_id, number)
        return first

    def _one_by_one(self, ids: list[str | None], kind: str, where: str, collector: str | None,
                    merges: set[str] | None, known: set[str], number: int) -> None:
        from auditor.evidence.merge import mergeable

        first_use = self._first_of(kind, number)
        for index, item_id in enumerate(ids):
            if item_id is None:
                continue
            if item_id in known:
                first = first_use[item_id]
                by = self._merged.get((kind, item_id), self._documents[first][2])
                if merges is not None and mergeable(kind, by, collector):
                    merges.add(item_id)
                    self._merged[(kind, item_id)] = f"{by}+{collector}"
                    continue
                first_where, _, _, first_ids = self._documents[first]
                raise InputError(
                    f"{where} items[{index}]: id: duplicate {kind} id {item_id!r}, already used by "
                    f"{first_where} items[{first_ids.index(item_id)}]; "
                    "expected ids unique within a kind (a commit collected by git and by one forge is merged)"
                )
            known.add(item_id)
            first_use[item_id] = number


def read_evidence_bytes(path: Path, root: Path, limit: int | None = None) -> bytes:
    """The bytes of one evidence document, refusing what must not be read.

    A symlink resolving outside the evidence folder is refused (its content would be
    evaluated and packed as evidence); a FIFO, device, socket or other non-regular file is
    refused from its ``stat`` without being opened (a FIFO would hang the run, ``/dev/zero``
    read until memory runs out); a document over ``limit`` bytes is refused. The file is
    opened with ``O_NOFOLLOW | O_NONBLOCK`` and checked again, so a swap after the check
    is caught too.
    """
    limit = MAX_DOCUMENT_BYTES if limit is None else limit
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        raise InputError(f"{path}: cannot read evidence: a symlink to a missing file ({path.readlink()})"
                         if path.is_symlink() else f"{path}: cannot read evidence: file not found") from None
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise InputError(f"{path}: cannot read evidence: {getattr(exc, 'strerror', None) or exc}") from None
    base = root.resolve()
    if target != base and base not in target.parents:
        raise InputError(f"{path}: a symlink resolving outside the evidence folder (to {target}); "
                         "expected a document inside it: copy the document in")
    try:
        info = target.stat()
    except OSError as exc:
        raise InputError(f"{path}: cannot read evidence: {exc.strerror}") from None
    _check_regular(path, info, limit)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(target, flags)
    except OSError as exc:
        raise InputError(f"{path}: cannot read evidence: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        opened = os.fstat(handle.fileno())
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            raise InputError(f"{path}: changed while being read; expected the evidence folder to stay still")
        _check_regular(path, opened, limit)
        try:
            raw = handle.read(limit + 1)
        except OSError as exc:
            raise InputError(f"{path}: cannot read evidence: {exc.strerror}") from None
    if len(raw) > limit:
        raise InputError(f"{path}: grew past {limit} bytes while being read; expected a document of at most "
                         f"{limit} bytes")
    return raw


def _check_regular(path: Path, info: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        what = _KINDS_OF_FILE.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise InputError(f"{path}: found {what}, expected a regular file (not read)")
    if info.st_size > limit:
        raise InputError(f"{path}: found {info.st_size} bytes, expected a document of at most {limit} bytes "
                         "(split it into several documents of the same kind)")


@dataclass
class _Parsed:
    """A document read, parsed and validated, before its secret scan."""

    raw: bytes
    doc: dict[str, Any]
    kind: str
    collector: str | None
    #: the whole document as orjson serialised it while parsing (JSON only): holds every item's serialisation
    serialised: bytes | None = None

    @property
    def items(self) -> list[Any]:
        items: list[Any] = self.doc["items"]
        return items


#: seconds spent per phase of loading in this process, summed over documents (see :attr:`EvidenceSet.timings`)
_phases: defaultdict[str, float] = defaultdict(float)


class _lap:
    """Add the time spent in the block to ``_phases[name]``."""

    __slots__ = ("name", "start")

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *_: object) -> None:
        _phases[self.name] += time.perf_counter() - self.start


def _parse(path: Path, root: Path, schemas: SchemaSet) -> _Parsed:
    with _lap("read"):
        raw = read_evidence_bytes(path, root)
    with _lap("parse"):
        doc, serialised = load_data_serialised(path, raw)
    with _lap("schema"):
        kind = schemas.validate_document(doc, str(path))
    try:
        parse_time(doc["collected_at"])
    except ValueError:
        raise InputError(
            f"{path}: collected_at: found {doc['collected_at']!r}, expected an RFC 3339 date-time"
        ) from None
    collector = doc.get("collector")
    return _Parsed(raw, doc, kind, collector.get("name") if isinstance(collector, dict) else None, serialised)


def _finish(parsed: _Parsed, path: Path, root: Path, projection: Projection) -> EvidenceDocument:
    """The document scanned for secrets on every field, then its items projected (in place: nothing else
    holds them) and kept serialised.

    The cheap secret check reads the serialisation the parse made (every item's bytes, and the envelope's:
    a superset, so it can only find more), so the items are serialised once, projected."""
    doc, kind, items = parsed.doc, parsed.kind, parsed.items
    errors = tuple(
        CollectionFailure(scope=e["scope"], message=e["message"], code=e.get("code", ""))
        for e in doc.get("errors", [])
    )
    with _lap("read"):
        digest = hashlib.sha256(parsed.raw).hexdigest()
    with _lap("secrets"):
        checked = secrets.checked(EvidenceDocument(  # refused, or redacted with --redact-secrets
            path=path,
            relpath=path.relative_to(root).as_posix(),
            kind=kind,
            source=doc["source"],
            collected_at=doc["collected_at"],
            sha256=digest,
            size=len(parsed.raw),
            item_count=len(items),
            collector=doc.get("collector"),
            errors=errors,
            items_json=b"",  # set below (what the check needs of the items is given to it)
            organisation=" ".join(doc["organisation"].split()) if doc.get("organisation") else None,
        ), items=items, screen=parsed.serialised or orjson.dumps(items))
    if checked.redactions:  # the redacted items, every field
        items = orjson.loads(checked.items_json)
    with _lap("project"):
        checked.items_json = orjson.dumps(projection.prune(kind, items))
    return checked


def load_document(
    path: Path, root: Path, schemas: SchemaSet, seen_ids: IdIndex | None = None,
    merges: set[str] | None = None,
    projection: Projection = NONE,
) -> EvidenceDocument:
    """One document, validated and scanned for secrets on every field; its items then kept serialised,
    projected (``projection``: only the fields the policies may read, so the whole set is never held)."""
    parsed = _parse(path, root, schemas)
    with _lap("ids"):
        (IdIndex() if seen_ids is None else seen_ids).add(item_ids(parsed.items), parsed.kind, str(path),
                                                           parsed.collector, merges)
    return _finish(parsed, path, root, projection)


#: below this many bytes of evidence, documents load in this process (a worker costs more than it saves)
PARALLEL_BYTES = 16 * 1024 * 1024


def _size(path: Path) -> int:
    """Bytes of ``path`` for choosing how to load; one that cannot be read is refused when it is loaded."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _load_in_worker(path: Path, root: Path, schemas: SchemaSet, projection: Projection) -> tuple[Any, ...]:
    """One document in a forked worker: its parse and secret scan stay there (the parent never holds its
    items as Python objects); what the parent needs back to judge ids in document order, and the
    document or the message of the stage that refused it."""
    try:
        parsed = _parse(path, root, schemas)
    except InputError as exc:
        return ("parse", exc.message)
    with _lap("ids"):
        ids = item_ids(parsed.items)
    try:
        document = _finish(parsed, path, root, projection)
    except InputError as exc:
        return ("scan", parsed.kind, parsed.collector, ids, exc.message)
    return ("ok", parsed.kind, parsed.collector, ids, document)


class _Channel:
    """A worker's answer through an in-memory file (``memfd``) the parent opens before forking it, not
    through the result pipe: a pipe moves 64 KB per wake-up of the parent, and a document's items (20 MB
    and more) took thousands of them, each a scheduling round trip on a busy machine. The worker writes
    its answer's small part pickled, then the serialised items as they are; the pipe carries two sizes."""

    def __init__(self) -> None:
        self.fds: dict[int, int] = {}  # task -> the memfd of its worker, while it runs

    @staticmethod
    def available() -> bool:
        return hasattr(os, "memfd_create")

    def open(self, task: int) -> None:
        self.fds[task] = os.memfd_create(f"auditor-load-{task}")

    def send(self, task: int, outcome: tuple[Any, ...]) -> tuple[int, int]:
        """In the worker: write ``outcome`` (its document's items apart); return the two sizes."""
        items = b""
        if outcome[0] == "ok":
            document: EvidenceDocument = outcome[-1]
            items, document.items_json = document.items_json, b""
        head = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        fd = self.fds[task]
        for data in (head, items):
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        return len(head), len(items)

    def receive(self, task: int, sizes: tuple[int, int]) -> tuple[Any, ...]:
        """In the parent, once the worker has ended: its outcome, whole."""
        fd = self.fds[task]
        outcome: tuple[Any, ...] = pickle.loads(_read_at(fd, sizes[0], 0))
        if outcome[0] == "ok":
            outcome[-1].items_json = _read_at(fd, sizes[1], sizes[0])
        return outcome

    def keep_only(self, task: int) -> None:
        """In a worker: close the other running workers' files (their memory is freed when they are read)."""
        for other in [t for t in self.fds if t != task]:
            self.close(other)

    def close(self, task: int) -> None:
        fd = self.fds.pop(task, None)
        if fd is not None:
            os.close(fd)


def _read_at(fd: int, size: int, offset: int) -> bytes:
    data = os.pread(fd, size, offset)
    if len(data) == size:
        return data
    parts = [data]  # pread returns at most about 2 GB at once
    done = len(data)
    while done < size:
        chunk = os.pread(fd, size - done, offset + done)
        if not chunk:
            raise OSError(f"worker answer cut short at {done} of {size} bytes")
        parts.append(chunk)
        done += len(chunk)
    return b"".join(parts)


def _balanced(files: list[Path]) -> list[int]:
    """The order to start ``files`` in: largest first, so the last to finish is a small one (ties: file order)."""
    sizes = [_size(path) for path in files]
    return sorted(range(len(files)), key=lambda n: -sizes[n])


def _load_parallel(files: list[Path], root: Path, schemas: SchemaSet, projection: Projection, jobs: int,
                   progress: Callable[[Path], None] | None, seen_ids: IdIndex,
                   merges: set[str]) -> list[EvidenceDocument]:
    """The documents of ``files`` loaded ``jobs`` at a time in forked workers, judged in file order exactly as
    one at a time would: the first document refused stops the load, with the same message (a document's own
    fault before its duplicate ids, its ids before its secret scan). A worker that fails for any other
    reason (killed, out of memory) has its document loaded again here, so the outcome never depends on it.

    Workers start largest document first; what every worker would build for itself (the secret detector,
    the schemas' validators) is built here once, before forking."""
    with _built_for_workers(schemas):
        return _run_workers(files, root, schemas, projection, jobs, progress, seen_ids, merges)


@contextmanager
def _built_for_workers(schemas: SchemaSet) -> Iterator[None]:
    """The secret detector and every kind's validator built here, once, for the workers forked in the
    block to inherit; the validators this process did not hold before are dropped after (7 MB, which the
    engine's parse of the input, the run's peak, can use instead)."""
    with _lap("prepare"):
        secrets.detector()
        compiled = schemas.prepare()
    try:
        yield
    finally:
        schemas.forget(compiled)


def _run_workers(files: list[Path], root: Path, schemas: SchemaSet, projection: Projection, jobs: int,
                 progress: Callable[[Path], None] | None, seen_ids: IdIndex,
                 merges: set[str]) -> list[EvidenceDocument]:
    from auditor.workers import Failed, Limits, run_forked

    order = _balanced(files)
    channel = _Channel() if _Channel.available() else None
    answers: dict[int, Any] = {}

    def work(task: int) -> Any:
        _phases.clear()
        if channel is not None:
            channel.keep_only(task)
        outcome = _load_in_worker(files[task], root, schemas, projection)
        answer = outcome if channel is None else channel.send(task, outcome)
        return answer, dict(_phases)

    def started(n: int) -> None:
        if progress:
            progress(files[order[n]])
        if channel is not None:
            channel.open(order[n])

    def done(n: int, outcome: Any) -> None:
        task = order[n]
        if not isinstance(outcome, Failed):
            outcome, spent = outcome
            for phase, seconds in spent.items():
                _phases[phase] += seconds
        if channel is not None:
            try:
                if not isinstance(outcome, Failed):
                    outcome = channel.receive(task, outcome)
            except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
                outcome = Failed("worker sent an unreadable result")  # loaded again here
            finally:
                channel.close(task)
        answers[task] = outcome

    start = time.perf_counter()
    try:
        run_forked(work, order, jobs=jobs, limits=Limits(timeout_s=3600, memory_mib=16 * 1024),
                   on_start=started, on_done=done)
    finally:
        if channel is not None:
            for task in list(channel.fds):
                channel.close(task)
    _phases["workers (wall)"] += time.perf_counter() - start
    documents = []
    for task, path in enumerate(files):
        outcome = answers.get(task, Failed("no result"))
        if isinstance(outcome, Failed):
            documents.append(load_document(path, root, schemas, seen_ids, merges, projection))
            continue
        if outcome[0] == "parse":
            raise InputError(outcome[1])
        _, kind, collector, ids, found = outcome
        with _lap("ids"):
            seen_ids.add(ids, kind, str(path), collector, merges)
        if outcome[0] == "scan":
            raise InputError(found)
        documents.append(found)
    return documents


@contextmanager
def _collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while loading: parsing builds millions of objects (no cycles), and each
    full collection walked every one already held (the serial load spent a fifth of its time there)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_evidence(
    root: Path,
    schemas: SchemaSet | None = None,
    progress: Callable[[Path], None] | None = None,
    projection: Projection = NONE,
    jobs: int | None = None,
) -> EvidenceSet:
    """Load and validate every document under ``root``; the first invalid one stops the load.

    ``jobs``: documents parsed and scanned at once in forked workers (default: one per core when the
    evidence holds at least :data:`PARALLEL_BYTES`, else one, in this process); the outcome, documents and
    the first error alike, does not depend on it.

    ``projection``: keep only the fields the policies may read (:func:`auditor.evaluate.projection_of`);
    every field is still validated and scanned for secrets. Evaluate such a set with that projection.
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: evidence folder not found")
    schemas = schemas or SchemaSet()
    files = evidence_files(root)
    if not files:
        raise InputError(f"{root}: no evidence documents (*.json, *.yaml) found")
    _phases.clear()
    started = time.perf_counter()
    seen_ids = IdIndex()
    merges: set[str] = set()
    if jobs is None:
        from auditor.workers import available_cores, can_fork

        size = sum(_size(path) for path in files)
        jobs = min(available_cores(), len(files)) if can_fork() and size >= PARALLEL_BYTES else 1
    with _collection_paused():
        if jobs > 1:
            documents = _load_parallel(files, root, schemas, projection, jobs, progress, seen_ids, merges)
        else:
            documents = []
            for path in files:
                if progress:
                    progress(path)
                documents.append(load_document(path, root, schemas, seen_ids, merges, projection))
        del seen_ids
    if merges:
        from auditor.evidence.merge import merge_changes

        documents = merge_changes(documents, merges)
    organisation_of(((d.relpath, d.organisation) for d in documents), str(root))  # one name, or none
    timings = {"total (wall)": time.perf_counter() - started, "jobs": float(jobs), **_phases}
    return EvidenceSet(root, documents, projection, timings)
