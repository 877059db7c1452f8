package controls.sm.sm_007_test

import rego.v1

import data.controls.sm.sm_007

report(attainment, remaining) := {
	"id": "payments-api/availability/2026-11-20T00:00:00Z", "service": "payments-api", "slo": "availability",
	"target": 0.999, "window": "28d", "window_start": "2026-10-23T00:00:00Z", "window_end": "2026-11-20T00:00:00Z",
	"attainment": attainment, "error_budget_remaining": remaining, "error_budget_exhausted_at": null, "burn_rate_alerts": [],
}

asof := "2026-11-20T00:00:00Z"

test_attainment_at_target_passes if {
	e := {"slo_reports": [report(0.999, 0), report(0.9995, 0.5)]}
	count(sm_007.violations) == 0 with input as e with data.audit.as_of as asof
	count(sm_007.in_scope) == 1 with input as e with data.audit.as_of as asof
}

test_attainment_below_target_fails if {
	v := sm_007.violations with input as {"slo_reports": [report(0.9985, -0.5)]} with data.audit.as_of as asof
	count(v) == 1
	some x in v
	contains(x.message, "attained 99.85% ")
	contains(x.message, "below its 99.9% target")
	contains(x.message, "remaining -50%")
}

test_no_data_fails if {
	v := sm_007.violations with input as {"slo_reports": [report(null, null)]} with data.audit.as_of as asof
	some x in v
	contains(x.message, "no measurements")
}

test_window_not_ended_is_not_judged if {
	e := {"slo_reports": [report(0.5, -10)]}
	count(sm_007.violations) == 0 with input as e with data.audit.as_of as "2026-11-19T00:00:00Z"
	count(sm_007.in_scope) == 0 with input as e with data.audit.as_of as "2026-11-19T00:00:00Z"
}
