"""Build a signed pack: stream every member into a deterministic zip, hashing as it goes.

Members are written in sorted order with fixed timestamps and attributes; then
``manifest.json``; last the DSSE attestation, whose subjects are every other
member. Evidence files are streamed in 1 MiB chunks, so memory stays bounded
whatever their size. Members larger than ``fast_above`` bytes are compressed
with deflate level 1 instead of the default 6: level 6 costs about ten
sha256 passes, level 1 about four, for a pack some 30% larger.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from auditor import __version__
from auditor.errors import InputError
from auditor.files import atomic_writer, canonical_json, sha256_file
from auditor.pack import attestation, testhook
from auditor.pack.archive import ArchiveError, check_names
from auditor.pack.manifest import ATTESTATION, MANIFEST, OSCAL, PUBLIC_KEY, RESULTS, Entry, render
from auditor.results import WrittenResults
from auditor.results_model import Results

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644 << 16
#: the library layers' order (only in packs of a layered library)
STACK = "library/stack.json"
#: the run's extra evidence schema folders, numbered in their order (only when it had some)
SCHEMAS = "library/schemas"
CHUNK = 1 << 20
FAST_ABOVE = 16 << 20
FAST_LEVEL = 1


@dataclass
class LibrarySnapshot:
    """The control library folders and params file to copy under ``library/``."""

    controls: Path | None = None
    policies: Path | None = None
    mappings: Path | None = None
    params: Path | None = None
    #: organisation library layers over the base (``auditor.layers``): (name, {member name: path})
    layers: tuple[tuple[str, dict[str, Path]], ...] = ()
    #: extra evidence schema folders (``--schemas``), in order: ``library/schemas/<n>/`` (n from 1)
    schemas: tuple[Path, ...] = ()

    def files(self) -> list[tuple[str, Path]]:
        found: list[tuple[str, Path]] = []
        for name in ("controls", "policies", "mappings"):
            found.extend(_tree(f"library/{name}", getattr(self, name)))
        if self.params is not None:
            found.append((f"library/params/{self.params.name}", self.params))
        for n, folder in enumerate(self.schemas, 1):
            found.extend(_tree(f"{SCHEMAS}/{n}", folder))
        for layer, parts in self.layers:
            for name, path in sorted(parts.items()):
                if path.is_dir():
                    found.extend(_tree(f"library/layers/{layer}/{name}", path))
                elif path.is_file():
                    found.append((f"library/layers/{layer}/{name}", path))
        return found

    def provenance(self) -> dict[str, Any]:
        """The git commit the library came from, when it lives in a git checkout."""
        for root in (self.controls, self.policies, self.mappings):
            if root is not None and root.exists():
                return git_provenance(root)
        return {"commit": "unknown"}


def _tree(prefix: str, root: Path | None) -> list[tuple[str, Path]]:
    if root is None or not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            found.append((f"{prefix}/{rel.as_posix()}", path))
    return found


def git_provenance(path: Path) -> dict[str, Any]:
    import git

    try:
        repo = git.Repo(path, search_parent_directories=True)
        commit = repo.head.commit.hexsha
        rel = Path(path).resolve().relative_to(Path(repo.working_tree_dir or "").resolve()).as_posix()
        dirty = repo.is_dirty(untracked_files=True, path=rel)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, ValueError):
        return {"commit": "unknown"}
    return {"commit": commit, "dirty": dirty}


@dataclass(frozen=True)
class PackResult:
    path: Path
    sha256: str
    size: int
    members: int
    run_id: str
    key_id: str
    development: bool
    previous_pack_sha256: str | None
    predicate: dict[str, Any] = field(default_factory=dict)


def _set_level(info: zipfile.ZipInfo, level: int) -> None:
    if hasattr(info, "compress_level"):  # Python 3.13+
        info.compress_level = level
    else:
        info._compresslevel = level  # type: ignore[attr-defined]


def _zinfo(name: str, size: int, fast_above: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.create_system = 3
    info.external_attr = FILE_MODE
    info.compress_type = zipfile.ZIP_DEFLATED
    if size > fast_above:
        _set_level(info, FAST_LEVEL)
    info.file_size = size
    return info


class _PackWriter:
    def __init__(self, handle: IO[bytes], fast_above: int) -> None:
        self.zip = zipfile.ZipFile(handle, "w", allowZip64=True)
        self.fast_above = fast_above
        self.entries: list[Entry] = []

    def add_bytes(self, name: str, data: bytes) -> Entry:
        with self.zip.open(_zinfo(name, len(data), self.fast_above), "w") as out:
            out.write(data)
        entry = Entry(name, len(data), hashlib.sha256(data).hexdigest())
        self.entries.append(entry)
        return entry

    def add_file(self, name: str, path: Path) -> Entry:
        digest = hashlib.sha256()
        size = 0
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror}") from None
        with handle, self.zip.open(_zinfo(name, path.stat().st_size, self.fast_above), "w") as out:
            while block := handle.read(CHUNK):
                digest.update(block)
                out.write(block)
                size += len(block)
        entry = Entry(name, size, digest.hexdigest())
        self.entries.append(entry)
        return entry

    def __enter__(self) -> _PackWriter:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is None:
            self.zip.close()
        else:  # the half-written file is discarded by atomic_writer; do not write a central directory
            self.zip.fp = None


def _safe_member(relpath: str, where: str) -> str:
    pure = PurePosixPath(relpath)
    if pure.is_absolute() or ".." in pure.parts or "\\" in relpath or not relpath:
        raise InputError(f"{where}: evidence path {relpath!r} is not a relative path inside the evidence folder")
    return pure.as_posix()


def _counts(results: Results) -> dict[str, Any]:
    """The predicate's ``controls``: the total and the count of each status present."""
    return {"total": len(results.controls), "by_status": results.statuses_present()}


def build_pack(
    results_path: Path | WrittenResults,
    evidence_dir: Path,
    out: Path,
    signer: Any,
    *,
    library: LibrarySnapshot | None = None,
    reports: Iterable[Path] = (),
    previous_pack_sha256: str | None = None,
    development: bool = False,
    fast_above: int = FAST_ABOVE,
    extra_predicate: dict[str, Any] | None = None,
) -> PackResult:
    """Write a signed pack to ``out`` (atomically) and return its digest and facts.

    ``results_path``: the run's results as written (:class:`auditor.results.WrittenResults`), or a
    results.json to read. The pack holds their bytes as written; the predicate and the OSCAL member are
    rendered from the typed results, so results that are not a valid results document (another schema
    version, a missing or mistyped field) are refused, exit 2 naming the file and field.

    ``library.provenance()`` gives the library's recorded origin; ``extra_predicate`` adds keys to the
    attested predicate (a merged pack's shards).
    """
    from auditor.files import pretty_json
    from auditor.report.oscal import assessment_results

    # typed (and so checked: a damaged results.json is exit 2 naming the field); packed as the bytes written
    written = results_path if isinstance(results_path, WrittenResults) else WrittenResults.read(results_path)
    results_path, evidence_dir = written.path, Path(evidence_dir)
    results, results_raw = written.results, written.raw
    if not evidence_dir.is_dir():
        raise InputError(f"{evidence_dir}: evidence folder not found")

    members: dict[str, tuple[Path | None, bytes | None]] = {}
    recorded: dict[str, str] = {}
    for item in results.evidence:
        rel = _safe_member(item.path, str(results_path))
        evidence_file = evidence_dir / rel
        if not evidence_file.is_file():
            raise InputError(f"{evidence_file}: evidence file named in {results_path} not found")
        members[f"evidence/{rel}"] = (evidence_file, None)
        recorded[f"evidence/{rel}"] = item.sha256
    library = library or LibrarySnapshot()
    for name, file in library.files():
        members[name] = (file, None)
    if library.layers:  # their order decides which parameters win: a replay needs it (auditor.pack.replay)
        members[STACK] = (None, canonical_json({"layers": [name for name, _ in library.layers]}) + b"\n")
    for report in sorted(Path(r) for r in reports):
        if report.is_file():
            members[f"reports/{report.name}"] = (report, None)
    members[RESULTS] = (None, results_raw)
    members[OSCAL] = (None, pretty_json(assessment_results(results)))
    members[PUBLIC_KEY] = (None, signer.public_key_pem())
    try:  # what verify would reject: names that collide on case-insensitive or normalising file systems
        check_names([*members, MANIFEST, ATTESTATION])
    except ArchiveError as exc:
        raise InputError(f"cannot pack: {exc}") from None

    provenance = library.provenance()
    predicate: dict[str, Any] = {
        "run_id": results.run_id,
        "time": results.finished_at,
        "started_at": results.started_at,
        "as_of": results.as_of,
        "engine": results.engine,
        "versions": {"auditor": __version__, "results_schema": results.schema_version},
        "controls": _counts(results),
        "evidence": {"documents": len(recorded)},
        "library": provenance,
        "signer_key_id": signer.key_id,
        "signer": {"kind": signer.name, "algorithm": signer.algorithm, "key_id": signer.key_id},
        "development": development,
        "previous_pack_sha256": previous_pack_sha256,
        **(extra_predicate or {}),  # e.g. a merged pack's shards (auditor.pack.merge)
    }

    with atomic_writer(Path(out)) as handle, _PackWriter(handle, fast_above) as writer:
        for name in sorted(members):
            source, data = members[name]
            entry = writer.add_file(name, source) if source is not None else writer.add_bytes(name, data or b"")
            if name in recorded and entry.sha256 != recorded[name]:
                raise InputError(
                    f"{source}: sha256 {entry.sha256[:12]}... differs from {recorded[name][:12]}... recorded in "
                    f"{results_path}: the evidence changed after it was evaluated"
                )
        testhook.phase("pack-writing")  # tests only: a signal while the temporary pack is half written
        predicate["evidence"]["bytes"] = sum(e.size for e in writer.entries if e.path.startswith("evidence/"))
        writer.add_bytes(MANIFEST, render(writer.entries, results.run_id, provenance))
        subjects = {e.path: e.sha256 for e in writer.entries}
        envelope = attestation.sign(attestation.statement(subjects, predicate), signer)
        writer.add_bytes(ATTESTATION, canonical_json(envelope) + b"\n")
        count = len(writer.entries)
    out = Path(out)
    return PackResult(
        path=out,
        sha256=sha256_file(out),
        size=out.stat().st_size,
        members=count,
        run_id=results.run_id,
        key_id=signer.key_id,
        development=development,
        previous_pack_sha256=previous_pack_sha256,
        predicate=predicate,
    )
