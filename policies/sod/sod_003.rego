# METADATA
# title: No one holds both a privileged administrator role and the access approver role
# description: >-
#   Reads input.access_grants (and identities, when present, to skip disabled
#   accounts and name people). Roles are matched case-insensitively by name
#   ("AdministratorAccess") or by "<system>:<role>" ("okta:Super Administrator").
#   The check is per person (the grant's person id), across all their accounts and systems.
package controls.sod.sod_003

import rego.v1

import data.lib.grants
import data.lib.groups
import data.lib.identity
import data.lib.text
import data.lib.time

params := data.params["SOD-003"]

identities := object.get(input, "identities", [])

active_grants := grants.active(input.access_grants, identities, time.parse(data.audit.as_of))

admin_roles := {identity.norm(r) | some r in params.admin_roles}

approver_roles := {identity.norm(r) | some r in params.approver_roles}

# [person, names the role answers to, label] per active grant, computed once.
grant_rows := [[g.person, grants.role_names(g), sprintf("%s on %s (grant %s)", [g.role, g.system, g.id])] |
	some g in active_grants
]

# [person, label] of grants carrying an admin or an approver role.
admin_rows := [[p, label] | some [p, roles, label] in grant_rows; roles & admin_roles != set()]

approver_rows := [[p, label] | some [p, roles, label] in grant_rows; roles & approver_roles != set()]

conflicted := {p | some [p, _] in admin_rows} & {p | some [p, _] in approver_rows}

# Labels per conflicted person: the scan covers only the rows of conflicted people.
# person -> the labels of their rows, for the conflicted people only, grouped in one pass
labels_of(rows) := {person: {l | some l in labels} |
	some person, labels in groups.by(sort([r | some r in rows; r[0] in conflicted]))
}

admin_labels := labels_of(admin_rows)

approver_labels := labels_of(approver_rows)

in_scope := {g.person | some g in active_grants}

display_names := identity.display_names_of(identities, conflicted)

violations contains {
	"resource": person,
	"message": sprintf(
		concat("", [
			"%s (%s) holds the administrator role %s and the access approver role %s, so they could approve ",
			"their own privileged access; remove one of the roles or move approval to someone else.",
		]),
		[
			object.get(display_names, identity.person_key(person), person), person,
			text.joined(admin_labels[person]), text.joined(approver_labels[person]),
		],
	),
} if {
	some person in conflicted
}
