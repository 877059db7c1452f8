package controls.sod.sod_007_test

import rego.v1

import data.controls.sod.sod_007
import data.lib.testing

people := [
	{"id": "okta:jo", "person": "p-040", "display_name": "Jo Adams", "emails": ["jo@brightwater.example"]},
	{"id": "aws:jo-breakglass", "person": "p-040", "display_name": "Jo Adams (break-glass)", "emails": ["jo.breakglass@brightwater.example"]},
	{"id": "okta:kim", "person": "p-041", "display_name": "Kim Ito", "emails": ["kim@brightwater.example"]},
]

grant(granted_by, privileged) := {
	"id": "g-900", "identity": "aws:jo-breakglass", "person": "p-040", "system": "aws", "role": "AdministratorAccess",
	"privileged": privileged, "granted_at": "2025-09-01T00:00:00Z", "granted_by": granted_by,
}

test_granted_by_other_person_passes if {
	count(sod_007.violations) == 0 with input as {"access_grants": [grant("kim@brightwater.example", true)], "identities": people}
}

test_self_granted_from_other_account_fails if {
	x := testing.only(sod_007.violations) with input as {"access_grants": [grant("jo@brightwater.example", true)], "identities": people}
	x.resource == "g-900"
	contains(x.message, "gave Jo Adams (person:p-040) the privileged role AdministratorAccess on aws and was granted by jo@brightwater.example")
}

test_self_granted_same_identity_fails if {
	count(sod_007.violations) == 1 with input as {"access_grants": [grant("JO.BREAKGLASS@brightwater.example", true)], "identities": people}
}

test_non_privileged_self_grant_ignored if {
	count(sod_007.violations) == 0 with input as {"access_grants": [grant("jo@brightwater.example", false)], "identities": people}
}

test_expired_grant_ignored if {
	g := object.union(grant("jo@brightwater.example", true), {"expires_at": "2025-10-01T00:00:00Z"})
	count(sod_007.violations) == 0 with input as {"access_grants": [g], "identities": people}
}

test_missing_granted_by_is_never_independent if {
	g := object.remove(grant("x@y.example", true), ["granted_by"])
	count(sod_007.violations) == 1 with input as {"access_grants": [g], "identities": people}
}

test_in_scope_is_the_active_privileged_grants if {
	sod_007.in_scope == {"g-900"} with input as {"access_grants": [grant("kim@brightwater.example", true)]}
	count(sod_007.in_scope) == 0 with input as {"access_grants": [grant("kim@brightwater.example", false)]}
}

test_unknown_grantor_fails_saying_so if {
	x := testing.only(sod_007.violations) with input as {"access_grants": [grant(null, true)], "identities": people}
	x.resource == "g-900"
	contains(x.message, "gave Jo Adams the privileged role AdministratorAccess on aws, but who granted it is not recorded")
	count(sod_007.violations) == 1 with input as {"access_grants": [grant("  ", true)], "identities": people}
	count(sod_007.violations) == 0 with input as {"access_grants": [grant(null, false)], "identities": people}
}

test_unknown_grantor_without_identities_names_the_person_id if {
	x := testing.only(sod_007.violations) with input as {"access_grants": [grant(null, true)]}
	contains(x.message, "gave p-040 the privileged role")
}
