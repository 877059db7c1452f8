package controls.security.sec_016_test

import rego.v1

import data.controls.security.sec_016

good := {"minimum_length": 14, "require_uppercase": true, "require_lowercase": true, "require_numbers": true,
	"require_symbols": true, "max_age_days": null, "reuse_prevention": 24}

account(id, policy) := {"id": id, "system": "aws", "account": id, "password_policy": policy,
	"public_access_block": null}

p := {"SEC-016": {"minimum_length": 14, "require_uppercase": true, "require_lowercase": true,
	"require_numbers": true, "require_symbols": true, "reuse_prevention": 24, "max_age_days": 0}}

test_good_policy_passes if {
	count(sec_016.violations) == 0 with input as {"cloud_accounts": [account("a", good)]} with data.params as p
}

test_missing_and_weak_policies_fail if {
	weak := object.union(good, {"minimum_length": 8, "require_symbols": false, "reuse_prevention": null})
	v := sec_016.violations with input as {"cloud_accounts": [account("a", good), account("b", null),
		account("c", weak)]}
		with data.params as p
	{x.resource | some x in v} == {"b", "c"}
	some x in v
	x.resource == "c"
	contains(x.message, "minimum length 8, expected at least 14; remembers null passwords, expected 24")
}

test_expiry_only_when_asked if {
	q := {"SEC-016": object.union(p["SEC-016"], {"max_age_days": 90})}
	v := sec_016.violations with input as {"cloud_accounts": [account("a", good)]} with data.params as q
	{x.resource | some x in v} == {"a"}
}

test_unread_policy_says_so if {
	a := object.union(account("a", null), {"attributes": {"unknown": ["password_policy"]}})
	v := sec_016.violations with input as {"cloud_accounts": [a]} with data.params as p
	some x in v
	contains(x.message, "could not be read")
}
