"""Presets of ``auditor collect file`` for ITSM and on-call exports: vendor rows to our items.

    auditor collect file --kind servicenow-change change_request.json --out ev/
    auditor collect file --kind pagerduty-incident incidents.csv --out ev/

Each preset names the evidence kind it writes and converts one exported row (a
ServiceNow Table API record or list-export CSV row, a Jira issue, a PagerDuty
incident) into an item of that kind; the item is then validated against the kind's
schema like any other row, so bad rows are rejected with their row and field.
A value the preset cannot map raises :class:`ValueError` naming the vendor field.
The field mappings are documented in docs/service-management.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

Row = dict[str, Any]


@dataclass(frozen=True)
class Preset:
    name: str
    kind: str
    #: keys under which a JSON export wraps its rows (ServiceNow ``result``/``records``, Jira ``issues``, ...)
    envelopes: tuple[str, ...]
    convert: Callable[[Row, Row], Row]  # (row, export-level context) -> item


def _text(value: Any) -> str | None:
    """A cell or field as text: ServiceNow reference/display objects give their display value."""
    if isinstance(value, dict):
        value = next(
            (value[k] for k in ("display_value", "displayName", "name", "summary", "value") if k in value), None
        )
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _time(value: Any, field: str) -> str | None:
    """An exported time as RFC 3339 UTC. ServiceNow's ``YYYY-MM-DD HH:MM:SS`` (API values are UTC) and
    Jira's ``2026-11-10T08:00:00.000+0000`` are accepted."""
    text = _text(value)
    if text is None:
        return None
    raw = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text.replace("Z", "+00:00"))
    try:
        parsed = datetime.fromisoformat(raw.replace(" ", "T", 1) if "T" not in raw else raw)
    except ValueError:
        raise ValueError(f"{field}: found {text!r}, expected a date-time such as 2026-11-02 10:05:00") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _person(row: Row, field: str) -> dict[str, Any] | None:
    """A person from a reference field (object with email/name) or a cell, with a ``<field>.email`` column."""
    value = row.get(field)
    email = row.get(f"{field}.email")
    name = None
    login = None
    if isinstance(value, dict):
        email = email or value.get("email") or value.get("emailAddress")
        name = value.get("display_value") or value.get("displayName") or value.get("summary") or value.get("name")
        login = value.get("user_name") or value.get("accountId")
    elif isinstance(value, str) and value.strip():
        if "@" in value:
            email = value
        else:
            name = value
    if not any((email, name, login)):
        return None
    return {"name": _text(name), "email": _text(email), "login": _text(login)}


def _choice(value: Any, mapping: dict[str, Any], field: str) -> Any:
    text = _text(value)
    if text is None:
        return None
    key = text.lower()
    if key in mapping:
        return mapping[key]
    raise ValueError(f"{field}: found {text!r}, expected one of: {', '.join(sorted(mapping))}")


# ---- ServiceNow ----------------------------------------------------------------------------

_SN_TYPE = {"normal": "normal", "standard": "standard", "emergency": "emergency"}
# ServiceNow risk choices: 1 Very High, 2 High, 3 Moderate, 4 Low (display or value)
_SN_RISK = {
    "1": "very_high",
    "very high": "very_high",
    "2": "high",
    "high": "high",
    "3": "moderate",
    "moderate": "moderate",
    "4": "low",
    "low": "low",
    "none": None,
}
_SN_CLOSE = {
    "successful": "successful",
    "successful_issues": "successful_with_issues",
    "successful with issues": "successful_with_issues",
    "unsuccessful": "unsuccessful",
}
_SN_STATE = {
    "-5": "new",
    "-4": "assess",
    "-3": "authorize",
    "-2": "scheduled",
    "-1": "implement",
    "0": "review",
    "3": "closed",
    "4": "canceled",
}
_SN_APPROVAL = {
    "approved": "approved",
    "rejected": "rejected",
    "requested": "requested",
    "not requested": "requested",
    "not_requested": "requested",
    "not_required": "not_required",
    "no longer required": "not_required",
    "cancelled": "not_required",
}
_SN_PRIORITY = {
    "1": "P1",
    "1 - critical": "P1",
    "2": "P2",
    "2 - high": "P2",
    "3": "P3",
    "3 - moderate": "P3",
    "4": "P4",
    "4 - low": "P4",
    "5": "P5",
    "5 - planning": "P5",
}


def _sn_state(value: Any) -> str | None:
    text = _text(value)
    return None if text is None else _SN_STATE.get(text, text.lower())


def _sn_approvals(row: Row) -> list[dict[str, Any]]:
    """Approvals embedded as ``approvals`` (sysapproval_approver records: approver, state, sys_updated_on),
    or a CSV ``approvers`` cell of ``;``-separated addresses that approved at ``approval_set``."""
    embedded = row.get("approvals")
    if isinstance(embedded, list):
        out = []
        for k, rec in enumerate(embedded):
            if not isinstance(rec, dict):
                raise ValueError(f"approvals[{k}]: expected a sysapproval_approver record (a mapping)")
            out.append(
                {
                    "approver": _person(rec, "approver"),
                    "state": _choice(rec.get("state"), _SN_APPROVAL, f"approvals[{k}].state") or "requested",
                    "at": _time(rec.get("sys_updated_on"), f"approvals[{k}].sys_updated_on"),
                }
            )
        return out
    cell = _text(row.get("approvers"))
    at = _time(row.get("approval_set"), "approval_set")
    return [
        {"approver": {"name": None, "email": e.strip(), "login": None}, "state": "approved", "at": at}
        for e in (cell or "").split(";")
        if e.strip()
    ]


def servicenow_change(row: Row, _ctx: Row) -> Row:
    state = _sn_state(row.get("state"))
    outcome = _choice(row.get("close_code"), _SN_CLOSE, "close_code")
    if outcome is None and state in ("canceled", "cancelled"):
        outcome = "cancelled"
    review_at = _time(row.get("review_date"), "review_date")
    review = None
    if review_at or _text(row.get("review_status")) or _text(row.get("review_comments")):
        review = {"completed_at": review_at, "reviewer": None, "summary": _text(row.get("review_comments"))}
    return {
        "id": _text(row.get("number")),
        "type": _choice(row.get("type"), _SN_TYPE, "type"),
        "summary": _text(row.get("short_description")),
        "service": _text(row.get("business_service")) or _text(row.get("cmdb_ci")),
        "state": state,
        "risk": _choice(row.get("risk"), _SN_RISK, "risk"),
        "impact_assessment": _text(row.get("risk_impact_analysis")),
        "requested_by": _person(row, "requested_by"),
        "implementer": _person(row, "assigned_to"),
        "approvals": _sn_approvals(row),
        "planned_start": _time(row.get("start_date"), "start_date"),
        "planned_end": _time(row.get("end_date"), "end_date"),
        "actual_start": _time(row.get("work_start"), "work_start"),
        "actual_end": _time(row.get("work_end"), "work_end"),
        "backout_plan": _text(row.get("backout_plan")),
        "outcome": outcome,
        "review": review,
    }


def _sla_minutes(row: Row, field: str = "sla_minutes") -> int | None:
    text = _text(row.get(field))
    if text is None:
        return None
    try:
        return int(float(text))
    except ValueError:
        raise ValueError(f"{field}: found {text!r}, expected whole minutes") from None


def servicenow_incident(row: Row, _ctx: Row) -> Row:
    major_state = (_text(row.get("major_incident_state")) or "").lower()
    return {
        "id": _text(row.get("number")),
        "title": _text(row.get("short_description")),
        "priority": _choice(row.get("priority"), _SN_PRIORITY, "priority"),
        "service": _text(row.get("business_service")) or _text(row.get("cmdb_ci")),
        "major": major_state in ("accepted", "closed"),
        "detected_at": _time(row.get("opened_at"), "opened_at"),
        "acknowledged_at": _time(row.get("acknowledged_at"), "acknowledged_at"),
        "resolved_at": _time(row.get("resolved_at"), "resolved_at"),
        "sla_minutes": _sla_minutes(row),
        "caused_by_change": _text(row.get("caused_by")) or _text(row.get("rfc")),
        "review": None,
    }


# ---- Jira Service Management ---------------------------------------------------------------

_JIRA_PRIORITY = {
    "highest": "P1",
    "high": "P2",
    "medium": "P3",
    "low": "P4",
    "lowest": "P5",
    **{f"p{n}": f"P{n}" for n in range(1, 6)},
}
_JIRA_RISK = {
    "low": "low",
    "medium": "moderate",
    "moderate": "moderate",
    "high": "high",
    "critical": "very_high",
    "very high": "very_high",
}


def _jira_fields(row: Row, ctx: Row) -> dict[str, Any]:
    """An issue's fields, custom fields also under their names (from ``names``, the search's ``expand=names``)."""
    fields = row.get("fields")
    if not isinstance(fields, dict):
        raise ValueError("fields: expected the issue's fields (a Jira REST search result)")
    raw_names = ctx.get("names")
    names: dict[str, Any] = raw_names if isinstance(raw_names, dict) else {}
    out = dict(fields)
    for key, value in fields.items():
        if key in names:
            out[str(names[key]).lower()] = value
    return out


def jira_change(row: Row, ctx: Row) -> Row:
    f = _jira_fields(row, ctx)
    status = _text(f.get("status"))
    approvals = []
    for k, approval in enumerate(f.get("approvals") or []):
        decision = (_text(approval.get("finalDecision")) or "pending").lower() if isinstance(approval, dict) else ""
        state = {"approved": "approved", "declined": "rejected", "pending": "requested"}.get(decision)
        if state is None:
            raise ValueError(
                f"approvals[{k}].finalDecision: found {decision!r}, expected approved, declined or pending"
            )
        for who in approval.get("approvers") or []:
            person = who.get("approver") if isinstance(who, dict) and "approver" in who else who
            approvals.append(
                {
                    "approver": _person({"a": person}, "a"),
                    "state": state,
                    "at": _time((approval.get("completedDate") or {}).get("iso8601"), f"approvals[{k}].completedDate"),
                }
            )
    resolution = (_text(f.get("resolution")) or "").lower()
    outcome = {
        "done": "successful",
        "fixed": "successful",
        "successful": "successful",
        "failed": "unsuccessful",
        "rolled back": "unsuccessful",
        "backed out": "unsuccessful",
        "won't do": "cancelled",
        "cancelled": "cancelled",
        "completed with issues": "successful_with_issues",
    }.get(resolution)
    if resolution and outcome is None:
        raise ValueError(
            f"resolution: found {resolution!r}, expected Done, Failed, Rolled back, Won't Do or Completed with issues"
        )
    return {
        "id": _text(row.get("key")),
        "type": _choice(f.get("change type"), _SN_TYPE, "Change type"),
        "summary": _text(f.get("summary")),
        "service": _text((f.get("affected services") or [None])[0])
        if isinstance(f.get("affected services"), list)
        else None,
        "state": None if status is None else status.lower(),
        "risk": _choice(f.get("change risk"), _JIRA_RISK, "Change risk"),
        "impact_assessment": _text(f.get("impact")),
        "requested_by": _person(f, "reporter"),
        "implementer": _person(f, "assignee"),
        "approvals": approvals,
        "planned_start": _time(f.get("change start date"), "Change start date"),
        "planned_end": _time(f.get("change completion date"), "Change completion date"),
        "actual_start": _time(f.get("actual start"), "Actual start"),
        "actual_end": _time(f.get("actual end"), "Actual end"),
        "backout_plan": _text(f.get("backout plan")),
        "outcome": outcome,
        "review": None,
    }


def jira_incident(row: Row, ctx: Row) -> Row:
    f = _jira_fields(row, ctx)
    services = f.get("affected services")
    return {
        "id": _text(row.get("key")),
        "title": _text(f.get("summary")),
        "priority": _choice(f.get("priority"), _JIRA_PRIORITY, "priority"),
        "service": _text(services[0]) if isinstance(services, list) and services else None,
        "major": bool(f.get("major incident")),
        "detected_at": _time(f.get("created"), "created"),
        "acknowledged_at": None,
        "resolved_at": _time(f.get("resolutiondate"), "resolutiondate"),
        "sla_minutes": None,
        "caused_by_change": None,
        "review": None,
    }


# ---- PagerDuty -----------------------------------------------------------------------------


def pagerduty_incident(row: Row, _ctx: Row) -> Row:
    """A REST API v2 incident (``{"incidents": [...]}``) or an Analytics raw-incidents row / CSV export."""
    priority = row.get("priority")
    name = (
        _text(priority.get("summary") or priority.get("name"))
        if isinstance(priority, dict)
        else _text(row.get("priority_name"))
    )
    if name is None:
        raise ValueError("priority: not set; PagerDuty incidents need a priority (P1-P5) to be judged against an SLA")
    created = _time(row.get("created_at"), "created_at")
    resolved = _time(row.get("resolved_at"), "resolved_at")
    if resolved is None and _text(row.get("status")) == "resolved":
        resolved = _time(row.get("last_status_change_at"), "last_status_change_at")
    acknowledged = None
    acks = row.get("acknowledgements")
    if isinstance(acks, list) and acks:
        acknowledged = _time(min(a.get("at") for a in acks), "acknowledgements.at")
    service = row.get("service")
    number = _text(row.get("incident_number"))
    major = row.get("major")
    return {
        "id": f"PD-{number}" if number else _text(row.get("id")),
        "title": _text(row.get("title")) or _text(row.get("description")),
        "priority": _choice(name, {f"p{n}": f"P{n}" for n in range(1, 6)}, "priority"),
        "service": _text(service) if isinstance(service, dict) else _text(row.get("service_name")),
        "major": str(major).strip().lower() in ("true", "1", "yes") if major is not None else False,
        "detected_at": created,
        "acknowledged_at": acknowledged,
        "resolved_at": resolved,
        "sla_minutes": _sla_minutes(row),
        "caused_by_change": None,
        "review": None,
    }


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("servicenow-change", "change_requests", ("result", "records"), servicenow_change),
        Preset("servicenow-incident", "incidents", ("result", "records"), servicenow_incident),
        Preset("jira-sm-change", "change_requests", ("issues",), jira_change),
        Preset("jira-sm-incident", "incidents", ("issues",), jira_incident),
        Preset("pagerduty-incident", "incidents", ("incidents", "data"), pagerduty_incident),
    )
}
