package controls.ai.ai_002

# A bias and fairness evaluation is completed before deployment.
# Reads input.models. A model in scope (stage in params.stages) is at fault
# when it has no bias evaluation, the evaluation has no completion date, method
# or report, it was completed after deployment (or the deployment date is
# unknown), its result failed or is missing, or its result is conditional
# where a conditional result is not accepted.

import rego.v1

params := data.params["AI-002"]

models_in_scope contains m if {
	some m in input.models
	object.get(m, "stage", null) in {s | some s in params.stages}
}

label(m) := sprintf("%s %s (%s)", [m.name, m.version, m.id]) if {
	is_string(object.get(m, "name", null))
	is_string(object.get(m, "version", null))
} else := m.id

evaluation(m) := e if {
	e := object.get(m, "bias_evaluation", null)
	is_object(e)
}

ts(obj, field) := t if {
	v := object.get(obj, field, null)
	is_string(v)
	t := time.parse_rfc3339_ns(v)
}

filled(obj, field) if {
	v := object.get(obj, field, null)
	is_string(v)
	trim_space(v) != ""
}

result(e) := object.get(e, "result", null)

conditional_accepted(m) if {
	params.allow_conditional == true
	not object.get(m, "risk_tier", null) in {t | some t in params.conditional_not_allowed_for}
}

violations contains {
	"resource": m.id,
	"message": sprintf("Model %s is in %s with no bias and fairness evaluation recorded; evaluate it against the protected attributes in scope and record the result before it stays in service.", [label(m), m.stage]),
} if {
	some m in models_in_scope
	not evaluation(m)
}

violations contains {
	"resource": m.id,
	"message": sprintf("The bias evaluation for model %s has no completion date, so it cannot be shown to precede deployment; record when it was completed.", [label(m)]),
} if {
	some m in models_in_scope
	e := evaluation(m)
	not ts(e, "completed_at")
}

violations contains {
	"resource": m.id,
	"message": sprintf("The bias evaluation for model %s was completed on %s, after the model was deployed on %s; deployment must wait for the evaluation, so review the decisions made in between.", [label(m), e.completed_at, m.deployed_at]),
} if {
	some m in models_in_scope
	e := evaluation(m)
	ts(e, "completed_at") > ts(m, "deployed_at")
}

violations contains {
	"resource": m.id,
	"message": sprintf("Model %s has no deployment date, so its bias evaluation cannot be shown to precede deployment; record when it was deployed.", [label(m)]),
} if {
	some m in models_in_scope
	e := evaluation(m)
	ts(e, "completed_at")
	not ts(m, "deployed_at")
}

violations contains {
	"resource": m.id,
	"message": sprintf("The bias evaluation for model %s failed (report %s) yet the model is in %s; withdraw it or remediate the bias and re-evaluate.", [label(m), object.get(e, "report_ref", "not recorded"), m.stage]),
} if {
	some m in models_in_scope
	e := evaluation(m)
	result(e) == "fail"
}

violations contains {
	"resource": m.id,
	"message": sprintf("The bias evaluation for model %s records no result; record whether it passed.", [label(m)]),
} if {
	some m in models_in_scope
	e := evaluation(m)
	not result(e) in {"pass", "fail", "conditional"}
}

violations contains {
	"resource": m.id,
	"message": sprintf("The bias evaluation for %s-risk model %s passed only conditionally, which is not accepted for this model; complete the mitigations and re-evaluate to a pass.", [object.get(m, "risk_tier", "unknown"), label(m)]),
} if {
	some m in models_in_scope
	e := evaluation(m)
	result(e) == "conditional"
	not conditional_accepted(m)
}

violations contains {
	"resource": m.id,
	"message": sprintf("The bias evaluation for model %s does not record its method and report; record the method used and link the evaluation report.", [label(m)]),
} if {
	some m in models_in_scope
	e := evaluation(m)
	not documented(e)
}

documented(e) if {
	filled(e, "method")
	filled(e, "report_ref")
}

# in_scope: the resource ids of every item this control judged (the evaluator counts them).
in_scope contains m.id if some m in models_in_scope
