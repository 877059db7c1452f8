package controls.ai.ai_002_test

import data.controls.ai.ai_002
import rego.v1

model(overrides) := object.union(
	{
		"id": "fraud-txn-gbm:12",
		"name": "fraud-txn-gbm",
		"version": "12",
		"stage": "production",
		"deployed_at": "2025-09-15T08:00:00Z",
		"owner": {"name": "Tom Reid", "email": "tom.reid@brightwater.example"},
		"model_card": null,
		"bias_evaluation": {
			"completed_at": "2025-09-10T17:00:00Z",
			"method": "demographic parity and equalised odds across age band and sex",
			"result": "pass",
			"report_ref": "MRM-BIAS-2025-031",
		},
		"monitoring": null,
		"rollback": null,
		"risk_tier": "medium",
	},
	overrides,
)

eval(overrides) := object.union(model({}).bias_evaluation, overrides)

test_evaluated_before_deployment_passes if {
	count(ai_002.violations) == 0 with input as {"models": [model({})]}
}

test_evaluated_at_deployment_instant_passes if {
	m := model({"bias_evaluation": eval({"completed_at": "2025-09-15T08:00:00Z"})})
	count(ai_002.violations) == 0 with input as {"models": [m]}
}

test_evaluated_after_deployment_fails if {
	m := model({"bias_evaluation": eval({"completed_at": "2025-09-15T08:00:01Z"})})
	vs := ai_002.violations with input as {"models": [m]}
	count(vs) == 1
	some v in vs
	v.resource == "fraud-txn-gbm:12"
	contains(v.message, "after the model was deployed")
}

test_no_evaluation_fails if {
	vs := ai_002.violations with input as {"models": [model({"bias_evaluation": null})]}
	count(vs) == 1
	some v in vs
	contains(v.message, "no bias and fairness evaluation")
}

test_null_evaluation_fails if {
	m := object.union(object.remove(model({}), ["bias_evaluation"]), {"bias_evaluation": null})
	count(ai_002.violations) == 1 with input as {"models": [m]}
}

test_failed_evaluation_fails if {
	vs := ai_002.violations with input as {"models": [model({"bias_evaluation": eval({"result": "fail"})})]}
	count(vs) == 1
	some v in vs
	contains(v.message, "failed (report MRM-BIAS-2025-031)")
}

test_no_result_fails if {
	count(ai_002.violations) == 1 with input as {"models": [model({"bias_evaluation": eval({"result": null})})]}
}

test_no_completion_date_fails if {
	vs := ai_002.violations with input as {"models": [model({"bias_evaluation": eval({"completed_at": null})})]}
	count(vs) == 1
	some v in vs
	contains(v.message, "no completion date")
}

test_no_deployment_date_fails if {
	vs := ai_002.violations with input as {"models": [model({"deployed_at": null})]}
	count(vs) == 1
	some v in vs
	contains(v.message, "no deployment date")
}

test_conditional_medium_risk_passes if {
	count(ai_002.violations) == 0 with input as {"models": [model({"bias_evaluation": eval({"result": "conditional"})})]}
}

test_conditional_high_risk_fails if {
	m := model({"risk_tier": "high", "bias_evaluation": eval({"result": "conditional"})})
	vs := ai_002.violations with input as {"models": [m]}
	count(vs) == 1
	some v in vs
	contains(v.message, "high-risk model")
}

test_conditional_refused_by_param if {
	p := object.union(data.params["AI-002"], {"allow_conditional": false})
	m := model({"bias_evaluation": eval({"result": "conditional"})})
	count(ai_002.violations) == 1 with input as {"models": [m]} with data.params["AI-002"] as p
}

test_missing_report_fails if {
	vs := ai_002.violations with input as {"models": [model({"bias_evaluation": eval({"report_ref": null})})]}
	count(vs) == 1
	some v in vs
	contains(v.message, "method and report")
}

test_failed_with_missing_report_message_is_still_produced if {
	# object.union merges nested objects, so replace the evaluation wholesale
	e := object.union(eval({"result": "fail"}), {"report_ref": null})
	m := object.union(object.remove(model({}), ["bias_evaluation"]), {"bias_evaluation": e})
	vs := ai_002.violations with input as {"models": [m]}
	count(vs) == 2
	some v in vs
	contains(v.message, "failed (report not recorded)")
}

test_development_models_ignored if {
	count(ai_002.violations) == 0 with input as {"models": [model({"stage": "development", "bias_evaluation": null})]}
}

test_in_scope_is_models_at_a_covered_stage if {
	ai_002.in_scope == {"m-prod"} with input as {"models": [
		{"id": "m-prod", "stage": "production"},
		{"id": "m-dev", "stage": "development"},
	]}
}
