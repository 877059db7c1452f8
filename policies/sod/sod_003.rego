# METADATA
# title: No one holds both a privileged administrator role and the access approver role
# description: >-
#   Reads input.access_grants (and identities, when present, to skip disabled
#   accounts and name people). Roles are matched case-insensitively by name or by
#   "<system>:<role>". The check is per person (the grant's person id), across all
#   their accounts and systems.
package controls.sod.sod_003

# No one holds both a privileged administrator role and the access approver role.
# Reads input.access_grants (and input.identities, when present, to skip
# disabled accounts and name people). Roles are matched case-insensitively by
# name ("AdministratorAccess") or by "<system>:<role>" ("okta:Super Administrator").
# The check is per person, across all their accounts and systems.

import rego.v1

import data.lib.identity

params := data.params["SOD-003"]

admin_roles := {norm(r) | some r in as_list(object.get(params, "admin_roles", [])); is_string(r)}

approver_roles := {norm(r) | some r in as_list(object.get(params, "approver_roles", [])); is_string(r)}

role_in(g, roles) if norm(str(object.get(g, "role", ""))) in roles

role_in(g, roles) if norm(concat(":", [str(object.get(g, "system", "")), str(object.get(g, "role", ""))])) in roles

label(g) := sprintf("%s on %s (grant %s)", [str(object.get(g, "role", "")), str(object.get(g, "system", "")), str(object.get(g, "id", ""))])

admin_pairs contains [grant_person(g), label(g)] if {
	some g in active_grants
	role_in(g, admin_roles)
}

approver_pairs contains [grant_person(g), label(g)] if {
	some g in active_grants
	role_in(g, approver_roles)
}

in_scope := {grant_person(g) | some g in active_grants}

conflicted := {p | some [p, _] in admin_pairs} & {p | some [p, _] in approver_pairs}

violations contains {
	"resource": person,
	"message": sprintf("%s (%s) holds the administrator role %s and the access approver role %s, so they could approve their own privileged access; remove one of the roles or move approval to someone else.", [display_name(person), person, concat(", ", sort(admin)), concat(", ", sort(approver))]),
} if {
	some person in conflicted
	admin := {l | some [p, l] in admin_pairs; p == person}
	approver := {l | some [p, l] in approver_pairs; p == person}
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
