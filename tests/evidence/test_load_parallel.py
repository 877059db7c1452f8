"""Evidence loaded in forked workers (large evidence sets): the same documents, and the same first error,
as loading one document at a time."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from auditor.content import demo_evidence_dir
from auditor.errors import InputError
from auditor.evidence import SchemaSet, load_evidence
from auditor.evidence import load as load_module
from auditor.evidence.secrets import REDACT, secrets_mode
from auditor.workers import can_fork
from tests.evidence.test_load import write_doc

pytestmark = pytest.mark.skipif(not can_fork(), reason="forked workers need os.fork")

SECRET = "ghp_" + "R2d2C3po" * 4 + "Bb8X"


def fingerprint(root: Path, schemas: SchemaSet, jobs: int) -> list[tuple[object, ...]]:
    loaded = load_evidence(root, schemas, jobs=jobs)
    return [(d.relpath, d.kind, d.sha256, d.item_count, d.errors, d.redactions, d.organisation, d.collector,
             d.items_json) for d in loaded.documents]


def outcome(root: Path, schemas: SchemaSet, jobs: int) -> object:
    try:
        return fingerprint(root, schemas, jobs)
    except InputError as exc:
        return ("refused", exc.message)


def test_the_demo_loads_the_same_in_workers() -> None:
    schemas = SchemaSet()
    serial = fingerprint(demo_evidence_dir(), schemas, 1)
    assert len(serial) > 10
    assert fingerprint(demo_evidence_dir(), schemas, 2) == serial


SCENARIOS: dict[str, Callable[[Path], None]] = {
    "an invalid document after a valid one": lambda root: write_doc(root / "m.json", items=[{"id": "x"}]),
    "two invalid documents: the first in order is named": lambda root: (
        write_doc(root / "a.json", items=[{"id": "x"}]), (root / "b.json").write_text("{not json")),
    "a duplicate id across documents": lambda root: write_doc(
        root / "more.json", items=[{"id": "g-3", "owner": "x", "encrypted": True}]),
    "a secret and a duplicate id in one document: the id first": lambda root: write_doc(
        root / "more.json", items=[{"id": "g-3", "owner": SECRET, "encrypted": True}]),
    "a secret alone": lambda root: write_doc(root / "more.json", items=[{"id": "g-9", "owner": SECRET,
                                                                         "encrypted": True}]),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_the_first_refusal_is_the_same_in_workers(scenario: str, evidence: Path, fixtures: Path) -> None:
    SCENARIOS[scenario](evidence)
    schemas = SchemaSet(fixtures / "schemas")
    serial = outcome(evidence, schemas, 1)
    assert isinstance(serial, tuple) and serial[0] == "refused", serial
    assert outcome(evidence, schemas, 2) == serial


def test_redaction_applies_in_workers(evidence: Path, fixtures: Path, tmp_path: Path) -> None:
    write_doc(evidence / "more.json", items=[{"id": "g-9", "owner": SECRET, "encrypted": True}])
    copy = shutil.copytree(evidence, tmp_path / "copy")  # redaction rewrites the file: one folder per run
    schemas = SchemaSet(fixtures / "schemas")
    with secrets_mode(REDACT):
        serial = fingerprint(evidence, schemas, 1)
        parallel = fingerprint(copy, schemas, 2)
    assert parallel == serial and any(doc[5] for doc in serial)
    assert all(SECRET.encode() not in doc[8] for doc in parallel)
    assert SECRET not in (copy / "more.json").read_text()


def test_a_worker_that_dies_has_its_document_loaded_here(evidence: Path, fixtures: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    schemas = SchemaSet(fixtures / "schemas")
    serial = fingerprint(evidence, schemas, 1)
    real = load_module._load_in_worker
    parent = os.getpid()

    def dying(path: Path, *args: object) -> tuple[object, ...]:
        if os.getpid() != parent and path.name == "gadgets.json":
            os._exit(9)  # killed, as by the out-of-memory killer
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(load_module, "_load_in_worker", dying)
    assert fingerprint(evidence, schemas, 2) == serial


def test_an_unreadable_answer_has_its_document_loaded_here(evidence: Path, fixtures: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    schemas = SchemaSet(fixtures / "schemas")
    serial = fingerprint(evidence, schemas, 1)
    if not load_module._Channel.available():
        pytest.skip("no memfd on this platform: answers come through the pipe")

    def unreadable(self: object, task: int, sizes: tuple[int, int]) -> tuple[object, ...]:
        raise OSError("cut short")

    monkeypatch.setattr(load_module._Channel, "receive", unreadable)
    assert fingerprint(evidence, schemas, 2) == serial
