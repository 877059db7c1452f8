# METADATA
# title: A bias and fairness evaluation is completed before deployment
# description: >-
#   Reads input.models. A model in scope (stage in params.stages) is at fault when it
#   has no bias evaluation, the evaluation has no completion date, method or report,
#   it was completed after deployment (or the deployment date is unknown), its result
#   failed or is missing, or its result is conditional where a conditional result is
#   not accepted.
package controls.ai.ai_002

import rego.v1

import data.lib.models
import data.lib.text
import data.lib.time

params := data.params["AI-002"]

models_in_scope := models.in_stages(input.models, params.stages)

# [model, evaluation] of the models in scope that record one.
evaluated := [[m, m.bias_evaluation] | some m in models_in_scope; m.bias_evaluation != null]

conditional_accepted(m) if {
	params.allow_conditional
	not m.risk_tier in {t | some t in params.conditional_not_allowed_for}
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		concat("", [
			"Model %s is in %s with no bias and fairness evaluation recorded; evaluate it against the protected ",
			"attributes in scope and record the result before it stays in service.",
		]),
		[models.label(m), m.stage],
	),
} if {
	some m in models_in_scope
	m.bias_evaluation == null
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		concat("", [
			"The bias evaluation for model %s has no completion date, so it cannot be shown to precede deployment; ",
			"record when it was completed.",
		]),
		[models.label(m)],
	),
} if {
	some [m, e] in evaluated
	e.completed_at == null
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		concat("", [
			"The bias evaluation for model %s was completed on %s, after the model was deployed on %s; ",
			"deployment must wait for the evaluation, so review the decisions made in between.",
		]),
		[models.label(m), e.completed_at, m.deployed_at],
	),
} if {
	some [m, e] in evaluated
	time.ns(e.completed_at) > time.ns(m.deployed_at)
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		concat("", [
			"Model %s has no deployment date, so its bias evaluation cannot be shown to precede deployment; ",
			"record when it was deployed.",
		]),
		[models.label(m)],
	),
} if {
	some [m, e] in evaluated
	e.completed_at != null
	m.deployed_at == null
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		concat("", [
			"The bias evaluation for model %s failed (report %s) yet the model is in %s; ",
			"withdraw it or remediate the bias and re-evaluate.",
		]),
		[models.label(m), text.or_default(e.report_ref, "not recorded"), m.stage],
	),
} if {
	some [m, e] in evaluated
	e.result == "fail"
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		"The bias evaluation for model %s records no result; record whether it passed.",
		[models.label(m)],
	),
} if {
	some [m, e] in evaluated
	not e.result in {"pass", "fail", "conditional"}
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		concat("", [
			"The bias evaluation for %s-risk model %s passed only conditionally, which is not accepted for ",
			"this model; complete the mitigations and re-evaluate to a pass.",
		]),
		[m.risk_tier, models.label(m)],
	),
} if {
	some [m, e] in evaluated
	e.result == "conditional"
	not conditional_accepted(m)
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		concat("", [
			"The bias evaluation for model %s does not record its method and report; ",
			"record the method used and link the evaluation report.",
		]),
		[models.label(m)],
	),
} if {
	some [m, e] in evaluated
	not documented(e)
}

documented(e) if {
	text.filled(e.method)
	text.filled(e.report_ref)
}

in_scope := {m.id | some m in models_in_scope}
