"""auditor.files: atomic writes keep the usual permissions and leave nothing behind on failure."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.files import MAX_DEPTH, atomic_writer, load_data, load_yaml_lines, write_atomic


def test_atomic_write_has_umask_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "a.json", b"{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == 0o644


def test_failed_write_leaves_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_writer(target) as handle:
        handle.write(b"partial")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_duplicate_keys_in_human_edited_yaml_are_an_error(tmp_path: Path) -> None:
    # PyYAML keeps the last value silently: a second `severity:` or `expires:` would quietly win.
    path = tmp_path / "c.yaml"
    path.write_text("id: SEC-002\nseverity: critical\nnested:\n  a: 1\nseverity: low\n")
    with pytest.raises(InputError, match=r"c\.yaml:5:1: malformed YAML: found duplicate key 'severity' "
                                         r"\(first at line 2\), expected each key once"):
        load_yaml_lines(path)
    path.write_text("a:\n  - {x: 1, x: 2}\n")
    with pytest.raises(InputError, match=r"c\.yaml:2:12: malformed YAML: found duplicate key 'x' \(first at line 2\)"):
        load_yaml_lines(path)


def test_merge_keys_may_be_overridden(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("base: &b {type: integer, default: 1}\nuse:\n  <<: *b\n  default: 2\n")
    assert load_yaml_lines(path)["use"] == {"type": "integer", "default": 2}


# --- hostile data files: duplicate keys, nesting, alias bombs, numbers, dates (issue 12) ---------------

BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)


def _data_error(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        load_data(path)
    return str(caught.value)


def test_duplicate_key_in_json_is_an_error_not_last_wins(tmp_path: Path) -> None:
    message = _data_error(tmp_path, "e.json", b'{"kind": "x",\n "items": [{"id": "a"}],\n "items": []}')
    assert message.startswith(f"{tmp_path / 'e.json'}:3:")
    assert "found duplicate key 'items' in one object, expected each key once" in message
    nested = _data_error(tmp_path, "n.json", b'{"items": [{"id": "a", "id": "b"}]}')
    assert "duplicate key 'id'" in nested



# Duplicate keys are found by comparing the strings of the text with those of its parse (escapes
# counted right), then named by a second, strict parse: each case below is a key given twice, hidden
# among escaped quotes and backslashes, or a document with such escapes and no key given twice.
@pytest.mark.parametrize("data, key", [
    (b'{"a": "x\\\\", "a": 1}', "a"),                             # an escaped backslash before a closing quote
    (b'{"note": "say \\"hi\\"", "b": [{"k": "\\\\\\"", "k": 2}]}', "k"),  # an escaped quote after one
    (b'{"q": "\\u0022", "q": "\\u005c"}', "q"),                  # quotes and backslashes as \\u escapes
    (b'[{"\\u0061": 1, "a": 2}]', "a"),                          # the same key spelt two ways
])
def test_a_key_given_twice_among_escapes_is_an_error(tmp_path: Path, data: bytes, key: str) -> None:
    assert f"found duplicate key '{key}' in one object" in _data_error(tmp_path, "d.json", data)


@pytest.mark.parametrize("data", [
    b'{"a": "x\\\\", "b": "\\"q\\"", "c": "\\\\\\"", "d": "\\u0022\\u005c\\\\u0022"}',
    b'[{"path": "C:\\\\dir\\\\", "msg": "line\\nnext \\"quoted\\""}, {"path": "\\\\\\\\server"}]',
])
def test_escapes_without_a_key_given_twice_parse(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "ok.json"
    path.write_bytes(data)
    assert load_data(path) == json.loads(data)

@pytest.mark.parametrize("text", [b"kind: x\nitems: [1]\nitems: []\n", b"kind: x\n'items': [1]\n\"items\": []\n"])
def test_duplicate_key_in_yaml_data_is_an_error(tmp_path: Path, text: bytes) -> None:
    message = _data_error(tmp_path, "e.yaml", text)
    assert message == (f"{tmp_path / 'e.yaml'}:3:1: malformed YAML: found duplicate key 'items' (first at line 2), "
                       "expected each key once")


@pytest.mark.parametrize(("name", "data"), [
    ("deep.json", b"[" * 300 + b"]" * 300),
    ("deep.json", b'{"a":' * 201 + b"1" + b"}" * 201),
    ("deep.yaml", b"[" * 201 + b"1" + b"]" * 201),
    ("deep.yaml", b"[" * 100_000 + b"]" * 100_000),  # libyaml's own composer crashes the process on this
    ("deep.yaml", "".join("  " * i + "a:\n" for i in range(300)).encode()),
])
def test_nesting_has_one_limit_for_json_and_yaml(tmp_path: Path, name: str, data: bytes) -> None:
    assert f"found nesting deeper than {MAX_DEPTH} levels, expected at most {MAX_DEPTH}" in _data_error(
        tmp_path, name, data)


@pytest.mark.parametrize("name", ["ok.json", "ok.yaml"])
def test_nesting_at_the_limit_loads(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"[" * MAX_DEPTH + b"1" + b"]" * MAX_DEPTH)
    value = load_data(path)
    for _ in range(MAX_DEPTH):
        value = value[0]
    assert value == 1


def test_alias_bomb_is_refused_in_data_and_human_edited_yaml(tmp_path: Path) -> None:
    assert len(BOMB) < 1024
    assert "found aliases expanding to more than 100000 nodes" in _data_error(tmp_path, "b.yaml", BOMB.encode())
    path = tmp_path / "params.yaml"
    path.write_text(BOMB)
    with pytest.raises(InputError, match=r"params\.yaml:\d+:\d+: malformed YAML: found aliases expanding"):
        load_yaml_lines(path)


def test_modest_aliases_still_work(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("a: &x {k: 1}\nb: *x\n")
    assert load_data(path) == {"a": {"k": 1}, "b": {"k": 1}}
    assert load_yaml_lines(path) == {"a": {"k": 1}, "b": {"k": 1}}


@pytest.mark.parametrize(("data", "field", "found"), [
    (b'{"a": [1, {"b": -9223372036854775809}]}', "a[1].b", "-9223372036854775809"),
    (b'{"a": 18446744073709551616}', "a", "18446744073709551616"),
    (b'{"a": 123456789012345678901234567890}', "a", "123456789012345678901234567890"),
])
def test_json_integers_outside_64_bits_both_ways(tmp_path: Path, data: bytes, field: str, found: str) -> None:
    message = _data_error(tmp_path, "i.json", data)
    assert message.startswith(f"{tmp_path / 'i.json'}: {field}: found integer {found}, expected one within 64 bits")


def test_json_integers_at_the_64_bit_edges_load_exactly(tmp_path: Path) -> None:
    path = tmp_path / "i.json"
    path.write_bytes(b'{"a": 18446744073709551615, "b": -9223372036854775808, "c": "null", "d": null}')
    assert load_data(path) == {"a": 2**64 - 1, "b": -(2**63), "c": "null", "d": None}


def test_json_number_too_large_for_a_double(tmp_path: Path) -> None:
    message = _data_error(tmp_path, "f.json", b'{"a": [null, 1e400]}')
    assert message == f"{tmp_path / 'f.json'}: a[1]: found a number too large for a double, expected a finite number"


def test_impossible_yaml_date_in_a_human_edited_file(tmp_path: Path) -> None:
    path = tmp_path / "exceptions.yaml"
    path.write_text("exceptions:\n  - id: x\n    expires: 2026-13-45\n")
    with pytest.raises(InputError, match=r"exceptions\.yaml:3:14: malformed YAML: found 2026-13-45, "
                                         r"expected a real date \(YYYY-MM-DD\) or date-time"):
        load_yaml_lines(path)


def test_a_second_yaml_document_is_named(tmp_path: Path) -> None:
    assert "found a second document, expected one document per file" in _data_error(
        tmp_path, "m.yaml", b"a: 1\n---\nb: 2\n")


@pytest.mark.parametrize(("expires", "message"), [
    ("2026-13-45", r"exceptions\.yaml:9:14: malformed YAML: found 2026-13-45, expected a real date"),
    ("2026-02-30", r"exceptions\.yaml:9:14: malformed YAML: found 2026-02-30, expected a real date"),
    ("2026-1-5", r"exceptions\.yaml:9: exceptions\.0\.expires: found '2026-1-5', expected a date"),
])
def test_impossible_dates_in_the_exceptions_file_are_exit_2(tmp_path: Path, expires: str, message: str) -> None:
    from auditor.errors import ExitCode
    from auditor.waivers import load_waivers

    path = tmp_path / "exceptions.yaml"
    path.write_text("exceptions:\n  - id: w1\n    control: SEC-001\n    resource: r\n    reason: x\n"
                    f"    requester: a\n    approver: b\n    created: 2026-01-01\n    expires: {expires}\n"
                    "    ticket: T-1\n")
    with pytest.raises(InputError, match=message) as info:
        load_waivers(path)
    assert info.value.exit_code == ExitCode.INVALID_INPUT
