package controls.sod.sod_006_test

import rego.v1

import data.controls.sod.sod_006
import data.lib.testing

people := [
	{"id": "okta:hana", "person": "p-030", "display_name": "Hana Kim", "emails": ["hana@brightwater.example"]},
	{"id": "aws:hana-admin", "person": "p-030", "display_name": "Hana Kim (admin)", "emails": ["hana.admin@brightwater.example"]},
	{"id": "okta:ivan", "person": "p-031", "display_name": "Ivan Petrov", "emails": ["ivan@brightwater.example"]},
]

grant(id, identity, person, system, role) := {
	"id": id, "identity": identity, "person": person, "system": system, "role": role,
	"privileged": true, "granted_at": "2024-06-01T00:00:00Z", "granted_by": "iam-lead@brightwater.example",
}

review(id, scope, reviewer) := {"id": id, "scope": scope, "reviewer": reviewer, "completed_at": "2025-11-15T00:00:00Z", "privileged": true, "findings_open": 0}

grants := [grant("g1", "aws:hana-admin", "p-030", "aws", "AdministratorAccess"), grant("g2", "okta:ivan", "p-031", "okta", "Super Administrator")]

test_independent_reviewer_passes if {
	count(sod_006.violations) == 0 with input as {"access_grants": grants, "identities": people, "access_reviews": [review("r1", "aws:AdministratorAccess", "ivan@brightwater.example")]}
}

test_reviewer_holding_access_through_other_account_fails if {
	x := testing.only(sod_006.violations) with input as {"access_grants": grants, "identities": people, "access_reviews": [review("r1", "aws:AdministratorAccess", "hana@brightwater.example")]}
	x.resource == "r1"
	contains(x.message, "signed off by hana@brightwater.example, who held access in that scope (AdministratorAccess on aws)")
}

test_system_wide_review_covers_every_role if {
	count(sod_006.violations) == 1 with input as {"access_grants": grants, "identities": people, "access_reviews": [review("r1", "okta", "ivan@brightwater.example")]}
	count(sod_006.violations) == 0 with input as {"access_grants": grants, "identities": people, "access_reviews": [review("r1", "okta:Read Only Admin", "ivan@brightwater.example")]}
}

test_access_granted_after_review_is_not_a_conflict if {
	later := object.union(grant("g3", "okta:ivan", "p-031", "aws", "AdministratorAccess"), {"granted_at": "2025-12-01T00:00:00Z"})
	count(sod_006.violations) == 0 with input as {"access_grants": [later], "identities": people, "access_reviews": [review("r1", "aws", "ivan@brightwater.example")]}
}

test_old_reviews_outside_lookback_ignored if {
	r := object.union(review("r1", "aws", "hana@brightwater.example"), {"completed_at": "2024-12-01T00:00:00Z"})
	count(sod_006.violations) == 0 with input as {"access_grants": grants, "identities": people, "access_reviews": [r]}
	count(sod_006.violations) == 1 with input as {"access_grants": grants, "identities": people, "access_reviews": [r]}
		with data.params["SOD-006"] as {"lookback_days": 400}
}

test_unknown_reviewer_and_missing_fields if {
	count(sod_006.violations) == 0 with input as {"access_grants": grants, "identities": people, "access_reviews": [
		review("r1", "aws", "auditor@external.example"),
		{"id": "r2", "completed_at": "2025-11-15T00:00:00Z"},
	]}
}

test_access_expired_after_sign_off_still_counts if {
	# Hana held the role when she signed off (2025-11-15); the grant expired
	# afterwards, before the audit instant. She still reviewed her own access.
	lapsed := object.union(grant("g1", "aws:hana-admin", "p-030", "aws", "AdministratorAccess"), {"expires_at": "2025-12-01T00:00:00Z"})
	x := testing.only(sod_006.violations) with input as {"access_grants": [lapsed], "identities": people, "access_reviews": [review("r1", "aws", "hana@brightwater.example")]}
	x.resource == "r1"
	contains(x.message, "AdministratorAccess on aws")
}

test_access_expired_before_sign_off_is_not_a_conflict if {
	gone := object.union(grant("g1", "aws:hana-admin", "p-030", "aws", "AdministratorAccess"), {"expires_at": "2025-11-15T00:00:00Z"})
	count(sod_006.violations) == 0 with input as {"access_grants": [gone], "identities": people, "access_reviews": [review("r1", "aws", "hana@brightwater.example")]}
}

test_in_scope_is_the_recent_reviews if {
	sod_006.in_scope == {"r1"} with input as {"access_grants": grants, "identities": people, "access_reviews": [review("r1", "aws:AdministratorAccess", "ivan@brightwater.example")]}
}

test_undated_grant_counts_as_held_at_sign_off if {
	undated := object.union(grant("g3", "okta:ivan", "p-031", "aws", "AdministratorAccess"), {"granted_at": null})
	x := testing.only(sod_006.violations) with input as {"access_grants": [undated], "identities": people, "access_reviews": [review("r1", "aws", "ivan@brightwater.example")]}
	x.resource == "r1"
}
