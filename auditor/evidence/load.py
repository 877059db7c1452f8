"""Load an evidence directory into validated documents and the engine's input.

Each document is parsed, validated and re-serialised one at a time, so peak
memory holds one document's Python objects, not the whole organisation's.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson

from auditor.errors import InputError
from auditor.evidence import secrets
from auditor.evidence.projection import NONE, Projection
from auditor.evidence.schemas import SchemaSet
from auditor.files import load_data
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
    return [i if isinstance(i, str) else None for i in (item.get("id") if isinstance(item, dict) else None
                                                         for item in items)]


def check_unique_ids(ids: Iterable[str | None], kind: str, where: str,
                     seen: dict[str, dict[str, tuple[str, str | None]]],
                     collector: str | None = None, merges: set[str] | None = None) -> None:
    """Item ids are unique within a kind, across documents: results, waivers and baselines key on them.
    The one exception: a commit collected by git and by a forge (``merges`` collects its id; see
    :mod:`auditor.evidence.merge`)."""
    from auditor.evidence.merge import mergeable

    known = seen.setdefault(kind, {})
    for index, item_id in enumerate(ids):
        if item_id is None:
            continue
        here = f"{where} items[{index}]"
        if item_id in known:
            first, by = known[item_id]
            if merges is not None and mergeable(kind, by, collector):
                merges.add(item_id)
                known[item_id] = (first, f"{by}+{collector}")  # a third record of the commit is refused
                continue
            raise InputError(
                f"{here}: id: duplicate {kind} id {item_id!r}, already used by {first}; "
                "expected ids unique within a kind (a commit collected by git and by one forge is merged)"
            )
        known[item_id] = (here, collector)


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

    @property
    def items(self) -> list[Any]:
        items: list[Any] = self.doc["items"]
        return items


def _parse(path: Path, root: Path, schemas: SchemaSet) -> _Parsed:
    raw = read_evidence_bytes(path, root)
    doc = load_data(path, raw)
    kind = schemas.validate_document(doc, str(path))
    try:
        parse_time(doc["collected_at"])
    except ValueError:
        raise InputError(
            f"{path}: collected_at: found {doc['collected_at']!r}, expected an RFC 3339 date-time"
        ) from None
    collector = doc.get("collector")
    return _Parsed(raw, doc, kind, collector.get("name") if isinstance(collector, dict) else None)


def _finish(parsed: _Parsed, path: Path, root: Path, projection: Projection) -> EvidenceDocument:
    doc, kind, items = parsed.doc, parsed.kind, parsed.items
    errors = tuple(
        CollectionFailure(scope=e["scope"], message=e["message"], code=e.get("code", ""))
        for e in doc.get("errors", [])
    )
    checked = secrets.checked(EvidenceDocument(  # refused, or redacted with --redact-secrets
        path=path,
        relpath=path.relative_to(root).as_posix(),
        kind=kind,
        source=doc["source"],
        collected_at=doc["collected_at"],
        sha256=hashlib.sha256(parsed.raw).hexdigest(),
        size=len(parsed.raw),
        item_count=len(items),
        collector=doc.get("collector"),
        errors=errors,
        items_json=orjson.dumps(items),  # every field, for the secret scan
        organisation=" ".join(doc["organisation"].split()) if doc.get("organisation") else None,
    ))
    if not projection.keeps_whole(kind):
        if checked.redactions:  # the redacted items, projected
            items = orjson.loads(checked.items_json)
        checked.items_json = b""
        checked.items_json = orjson.dumps(projection.project(kind, items))
    return checked


def load_document(
    path: Path, root: Path, schemas: SchemaSet, seen_ids: dict[str, dict[str, tuple[str, str | None]]] | None = None,
    merges: set[str] | None = None,
    projection: Projection = NONE,
) -> EvidenceDocument:
    """One document, validated and scanned for secrets on every field; its items then kept serialised,
    projected (``projection``: only the fields the policies may read, so the whole set is never held)."""
    parsed = _parse(path, root, schemas)
    check_unique_ids(item_ids(parsed.items), parsed.kind, str(path), {} if seen_ids is None else seen_ids,
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
    ids = item_ids(parsed.items)
    try:
        document = _finish(parsed, path, root, projection)
    except InputError as exc:
        return ("scan", parsed.kind, parsed.collector, ids, exc.message)
    return ("ok", parsed.kind, parsed.collector, ids, document)


def _load_parallel(files: list[Path], root: Path, schemas: SchemaSet, projection: Projection, jobs: int,
                   progress: Callable[[Path], None] | None,
                   seen_ids: dict[str, dict[str, tuple[str, str | None]]], merges: set[str]) -> list[EvidenceDocument]:
    """The documents of ``files`` loaded ``jobs`` at a time in forked workers, judged in file order exactly as
    one at a time would: the first document refused stops the load, with the same message (a document's own
    fault before its duplicate ids, its ids before its secret scan). A worker that fails for any other
    reason (killed, out of memory) has its document loaded again here, so the outcome never depends on it."""
    from auditor.workers import Failed, Limits, run_forked

    outcomes = run_forked(lambda path: _load_in_worker(path, root, schemas, projection), files, jobs=jobs,
                          limits=Limits(timeout_s=3600, memory_mib=16 * 1024),
                          on_start=(lambda n: progress(files[n])) if progress else None)
    documents = []
    for path, outcome in zip(files, outcomes, strict=True):
        if isinstance(outcome, Failed):
            documents.append(load_document(path, root, schemas, seen_ids, merges, projection))
            continue
        if outcome[0] == "parse":
            raise InputError(outcome[1])
        _, kind, collector, ids, found = outcome
        check_unique_ids(ids, kind, str(path), seen_ids, collector, merges)
        if outcome[0] == "scan":
            raise InputError(found)
        documents.append(found)
    return documents


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
    seen_ids: dict[str, dict[str, tuple[str, str | None]]] = {}
    merges: set[str] = set()
    if jobs is None:
        from auditor.workers import available_cores, can_fork

        size = sum(_size(path) for path in files)
        jobs = min(available_cores(), len(files)) if can_fork() and size >= PARALLEL_BYTES else 1
    if jobs > 1:
        documents = _load_parallel(files, root, schemas, projection, jobs, progress, seen_ids, merges)
    else:
        documents = []
        for path in files:
            if progress:
                progress(path)
            documents.append(load_document(path, root, schemas, seen_ids, merges, projection))
    if merges:
        from auditor.evidence.merge import merge_changes

        documents = merge_changes(documents, merges)
    organisation_of(((d.relpath, d.organisation) for d in documents), str(root))  # one name, or none
    return EvidenceSet(root, documents, projection)
