"""Shared builders for pack tests: real results from the fixture library, keys, packs."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import orjson

from auditor.controls import load_library
from auditor.engine import create
from auditor.evaluate import evaluate
from auditor.evidence import SchemaSet, load_evidence
from auditor.files import pretty_json
from auditor.pack import keys
from auditor.pack.build import LibrarySnapshot, PackResult, build_pack
from auditor.pack.signers import LocalSigner
from auditor.policies import load_policies
from auditor.results import results_document

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def make_results(evidence: Path, out: Path, run_id: str | None = None, finished_at: str | None = None) -> Path:
    run = evaluate(
        load_library(FIXTURES / "library" / "controls"),
        load_policies(FIXTURES / "library" / "policies"),
        load_evidence(evidence, SchemaSet(FIXTURES / "schemas")),
        create("regorus"),
    )
    document = results_document(run)
    if run_id:
        document["run_id"] = run_id
    if finished_at:
        document["finished_at"] = finished_at
    out.write_bytes(pretty_json(document))
    return out


def snapshot() -> LibrarySnapshot:
    return LibrarySnapshot(FIXTURES / "library" / "controls", FIXTURES / "library" / "policies")


def signer(folder: Path) -> LocalSigner:
    if not (folder / keys.PRIVATE_NAME).exists():
        keys.generate(folder)
    return LocalSigner.from_options(folder / keys.PRIVATE_NAME)


def pack(results: Path, evidence: Path, out: Path, key_dir: Path, **kwargs: Any) -> PackResult:
    return build_pack(results, evidence, out, signer(key_dir), library=snapshot(), **kwargs)


def rewrite(src: Path, dst: Path, change: dict[str, bytes | None], add: dict[str, bytes] | None = None) -> None:
    """Copy a zip, replacing (bytes) or dropping (None) members, and appending ``add``."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename in change:
                if change[info.filename] is None:
                    continue
                new.writestr(info, change[info.filename])  # type: ignore[arg-type]
            else:
                new.writestr(info, old.read(info))
        for name, data in (add or {}).items():
            new.writestr(name, data)


def resign(src: Path, dst: Path, change: dict[str, bytes], key: Path, **predicate: Any) -> None:
    """A copy of a valid pack with members replaced (``change``) and predicate keys set (``predicate``),
    its manifest and attestation made to match and signed again with ``key``: a validly signed pack
    holding what the builder would refuse to pack (results of another schema, say)."""
    import hashlib

    from auditor.pack import attestation
    from auditor.pack.manifest import ATTESTATION, MANIFEST

    manifest = orjson.loads(member(src, MANIFEST))
    for entry in manifest["members"]:
        if entry["path"] in change:
            data = change[entry["path"]]
            entry.update(size=len(data), sha256=hashlib.sha256(data).hexdigest())
    manifest_raw = pretty_json(manifest)
    signed = statement(src)
    subjects = attestation.subjects_of(signed)
    subjects.update({name: hashlib.sha256(data).hexdigest() for name, data in change.items()})
    subjects[MANIFEST] = hashlib.sha256(manifest_raw).hexdigest()
    envelope = attestation.sign(attestation.statement(subjects, {**signed["predicate"], **predicate}),
                                LocalSigner.from_options(key))
    rewrite(src, dst, {**change, MANIFEST: manifest_raw, ATTESTATION: orjson.dumps(envelope)})


def member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def statement(path: Path) -> dict[str, Any]:
    import base64

    envelope = orjson.loads(member(path, "signature/attestation.dsse.json"))
    return orjson.loads(base64.b64decode(envelope["payload"]))  # type: ignore[no-any-return]


def copy_evidence(tmp: Path) -> Path:
    target = tmp / "evidence"
    if not target.exists():
        shutil.copytree(FIXTURES / "evidence" / "basic", target)
    return target
