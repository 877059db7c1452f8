package controls.sm.sm_004_test

import rego.v1

import data.controls.sm.sm_004

incident(priority, sla, resolved) := {
	"id": "INC0010001", "priority": priority, "service": "payments-api", "major": false,
	"detected_at": "2026-11-10T08:00:00Z", "acknowledged_at": "2026-11-10T08:05:00Z",
	"resolved_at": resolved, "sla_minutes": sla, "review": null,
}

asof := "2026-11-20T00:00:00Z"

test_resolved_within_sla_passes if {
	e := {"incidents": [incident("P1", 240, "2026-11-10T11:59:00Z")]}
	count(sm_004.violations) == 0 with input as e with data.audit.as_of as asof
	sm_004.in_scope == {"INC0010001"} with input as e with data.audit.as_of as asof
}

test_resolved_late_fails if {
	v := sm_004.violations with input as {"incidents": [incident("P2", 240, "2026-11-10T13:30:00Z")]} with data.audit.as_of as asof
	count(v) == 1
	some x in v
	contains(x.message, "took 5.5 hours")
	contains(x.message, "240-minute SLA")
}

test_unresolved_past_sla_fails if {
	v := sm_004.violations with input as {"incidents": [incident("P1", 240, null)]} with data.audit.as_of as asof
	some x in v
	contains(x.message, "still unresolved")
}

test_unresolved_within_sla_is_not_judged if {
	e := {"incidents": [incident("P1", 240, null)]}
	count(sm_004.violations) == 0 with input as e with data.audit.as_of as "2026-11-10T09:00:00Z"
	count(sm_004.in_scope) == 0 with input as e with data.audit.as_of as "2026-11-10T09:00:00Z"
}

test_missing_sla_fails if {
	v := sm_004.violations with input as {"incidents": [incident("P2", null, "2026-11-10T09:00:00Z")]} with data.audit.as_of as asof
	some x in v
	contains(x.message, "no resolution SLA")
}

test_p3_is_out_of_scope if {
	e := {"incidents": [incident("P3", 240, "2026-11-12T09:00:00Z")]}
	count(sm_004.violations) == 0 with input as e with data.audit.as_of as asof
	count(sm_004.in_scope) == 0 with input as e with data.audit.as_of as asof
}
