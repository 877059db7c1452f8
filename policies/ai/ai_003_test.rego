package controls.ai.ai_003_test

import data.controls.ai.ai_003
import rego.v1

model(overrides) := object.union(
	{
		"id": "churn-xgb:4",
		"name": "churn-xgb",
		"version": "4",
		"stage": "production",
		"deployed_at": "2025-09-15T08:00:00Z",
		"owner": {"name": "Tom Reid", "email": "tom.reid@brightwater.example"},
		"model_card": null,
		"bias_evaluation": null,
		"monitoring": {"enabled": true, "drift_alerts": true, "dashboard": "https://grafana.brightwater.example/d/churn-xgb"},
		"rollback": null,
		"risk_tier": "medium",
	},
	overrides,
)

test_monitored_passes if {
	count(ai_003.violations) == 0 with input as {"models": [model({})]}
}

test_no_monitoring_fails if {
	vs := ai_003.violations with input as {"models": [model({"monitoring": null})]}
	count(vs) == 1
	some v in vs
	v.resource == "churn-xgb:4"
	contains(v.message, "without monitoring enabled")
}

test_missing_monitoring_field_fails if {
	m := object.remove(model({}), ["monitoring"])
	count(ai_003.violations) == 1 with input as {"models": [m]}
}

test_monitoring_disabled_fails if {
	count(ai_003.violations) == 1 with input as {"models": [model({"monitoring": {"enabled": false}})]}
}

test_drift_alerts_off_fails if {
	vs := ai_003.violations with input as {"models": [model({"monitoring": {"drift_alerts": false}})]}
	count(vs) == 1
	some v in vs
	contains(v.message, "drift alerts are off")
}

test_drift_alerts_not_required_by_param if {
	p := object.union(data.params["AI-003"], {"require_drift_alerts": false})
	count(ai_003.violations) == 0 with input as {"models": [model({"monitoring": {"drift_alerts": false}})]} with data.params["AI-003"] as p
}

test_no_dashboard_medium_risk_fails if {
	vs := ai_003.violations with input as {"models": [model({"monitoring": {"dashboard": null}})]}
	count(vs) == 1
	some v in vs
	contains(v.message, "Medium-risk model churn-xgb 4")
}

test_no_dashboard_low_risk_passes if {
	count(ai_003.violations) == 0 with input as {"models": [model({"risk_tier": "low", "monitoring": {"dashboard": ""}})]}
}

test_staging_not_in_scope if {
	count(ai_003.violations) == 0 with input as {"models": [model({"stage": "staging", "monitoring": null})]}
}

test_in_scope_is_models_at_a_covered_stage if {
	ai_003.in_scope == {"m-prod"} with input as {"models": [
		{"id": "m-prod", "stage": "production"},
		{"id": "m-dev", "stage": "development"},
	]}
}
