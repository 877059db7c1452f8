package controls.security.sec_012_test

import rego.v1

import data.controls.security.sec_012

key(id, rotatable, rotation) := {"id": id, "system": "aws-kms", "region": "eu-west-2", "rotatable": rotatable,
	"rotation_enabled": rotation}

test_unrotated_and_unknown_fail if {
	v := sec_012.violations with input as {"encryption_keys": [key("a", true, true), key("b", true, false),
		key("c", true, null), key("d", false, false)]}
	{x.resource | some x in v} == {"b", "c"}
}

test_asymmetric_keys_are_out_of_scope if {
	sec_012.in_scope == {"a"} with input as {"encryption_keys": [key("a", true, true), key("d", false, false)]}
}
