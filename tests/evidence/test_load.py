"""Evidence loading: validation messages name the document, the item index and the field."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import orjson
import pytest

from auditor.errors import InputError
from auditor.evidence import SchemaSet, load_evidence


def load(evidence: Path, fixtures: Path):  # type: ignore[no-untyped-def]
    return load_evidence(evidence, SchemaSet(fixtures / "schemas"))


def write_doc(path: Path, **overrides: object) -> None:
    doc: dict[str, object] = {
        "kind": "gadgets",
        "source": "test",
        "collected_at": "2026-11-20T12:00:00Z",
        "items": [{"id": "g-1", "owner": "a", "encrypted": True}],
    }
    doc.update(overrides)
    path.write_text(json.dumps({k: v for k, v in doc.items() if v is not None}))


def test_documents_hashes_and_input(evidence: Path, fixtures: Path) -> None:
    loaded = load(evidence, fixtures)
    assert [d.relpath for d in loaded] == ["gadgets.json", "ledgers.yaml"]
    gadgets = loaded.documents[0]
    assert gadgets.sha256 == hashlib.sha256((evidence / "gadgets.json").read_bytes()).hexdigest()
    assert gadgets.item_count == 4
    assert loaded.kinds() == {"gadgets": 4, "ledgers": 2}
    data = orjson.loads(loaded.input_json())
    assert sorted(data) == ["gadgets", "ledgers"]
    assert [g["id"] for g in data["gadgets"]] == ["g-1", "g-2", "g-3", "g-4"]


def test_documents_of_one_kind_are_concatenated(evidence: Path, fixtures: Path) -> None:
    write_doc(evidence / "more-gadgets.json", items=[{"id": "g-9", "owner": None, "encrypted": False}])
    write_doc(evidence / "no-gadgets.json", items=[])
    data = orjson.loads(load(evidence, fixtures).input_json())
    assert [g["id"] for g in data["gadgets"]] == ["g-1", "g-2", "g-3", "g-4", "g-9"]


def test_non_data_files_are_ignored(evidence: Path, fixtures: Path) -> None:
    (evidence / "README.md").write_text("notes")
    (evidence / ".hidden.json").write_text("{not json")
    assert len(load(evidence, fixtures).documents) == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": None}, r"bad.json: kind: required field is missing \(one of: .*gadgets"),
        ({"kind": "widgets"}, r"bad.json: kind: found 'widgets', expected one of: .*gadgets"),
        ({"source": 7}, r'bad.json: source: 7 is not of type "string"'),
        ({"collected_at": "last tuesday"}, r'bad.json: collected_at: "last tuesday" is not a "date-time"'),
        ({"items": {"id": 1}}, r'bad.json: items: .* is not of type "array"'),
        ({"extra": 1}, r"bad.json: \(document\): Additional properties are not allowed \('extra' was unexpected\)"),
        (
            {"items": [{"id": "g-1", "owner": "a", "encrypted": True}, {"id": "g-2", "owner": "b", "encrypted": "no"}]},
            r"bad.json: items\[1\]\.encrypted \(id 'g-2'\): \"no\" is not of type \"boolean\"",
        ),
        (
            {"items": [{"id": "g-1", "owner": "a"}]},
            r"bad.json: items\[0\] \(id 'g-1'\): \"encrypted\" is a required property",
        ),
    ],
)
def test_invalid_documents(evidence: Path, fixtures: Path, overrides: dict[str, object], message: str) -> None:
    write_doc(evidence / "bad.json", **overrides)
    with pytest.raises(InputError, match=message):
        load(evidence, fixtures)


def test_malformed_json_names_line(evidence: Path, fixtures: Path) -> None:
    (evidence / "bad.json").write_text('{\n  "kind": "gadgets",\n  "items": [,]\n}')
    with pytest.raises(InputError, match=r"bad.json:3:\d+: malformed JSON"):
        load(evidence, fixtures)


def test_malformed_yaml_names_line(evidence: Path, fixtures: Path) -> None:
    (evidence / "bad.yaml").write_text("kind: gadgets\nitems: [\n  - a: b\n")
    with pytest.raises(InputError, match=r"bad.yaml:\d+:\d+: malformed YAML"):
        load(evidence, fixtures)


def test_empty_or_missing_folder(tmp_path: Path, fixtures: Path) -> None:
    with pytest.raises(InputError, match="no evidence documents"):
        load(tmp_path, fixtures)
    with pytest.raises(InputError, match="evidence folder not found"):
        load(tmp_path / "nope", fixtures)


def test_bundled_schemas_are_valid_json_schema() -> None:
    schemas = SchemaSet()
    assert "envelope" in schemas.paths
    for kind in schemas.kinds:
        schemas._validator(kind)  # compiles, or raises InputError naming the file
