# METADATA
# title: Production models have a current model card
# description: >-
#   Reads input.models. A model in scope (stage in params.stages) is at fault when it
#   has no model card or card URL, the card has no update date, or the card was last
#   updated before the model was deployed and more than max_card_age_days ago.
package controls.ai.ai_001

import rego.v1

import data.lib.models
import data.lib.text
import data.lib.time

params := data.params["AI-001"]

now_ns := time.parse(data.audit.as_of)

models_in_scope := models.in_stages(input.models, params.stages)

card(m) := m.model_card if {
	m.model_card != null
	text.filled(m.model_card.url)
}

updated_since_deployment(m, updated) if updated >= time.ns(m.deployed_at)

violations contains {
	"resource": m.id,
	"message": sprintf(
		concat("", [
			"Model %s is in %s without a model card; publish one covering intended use, data, evaluation ",
			"and limitations, and record its URL in the model registry.",
		]),
		[models.label(m), m.stage],
	),
} if {
	some m in models_in_scope
	not card(m)
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		concat("", [
			"The model card for %s has no update date, so it cannot be shown to describe the deployed version; ",
			"review it and record when it was updated.",
		]),
		[models.label(m)],
	),
} if {
	some m in models_in_scope
	card(m).updated_at == null
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		concat("", [
			"The model card for %s was last updated %s, %v days ago and before the model was deployed on %s; ",
			"update it for the deployed version (at most %v days old).",
		]),
		[models.label(m), c.updated_at, time.age_days(updated, now_ns), m.deployed_at, params.max_card_age_days],
	),
} if {
	some m in models_in_scope
	c := card(m)
	updated := time.ns(c.updated_at)
	not updated_since_deployment(m, updated)
	now_ns - updated > time.days(params.max_card_age_days)
}

in_scope := {m.id | some m in models_in_scope}
