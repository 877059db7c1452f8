package controls.sm.sm_002_test

import rego.v1

import data.controls.sm.sm_002

change(review) := {
	"id": "CHG0040001", "type": "emergency", "service": "payments-api", "risk": "high",
	"impact_assessment": "Hotfix for failed settlements.", "implementer": {"email": "alice@brightwater.example"},
	"approvals": [], "planned_start": null, "planned_end": null,
	"actual_start": "2026-11-10T02:00:00Z", "actual_end": "2026-11-10T02:30:00Z",
	"backout_plan": "Revert.", "outcome": "successful", "review": review,
}

asof := "2026-11-20T00:00:00Z"

test_reviewed_within_72_hours_passes if {
	e := {"change_requests": [change({"completed_at": "2026-11-12T09:00:00Z"})]}
	count(sm_002.violations) == 0 with input as e with data.audit.as_of as asof
	sm_002.in_scope == {"CHG0040001"} with input as e with data.audit.as_of as asof
}

test_late_review_fails if {
	v := sm_002.violations with input as {"change_requests": [change({"completed_at": "2026-11-14T02:30:00Z"})]} with data.audit.as_of as asof
	count(v) == 1
	some x in v
	x.resource == "CHG0040001"
	contains(x.message, "reviewed 96 hours after")
}

test_no_review_fails_once_overdue if {
	e := {"change_requests": [change(null)]}
	v := sm_002.violations with input as e with data.audit.as_of as asof
	some x in v
	contains(x.message, "has no completed retrospective review")
	count(v) == 1
}

test_pending_review_is_not_yet_judged if {
	e := {"change_requests": [change({"completed_at": null})]}
	count(sm_002.violations) == 0 with input as e with data.audit.as_of as "2026-11-11T00:00:00Z"
	count(sm_002.in_scope) == 0 with input as e with data.audit.as_of as "2026-11-11T00:00:00Z"
}

test_start_used_when_no_end if {
	c := object.union(change({"completed_at": "2026-11-13T02:15:00Z"}), {"actual_end": null})
	count(sm_002.violations) == 1 with input as {"change_requests": [c]} with data.audit.as_of as asof
	ended := change({"completed_at": "2026-11-13T02:15:00Z"})
	count(sm_002.violations) == 0 with input as {"change_requests": [ended]} with data.audit.as_of as asof
}

test_normal_changes_are_out_of_scope if {
	c := object.union(change(null), {"type": "normal"})
	count(sm_002.in_scope) == 0 with input as {"change_requests": [c]} with data.audit.as_of as asof
}

test_parameter if {
	e := {"change_requests": [change({"completed_at": "2026-11-12T09:00:00Z"})]}
	count(sm_002.violations) == 1 with input as e with data.audit.as_of as asof with data.params as {"SM-002": {"review_within_hours": 24}}
}
