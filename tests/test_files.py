"""auditor.files: atomic writes keep the usual permissions and leave nothing behind on failure."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.files import atomic_writer, load_yaml_lines, write_atomic


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
