# METADATA
# title: Privileged access is reviewed at least every max_days_since_review days
# description: >-
#   Reads input.access_grants and input.access_reviews (and identities, when
#   present, to skip disabled accounts). Every role with active privileged grants
#   must be covered by an access review (scope "<system>:<role>" or the whole
#   "<system>") completed within the last max_days_since_review days. A role whose
#   privileged grants are all younger than that period is not yet due.
package controls.sod.sod_004

# Privileged access is reviewed at least every max_days_since_review days.
# Reads input.access_grants and input.access_reviews. Every role with active
# privileged grants ("<system>:<role>") must be covered by an access review
# (scope "<system>:<role>" or the whole "<system>") completed within the last
# max_days_since_review days. A role whose privileged grants are all younger
# than that period is not yet due.

import rego.v1

import data.lib.identity

params := data.params["SOD-004"]

max_age_ns := object.get(params, "max_days_since_review", 90) * day_ns

privileged_roles contains [str(object.get(g, "system", "")), str(object.get(g, "role", ""))] if {
	some g in active_grants
	object.get(g, "privileged", false) == true
}

holders(system, role) := {g |
	some g in active_grants
	object.get(g, "privileged", false) == true
	str(object.get(g, "system", "")) == system
	str(object.get(g, "role", "")) == role
}

due(system, role) if {
	some g in holders(system, role)
	ts(object.get(g, "granted_at", null)) < now_ns - max_age_ns
}

review_times(system, role) := {t |
	some r in object.get(input, "access_reviews", [])
	norm(str(object.get(r, "scope", ""))) in {norm(system), norm(concat(":", [system, role]))}
	t := ts(object.get(r, "completed_at", null))
	t <= now_ns
}

in_scope := {concat(":", [system, role]) | some [system, role] in privileged_roles}

violations contains {
	"resource": concat(":", [system, role]),
	"message": sprintf("Privileged role %s on %s (%d active grant(s)) has never been reviewed; run an access review of it and recertify or remove each grant, then repeat every %d days.", [role, system, count(holders(system, role)), object.get(params, "max_days_since_review", 90)]),
} if {
	some [system, role] in privileged_roles
	due(system, role)
	count(review_times(system, role)) == 0
}

violations contains {
	"resource": concat(":", [system, role]),
	"message": sprintf("Privileged role %s on %s (%d active grant(s)) was last reviewed %d days ago, beyond the %d-day review cycle; run an access review of it now.", [role, system, count(holders(system, role)), floor((now_ns - latest) / day_ns), object.get(params, "max_days_since_review", 90)]),
} if {
	some [system, role] in privileged_roles
	due(system, role)
	times := review_times(system, role)
	count(times) > 0
	latest := max(times)
	now_ns - latest > max_age_ns
}

# ---- Helpers ----------------------------------------------------------------
# People are matched by the person id recorded on each grant (resolved through
# input.identities when the grant lacks one), so all accounts of one human count
# as one person.

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

# The person holding a grant: its person id (required by the schema).
grant_person(g) := g.person

names := identity.display_names(identities)

display_name(person) := object.get(names, identity.person_key(person), person)
