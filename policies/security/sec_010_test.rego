package controls.security.sec_010_test

import rego.v1

import data.controls.security.sec_010

policy(id, full, owners) := {
	"id": id, "name": id, "system": "aws", "policy_type": "customer_managed",
	"full_access": full, "attached_to": owners,
}

test_full_access_fails if {
	v := sec_010.violations with input as {"access_policies": [policy("p1", true, ["u1"]), policy("p2", false, [])]}
	{x.resource | some x in v} == {"p1"}
	some x in v
	contains(x.message, "attached to u1")
}

test_unattached_full_access_still_fails if {
	v := sec_010.violations with input as {"access_policies": [policy("p1", true, [])]}
	some x in v
	contains(x.message, "attached to nothing")
}

test_scoped_policies_pass if {
	count(sec_010.violations) == 0 with input as {"access_policies": [policy("p2", false, ["u1"])]}
}
