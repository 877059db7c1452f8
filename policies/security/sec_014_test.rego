package controls.security.sec_014_test

import rego.v1

import data.controls.security.sec_014

bucket(id, acl, policy) := {"id": id, "name": id, "type": "s3",
	"attributes": {"public_acl_grants": acl, "public_policy_statements": policy}}

test_public_acl_policy_and_unknown_fail if {
	v := sec_014.violations with input as {"data_stores": [
		bucket("ok", [], []), bucket("acl", ["AllUsers:READ"], []), bucket("pol", [], ["PublicRead"]),
		bucket("unknown", null, []), {"id": "rds", "name": "rds", "type": "rds"},
	]}
	{x.resource | some x in v} == {"acl", "pol", "unknown"}
}

test_private_bucket_passes if {
	count(sec_014.violations) == 0 with input as {"data_stores": [bucket("ok", [], [])]}
	sec_014.in_scope == {"ok"} with input as {"data_stores": [bucket("ok", [], [])]}
}
