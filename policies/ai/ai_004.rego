# METADATA
# title: Production models have a documented rollback and fallback
# description: >-
#   Reads input.models. A model in scope (stage in params.stages) is at fault when its
#   rollback is not documented, names no fallback or runbook, or, for a high-risk
#   model, has not been tested within max_test_age_days_high_risk.
package controls.ai.ai_004

import rego.v1

import data.lib.models
import data.lib.text
import data.lib.time

params := data.params["AI-004"]

now_ns := time.parse(data.audit.as_of)

models_in_scope := models.in_stages(input.models, params.stages)

rollback(m) := m.rollback if {
	m.rollback != null
	m.rollback.documented
}

recently_tested(r) if {
	now_ns - time.ns(object.get(r, "last_tested_at", null)) <= time.days(params.max_test_age_days_high_risk)
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		concat("", [
			"Model %s is in %s without a documented rollback plan; document how to withdraw it, what serves ",
			"decisions instead, and link the runbook in the model registry.",
		]),
		[models.label(m), m.stage],
	),
} if {
	some m in models_in_scope
	not rollback(m)
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		concat("", [
			"The rollback plan for model %s names no fallback; record what serves decisions if the model ",
			"is withdrawn (previous version, rules or manual review).",
		]),
		[models.label(m)],
	),
} if {
	some m in models_in_scope
	r := rollback(m)
	not text.filled(r.fallback)
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		"The rollback plan for model %s links no runbook; write the rollback runbook and record its reference.",
		[models.label(m)],
	),
} if {
	some m in models_in_scope
	r := rollback(m)
	not text.filled(r.runbook_ref)
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		concat("", [
			"High-risk model %s has not had its rollback tested in the last %v days; ",
			"rehearse the rollback to its fallback and record the date.",
		]),
		[models.label(m), params.max_test_age_days_high_risk],
	),
} if {
	some m in models_in_scope
	m.risk_tier == "high"
	r := rollback(m)
	not recently_tested(r)
}

in_scope := {m.id | some m in models_in_scope}
