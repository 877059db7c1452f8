# METADATA
# title: Access reviews are not signed off by someone who holds the access reviewed
# description: >-
#   Reads input.access_reviews, input.access_grants and, when present, identities. A
#   review completed within the last lookback_days is at fault when its reviewer,
#   resolved to a person (lib.identity), held a grant in the reviewed scope when
#   signing off. Grants of identities now disabled are left out: the evidence does
#   not say when they were disabled.
package controls.sod.sod_006

# Access reviews are not signed off by someone who holds the access reviewed.
# Reads input.access_reviews, input.access_grants and input.identities. A
# review completed within the last lookback_days is at fault when its reviewer,
# resolved to a person across all their accounts, held a grant in the reviewed
# scope ("<system>:<role>" or the whole "<system>") when signing off: granted at
# or before the sign-off and not expired by then. A grant that has expired
# since still counts (the reviewer held it when they certified it). Grants of
# identities now disabled are left out: the evidence does not say when they
# were disabled.

import rego.v1

import data.lib.identity

params := data.params["SOD-006"]

recent_reviews contains r if {
	some r in input.access_reviews
	t := ts(object.get(r, "completed_at", null))
	t <= now_ns
	now_ns - t <= object.get(params, "lookback_days", 365) * day_ns
}

# One row per grant of an enabled identity (expired or not), computed once:
# person, the two scope keys that cover it, when it was granted and when it
# expires (null: never), and a label for messages.
grant_rows contains {
	"person": grant_person(g),
	"scopes": {norm(str(object.get(g, "system", ""))), norm(concat(":", [str(object.get(g, "system", "")), str(object.get(g, "role", ""))]))},
	"granted_ns": ts(object.get(g, "granted_at", null)),
	"expires_ns": expiry_ns(g),
	"label": sprintf("%s on %s", [str(object.get(g, "role", "")), str(object.get(g, "system", ""))]),
} if {
	some g in object.get(input, "access_grants", [])
	is_object(g)
	not disabled_identity(g)
}

default expiry_ns(_) := null

expiry_ns(g) := ts(g.expires_at) if is_string(object.get(g, "expires_at", null))

# held_at(row, t): the grant was in force at instant t.
held_at(row, t) if {
	row.granted_ns <= t
	row.expires_ns == null
}

held_at(row, t) if {
	row.granted_ns <= t
	row.expires_ns != null
	row.expires_ns > t
}

# [person, scope] for every scope a person holds an active grant in, so each
# review is matched by a lookup rather than a scan of every grant.
holdings contains [row.person, scope] if {
	some row in grant_rows
	some scope in row.scopes
}

in_scope := {r.id | some r in recent_reviews}

violations contains {
	"resource": r.id,
	"message": sprintf("Access review %s of %s was signed off by %s, who held access in that scope (%s); have it re-performed by someone independent of the access, such as the system owner or the holder's manager.", [r.id, str(object.get(r, "scope", "")), str(object.get(r, "reviewer", "")), concat(", ", sort(held))]),
} if {
	some r in recent_reviews
	reviewer := identity.person_of_email(people, r.reviewer)
	scope := norm(str(object.get(r, "scope", "")))
	[reviewer, scope] in holdings
	completed := ts(object.get(r, "completed_at", null))
	held := {row.label |
		some row in grant_rows
		row.person == reviewer
		scope in row.scopes
		held_at(row, completed)
	}
	count(held) > 0
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
