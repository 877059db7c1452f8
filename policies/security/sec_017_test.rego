package controls.security.sec_017_test

import rego.v1

import data.controls.security.sec_017

ident(id, statuses) := {"id": id, "access_keys": [{"id": sprintf("****%d", [n]), "status": s} | some n, s in statuses]}

test_two_active_keys_fail if {
	v := sec_017.violations with input as {"identities": [ident("two", ["active", "active"]),
		ident("rotating", ["active", "inactive"]), ident("none", [])]}
	{x.resource | some x in v} == {"two"}
}

test_identities_without_keys_are_out_of_scope if {
	s := sec_017.in_scope with input as {"identities": [ident("one", ["active"]), ident("none", [])]}
	s == {"one"}
}
