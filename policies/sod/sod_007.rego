# METADATA
# title: Privileged access is not granted by its recipient
# description: >-
#   Reads input.access_grants and, when present, identities. An active privileged
#   grant is at fault when granted_by resolves (lib.identity) to the same person as
#   the grantee, through any of their accounts or addresses.
package controls.sod.sod_007

# Privileged access is not granted by its recipient.
# Reads input.access_grants and input.identities. An active privileged grant is
# at fault when granted_by resolves to the same person as the grantee, through
# any of their accounts or addresses.

import rego.v1

import data.lib.identity

in_scope := {g.id | some g in active_grants; g.privileged == true}

violations contains {
	"resource": g.id,
	"message": sprintf("Grant %s gave %s (%s) the privileged role %s on %s and was granted by %s, the same person; revoke it or have it re-approved through an access request by an independent approver.", [g.id, display_name(grantee), grantee, str(object.get(g, "role", "")), str(object.get(g, "system", "")), str(object.get(g, "granted_by", ""))]),
} if {
	some g in active_grants
	object.get(g, "privileged", false) == true
	grantee := grant_person(g)
	grantee == identity.person_of_email(people, g.granted_by)
}

# One human may hold several accounts and email addresses. Every email, login
# or person reference is resolved to a person id through input.identities
# (an email or login claimed by several people resolves to the lowest person
# id, deterministically). Unknown addresses stay distinct "email:..." or
# "login:..." keys, so a person is never merged with a stranger.

identities := object.get(input, "identities", [])

people := identity.index(identities)

norm(s) := identity.norm(s)

default str(_) := ""

str(x) := x if is_string(x)

default as_list(_) := []

as_list(x) := x if is_array(x)

# ---- Access grants ------------------------------------------------------------
# A grant is active unless it has expired (expires_at at or before the audit
# instant) or belongs to an identity that is disabled in input.identities.

now_ns := time.parse_rfc3339_ns(data.audit.as_of)

day_ns := 86400000000000

ts(s) := time.parse_rfc3339_ns(s) if is_string(s)

active_grants contains g if {
	some g in object.get(input, "access_grants", [])
	is_object(g)
	not expired(g)
	not disabled_identity(g)
}

expired(g) if ts(object.get(g, "expires_at", null)) <= now_ns

disabled_identity(g) if object.get(g, "identity", null) in disabled_identity_ids

disabled_identity_ids := {i.id |
	some i in identities
	object.get(i, "disabled", false) == true
}

# The person holding a grant, as a person key (the schema requires the grant's person id).
grant_person(g) := identity.person_key(g.person)

names := identity.display_names(identities)

display_name(key) := object.get(names, key, key)
