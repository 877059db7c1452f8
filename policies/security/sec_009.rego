# METADATA
# title: No user holds administrator rights directly
# description: >-
#   Reads input.access_grants. A user (principal_type user, or none given) in one of
#   the systems parameter's systems is at fault when it holds a privileged grant with
#   no via: administrator rights are to come through a group or an assumed role.
package controls.security.sec_009

import rego.v1

import data.lib.identity

params := data.params["SEC-009"]

systems := {identity.norm(s) | some s in params.systems}

user_grants := [g |
	some g in input.access_grants
	identity.norm(g.system) in systems
	object.get(g, "principal_type", "user") == "user"
]

direct_admin_roles contains [g.identity, g.role] if {
	some g in user_grants
	g.privileged
	direct(g)
}

direct_admins := {user | some [user, _] in direct_admin_roles}

default direct(_) := false

direct(g) if object.get(g, "via", null) == null

in_scope := {g.identity | some g in user_grants}

violations contains {
	"resource": user,
	"message": sprintf(
		"User %s holds administrator rights directly through %s; move them to a group or a role it assumes.",
		[user, concat(", ", sort(roles))],
	),
} if {
	some user in direct_admins
	roles := {role | some [u, role] in direct_admin_roles; u == user}
}
