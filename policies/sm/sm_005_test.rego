package controls.sm.sm_005_test

import rego.v1

import data.controls.sm.sm_005

action(due, closed) := {"id": "PIR-1", "description": "Add a settlement queue alarm.", "owner": {"email": "bob@brightwater.example"}, "due_at": due, "closed_at": closed}

incident(review) := {
	"id": "INC0010002", "priority": "P1", "service": "payments-api", "major": true,
	"detected_at": "2026-11-01T08:00:00Z", "acknowledged_at": "2026-11-01T08:02:00Z",
	"resolved_at": "2026-11-01T10:00:00Z", "sla_minutes": 240, "review": review,
}

asof := "2026-11-20T00:00:00Z"

ev(review) := {"incidents": [incident(review)]}

test_timely_review_with_closed_actions_passes if {
	e := ev({"completed_at": "2026-11-04T10:00:00Z", "actions": [action("2026-11-15T00:00:00Z", "2026-11-14T00:00:00Z"), object.union(action("2026-12-15T00:00:00Z", null), {"id": "PIR-2"})]})
	count(sm_005.violations) == 0 with input as e with data.audit.as_of as asof
	sm_005.in_scope == {"INC0010002"} with input as e with data.audit.as_of as asof
}

test_missing_review_fails if {
	v := sm_005.violations with input as ev(null) with data.audit.as_of as asof
	count(v) == 1
	some x in v
	contains(x.message, "no completed post-incident review")
}

test_late_review_fails if {
	v := sm_005.violations with input as ev({"completed_at": "2026-11-09T10:00:00Z", "actions": []}) with data.audit.as_of as asof
	some x in v
	contains(x.message, "later than the 5 days")
}

test_overdue_open_action_fails if {
	v := sm_005.violations with input as ev({"completed_at": "2026-11-03T10:00:00Z", "actions": [action("2026-11-15T00:00:00Z", null)]}) with data.audit.as_of as asof
	count(v) == 1
	some x in v
	contains(x.message, "action PIR-1")
	contains(x.message, "still open")
}

test_action_closed_late_fails if {
	v := sm_005.violations with input as ev({"completed_at": "2026-11-03T10:00:00Z", "actions": [action("2026-11-15T00:00:00Z", "2026-11-16T00:00:00Z")]}) with data.audit.as_of as asof
	some x in v
	contains(x.message, "closed late")
}

test_action_without_owner_fails if {
	a := object.union(action("2026-11-25T00:00:00Z", null), {"owner": null})
	v := sm_005.violations with input as ev({"completed_at": "2026-11-03T10:00:00Z", "actions": [a]}) with data.audit.as_of as asof
	some x in v
	contains(x.message, "no owner or no due date")
}

test_priority_makes_major if {
	i := object.union(incident(null), {"major": false})
	count(sm_005.violations) == 1 with input as {"incidents": [i]} with data.audit.as_of as asof
	p2 := object.union(i, {"priority": "P2"})
	count(sm_005.in_scope) == 0 with input as {"incidents": [p2]} with data.audit.as_of as asof
}

test_unresolved_or_not_yet_due_is_not_judged if {
	open := object.union(incident(null), {"resolved_at": null})
	count(sm_005.in_scope) == 0 with input as {"incidents": [open]} with data.audit.as_of as asof
	count(sm_005.in_scope) == 0 with input as ev(null) with data.audit.as_of as "2026-11-03T00:00:00Z"
}
