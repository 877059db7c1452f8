package controls.ai.ai_005_test

import data.controls.ai.ai_005
import rego.v1

model(overrides) := object.union(
	{
		"id": "kyc-docs-ocr:2",
		"name": "kyc-docs-ocr",
		"version": "2",
		"stage": "production",
		"deployed_at": "2025-09-15T08:00:00Z",
		"owner": {"name": "Aisha Khan", "email": "aisha.khan@brightwater.example"},
		"model_card": null,
		"bias_evaluation": null,
		"monitoring": null,
		"rollback": null,
		"risk_tier": "medium",
	},
	overrides,
)

owned_by(name, email) := object.union(object.remove(model({}), ["owner"]), {"owner": {"name": name, "email": email}})

test_named_person_passes if {
	count(ai_005.violations) == 0 with input as {"models": [model({})]}
}

test_names_resembling_aliases_pass if {
	ms := [
		owned_by("Ai Li", "ai.li@brightwater.example"),
		owned_by("Data Mensah", "data.mensah@brightwater.example"),
		owned_by("Mia Platt", "mia.platt@BrightWater.example"),
	]
	count(ai_005.violations) == 0 with input as {"models": ms}
}

test_no_owner_fails if {
	vs := ai_005.violations with input as {"models": [model({"owner": null})]}
	count(vs) == 1
	some v in vs
	v.resource == "kyc-docs-ocr:2"
	contains(v.message, "no accountable owner")
}

test_null_owner_fails if {
	count(ai_005.violations) == 1 with input as {"models": [object.union(object.remove(model({}), ["owner"]), {"owner": null})]}
}

test_owner_without_email_fails if {
	vs := ai_005.violations with input as {"models": [owned_by("Aisha Khan", null)]}
	count(vs) == 1
	some v in vs
	contains(v.message, "no email address")
}

test_owner_without_name_fails if {
	count(ai_005.violations) == 1 with input as {"models": [owned_by(null, "aisha.khan@brightwater.example")]}
}

test_invalid_email_fails if {
	vs := ai_005.violations with input as {"models": [owned_by("Aisha Khan", "aisha.khan")]}
	count(vs) == 1
	some v in vs
	contains(v.message, "not a valid email")
}

test_team_aliases_fail if {
	ms := [
		object.union(owned_by("ML Platform", "ml-platform@brightwater.example"), {"id": "a"}),
		object.union(owned_by("Fraud squad", "fraud-team@brightwater.example"), {"id": "b"}),
		object.union(owned_by("Data Science", "datascience@brightwater.example"), {"id": "c"}),
		object.union(owned_by("Team risk", "team.risk@brightwater.example"), {"id": "d"}),
		object.union(owned_by("Ops", "ops@brightwater.example"), {"id": "e"}),
		object.union(owned_by("Models", "models@brightwater.example"), {"id": "f"}),
	]
	vs := ai_005.violations with input as {"models": ms}
	{v.resource | some v in vs} == {"a", "b", "c", "d", "e", "f"}
	count(vs) == 6
}

test_external_domain_fails if {
	vs := ai_005.violations with input as {"models": [owned_by("Aisha Khan", "aisha.khan@gmail.com")]}
	count(vs) == 1
	some v in vs
	contains(v.message, "outside the organisation's domains")
}

test_any_domain_when_list_empty if {
	p := object.union(data.params["AI-005"], {"allowed_domains": []})
	count(ai_005.violations) == 0 with input as {"models": [owned_by("Aisha Khan", "aisha.khan@contractor.example")]} with data.params["AI-005"] as p
}

test_staging_in_scope_development_not if {
	ms := [
		object.union(model({"stage": "staging", "owner": null}), {"id": "s"}),
		object.union(model({"stage": "development", "owner": null}), {"id": "d"}),
	]
	vs := ai_005.violations with input as {"models": ms}
	{v.resource | some v in vs} == {"s"}
}

test_in_scope_is_models_at_a_covered_stage if {
	ai_005.in_scope == {"m-prod"} with input as {"models": [
		{"id": "m-prod", "stage": "production"},
		{"id": "m-dev", "stage": "development"},
	]}
}
