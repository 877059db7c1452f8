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

test_console_only_rule_of_prowler_leaves_out_key_only_admins if {
	g := [grant("keys", true), grant("console", true), grant("missing", true)]
	ids := [object.union(ident("keys", false), {"console_access": false}), object.union(ident("console", false), {"console_access": true})]
	{x.resource | some x in sec_011.violations} == {"keys", "console", "missing"} with input as {"access_grants": g, "identities": ids}
	{x.resource | some x in sec_011.violations} == {"console", "missing"} with input as {"access_grants": g, "identities": ids}
		with data.params["SEC-011"] as {"console_only": true}
}

test_disabled_admins_are_not_judged if {
	ids := [object.union(ident("a", false), {"disabled": true})]
	count(sec_011.violations) == 0 with input as {"access_grants": [grant("a", true)], "identities": ids}
}
