package controls.security.sec_003_test

import rego.v1

import data.controls.security.sec_003

root(keys) := {"id": "aws:111122223333:root", "type": "root", "system": "aws", "account": "111122223333", "access_keys": keys}

test_root_without_keys_passes if {
	count(sec_003.violations) == 0 with input as {"identities": [root([])]}
	count(sec_003.violations) == 0 with input as {"identities": [root([{"id": "****OLD1", "status": "inactive", "created_at": "2020-01-01T00:00:00Z", "last_used_at": null}])]}
	count(sec_003.violations) == 0 with input as {"identities": [object.remove(root([]), ["access_keys"])]}
}

test_root_with_active_key_fails if {
	v := sec_003.violations with input as {"identities": [root([{"id": "****R00T", "status": "active", "created_at": "2020-01-01T00:00:00Z", "last_used_at": null}])]}
	[x] := [y | some y in v]
	x.resource == "aws:111122223333:root"
	contains(x.message, "Root account aws:111122223333:root (aws 111122223333) has an active access key ****R00T")
}

test_non_root_key_is_not_this_control if {
	u := object.union(root([{"id": "****AB12", "status": "active"}]), {"type": "human"})
	count(sec_003.violations) == 0 with input as {"identities": [u]}
}

test_in_scope_is_root_accounts_only if {
	sec_003.in_scope == {"root-1"} with input as {"identities": [
		{"id": "root-1", "type": "root", "access_keys": []},
		{"id": "u1", "type": "human", "access_keys": [{"id": "k", "status": "active"}]},
	]}
}
