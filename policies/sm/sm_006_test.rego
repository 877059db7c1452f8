package controls.sm.sm_006_test

import rego.v1

import data.controls.sm.sm_006

service := {
	"id": "payments-api", "name": "Payments API", "environment": "production",
	"outcome": "Customers' card payments are authorised in under a second.",
	"owner": {"name": "Dana Lee", "email": "dana@brightwater.example"}, "tier": 1,
	"slos": [{"id": "availability", "sli": "Share of requests without a 5xx", "target": 0.999, "window": "28d"}],
	"error_budget_policy": {"document": "https://wiki.brightwater.example/sre/ebp", "freeze_non_emergency_changes": true},
}

test_complete_service_passes if {
	count(sm_006.violations) == 0 with input as {"services": [service]}
	sm_006.in_scope == {"payments-api"} with input as {"services": [service]}
}

test_each_gap_is_reported if {
	s := object.union(service, {"owner": null, "tier": null, "slos": [], "error_budget_policy": null})
	v := sm_006.violations with input as {"services": [s]}
	count(v) == 4
	msgs := concat(" ", [x.message | some x in v])
	contains(msgs, "no named owner")
	contains(msgs, "no tier")
	contains(msgs, "no service level objective")
	contains(msgs, "no error-budget policy")
}

test_blank_owner_is_no_owner if {
	s := object.union(service, {"owner": {"name": " ", "email": null}})
	count(sm_006.violations) == 1 with input as {"services": [s]}
}

test_non_production_is_out_of_scope if {
	s := object.union(service, {"environment": "staging", "owner": null})
	count(sm_006.violations) == 0 with input as {"services": [s]}
	count(sm_006.in_scope) == 0 with input as {"services": [s]}
}

test_environment_compared_case_insensitively if {
	s := object.union(service, {"environment": "Production", "tier": null})
	count(sm_006.violations) == 1 with input as {"services": [s]}
}
