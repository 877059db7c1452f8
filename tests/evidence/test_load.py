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


LEDGERS_HEAD = 'kind: ledgers\nsource: s\ncollected_at: "2026-11-19T08:00:00Z"\nitems:\n'


def test_yaml_timestamps_stay_strings_as_in_json(evidence: Path, fixtures: Path) -> None:
    # Unquoted YAML timestamps are JSON strings to the schema and the engine, not a crash.
    (evidence / "ledgers.yaml").write_text(
        "kind: ledgers\nsource: s\ncollected_at: 2026-11-19T08:00:00Z\nitems:\n  - {id: ledger-a, retention_days: 30}\n"
    )
    loaded = load(evidence, fixtures)
    assert loaded.documents[1].collected_at == "2026-11-19T08:00:00Z"
    assert orjson.loads(loaded.input_json())["ledgers"] == [{"id": "ledger-a", "retention_days": 30}]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("{id: l, retention_days: 30, 7: x}", "ledgers.yaml:5:33: malformed YAML: found mapping key 7 (int), expected a string"),
        ("{id: l, retention_days: 123456789012345678901234567890}",
         "ledgers.yaml:5:29: malformed YAML: found integer 123456789012345678901234567890, expected one within 64 bits"),
        ("{id: l, retention_days: .nan}", "ledgers.yaml:5:29: malformed YAML: found .nan, expected a finite number"),
        ("{id: l, retention_days: !!binary aGk=}", "ledgers.yaml:5:29: malformed YAML: found a !!binary value, expected JSON data"),
        ("{id: l, retention_days: !!set {a}}", "ledgers.yaml:5:29: malformed YAML: found a !!set value, expected JSON data"),
    ],
)
def test_yaml_values_json_cannot_hold_are_input_errors(
    evidence: Path, fixtures: Path, item: str, message: str
) -> None:
    (evidence / "ledgers.yaml").write_text(LEDGERS_HEAD + f"  - {item}\n")
    with pytest.raises(InputError) as info:
        load(evidence, fixtures)
    assert message in info.value.message


def test_json_integer_beyond_64_bits_is_an_input_error(evidence: Path, fixtures: Path) -> None:
    # orjson would silently turn it into a float the policies then compare inexactly.
    (evidence / "ledgers.yaml").unlink()
    (evidence / "ledgers.json").write_text(
        '{"kind": "ledgers", "source": "s", "collected_at": "2026-11-19T08:00:00Z",\n'
        ' "items": [{"id": "ok", "retention_days": 12345678901234567890},\n'
        '           {"id": "big", "retention_days": -123456789012345678901234567890}]}\n'
    )
    with pytest.raises(InputError) as info:
        load(evidence, fixtures)
    assert info.value.message == (
        f"{evidence / 'ledgers.json'}: items[1].retention_days: found integer -123456789012345678901234567890, "
        "expected one within 64 bits"
    )


def test_json_long_digit_strings_are_not_mistaken_for_integers(evidence: Path, fixtures: Path) -> None:
    write_doc(evidence / "gadgets.json", items=[{"id": "123456789012345678901234567890", "owner": "a", "encrypted": True}])
    assert orjson.loads(load(evidence, fixtures).input_json())["gadgets"][0]["id"] == "123456789012345678901234567890"


def test_dangling_evidence_symlink_is_an_error_not_skipped(evidence: Path, fixtures: Path) -> None:
    # A second gadgets document that cannot be read must not leave the first one to pass alone.
    (evidence / "more-gadgets.json").symlink_to(evidence / "gone.json")
    with pytest.raises(InputError, match=r"more-gadgets\.json: cannot read evidence"):
        load(evidence, fixtures)


def test_symlinked_folder_is_an_error_not_skipped(evidence: Path, fixtures: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    write_doc(elsewhere / "gadgets-2.json")
    (evidence / "linked").symlink_to(elsewhere)
    with pytest.raises(InputError, match=r"linked: a symlink to a folder"):
        load(evidence, fixtures)
    (evidence / "linked").unlink()
    (evidence / "loop").symlink_to(evidence)
    with pytest.raises(InputError, match=r"loop: a symlink to a folder"):
        load(evidence, fixtures)


def test_hidden_entries_are_still_skipped(evidence: Path, fixtures: Path, tmp_path: Path) -> None:
    (evidence / ".cache").symlink_to(tmp_path)
    (evidence / ".git").mkdir()
    write_doc(evidence / ".git" / "x.json", kind="nope")
    assert len(load(evidence, fixtures).documents) == 2


def test_unreadable_subfolder_is_an_error_not_skipped(
    evidence: Path, fixtures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    locked = evidence / "locked"
    locked.mkdir()
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:
        if Path(str(path)) == locked:  # as for a chmod 000 folder (the tests may run as root)
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(InputError, match=r"locked: cannot read evidence folder: Permission denied"):
        load(evidence, fixtures)


def test_duplicate_item_ids_within_a_kind_are_rejected(evidence: Path, fixtures: Path) -> None:
    write_doc(evidence / "more.json", items=[{"id": "g-3", "owner": "x", "encrypted": True}])
    with pytest.raises(InputError, match=r"more.json items\[0\]: id: duplicate gadgets id 'g-3', already used by .*gadgets.json items\[2\]"):
        load(evidence, fixtures)


def test_duplicate_ids_inside_one_document_are_rejected(evidence: Path, fixtures: Path) -> None:
    item = {"id": "g-1", "owner": "a", "encrypted": True}
    write_doc(evidence / "gadgets.json", items=[item, item])
    with pytest.raises(InputError, match=r"gadgets.json items\[1\]: id: duplicate gadgets id 'g-1'"):
        load(evidence, fixtures)


def test_the_same_id_in_two_kinds_is_fine(evidence: Path, fixtures: Path) -> None:
    (evidence / "ledgers.yaml").write_text(
        "kind: ledgers\nsource: s\ncollected_at: '2026-11-19T08:00:00Z'\nitems: [{id: g-1, retention_days: 1}]\n"
    )
    assert load(evidence, fixtures).kinds() == {"gadgets": 4, "ledgers": 1}


# --- what the evidence folder may hold (issue 12) --------------------------------------------------------


def test_symlink_resolving_outside_the_evidence_folder_is_refused(
    evidence: Path, fixtures: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    write_doc(outside / "planted.json", items=[{"id": "planted", "owner": "x", "encrypted": True}])
    (evidence / "more-gadgets.json").symlink_to(outside / "planted.json")
    with pytest.raises(InputError) as info:
        load(evidence, fixtures)
    assert info.value.message == (
        f"{evidence / 'more-gadgets.json'}: a symlink resolving outside the evidence folder "
        f"(to {(outside / 'planted.json').resolve()}); expected a document inside it: copy the document in"
    )
    # through a chain of links, too
    (evidence / "more-gadgets.json").unlink()
    (evidence / "hop").mkdir()
    (evidence / "hop" / "inner.lnk").symlink_to(outside / "planted.json")
    (evidence / "more-gadgets.json").symlink_to(evidence / "hop" / "inner.lnk")
    with pytest.raises(InputError, match=r"more-gadgets\.json: a symlink resolving outside the evidence folder"):
        load(evidence, fixtures)


def test_symlink_inside_the_evidence_folder_is_read(evidence: Path, fixtures: Path) -> None:
    (evidence / "archive").mkdir()
    write_doc(evidence / "archive" / "gadgets-old.txt", items=[{"id": "g-9", "owner": "a", "encrypted": True}])
    (evidence / "gadgets-old.json").symlink_to(evidence / "archive" / "gadgets-old.txt")
    ids = [item["id"] for item in orjson.loads(load(evidence, fixtures).input_json())["gadgets"]]
    assert "g-9" in ids


@pytest.mark.timeout(20)
def test_fifo_is_refused_without_being_opened(evidence: Path, fixtures: Path) -> None:
    import os

    os.mkfifo(evidence / "gadgets-pipe.json")  # opening it for reading would block the run for ever
    with pytest.raises(InputError) as info:
        load(evidence, fixtures)
    assert info.value.message == (
        f"{evidence / 'gadgets-pipe.json'}: found a FIFO (named pipe), expected a regular file (not read)"
    )


@pytest.mark.timeout(20)
def test_link_to_a_device_is_refused_without_being_read(evidence: Path, fixtures: Path) -> None:
    (evidence / "zero.json").symlink_to("/dev/zero")
    with pytest.raises(InputError, match=r"zero\.json: a symlink resolving outside the evidence folder"):
        load(evidence, fixtures)


@pytest.mark.timeout(20)
def test_device_and_socket_inside_the_folder_are_refused(evidence: Path, fixtures: Path) -> None:
    import os
    import socket
    import stat

    from auditor.evidence.load import read_evidence_bytes

    sock_path = evidence / "s.json"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(sock_path))
        with pytest.raises(InputError, match=r"s\.json: found a socket, expected a regular file \(not read\)"):
            load(evidence, fixtures)
    finally:
        server.close()
        sock_path.unlink()
    # the same check sees a device: here a character device's stat, as mknod needs privileges
    info = Path("/dev/zero").stat()
    assert stat.S_ISCHR(info.st_mode)
    real = Path.stat

    def fake_stat(self: Path, *args: object, **kwargs: object) -> os.stat_result:
        return info if self.name == "gadgets.json" else real(self, *args, **kwargs)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Path, "stat", fake_stat)
        with pytest.raises(InputError, match=r"gadgets\.json: found a character device, expected a regular file"):
            read_evidence_bytes(evidence / "gadgets.json", evidence)


def test_document_over_the_size_limit_is_refused(
    evidence: Path, fixtures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import auditor.evidence.load as load_module

    size = (evidence / "gadgets.json").stat().st_size
    monkeypatch.setattr(load_module, "MAX_DOCUMENT_BYTES", size - 1)
    with pytest.raises(InputError) as info:
        load(evidence, fixtures)
    assert info.value.message == (
        f"{evidence / 'gadgets.json'}: found {size} bytes, expected a document of at most {size - 1} bytes "
        "(split it into several documents of the same kind)"
    )


def test_duplicate_items_key_in_evidence_is_refused(evidence: Path, fixtures: Path) -> None:
    # a second "items" used to hide the first: the violating items were never evaluated
    (evidence / "gadgets.json").write_text(
        '{"kind": "gadgets", "source": "test", "collected_at": "2026-11-20T12:00:00Z",\n'
        ' "items": [{"id": "g-1", "owner": "a", "encrypted": false}],\n'
        ' "items": []}\n'
    )
    with pytest.raises(InputError, match=r"gadgets\.json:3:\d+: malformed JSON: found duplicate key 'items'"):
        load(evidence, fixtures)


def test_duplicate_key_in_an_organisation_schema_is_refused(evidence: Path, fixtures: Path, tmp_path: Path) -> None:
    import shutil

    schemas = tmp_path / "schemas"
    shutil.copytree(fixtures / "schemas", schemas)
    (schemas / "gadgets.schema.json").write_text(
        '{"type": "object", "required": ["id"],\n "properties": {"id": {"type": "string"}},\n'
        ' "properties": {}}\n'
    )
    with pytest.raises(InputError, match=r"gadgets\.schema\.json:3:\d+: malformed JSON schema: found duplicate key "
                                         r"'properties' in one object, expected each key once"):
        load_evidence(evidence, SchemaSet(schemas))


# --- ids at scale: judged per document at C speed, one by one only to name a repeat -----------------------

def test_a_repeated_id_names_both_places_counting_items_without_ids() -> None:
    from auditor.evidence.load import IdIndex

    index = IdIndex()
    index.add(["a", None, "b"], "gadgets", "one.json")
    index.add([None, "c"], "gadgets", "two.json")
    index.add(["b"], "ledgers", "three.json")  # another kind: fine
    with pytest.raises(InputError, match=r"^four.json items\[2\]: id: duplicate gadgets id 'b', already used by "
                                         r"one.json items\[2\];"):
        index.add(["d", None, "b"], "gadgets", "four.json")


def test_an_id_repeated_inside_a_document_names_its_first_place() -> None:
    from auditor.evidence.load import IdIndex

    index = IdIndex()
    index.add(["x"], "gadgets", "one.json")
    with pytest.raises(InputError, match=r"^two.json items\[3\]: id: duplicate gadgets id 'y', already used by "
                                         r"two.json items\[1\];"):
        index.add([None, "y", "z", "y"], "gadgets", "two.json")


def test_item_ids_are_none_where_an_item_has_no_string_id() -> None:
    from auditor.evidence.load import item_ids

    assert item_ids([{"id": "a"}, {"id": 3}, {}, {"id": "b"}]) == ["a", None, None, "b"]
    assert item_ids([{"id": "a"}, ["not", "an", "object"], "text", {"id": "b"}]) == ["a", None, None, "b"]
    assert item_ids([{"id": "a"}, {"id": "b"}]) == ["a", "b"]
