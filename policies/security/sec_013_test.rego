package controls.security.sec_013_test

import rego.v1

import data.controls.security.sec_013

on := {"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true}

partly := object.union(on, {"IgnorePublicAcls": false})

account(block) := {"id": "acct", "system": "aws", "account": "1", "password_policy": null, "public_access_block": block}

bucket(id, block) := {"id": id, "name": id, "type": "s3", "account": "1", "attributes": {"public_access_block": block}}

both := {"SEC-013": {"require_both": true}}

either := {"SEC-013": {"require_both": false}}

test_both_levels_required if {
	v := sec_013.violations with input as {"cloud_accounts": [account(partly)],
		"data_stores": [bucket("b1", on), bucket("b2", null), bucket("b3", partly)]}
		with data.params as both
	{x.resource | some x in v} == {"acct", "b2", "b3"}
}

test_either_level_suffices if {
	v := sec_013.violations with input as {"cloud_accounts": [account(on)],
		"data_stores": [bucket("b1", on), bucket("b2", null)]}
		with data.params as either
	count(v) == 0
}

test_either_still_needs_one if {
	v := sec_013.violations with input as {"cloud_accounts": [account(null)],
		"data_stores": [bucket("b1", on), bucket("b2", null)]}
		with data.params as either
	{x.resource | some x in v} == {"b2"}
}
