package controls.security.sec_002_test

import rego.v1

import data.controls.security.sec_002
import data.lib.testing

# Audit instant 2026-01-01T00:00:00Z; 90 days before is 2025-10-03T00:00:00Z.

user(keys) := {"id": "aws:svc-etl", "system": "aws", "type": "service", "access_keys": keys, "disabled": false}

key(id, status, created) := {"id": id, "status": status, "created_at": created, "last_used_at": "2025-12-30T00:00:00Z"}

test_young_key_passes if {
	count(sec_002.violations) == 0 with input as {"identities": [user([key("****AB12", "active", "2025-11-01T00:00:00Z")])]}
}

test_old_active_key_fails if {
	x := testing.only(sec_002.violations) with input as {"identities": [user([key("****AB12", "active", "2025-06-01T00:00:00Z")])]}
	x.resource == "aws:svc-etl"
	contains(x.message, "Access key ****AB12 of aws:svc-etl (aws) was created 214 days ago")
}

test_old_inactive_key_passes if {
	count(sec_002.violations) == 0 with input as {"identities": [user([key("****AB12", "inactive", "2024-06-01T00:00:00Z")])]}
}

test_boundary_90_days if {
	count(sec_002.violations) == 0 with input as {"identities": [user([key("****AB12", "active", "2025-10-03T00:00:00Z")])]}
	count(sec_002.violations) == 1 with input as {"identities": [user([key("****AB12", "active", "2025-10-02T23:59:59Z")])]}
}

test_disabled_user_key_still_counts if {
	u := object.union(user([key("****AB12", "active", "2025-01-01T00:00:00Z")]), {"disabled": true})
	count(sec_002.violations) == 1 with input as {"identities": [u]}
}

test_two_old_keys_two_violations if {
	count(sec_002.violations) == 2 with input as {"identities": [user([key("****AB12", "active", "2025-01-01T00:00:00Z"), key("****CD34", "active", "2025-02-01T00:00:00Z")])]}
}

test_parameter_and_missing_fields if {
	count(sec_002.violations) == 1 with input as {"identities": [user([key("****AB12", "active", "2025-11-01T00:00:00Z")])]}
		with data.params["SEC-002"] as {"max_key_age_days": 30}
	count(sec_002.violations) == 0 with input as {"identities": [user([]), user([key("****ZZ99", "inactive", "2020-01-01T00:00:00Z")])]}
}

test_in_scope_is_identities_with_an_active_dated_key if {
	sec_002.in_scope == {"a"} with input as {"identities": [
		{"id": "a", "access_keys": [{"id": "k1", "status": "active", "created_at": "2025-12-01T00:00:00Z"}]},
		{"id": "b", "access_keys": [{"id": "k2", "status": "inactive", "created_at": "2020-01-01T00:00:00Z"}]},
		{"id": "c", "access_keys": []},
	]}
}
