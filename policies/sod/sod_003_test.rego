package controls.sod.sod_003_test

import rego.v1

import data.controls.sod.sod_003
import data.lib.testing

grant(id, identity, person, system, role) := {
	"id": id, "identity": identity, "person": person, "system": system, "role": role,
	"privileged": true, "granted_at": "2025-06-01T00:00:00Z", "granted_by": "iam-lead@brightwater.example",
}

people := [
	{"id": "aws:frank", "person": "p-020", "display_name": "Frank Li", "emails": ["frank@brightwater.example"], "disabled": false},
	{"id": "okta:frank", "person": "p-020", "display_name": "Frank Li", "emails": ["frank@brightwater.example"], "disabled": false},
	{"id": "okta:gina", "person": "p-021", "display_name": "Gina Park", "emails": ["gina@brightwater.example"], "disabled": false},
	{"id": "aws:frank-old", "person": "p-020", "display_name": "Frank Li", "emails": [], "disabled": true},
]

test_separate_people_pass if {
	count(sod_003.violations) == 0 with input as {"access_grants": [
		grant("g1", "aws:frank", "p-020", "aws", "AdministratorAccess"),
		grant("g2", "okta:gina", "p-021", "okta", "Access Request Approver"),
	]}
}

test_same_person_across_accounts_fails if {
	x := testing.only(sod_003.violations) with input as {"access_grants": [
		grant("g1", "aws:frank", "p-020", "aws", "AdministratorAccess"),
		grant("g2", "okta:frank", "p-020", "okta", "Access Request Approver"),
	], "identities": people}
	x.resource == "p-020"
	contains(x.message, "Frank Li (p-020) holds the administrator role AdministratorAccess on aws (grant g1)")
	contains(x.message, "Access Request Approver on okta (grant g2)")
}

test_role_match_is_case_insensitive_and_system_qualified if {
	count(sod_003.violations) == 1 with input as {"access_grants": [
		grant("g1", "okta:frank", "p-020", "OKTA", "super administrator"),
		grant("g2", "okta:frank", "p-020", "servicenow", "access-request-approver"),
	]}
	count(sod_003.violations) == 0 with input as {"access_grants": [
		grant("g1", "okta:frank", "p-020", "github", "super administrator"),
		grant("g2", "okta:frank", "p-020", "servicenow", "access-request-approver"),
	]}
}

test_role_names_are_parameters if {
	g := [grant("g1", "aws:frank", "p-020", "aws", "PowerUser"), grant("g2", "okta:frank", "p-020", "okta", "Approver")]
	count(sod_003.violations) == 0 with input as {"access_grants": g}
	count(sod_003.violations) == 1 with input as {"access_grants": g}
		with data.params["SOD-003"] as {"admin_roles": ["poweruser"], "approver_roles": ["Approver"]}
}

test_expired_grant_ignored if {
	expired := object.union(grant("g1", "aws:frank", "p-020", "aws", "AdministratorAccess"), {"expires_at": "2025-12-31T23:59:59Z"})
	count(sod_003.violations) == 0 with input as {"access_grants": [expired, grant("g2", "okta:frank", "p-020", "okta", "Access Request Approver")]}
	future := object.union(grant("g1", "aws:frank", "p-020", "aws", "AdministratorAccess"), {"expires_at": "2026-02-01T00:00:00Z"})
	count(sod_003.violations) == 1 with input as {"access_grants": [future, grant("g2", "okta:frank", "p-020", "okta", "Access Request Approver")]}
}

test_disabled_identity_grant_ignored if {
	count(sod_003.violations) == 0 with input as {"access_grants": [
		grant("g1", "aws:frank-old", "p-020", "aws", "AdministratorAccess"),
		grant("g2", "okta:frank", "p-020", "okta", "Access Request Approver"),
	], "identities": people}
}

test_in_scope_is_every_person_with_an_active_grant if {
	sod_003.in_scope == {"p-020", "p-021"} with input as {"access_grants": [
		grant("g1", "aws:frank", "p-020", "aws", "AdministratorAccess"),
		grant("g2", "okta:gina", "p-021", "okta", "Access Request Approver"),
	]}
}
