package controls.ai.ai_001_test

import data.controls.ai.ai_001
import rego.v1

# as_of is 2026-01-01T00:00:00Z in tests.

model(overrides) := object.union(
	{
		"id": "credit-risk-pd:7",
		"name": "credit-risk-pd",
		"version": "7",
		"stage": "production",
		"deployed_at": "2025-06-01T10:00:00Z",
		"owner": {"name": "Priya Shah", "email": "priya.shah@brightwater.example"},
		"model_card": {"url": "https://wiki.brightwater.example/models/credit-risk-pd", "updated_at": "2025-05-28T09:00:00Z"},
		"bias_evaluation": null,
		"monitoring": null,
		"rollback": null,
		"risk_tier": "high",
	},
	overrides,
)

test_card_fresh_passes if {
	m := model({"deployed_at": "2025-10-01T00:00:00Z", "model_card": {"url": "https://x", "updated_at": "2025-11-01T00:00:00Z"}})
	count(ai_001.violations) == 0 with input as {"models": [m]}
}

test_old_card_updated_since_deployment_passes if {
	m := model({"deployed_at": "2024-01-01T00:00:00Z", "model_card": {"url": "https://x", "updated_at": "2024-02-01T00:00:00Z"}})
	count(ai_001.violations) == 0 with input as {"models": [m]}
}

test_card_updated_at_deployment_instant_passes if {
	m := model({"deployed_at": "2024-01-01T00:00:00Z", "model_card": {"url": "https://x", "updated_at": "2024-01-01T00:00:00Z"}})
	count(ai_001.violations) == 0 with input as {"models": [m]}
}

test_stale_card_predating_deployment_fails if {
	# card updated 2025-05-28, 218 days before as_of, deployed after that
	vs := ai_001.violations with input as {"models": [model({})]}
	count(vs) == 1
	some v in vs
	v.resource == "credit-risk-pd:7"
	contains(v.message, "credit-risk-pd 7")
	contains(v.message, "217 days ago")
}

test_card_predating_deployment_but_within_age_passes if {
	m := model({"deployed_at": "2025-12-01T00:00:00Z", "model_card": {"url": "https://x", "updated_at": "2025-07-05T00:00:00Z"}})
	count(ai_001.violations) == 0 with input as {"models": [m]}
}

test_card_age_boundary if {
	# exactly 180 days before as_of passes, 180 days and 1 second fails
	m1 := model({"deployed_at": "2025-12-01T00:00:00Z", "model_card": {"url": "https://x", "updated_at": "2025-07-05T00:00:00Z"}})
	count(ai_001.violations) == 0 with input as {"models": [m1]}
	m2 := model({"deployed_at": "2025-12-01T00:00:00Z", "model_card": {"url": "https://x", "updated_at": "2025-07-04T23:59:59Z"}})
	count(ai_001.violations) == 1 with input as {"models": [m2]}
}

test_no_card_fails if {
	vs := ai_001.violations with input as {"models": [model({"model_card": null})]}
	count(vs) == 1
	some v in vs
	contains(v.message, "without a model card")
}

test_missing_card_field_fails if {
	m := object.remove(model({}), ["model_card"])
	count(ai_001.violations) == 1 with input as {"models": [m]}
}

test_card_without_url_fails if {
	m := model({"model_card": {"url": null, "updated_at": "2025-12-01T00:00:00Z"}})
	count(ai_001.violations) == 1 with input as {"models": [m]}
}

test_card_without_date_fails if {
	vs := ai_001.violations with input as {"models": [model({"model_card": {"url": "https://x", "updated_at": null}})]}
	count(vs) == 1
	some v in vs
	contains(v.message, "no update date")
}

test_stale_card_without_deployment_date_fails if {
	m := model({"deployed_at": null})
	count(ai_001.violations) == 1 with input as {"models": [m]}
}

test_staging_and_retired_ignored_by_default if {
	ms := [model({"id": "a", "stage": "staging", "model_card": null}), model({"id": "b", "stage": "retired", "model_card": null})]
	count(ai_001.violations) == 0 with input as {"models": ms}
}

test_stage_parameter_extends_scope if {
	p := object.union(data.params["AI-001"], {"stages": ["production", "staging"]})
	ms := [model({"id": "a", "stage": "staging", "model_card": null})]
	count(ai_001.violations) == 1 with input as {"models": ms} with data.params["AI-001"] as p
}

test_in_scope_is_models_at_a_covered_stage if {
	ai_001.in_scope == {"m-prod"} with input as {"models": [
		{"id": "m-prod", "stage": "production"},
		{"id": "m-dev", "stage": "development"},
	]}
}
