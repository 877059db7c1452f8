package controls.privacy.priv_006_test

import rego.v1

import data.controls.privacy.priv_006

on := {"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true}

bucket(id, personal, acl, block) := {"id": id, "name": id, "type": "s3", "contains_personal_data": personal,
	"attributes": {"public_acl_grants": acl, "public_policy_statements": [], "public_access_block": block}}

test_public_personal_data_fails if {
	v := priv_006.violations with input as {"data_stores": [
		bucket("ok", true, [], on), bucket("acl", true, ["AllUsers:READ"], on), bucket("noblock", true, [], null),
		bucket("unread", true, null, on), bucket("public-site", false, ["AllUsers:READ"], null),
	]}
	{x.resource | some x in v} == {"acl", "noblock", "unread"}
}

test_non_personal_buckets_out_of_scope if {
	s := priv_006.in_scope with input as {"data_stores": [bucket("ok", true, [], on), bucket("site", false, [], on)]}
	s == {"ok"}
}
