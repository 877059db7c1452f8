package controls.ai.ai_004_test

import data.controls.ai.ai_004
import rego.v1

# as_of is 2026-01-01T00:00:00Z in tests.

model(overrides) := object.union(
	{
		"id": "aml-alert-triage:3",
		"name": "aml-alert-triage",
		"version": "3",
		"stage": "production",
		"deployed_at": "2025-09-15T08:00:00Z",
		"owner": {"name": "Tom Reid", "email": "tom.reid@brightwater.example"},
		"model_card": null,
		"bias_evaluation": null,
		"monitoring": null,
		"rollback": {
			"documented": true,
			"fallback": "Route all alerts to manual L1 review queue",
			"runbook_ref": "RB-ML-014",
			"last_tested_at": "2025-07-01T10:00:00Z",
		},
		"risk_tier": "high",
	},
	overrides,
)

test_documented_and_tested_passes if {
	count(ai_004.violations) == 0 with input as {"models": [model({})]}
}

test_no_rollback_fails if {
	vs := ai_004.violations with input as {"models": [model({"rollback": null})]}
	count(vs) == 1
	some v in vs
	v.resource == "aml-alert-triage:3"
	contains(v.message, "without a documented rollback plan")
}

test_missing_rollback_field_fails if {
	count(ai_004.violations) == 1 with input as {"models": [object.remove(model({}), ["rollback"])]}
}

test_not_documented_fails if {
	count(ai_004.violations) == 1 with input as {"models": [model({"rollback": {"documented": false}})]}
}

test_no_fallback_fails if {
	vs := ai_004.violations with input as {"models": [model({"rollback": {"fallback": null}})]}
	count(vs) == 1
	some v in vs
	contains(v.message, "names no fallback")
}

test_no_runbook_fails if {
	vs := ai_004.violations with input as {"models": [model({"rollback": {"runbook_ref": " "}})]}
	count(vs) == 1
	some v in vs
	contains(v.message, "links no runbook")
}

test_high_risk_untested_fails if {
	vs := ai_004.violations with input as {"models": [model({"rollback": {"last_tested_at": null}})]}
	count(vs) == 1
	some v in vs
	contains(v.message, "not had its rollback tested in the last 365 days")
}

test_high_risk_test_boundary if {
	count(ai_004.violations) == 0 with input as {"models": [model({"rollback": {"last_tested_at": "2025-01-01T00:00:00Z"}})]}
	count(ai_004.violations) == 1 with input as {"models": [model({"rollback": {"last_tested_at": "2024-12-31T23:59:59Z"}})]}
}

test_medium_risk_untested_passes if {
	count(ai_004.violations) == 0 with input as {"models": [model({"risk_tier": "medium", "rollback": {"last_tested_at": null}})]}
}

test_retired_ignored if {
	count(ai_004.violations) == 0 with input as {"models": [model({"stage": "retired", "rollback": null})]}
}

test_in_scope_is_models_at_a_covered_stage if {
	ai_004.in_scope == {"m-prod"} with input as {"models": [
		{"id": "m-prod", "stage": "production"},
		{"id": "m-dev", "stage": "development"},
	]}
}
