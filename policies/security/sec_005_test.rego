package controls.security.sec_005_test

import rego.v1

import data.controls.security.sec_005
import data.lib.testing

store(id, encrypted, key, classification) := {
	"id": id, "name": "ledger-db", "type": "rds", "encrypted_at_rest": encrypted, "kms_key": key,
	"classification": classification, "contains_personal_data": true, "owner": "finance-eng@brightwater.example",
}

cmk := "arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

test_encrypted_stores_pass if {
	count(sec_005.violations) == 0 with input as {"data_stores": [store("s1", true, cmk, "restricted"), store("s2", true, null, "internal"), store("s3", true, null, null)]}
}

test_unencrypted_fails if {
	x := testing.only(sec_005.violations) with input as {"data_stores": [store("s1", false, null, "internal")]}
	x.resource == "s1"
	contains(x.message, "Data store ledger-db (s1, rds) is not encrypted at rest")
}

test_missing_flag_counts_as_unencrypted if {
	count(sec_005.violations) == 1 with input as {"data_stores": [object.remove(store("s1", true, null, "internal"), ["encrypted_at_rest"])]}
}

test_restricted_without_cmk_fails if {
	x := testing.only(sec_005.violations) with input as {"data_stores": [store("s1", true, null, "Restricted")]}
	contains(x.message, "classified Restricted but is encrypted with a provider-managed key")
	count(sec_005.violations) == 1 with input as {"data_stores": [store("s1", true, "  ", "restricted")]}
}

test_unencrypted_restricted_reported_once if {
	count(sec_005.violations) == 1 with input as {"data_stores": [store("s1", false, null, "restricted")]}
}

test_personal_data_cmk_parameter if {
	count(sec_005.violations) == 1 with input as {"data_stores": [store("s1", true, null, "internal")]}
		with data.params["SEC-005"] as {"cmk_required_classifications": ["restricted"], "cmk_required_for_personal_data": true}
}

test_in_scope_is_every_data_store if {
	sec_005.in_scope == {"s1", "s2"} with input as {"data_stores": [
		{"id": "s1", "encrypted_at_rest": true},
		{"id": "s2", "encrypted_at_rest": false},
	]}
}
