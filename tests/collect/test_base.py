from __future__ import annotations

import inspect
from pathlib import Path
from typing import ClassVar

import orjson
import pytest

from auditor.collect import COLLECTORS, Collector, Document, load_collectors, write_document
from auditor.collect.base import Clock, envelope, parse_instant
from auditor.errors import InputError
from auditor.evidence import SchemaSet, load_evidence
from auditor.model import CollectionFailure

load_collectors()


@pytest.mark.parametrize("name", COLLECTORS.names())
def test_every_collector_declares_its_contract(name: str) -> None:
    collector = COLLECTORS.get(name)
    assert collector.name == name
    assert collector.version.count(".") == 2
    assert collector.kinds and all(k in SchemaSet().kinds for k in collector.kinds)
    assert collector.permissions and all(p.strip() for p in collector.permissions)
    doc = inspect.getdoc(collector) or ""
    assert "Example::" in doc and f"auditor collect {name if name != 'file' else 'file'}" in doc


def test_registry_lists_every_collector() -> None:
    assert COLLECTORS.names() == ["aws", "deployment", "file", "git", "github", "gitlab", "prometheus"]


class Dummy(Collector):
    name: ClassVar[str] = "dummy"
    version: ClassVar[str] = "1.2.3"
    kinds: ClassVar[tuple[str, ...]] = ("access_reviews",)


def review(ident: str, **extra: object) -> dict[str, object]:
    return {"id": ident, "scope": "aws:admin", "reviewer": "ciso@example.com",
            "completed_at": "2026-09-30T17:00:00Z", "privileged": True, "findings_open": 0, **extra}


def test_envelope_sorts_items_and_errors_and_scrubs(tmp_path: Path) -> None:
    doc = Document("access_reviews", "file:x", [review("b"), review("a", ticket="AKIAIOSFODNN7EXAMPLE")],
                   [CollectionFailure("z", code="AccessDenied", message="no"), CollectionFailure("a", code="Throttling", message="slow"),
                    CollectionFailure("a", code="Throttling", message="slow")])
    body = envelope(doc, Dummy(), "2026-11-20T09:00:00Z")
    assert [i["id"] for i in body["items"]] == ["a", "b"]
    assert body["items"][0]["ticket"] == "****MPLE"
    assert [e["scope"] for e in body["errors"]] == ["a", "z"]  # duplicates collapse
    assert body["collector"] == {"name": "dummy", "version": "1.2.3"} and body["item_count"] == 2
    path = write_document(doc, tmp_path, Dummy(), "2026-11-20T09:00:00Z")
    assert path.name == "dummy-access_reviews.json"
    assert orjson.loads(path.read_bytes()) == body
    assert load_evidence(tmp_path).documents[0].errors[0].code == "Throttling"
    with pytest.raises(ValueError, match="does not declare kind 'changes'"):
        envelope(Document("changes", "x"), Dummy(), "2026-11-20T09:00:00Z")


def test_clock_pins_from_option_or_source_date_epoch() -> None:
    assert Clock.from_env("2026-11-20T10:00:00+01:00").stamp() == "2026-11-20T09:00:00Z"
    assert Clock.from_env(None, {"SOURCE_DATE_EPOCH": "1700000000"}).stamp() == "2023-11-14T22:13:20Z"
    assert Clock.from_env(None, {}).pinned is None
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH: found 'soon'"):
        Clock.from_env(None, {"SOURCE_DATE_EPOCH": "soon"})
    with pytest.raises(InputError, match="--collected-at: found 'today'"):
        parse_instant("today")
