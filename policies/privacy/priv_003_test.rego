package controls.privacy.priv_003_test

import data.controls.privacy.priv_003
import rego.v1

store(overrides) := object.union(
	{
		"id": "saas:salesforce/contacts",
		"name": "Salesforce contacts",
		"type": "saas",
		"owner": "jane.doe@brightwater.example",
		"classification": "confidential",
		"contains_personal_data": true,
		"personal_data_categories": ["contact_details"],
		"lawful_basis": "contract",
		"retention_days": 365,
		"retention_policy_days": 365,
		"encrypted_at_rest": true,
		"kms_key": null,
		"region": null,
	},
	overrides,
)

test_contract_basis_passes if {
	count(priv_003.violations) == 0 with input as {"data_stores": [store({})]}
}

test_missing_basis_fails if {
	vs := priv_003.violations with input as {"data_stores": [store({"lawful_basis": null})]}
	count(vs) == 1
	some v in vs
	v.resource == "saas:salesforce/contacts"
	contains(v.message, "no lawful basis")
}

test_null_basis_fails if {
	s := store({"lawful_basis": null})
	count(priv_003.violations) == 1 with input as {"data_stores": [s]}
}

test_unknown_basis_fails if {
	vs := priv_003.violations with input as {"data_stores": [store({"lawful_basis": "implied"})]}
	count(vs) == 1
	some v in vs
	contains(v.message, "not an Article 6 basis")
}

test_consent_with_records_passes if {
	s := store({"lawful_basis": "consent", "consent_record_ref": "onetrust:purpose/marketing-email"})
	count(priv_003.violations) == 0 with input as {"data_stores": [s]}
}

test_consent_without_records_fails if {
	s := store({"lawful_basis": "consent", "consent_record_ref": null})
	vs := priv_003.violations with input as {"data_stores": [s]}
	count(vs) == 1
	some v in vs
	contains(v.message, "consent records")
}

test_consent_with_blank_records_fails if {
	s := store({"lawful_basis": "consent", "consent_record_ref": "  "})
	count(priv_003.violations) == 1 with input as {"data_stores": [s]}
}

test_legitimate_interests_without_lia_fails if {
	s := store({"lawful_basis": "legitimate_interests"})
	count(priv_003.violations) == 1 with input as {"data_stores": [s]}
}

test_legitimate_interests_with_lia_passes if {
	s := store({"lawful_basis": "legitimate_interests", "lia_ref": "LIA-2025-011"})
	count(priv_003.violations) == 0 with input as {"data_stores": [s]}
}

test_lia_not_required_by_param if {
	s := store({"lawful_basis": "legitimate_interests"})
	p := object.union(data.params["PRIV-003"], {"require_lia_for_legitimate_interests": false})
	count(priv_003.violations) == 0 with input as {"data_stores": [s]} with data.params["PRIV-003"] as p
}

test_special_category_without_condition_fails if {
	s := store({"personal_data_categories": ["contact_details", "health"]})
	vs := priv_003.violations with input as {"data_stores": [s]}
	count(vs) == 1
	some v in vs
	contains(v.message, "special category data (health)")
}

test_special_category_with_condition_passes if {
	s := store({"personal_data_categories": ["health"], "special_category_condition": "9(2)(b) employment"})
	count(priv_003.violations) == 0 with input as {"data_stores": [s]}
}

test_non_personal_store_ignored if {
	s := store({"contains_personal_data": false, "lawful_basis": null})
	count(priv_003.violations) == 0 with input as {"data_stores": [s]}
}

test_missing_categories_field_tolerated if {
	s := object.remove(store({}), ["personal_data_categories"])
	count(priv_003.violations) == 0 with input as {"data_stores": [s]}
}

test_several_problems_on_one_store if {
	s := store({"lawful_basis": "consent", "personal_data_categories": ["biometric"]})
	count(priv_003.violations) == 2 with input as {"data_stores": [s]}
}

test_special_category_matched_case_insensitively if {
	vs := priv_003.violations with input as {"data_stores": [store({"personal_data_categories": ["Health", " Biometric "]})]}
	count(vs) == 1
	some v in vs
	contains(v.message, "special category data (biometric, health)")
}

test_in_scope_is_personal_stores if {
	priv_003.in_scope == {"p1"} with input as {"data_stores": [
		{"id": "p1", "contains_personal_data": true, "lawful_basis": "contract"},
		{"id": "n1", "contains_personal_data": false},
	]}
}
