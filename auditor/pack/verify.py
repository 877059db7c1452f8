"""Verify a pack without trusting its producer.

Checks, in order, stopping at the first failure (its reason in plain words):
the archive is safe to read (no absolute paths, ``..``, backslashes, duplicate
names, names equal but for case or normalisation, names read from their raw bytes
that readers could decode differently (NUL, non-ASCII without the UTF-8 flag, Unicode
path extra fields), symlinks or directories;
declared sizes and compression ratios bounded) and laid out exactly as a pack is
written, so that every zip reader sees the same members (:mod:`auditor.pack.archive`),
the DSSE signature verifies with the expected key, the signed statement covers
``manifest.json`` and the manifest agrees with it, the members present are
exactly those signed (nothing missing, nothing added), every member's sha256
matches its signed digest, and ``results.json`` names exactly the evidence
packed, with the same digests.
"""

from __future__ import annotations

import hashlib
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

import orjson

from auditor.errors import InputError
from auditor.files import sha256_file
from auditor.pack import attestation, keys
from auditor.pack.archive import ArchiveError, check_layout, check_names, decode_name, raw_names, read_member
from auditor.pack.attestation import EnvelopeError
from auditor.pack.manifest import ATTESTATION, MANIFEST, PUBLIC_KEY, RESULTS, ManifestError
from auditor.pack.manifest import parse as parse_manifest
from auditor.pack.signers import Verifier

CHUNK = 1 << 20
MAX_TOTAL_BYTES = 64 << 30  #: sum of declared uncompressed sizes
MAX_RATIO = 1000  #: uncompressed / compressed, for members over RATIO_FLOOR
RATIO_FLOOR = 1 << 20
MAX_SMALL_MEMBER = 64 << 20  #: attestation, manifest, public key, results are read whole


class Invalid(Exception):
    """The pack is not valid; ``str(exc)`` is the reason."""


@dataclass
class Verification:
    pack: Path
    valid: bool
    reason: str | None = None
    sha256: str | None = None
    run_id: str | None = None
    key_id: str | None = None
    key_source: str | None = None
    key_pinned: bool = False
    development: bool = False
    members: int = 0
    predicate: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "pack": str(self.pack),
            "valid": self.valid,
            "reason": self.reason,
            "sha256": self.sha256,
            "run_id": self.run_id,
            "key_id": keys.mask(self.key_id) if self.key_id else None,
            "key_source": self.key_source,
            "key_pinned": self.key_pinned,
            "development": self.development,
            "members": self.members,
            "previous_pack_sha256": self.predicate.get("previous_pack_sha256"),
            "controls": self.predicate.get("controls"),
        }


def _check_name(info: zipfile.ZipInfo, seen: set[str]) -> None:
    name = info.filename
    pure = PurePosixPath(name)
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or pure.is_absolute():
        raise Invalid(f"unsafe member name {name!r}: absolute path")
    if "\\" in name or any(part in ("..", ".", "") for part in name.split("/")):
        raise Invalid(f"unsafe member name {name!r}: '..', '.', empty part or backslash")
    if info.is_dir():
        raise Invalid(f"unexpected directory entry {name!r}")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise Invalid(f"unsafe member {name!r}: symbolic link")
    if stat.S_IFMT(info.external_attr >> 16) not in (0, stat.S_IFREG):
        raise Invalid(f"unsafe member {name!r}: not a regular file (mode {info.external_attr >> 16:#o})")
    if name in seen:
        raise Invalid(f"duplicate member name {name!r}")
    seen.add(name)


def _check_bounds(infos: list[zipfile.ZipInfo], max_total: int, max_ratio: int) -> None:
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > max_ratio * max(info.compress_size, 1):
            raise Invalid(f"member {info.filename} expands {info.file_size // max(info.compress_size, 1)}x: "
                          f"over the {max_ratio}x decompression bound")
    if total > max_total:
        raise Invalid(f"the pack declares {total} bytes uncompressed: over the {max_total}-byte bound")


class _Members:
    """Reads members through :func:`auditor.pack.archive.read_member` once the layout is checked."""

    def __init__(self, handle: IO[bytes], by_name: dict[str, zipfile.ZipInfo], offsets: dict[str, int]) -> None:
        self.handle, self.by_name, self.offsets = handle, by_name, offsets

    def chunks(self, name: str) -> Any:
        return read_member(self.handle, self.by_name[name], self.offsets[name])

    def digest(self, name: str) -> tuple[str, int]:
        digest = hashlib.sha256()
        size = 0
        try:
            for block in self.chunks(name):
                size += len(block)
                digest.update(block)
        except ArchiveError as exc:
            raise Invalid(str(exc)) from None
        return digest.hexdigest(), size

    def read_small(self, name: str) -> bytes:
        info = self.by_name[name]
        if info.file_size > MAX_SMALL_MEMBER:
            raise Invalid(f"member {name} is {info.file_size} bytes: over the {MAX_SMALL_MEMBER}-byte bound")
        try:
            return b"".join(self.chunks(name))
        except ArchiveError as exc:
            raise Invalid(str(exc)) from None


def verify_pack(
    path: Path,
    verifier: Verifier | None = None,
    *,
    max_total: int = MAX_TOTAL_BYTES,
    max_ratio: int = MAX_RATIO,
) -> Verification:
    """Verify ``path``; ``verifier`` pins the expected key (else the pack's own public key is used)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: pack not found")
    result = Verification(pack=path, valid=False, sha256=sha256_file(path))
    try:
        _verify(path, verifier, result, max_total, max_ratio)
    except Invalid as exc:
        result.valid, result.reason = False, str(exc)
        return result
    result.valid = True
    return result


def _verify(path: Path, verifier: Verifier | None, result: Verification, max_total: int, max_ratio: int) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except UnicodeDecodeError:
        raise Invalid("unsafe member name: flagged UTF-8 but not valid UTF-8") from None
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Invalid(f"not a valid zip archive ({exc})") from None
    with archive, path.open("rb") as handle:
        try:  # names as raw bytes first: zipfile's own reading (cut at NUL, cp437) is only one of several
            for raw, flags in raw_names(handle, path.stat().st_size):
                decode_name(raw, flags)
        except ArchiveError as exc:
            raise Invalid(str(exc)) from None
        infos = archive.infolist()
        seen: set[str] = set()
        for info in infos:
            _check_name(info, seen)
        _check_bounds(infos, max_total, max_ratio)
        try:
            check_names(seen)
            offsets = check_layout(handle, path.stat().st_size, infos)
        except ArchiveError as exc:
            raise Invalid(str(exc)) from None
        by_name = {i.filename: i for i in infos}
        members = _Members(handle, by_name, offsets)
        result.members = len(infos)

        # 1. The signature, with the pinned key or the pack's own.
        if ATTESTATION not in by_name:
            raise Invalid(f"the pack is not signed: {ATTESTATION} is missing")
        try:
            envelope, payload = attestation.parse_envelope(members.read_small(ATTESTATION))
        except EnvelopeError as exc:
            raise Invalid(str(exc)) from None
        key_id, signature = attestation.signature_bytes(envelope)
        if verifier is None:
            if PUBLIC_KEY not in by_name:
                raise Invalid(f"no key given and the pack carries no public key ({PUBLIC_KEY})")
            try:
                verifier = Verifier.from_public_key(
                    keys.parse_public_pem(members.read_small(PUBLIC_KEY), PUBLIC_KEY), PUBLIC_KEY
                )
            except InputError as exc:
                raise Invalid(str(exc)) from None
            result.key_pinned = False
        else:
            result.key_pinned = True
        result.key_source = verifier.source
        if key_id != verifier.key_id:
            raise Invalid(
                f"signed by a different key: the signature names key {keys.mask(key_id)}, "
                f"expected {keys.mask(verifier.key_id)} ({verifier.source})"
            )
        if not verifier.verify(signature, attestation.pae(envelope["payloadType"], payload)):
            raise Invalid(f"the signature does not verify with key {keys.mask(verifier.key_id)}: "
                          "the signature was replaced or the attestation altered")
        result.key_id = verifier.key_id
        try:
            statement = attestation.parse_statement(payload)
        except EnvelopeError as exc:
            raise Invalid(str(exc)) from None
        predicate = statement["predicate"]
        result.predicate = predicate
        result.run_id = str(predicate.get("run_id"))
        result.development = bool(predicate.get("development"))
        subjects = attestation.subjects_of(statement)

        # 2. The manifest is the signed one and agrees with the statement.
        if ATTESTATION in subjects:
            raise Invalid("the signed statement lists the attestation itself")
        if MANIFEST not in by_name:
            raise Invalid("member manifest.json is missing from the pack")
        if MANIFEST not in subjects:
            raise Invalid("manifest.json is not covered by the signature")
        manifest_raw = members.read_small(MANIFEST)
        if hashlib.sha256(manifest_raw).hexdigest() != subjects[MANIFEST]:
            raise Invalid("manifest.json was altered: its sha256 does not match the signed digest")
        try:
            entries = parse_manifest(manifest_raw)
        except ManifestError as exc:
            raise Invalid(str(exc)) from None
        signed_members = {n: d for n, d in subjects.items() if n != MANIFEST}
        if {n: e.sha256 for n, e in entries.items()} != signed_members:
            raise Invalid("manifest.json and the signed statement list different members or digests")

        # 3. Exactly the signed members are present.
        present = set(by_name) - {ATTESTATION}
        missing = sorted(set(subjects) - present)
        if missing:
            raise Invalid(f"member {missing[0]} is missing: it is listed in the signed manifest but not in the pack")
        added = sorted(present - set(subjects))
        if added:
            raise Invalid(f"member {added[0]} was added: it is not listed in the manifest or the signature")

        # 4. Every member's content matches its signed digest.
        for name in sorted(signed_members):
            digest, size = members.digest(name)
            if digest != signed_members[name]:
                raise Invalid(f"member {name} was altered: its sha256 {digest[:12]}... does not match "
                              f"the signed {signed_members[name][:12]}...")
            if size != entries[name].size:
                raise Invalid(f"member {name} is {size} bytes; the manifest says {entries[name].size}")

        # 5. results.json refers to exactly the evidence packed.
        if RESULTS not in by_name:
            raise Invalid("member results.json is missing from the pack")
        _check_results(members.read_small(RESULTS), signed_members, result.run_id)


def _check_results(raw: bytes, members: dict[str, str], run_id: str | None) -> None:
    """The packed results.json is a results document (checked and typed like every results.json read
    from a file; the reason names the field), for the signed run, listing exactly the evidence packed."""
    from auditor.results_model import Results

    try:
        results = Results.from_dict(orjson.loads(raw), RESULTS)
    except orjson.JSONDecodeError:
        raise Invalid("results.json is not valid JSON") from None
    except InputError as exc:
        raise Invalid(exc.message) from None
    if results.run_id != run_id:
        raise Invalid(f"results.json is for run {results.run_id}, the signature for run {run_id}")
    listed: set[str] = set()
    for item in results.evidence:
        name = f"evidence/{item.path}"
        listed.add(name)
        if name not in members:
            raise Invalid(f"results.json names evidence {item.path} that is not in the pack")
        if members[name] != item.sha256:
            raise Invalid(f"results.json records a different sha256 for {name} than the file packed")
    extra = sorted(n for n in members if n.startswith("evidence/") and n not in listed)
    if extra:
        raise Invalid(f"{extra[0]} is packed but results.json does not list it as evaluated evidence")
