package controls.ai.ai_004

# Production models have a documented rollback and fallback.
# Reads input.models. A model in scope (stage in params.stages) is at fault
# when its rollback is not documented, names no fallback or runbook, or, for a
# high-risk model, has not been tested within max_test_age_days_high_risk.

import rego.v1

params := data.params["AI-004"]

now_ns := time.parse_rfc3339_ns(data.audit.as_of)

day_ns := 86400000000000

models_in_scope contains m if {
	some m in input.models
	object.get(m, "stage", null) in {s | some s in params.stages}
}

label(m) := sprintf("%s %s (%s)", [m.name, m.version, m.id]) if {
	is_string(object.get(m, "name", null))
	is_string(object.get(m, "version", null))
} else := m.id

rollback(m) := r if {
	r := object.get(m, "rollback", null)
	is_object(r)
	object.get(r, "documented", false) == true
}

filled(obj, field) if {
	v := object.get(obj, field, null)
	is_string(v)
	trim_space(v) != ""
}

tested_at(r) := t if {
	v := object.get(r, "last_tested_at", null)
	is_string(v)
	t := time.parse_rfc3339_ns(v)
}

recently_tested(r) if now_ns - tested_at(r) <= params.max_test_age_days_high_risk * day_ns

violations contains {
	"resource": m.id,
	"message": sprintf("Model %s is in %s without a documented rollback plan; document how to withdraw it, what serves decisions instead, and link the runbook in the model registry.", [label(m), m.stage]),
} if {
	some m in models_in_scope
	not rollback(m)
}

violations contains {
	"resource": m.id,
	"message": sprintf("The rollback plan for model %s names no fallback; record what serves decisions if the model is withdrawn (previous version, rules or manual review).", [label(m)]),
} if {
	some m in models_in_scope
	r := rollback(m)
	not filled(r, "fallback")
}

violations contains {
	"resource": m.id,
	"message": sprintf("The rollback plan for model %s links no runbook; write the rollback runbook and record its reference.", [label(m)]),
} if {
	some m in models_in_scope
	r := rollback(m)
	not filled(r, "runbook_ref")
}

violations contains {
	"resource": m.id,
	"message": sprintf("High-risk model %s has not had its rollback tested in the last %v days; rehearse the rollback to its fallback and record the date.", [label(m), params.max_test_age_days_high_risk]),
} if {
	some m in models_in_scope
	object.get(m, "risk_tier", null) == "high"
	r := rollback(m)
	not recently_tested(r)
}

# in_scope: the resource ids of every item this control judged (the evaluator counts them).
in_scope contains m.id if some m in models_in_scope
