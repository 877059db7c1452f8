package controls.security.sec_009_test

import rego.v1

import data.controls.security.sec_009

grant(who, role, privileged, via) := {
	"id": concat("|", [who, role]), "identity": who, "person": who, "role": role, "privileged": privileged,
	"granted_at": null, "granted_by": null, "system": "aws", "via": via,
}

p := {"SEC-009": {"systems": ["aws"], "grants": "privileged"}}

test_direct_admin_fails if {
	v := sec_009.violations with input as {"access_grants": [grant("u1", "AdministratorAccess", true, null)]}
		with data.params as p
	{x.resource | some x in v} == {"u1"}
}

test_admin_through_group_passes if {
	g := [grant("u1", "AdministratorAccess", true, "group:admins"), grant("u1", "read", false, null)]
	count(sec_009.violations) == 0 with input as {"access_grants": g} with data.params as p
	sec_009.in_scope == {"u1"} with input as {"access_grants": g} with data.params as p
}

test_roles_are_not_users if {
	g := object.union(grant("r1", "AdministratorAccess", true, null), {"principal_type": "role"})
	count(sec_009.violations) == 0 with input as {"access_grants": [g]} with data.params as p
	count(sec_009.in_scope) == 0 with input as {"access_grants": [g]} with data.params as p
}

test_other_systems_are_out_of_scope if {
	g := object.union(grant("u1", "Super Administrator", true, null), {"system": "okta"})
	count(sec_009.in_scope) == 0 with input as {"access_grants": [g]} with data.params as p
}

test_direct_admin_message if {
	v := sec_009.violations with input as {"access_grants": [grant("u1", "AdministratorAccess", true, null), grant("u1", "IAMFullAccess", true, null)]}
		with data.params as p
	[x.message | some x in v] == ["User u1 holds administrator rights directly through AdministratorAccess, IAMFullAccess; move them to a group or a role it assumes."]
}

test_any_grant_rule_of_cis_fails_every_direct_policy if {
	g := [grant("u1", "ReadOnlyAccess", false, null), grant("u2", "ReadOnlyAccess", false, "group:readers")]
	count(sec_009.violations) == 0 with input as {"access_grants": g} with data.params as p
	v := sec_009.violations with input as {"access_grants": g} with data.params as {"SEC-009": {"systems": ["aws"], "grants": "any"}}
	[x.message | some x in v] == ["User u1 holds permissions directly through ReadOnlyAccess; move them to a group or a role it assumes."]
}
