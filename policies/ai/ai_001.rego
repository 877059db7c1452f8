package controls.ai.ai_001

# Production models have a current model card.
# Reads input.models. A model in scope (stage in params.stages) is at fault
# when it has no model card or card URL, the card has no update date, or the
# card was last updated before the model was deployed and more than
# max_card_age_days ago.

import rego.v1

params := data.params["AI-001"]

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

card(m) := c if {
	c := object.get(m, "model_card", null)
	is_object(c)
	url := object.get(c, "url", null)
	is_string(url)
	trim_space(url) != ""
}

ts(obj, field) := t if {
	v := object.get(obj, field, null)
	is_string(v)
	t := time.parse_rfc3339_ns(v)
}

updated_since_deployment(m, updated) if updated >= ts(m, "deployed_at")

violations contains {
	"resource": m.id,
	"message": sprintf("Model %s is in %s without a model card; publish one covering intended use, data, evaluation and limitations, and record its URL in the model registry.", [label(m), m.stage]),
} if {
	some m in models_in_scope
	not card(m)
}

violations contains {
	"resource": m.id,
	"message": sprintf("The model card for %s has no update date, so it cannot be shown to describe the deployed version; review it and record when it was updated.", [label(m)]),
} if {
	some m in models_in_scope
	c := card(m)
	not ts(c, "updated_at")
}

violations contains {
	"resource": m.id,
	"message": sprintf("The model card for %s was last updated %s, %v days ago and before the model was deployed on %s; update it for the deployed version (at most %v days old).", [label(m), c.updated_at, floor((now_ns - updated) / day_ns), object.get(m, "deployed_at", "(unknown)"), params.max_card_age_days]),
} if {
	some m in models_in_scope
	c := card(m)
	updated := ts(c, "updated_at")
	not updated_since_deployment(m, updated)
	now_ns - updated > params.max_card_age_days * day_ns
}

# in_scope: the resource ids of every item this control judged (the evaluator counts them).
in_scope contains m.id if some m in models_in_scope
