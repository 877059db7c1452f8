package controls.sm.sm_003_test

import rego.v1

import data.controls.sm.sm_003

change(outcome, review) := {
	"id": "CHG0030100", "type": "normal", "service": "ledger", "risk": "moderate",
	"impact_assessment": "Schema migration.", "implementer": {"email": "bob@brightwater.example"},
	"approvals": [], "planned_start": "2026-11-01T20:00:00Z", "planned_end": "2026-11-01T22:00:00Z",
	"actual_start": "2026-11-01T20:00:00Z", "actual_end": "2026-11-01T23:00:00Z",
	"backout_plan": "Restore snapshot.", "outcome": outcome, "review": review,
}

asof := "2026-11-20T00:00:00Z"

test_reviewed_failed_change_passes if {
	e := {"change_requests": [change("unsuccessful", {"completed_at": "2026-11-05T10:00:00Z"})]}
	count(sm_003.violations) == 0 with input as e with data.audit.as_of as asof
	sm_003.in_scope == {"CHG0030100"} with input as e with data.audit.as_of as asof
}

test_unreviewed_failed_change_fails if {
	v := sm_003.violations with input as {"change_requests": [change("unsuccessful", null)]} with data.audit.as_of as asof
	count(v) == 1
	some x in v
	contains(x.message, "ended unsuccessful")
	contains(x.message, "no completed post-implementation review")
}

test_successful_with_issues_counts_as_failed if {
	count(sm_003.violations) == 1 with input as {"change_requests": [change("successful_with_issues", {"completed_at": null})]} with data.audit.as_of as asof
}

test_late_review_fails if {
	v := sm_003.violations with input as {"change_requests": [change("unsuccessful", {"completed_at": "2026-11-15T00:00:00Z"})]} with data.audit.as_of as asof
	some x in v
	contains(x.message, "later than the 10 days")
}

test_successful_change_is_out_of_scope if {
	e := {"change_requests": [change("successful", null)]}
	count(sm_003.violations) == 0 with input as e with data.audit.as_of as asof
	count(sm_003.in_scope) == 0 with input as e with data.audit.as_of as asof
}

test_not_yet_due_is_not_judged if {
	e := {"change_requests": [change("unsuccessful", null)]}
	count(sm_003.in_scope) == 0 with input as e with data.audit.as_of as "2026-11-05T00:00:00Z"
	count(sm_003.violations) == 0 with input as e with data.audit.as_of as "2026-11-05T00:00:00Z"
}
