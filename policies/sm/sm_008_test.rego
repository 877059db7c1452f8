package controls.sm.sm_008_test

import rego.v1

import data.controls.sm.sm_008

report(exhausted) := {
	"id": "payments-api/availability/2026-11-20T00:00:00Z", "service": "payments-api", "slo": "availability",
	"target": 0.999, "window": "28d", "window_start": "2026-10-23T00:00:00Z", "window_end": "2026-11-20T00:00:00Z",
	"attainment": 0.998, "error_budget_remaining": -1, "error_budget_exhausted_at": exhausted, "burn_rate_alerts": [],
}

deploy(id, at) := {
	"id": id, "environment": "production", "service": "payments-api", "commit": "a1b2c3d4e5f6a7b8",
	"ref": "v1.2.0", "actor": {"email": "bob@brightwater.example"}, "approver": null,
	"started_at": at, "status": "success",
}

emergency(ids) := {"id": "CHG0040009", "type": "emergency", "deployments": ids}

test_deployment_after_exhaustion_fails if {
	e := {"deployments": [deploy("d-1", "2026-11-12T10:00:00Z"), deploy("d-2", "2026-11-01T10:00:00Z")], "slo_reports": [report("2026-11-10T00:00:00Z")]}
	v := sm_008.violations with input as e
	[x.resource | some x in v] == ["d-1"]
	some x in v
	contains(x.message, "exhausted at 2026-11-10T00:00:00Z")
	sm_008.in_scope == {"d-1", "d-2"} with input as e
}

test_emergency_deployment_is_allowed if {
	e := {"deployments": [deploy("d-1", "2026-11-12T10:00:00Z")], "slo_reports": [report("2026-11-10T00:00:00Z")], "change_requests": [emergency(["d-1"])]}
	count(sm_008.violations) == 0 with input as e
	sm_008.in_scope == {"d-1"} with input as e
}

test_normal_change_does_not_exempt if {
	e := {"deployments": [deploy("d-1", "2026-11-12T10:00:00Z")], "slo_reports": [report("2026-11-10T00:00:00Z")], "change_requests": [object.union(emergency(["d-1"]), {"type": "normal"})]}
	count(sm_008.violations) == 1 with input as e
}

test_budget_never_exhausted_passes if {
	e := {"deployments": [deploy("d-1", "2026-11-12T10:00:00Z")], "slo_reports": [report(null)]}
	count(sm_008.violations) == 0 with input as e
	sm_008.in_scope == {"d-1"} with input as e
}

test_outside_window_or_other_service_or_staging_is_out_of_scope if {
	late := deploy("d-1", "2026-11-21T10:00:00Z")
	other := object.union(deploy("d-2", "2026-11-12T10:00:00Z"), {"service": "ledger"})
	staging := object.union(deploy("d-3", "2026-11-12T10:00:00Z"), {"environment": "staging"})
	failed := object.union(deploy("d-4", "2026-11-12T10:00:00Z"), {"status": "failed"})
	e := {"deployments": [late, other, staging, failed], "slo_reports": [report("2026-11-10T00:00:00Z")]}
	count(sm_008.violations) == 0 with input as e
	count(sm_008.in_scope) == 0 with input as e
}
