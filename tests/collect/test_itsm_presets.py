"""`auditor collect file` presets for ServiceNow, Jira Service Management and PagerDuty exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from auditor.collect.base import Clock
from auditor.collect.files import FileCollector
from auditor.errors import InputError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "collect" / "itsm"
AT = "2026-11-20T09:00:00Z"


def collect(preset: str, name: str) -> dict[str, dict[str, Any]]:
    (doc,) = FileCollector(preset, FIXTURES / name, clock=Clock.from_env(AT)).collect()
    return {item["id"]: item for item in doc.items}


def test_servicenow_change_request_table_export() -> None:
    items = collect("servicenow-change", "servicenow-change_request.json")
    normal = items["CHG0030412"]
    assert normal["type"] == "normal" and normal["risk"] == "moderate" and normal["state"] == "closed"
    assert normal["service"] == "payments-api"
    assert normal["implementer"] == {"name": "Ethan Walsh", "email": "ethan.walsh@brightwater.example", "login": None}
    assert normal["approvals"] == [
        {
            "approver": {"name": "Amelia Hughes", "email": "amelia.hughes@brightwater.example", "login": None},
            "state": "approved",
            "at": "2026-10-30T15:00:00Z",
        }
    ]
    assert (normal["actual_start"], normal["actual_end"]) == ("2026-10-31T13:00:00Z", "2026-10-31T13:40:00Z")
    assert normal["outcome"] == "successful" and normal["review"] is None
    emergency = items["CHG0030413"]
    assert emergency["type"] == "emergency" and emergency["risk"] == "high"
    assert emergency["planned_start"] is None and emergency["outcome"] is None
    assert emergency["review"] == {
        "completed_at": "2026-11-12T10:00:00Z",
        "reviewer": None,
        "summary": "Ratified by the CAB.",
    }


def test_servicenow_incident_csv_list_export() -> None:
    items = collect("servicenow-incident", "servicenow-incident.csv")
    assert sorted(items) == ["INC0012001", "INC0012003", "INC0012006"]
    p1 = items["INC0012001"]
    assert (p1["priority"], p1["major"], p1["sla_minutes"], p1["caused_by_change"]) == ("P1", True, 240, "CHG0031002")
    assert (p1["detected_at"], p1["resolved_at"]) == ("2026-11-07T09:52:00Z", "2026-11-08T09:40:00Z")
    assert items["INC0012003"]["major"] is False and items["INC0012003"]["priority"] == "P2"
    assert items["INC0012006"]["sla_minutes"] is None


def test_bad_servicenow_rows_are_rejected_with_row_and_field(tmp_path: Path) -> None:
    collector = FileCollector("servicenow-incident", FIXTURES / "servicenow-incident-bad.csv", clock=Clock.from_env(AT))
    with pytest.raises(InputError) as err:
        collector.write(tmp_path)
    message = str(err.value)
    assert "2 problems, nothing written" in message
    assert "servicenow-incident-bad.csv:3: servicenow-incident: priority: found 'Urgent', expected one of" in message
    assert "servicenow-incident-bad.csv:4: servicenow-incident: opened_at: found 'yesterday'" in message
    assert list(tmp_path.iterdir()) == []


def test_jira_service_management_search_export_resolves_custom_fields_by_name() -> None:
    items = collect("jira-sm-change", "jira-sm-search.json")
    change = items["ITCM-231"]
    assert (change["type"], change["risk"], change["service"], change["outcome"]) == (
        "normal",
        "high",
        "ledger-service",
        "successful",
    )
    assert change["impact_assessment"] == "Significant"
    assert change["planned_start"] == "2026-11-05T11:00:00Z"
    assert change["implementer"]["email"] == "jakub.nowak@brightwater.example"
    assert change["approvals"] == [
        {
            "approver": {
                "name": "Amelia Hughes",
                "email": "amelia.hughes@brightwater.example",
                "login": "5b109f2e9729b51b54dc274d",
            },
            "state": "approved",
            "at": "2026-11-04T16:00:00Z",
        }
    ]
    assert items["ITCM-232"]["type"] == "standard" and items["ITCM-232"]["approvals"] == []


def test_pagerduty_rest_export() -> None:
    items = collect("pagerduty-incident", "pagerduty-incidents.json")
    outage = items["PD-1842"]
    assert (outage["priority"], outage["service"], outage["resolved_at"]) == (
        "P1",
        "mobile-bff",
        "2026-11-19T21:30:00Z",
    )
    push = items["PD-1843"]
    assert push["resolved_at"] is None and push["acknowledged_at"] == "2026-11-17T22:30:00Z"


def test_pagerduty_csv_without_priority_is_rejected(tmp_path: Path) -> None:
    collector = FileCollector("pagerduty-incident", FIXTURES / "pagerduty-analytics.csv", clock=Clock.from_env(AT))
    with pytest.raises(InputError, match=r"pagerduty-analytics.csv:3: pagerduty-incident: priority: not set"):
        collector.write(tmp_path)


def test_pagerduty_csv_rows(tmp_path: Path) -> None:
    good = tmp_path / "pd.csv"
    good.write_text("\n".join((FIXTURES / "pagerduty-analytics.csv").read_text().splitlines()[:2]) + "\n")
    (path,) = FileCollector("pagerduty-incident", good, clock=Clock.from_env(AT)).write(tmp_path / "ev")
    doc = orjson.loads(path.read_bytes())
    assert doc["kind"] == "incidents"
    assert doc["items"][0]["major"] is True and doc["items"][0]["id"] == "PD-1842"


def test_unknown_kind_lists_the_presets() -> None:
    with pytest.raises(InputError, match="servicenow-change"):
        FileCollector("servicenow-changes", FIXTURES / "servicenow-incident.csv")
