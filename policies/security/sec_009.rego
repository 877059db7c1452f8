# METADATA
# title: No user holds administrator rights directly
# description: >-
#   Reads input.access_grants. A user (principal_type user, or none given) in one of
#   the systems parameter's systems is at fault when it holds an active privileged
#   grant that is not inherited through a group (no via): administrator rights are to
#   come through a group or an assumed role. With grants: any (CIS 1.15) every grant a
#   user holds directly is at fault, privileged or not.
package controls.security.sec_009

import rego.v1

import data.lib.grants
import data.lib.groups
import data.lib.identity
import data.lib.text
import data.lib.time

params := data.params["SEC-009"]

systems := {identity.norm(s) | some s in params.systems}

user_grants := [g |
	some g in grants.held_by_users(grants.active(input.access_grants, [], time.parse(data.audit.as_of)))
	identity.norm(g.system) in systems
]

# User -> the privileged roles attached to it directly, in one pass.
direct_roles := groups.by(sort([[g.identity, g.role] |
	some g in user_grants
	judged(g)
	not grants.inherited(g)
]))

# grants: privileged (Auditor) judges administrator grants; any (CIS 1.15) every grant.
default judged(_) := false

judged(g) if g.privileged

judged(_) if params.grants == "any"

in_scope := {g.identity | some g in user_grants}

rights := {"privileged": "administrator rights", "any": "permissions"}

violations contains {
	"resource": user,
	"message": sprintf(
		"User %s holds %s directly through %s; move them to a group or a role it assumes.",
		[user, rights[params.grants], text.joined({r | some r in roles})],
	),
} if {
	some user, roles in direct_roles
}
