# METADATA
# title: Access grants
# description: >-
#   Which access grants are in force, and the role names a grant answers to, for the
#   controls that judge access (SOD-003, SOD-004, SOD-006, SOD-007). Library rules
#   never read input: the control passes in the grants, the identities and the instant.
package lib.grants

import rego.v1

import data.lib.identity
import data.lib.time

# METADATA
# title: active
# description: >-
#   The grants in force at now_ns, as an array: not expired (expires_at at or before
#   now_ns) and not held by an identity that is disabled in identities.
active(grants, identities, now_ns) := [g |
	some g in of_enabled(grants, identities)
	not expired_by(g, now_ns)
]

# METADATA
# title: of_enabled
# description: The grants (expired or not) of identities not disabled in identities, as an array.
of_enabled(grants, identities) := held if {
	disabled := {i.id | some i in identities; i.disabled}
	held := [g | some g in grants; not g.identity in disabled]
}

# METADATA
# title: expires_ns
# description: When the grant expires, in nanoseconds; null when it never does.
default expires_ns(_) := null

expires_ns(g) := time.ns(g.expires_at) if is_string(object.get(g, "expires_at", null))

# METADATA
# title: expired_by
# description: The grant has an expiry at or before the instant t_ns.
expired_by(g, t_ns) if time.ns(object.get(g, "expires_at", null)) <= t_ns

# METADATA
# title: role_names
# description: The normalised names a grant's role matches: the role and "<system>:<role>".
role_names(g) := {identity.norm(g.role), identity.norm(concat(":", [g.system, g.role]))}

# METADATA
# title: scope_keys
# description: The normalised review scopes that cover a grant: "<system>" and "<system>:<role>".
scope_keys(g) := {identity.norm(g.system), identity.norm(concat(":", [g.system, g.role]))}

# METADATA
# title: granted_ns
# description: >-
#   When the grant was made, in nanoseconds; 0 (the epoch: as old as can be) when the
#   source does not record it (AWS IAM does not), so an undated grant is never judged
#   too new to be due, nor taken to have started after an instant it may have covered.
default granted_ns(_) := 0

granted_ns(g) := time.ns(g.granted_at)

# METADATA
# title: held_by_users
# description: The grants (an array) held by users (principal_type user, the default when absent), not groups or roles.
held_by_users(grants) := [g | some g in grants; object.get(g, "principal_type", "user") == "user"]

# METADATA
# title: inherited
# description: The grant reaches its holder through a group (via), not by an assignment to the holder.
inherited(g) if is_string(object.get(g, "via", null))
