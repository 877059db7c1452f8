# METADATA
# title: Tests of lib.grants
# description: Active grants, expiry and the names a grant's role answers to.
package lib.grants_test

import rego.v1

import data.lib.grants

now := time.parse_rfc3339_ns("2026-01-01T00:00:00Z")

grant(id, identity, expires) := {
	"id": id, "identity": identity, "person": "p-1", "role": "Admin", "privileged": true,
	"granted_at": "2025-01-01T00:00:00Z", "granted_by": "a@x.example", "system": "Okta", "expires_at": expires,
}

identities := [{"id": "okta:off", "disabled": true}, {"id": "okta:on", "disabled": false}]

test_active_leaves_out_expired_and_disabled if {
	active := grants.active(
		[
			grant("g1", "okta:on", null), grant("g2", "okta:on", "2025-06-01T00:00:00Z"),
			grant("g3", "okta:off", null), grant("g4", "okta:on", "2026-02-01T00:00:00Z"),
		],
		identities, now,
	)
	[g.id | some g in active] == ["g1", "g4"]
}

test_expiry_at_the_instant_is_expired if {
	grants.expired_by(grant("g", "okta:on", "2026-01-01T00:00:00Z"), now)
	not grants.expired_by(grant("g", "okta:on", null), now)
	not grants.expired_by(object.remove(grant("g", "okta:on", null), ["expires_at"]), now)
}

test_expires_ns if {
	grants.expires_ns(grant("g", "x", null)) == null
	grants.expires_ns(grant("g", "x", "2026-01-01T00:00:00Z")) == now
}

test_of_enabled_keeps_expired if {
	held := grants.of_enabled([grant("g1", "okta:on", "2020-01-01T00:00:00Z"), grant("g2", "okta:off", null)], identities)
	[g.id | some g in held] == ["g1"]
}

test_role_names_and_scopes if {
	grants.role_names(grant("g", "x", null)) == {"admin", "okta:admin"}
	grants.scope_keys(grant("g", "x", null)) == {"okta", "okta:admin"}
}

test_granted_ns_is_the_epoch_when_unrecorded if {
	grants.granted_ns(grant("g1", "okta:on", null)) == time.parse_rfc3339_ns("2025-01-01T00:00:00Z")
	grants.granted_ns(object.union(grant("g1", "okta:on", null), {"granted_at": null})) == 0
}

test_held_by_users_and_inherited if {
	gs := [
		grant("u", "aws:u", null), object.union(grant("r", "aws:r", null), {"principal_type": "role"}),
		object.union(grant("v", "aws:v", null), {"principal_type": "user", "via": "group:admins"}),
	]
	[g.id | some g in grants.held_by_users(gs)] == ["u", "v"]
	[g.id | some g in gs; grants.inherited(g)] == ["v"]
}
