from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from auditor.collect.base import Clock, parse_instant
from auditor.collect.files import FileCollector
from auditor.errors import InputError
from auditor.evidence import SchemaSet, load_evidence
from tests.collect.gitrepo import PINNED
from tests.conftest import FIXTURES

FILES = FIXTURES / "collect" / "files"
CLOCK = Clock(parse_instant(PINNED))


def write(kind: str, name: str, out: Path, schemas: SchemaSet | None = None) -> dict:
    (path,) = FileCollector(kind, FILES / name, schemas, clock=CLOCK).write(out)
    return orjson.loads(path.read_bytes())


def test_csv_access_review_is_typed_nested_and_scrubbed(tmp_path: Path) -> None:
    doc = write("access_reviews", "access-review.csv", tmp_path)
    first, second = doc["items"]
    assert doc["source"] == "file:access-review.csv" and doc["item_count"] == 2
    assert first == {"id": "AR-2026-Q3-01", "scope": "aws:admin", "reviewer": "ciso@example.com",
                     "completed_at": "2026-09-30T17:00:00Z", "privileged": True, "findings_open": 0,
                     "ticket": "SEC-101", "attributes": {"notes": "quarterly review"}}
    assert second["ticket"] is None and second["privileged"] is False and second["findings_open"] == 2
    assert second["attributes"]["notes"] == "two stale accounts, token [REDACTED] revoked"
    assert load_evidence(tmp_path).kinds() == {"access_reviews": 2}


def test_bad_rows_are_reported_with_row_and_field_and_nothing_is_written(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        write("access_reviews", "access-review-bad.csv", tmp_path / "out")
    message = info.value.message
    path = FILES / "access-review-bad.csv"
    assert f"{path}:3: reviewer: " in message
    assert f"{path}:4: completed_at: " in message
    assert f"{path}:4: findings_open: -1 is less than the minimum of 0" in message
    assert f"{path}:4: privileged: " in message
    assert f"{path}:5: id: found 'AR-1' again (first at {path}:2)" in message
    assert "nothing written" in message
    assert not (tmp_path / "out").exists()


def test_retention_register_as_data_stores(tmp_path: Path) -> None:
    doc = write("retention-register", "retention-register.csv", tmp_path)
    crm = {i["id"]: i for i in doc["items"]}["crm-contacts"]
    assert crm["personal_data_categories"] == ["contact_details", "marketing_preferences"]
    assert crm["retention_days"] == 730 and crm["region"] is None and crm["kms_key"] is None
    assert load_evidence(tmp_path).kinds() == {"data_stores": 2}


def test_yaml_dsar_log_and_line_numbers(tmp_path: Path) -> None:
    doc = write("dsar-log", "dsar-log.yaml", tmp_path / "ok")
    assert [i["id"] for i in doc["items"]] == ["DSAR-0001", "DSAR-0002"]
    assert doc["items"][0]["received_at"] == "2026-10-01T09:00:00Z"
    with pytest.raises(InputError) as info:
        write("dsar_requests", "dsar-log-bad.yaml", tmp_path / "bad")
    message = info.value.message
    assert f"{FILES / 'dsar-log-bad.yaml'}:8: (row): \"extension_reason\" is a required property" in message
    assert f"{FILES / 'dsar-log-bad.yaml'}:8: type: " in message
    assert not (tmp_path / "bad").exists()


def test_organisation_kind_from_extra_schemas(tmp_path: Path) -> None:
    schemas = SchemaSet(FIXTURES / "collect" / "schemas")
    doc = write("leavers", "hr-leavers.csv", tmp_path, schemas)
    assert doc["kind"] == "leavers" and doc["items"][0]["left_at"] == "2026-10-31"


def test_unknown_kind_and_format(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--kind: found 'payslips', expected one of: "):
        FileCollector("payslips", FILES / "access-review.csv")
    bad = tmp_path / "x.xlsx"
    bad.write_text("x")
    with pytest.raises(InputError, match=r"expected \.csv, \.json, \.yaml or \.yml"):
        FileCollector("access_reviews", bad).collect()
    rows = tmp_path / "extra.csv"
    rows.write_text("id,scope\nA,b,c\n")
    with pytest.raises(InputError, match=r"extra.csv:2: more cells than header columns"):
        FileCollector("access_reviews", rows).collect()


def test_rejected_rows_do_not_echo_secrets_into_the_error(tmp_path: Path) -> None:
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4"
    bad = tmp_path / "review.csv"
    bad.write_text("id,scope,reviewer,completed_at,privileged,findings_open,ticket\n"
                   f"AR-1,aws:admin,{token},2026-09-30T17:00:00Z,yes,0,https://ops:hunter2@jira.example.com/x\n"
                   "AR-2,aws:admin,ciso@example.com,2026-09-30T17:00:00Z,yes,-1,\n")
    with pytest.raises(InputError) as info:
        FileCollector("access_reviews", bad, clock=CLOCK).write(tmp_path / "out")
    message = info.value.message
    assert f"{bad}:2: reviewer: " in message and f"{bad}:3: findings_open: " in message
    assert token not in message and "hunter2" not in message
