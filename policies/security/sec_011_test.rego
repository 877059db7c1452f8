package controls.security.sec_011_test

import rego.v1

import data.controls.security.sec_011

grant(who, privileged) := {
	"id": who, "identity": who, "person": who, "role": "r", "privileged": privileged,
	"granted_at": null, "granted_by": null, "system": "aws",
}

ident(id, mfa) := {"id": id, "mfa_enabled": mfa}

test_admin_without_mfa_fails if {
	v := sec_011.violations with input as {
		"access_grants": [grant("a", true), grant("b", true), grant("c", false)],
		"identities": [ident("a", true), ident("b", false), ident("c", false)],
	}
	{x.resource | some x in v} == {"b"}
}

test_admin_missing_from_identities_fails if {
	v := sec_011.violations with input as {"access_grants": [grant("a", true)], "identities": []}
	{x.resource | some x in v} == {"a"}
}

test_only_admins_in_scope if {
	s := sec_011.in_scope with input as {"access_grants": [grant("a", true), grant("c", false)], "identities": []}
	s == {"a"}
}
