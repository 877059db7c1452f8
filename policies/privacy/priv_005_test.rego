package controls.privacy.priv_005_test

import data.controls.privacy.priv_005
import rego.v1

store(overrides) := object.union(
	{
		"id": "dynamodb:app-sessions",
		"name": "app-sessions",
		"type": "dynamodb",
		"owner": "omar.haddad@brightwater.example",
		"classification": "confidential",
		"contains_personal_data": true,
		"personal_data_categories": ["online_identifiers"],
		"lawful_basis": "contract",
		"retention_days": 30,
		"retention_policy_days": 30,
		"encrypted_at_rest": true,
		"kms_key": null,
		"region": "eu-west-2",
	},
	overrides,
)

test_owned_and_classified_passes if {
	count(priv_005.violations) == 0 with input as {"data_stores": [store({})]}
}

test_no_owner_fails if {
	vs := priv_005.violations with input as {"data_stores": [store({"owner": null})]}
	count(vs) == 1
	some v in vs
	v.resource == "dynamodb:app-sessions"
	contains(v.message, "no owner")
}

test_blank_owner_fails if {
	count(priv_005.violations) == 1 with input as {"data_stores": [store({"owner": " "})]}
}

test_missing_owner_field_fails if {
	s := object.remove(store({}), ["owner"])
	count(priv_005.violations) == 1 with input as {"data_stores": [s]}
}

test_no_classification_fails if {
	vs := priv_005.violations with input as {"data_stores": [store({"classification": null})]}
	count(vs) == 1
	some v in vs
	contains(v.message, "not classified")
}

test_public_classification_fails if {
	vs := priv_005.violations with input as {"data_stores": [store({"classification": "public"})]}
	count(vs) == 1
	some v in vs
	contains(v.message, "classified public")
}

test_no_owner_and_no_classification_gives_two if {
	count(priv_005.violations) == 2 with input as {"data_stores": [store({"owner": null, "classification": null})]}
}

test_restricted_category_below_restricted_fails if {
	s := store({"personal_data_categories": ["contact_details", "bank_account"]})
	vs := priv_005.violations with input as {"data_stores": [s]}
	count(vs) == 1
	some v in vs
	contains(v.message, "holds bank_account data but is classified confidential")
}

test_restricted_category_restricted_passes if {
	s := store({"classification": "restricted", "personal_data_categories": ["bank_account", "health"]})
	count(priv_005.violations) == 0 with input as {"data_stores": [s]}
}

test_non_personal_store_ignored if {
	s := store({"contains_personal_data": false, "owner": null, "classification": null})
	count(priv_005.violations) == 0 with input as {"data_stores": [s]}
}

test_allowed_classifications_param if {
	p := object.union(data.params["PRIV-005"], {"allowed_classifications": ["restricted"]})
	count(priv_005.violations) == 1 with input as {"data_stores": [store({})]} with data.params["PRIV-005"] as p
}

test_restricted_category_matched_case_insensitively if {
	# personal_data_categories are free strings in the schema
	vs := priv_005.violations with input as {"data_stores": [store({"personal_data_categories": ["Payment_Card"]})]}
	count(vs) == 1
	some v in vs
	contains(v.message, "holds payment_card data but is classified confidential")
}

test_in_scope_is_personal_stores if {
	priv_005.in_scope == {"p1"} with input as {"data_stores": [
		{"id": "p1", "contains_personal_data": true},
		{"id": "n1", "contains_personal_data": false},
	]}
}
