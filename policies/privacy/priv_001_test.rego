package controls.privacy.priv_001_test

import data.controls.privacy.priv_001
import rego.v1

store(overrides) := object.union(
	{
		"id": "s3:crm-exports",
		"name": "crm-exports",
		"type": "s3",
		"owner": "jane.doe@brightwater.example",
		"classification": "confidential",
		"contains_personal_data": true,
		"personal_data_categories": ["contact_details"],
		"lawful_basis": "contract",
		"retention_days": 365,
		"retention_policy_days": 365,
		"encrypted_at_rest": true,
		"kms_key": null,
		"region": "eu-west-2",
	},
	overrides,
)

test_retention_within_schedule_passes if {
	count(priv_001.violations) == 0 with input as {"data_stores": [store({})]}
}

test_retention_shorter_than_schedule_passes if {
	count(priv_001.violations) == 0 with input as {"data_stores": [store({"retention_days": 90})]}
}

test_retention_at_boundary_passes if {
	count(priv_001.violations) == 0 with input as {"data_stores": [store({"retention_days": 2555, "retention_policy_days": 2555})]}
}

test_retention_one_day_over_schedule_fails if {
	vs := priv_001.violations with input as {"data_stores": [store({"retention_days": 366})]}
	count(vs) == 1
	some v in vs
	v.resource == "s3:crm-exports"
	contains(v.message, "366 days")
	contains(v.message, "allows 365 days")
}

test_no_retention_fails if {
	vs := priv_001.violations with input as {"data_stores": [store({"retention_days": null})]}
	count(vs) == 1
	some v in vs
	contains(v.message, "no retention period")
}

test_null_retention_fails if {
	s := store({"retention_days": null})
	count(priv_001.violations) == 1 with input as {"data_stores": [s]}
}

test_not_on_schedule_fails if {
	vs := priv_001.violations with input as {"data_stores": [store({"retention_policy_days": null})]}
	count(vs) == 1
	some v in vs
	contains(v.message, "not covered by the retention schedule")
}

test_non_personal_store_ignored if {
	count(priv_001.violations) == 0 with input as {"data_stores": [store({"contains_personal_data": false, "retention_days": null, "retention_policy_days": null})]}
}

test_missing_personal_flag_ignored if {
	s := object.remove(store({"retention_days": null}), ["contains_personal_data"])
	count(priv_001.violations) == 0 with input as {"data_stores": [s]}
}

test_legal_hold_with_reference_exempts if {
	s := store({"retention_days": null, "legal_hold": true, "legal_hold_ref": "LH-2026-004"})
	count(priv_001.violations) == 0 with input as {"data_stores": [s]}
}

test_legal_hold_without_reference_does_not_exempt if {
	s := store({"retention_days": 9000, "legal_hold": true, "legal_hold_ref": null})
	count(priv_001.violations) == 1 with input as {"data_stores": [s]}
}

test_legal_hold_not_honoured_by_param if {
	s := store({"retention_days": null, "legal_hold": true, "legal_hold_ref": "LH-2026-004"})
	count(priv_001.violations) == 1 with input as {"data_stores": [s]}
		with data.params["PRIV-001"] as {"honour_legal_hold": false, "max_retention_days": 3650}
}

test_ceiling_exceeded_even_if_schedule_allows if {
	vs := priv_001.violations with input as {"data_stores": [store({"retention_days": 4000, "retention_policy_days": 4000})]}
	count(vs) == 1
	some v in vs
	contains(v.message, "ceiling of 3650 days")
}

test_ceiling_parameter_override if {
	s := store({"retention_days": 400, "retention_policy_days": 400})
	count(priv_001.violations) == 1 with input as {"data_stores": [s]}
		with data.params["PRIV-001"] as {"honour_legal_hold": true, "max_retention_days": 365}
}

test_only_violating_stores_reported if {
	stores := [
		store({"id": "a"}),
		store({"id": "b", "retention_days": 700}),
		store({"id": "c", "retention_days": null}),
		store({"id": "d", "contains_personal_data": false, "retention_days": null}),
	]
	vs := priv_001.violations with input as {"data_stores": stores}
	{v.resource | some v in vs} == {"b", "c"}
}

test_empty_input_passes if {
	count(priv_001.violations) == 0 with input as {"data_stores": []}
}

test_in_scope_is_personal_stores_not_on_legal_hold if {
	priv_001.in_scope == {"p1"} with input as {"data_stores": [
		{"id": "p1", "contains_personal_data": true, "retention_days": 30, "retention_policy_days": 30},
		{"id": "p2", "contains_personal_data": true, "legal_hold": true, "legal_hold_ref": "LH-1"},
		{"id": "n1", "contains_personal_data": false},
	]}
}
