# METADATA
# title: Privileged access is not granted by its recipient
# description: >-
#   Reads input.access_grants and, when present, identities. An active privileged
#   grant is at fault when granted_by resolves (lib.identity) to the same person as
#   the grantee, through any of their accounts or addresses, and when granted_by is
#   not recorded (AWS IAM does not record who attached a policy): an unknown grantor
#   cannot be shown to be independent, so it never passes.
package controls.sod.sod_007

import rego.v1

import data.lib.grants
import data.lib.identity
import data.lib.text
import data.lib.time

identities := object.get(input, "identities", [])

privileged := [g | some g in grants.active(input.access_grants, identities, time.parse(data.audit.as_of)); g.privileged]

display_names := identity.display_names_of(identities, {g.person | some g in privileged})

# grantor address -> person key, resolved once per distinct grantor
grantors := {[g.granted_by, null] | some g in privileged}

names := identity.persons(identity.index_for(identities, grantors), grantors)

in_scope := {g.id | some g in privileged}

violations contains {
	"resource": g.id,
	"message": sprintf(
		concat("", [
			"Grant %s gave %s (%s) the privileged role %s on %s and was granted by %s, the same person; ",
			"revoke it or have it re-approved through an access request by an independent approver.",
		]),
		[g.id, object.get(display_names, grantee, grantee), grantee, g.role, g.system, g.granted_by],
	),
} if {
	some g in privileged
	grantee := identity.person_key(g.person)
	grantee == names[[g.granted_by, null]]
}

violations contains {
	"resource": g.id,
	"message": sprintf(
		concat("", [
			"Grant %s gave %s the privileged role %s on %s, but who granted it is not recorded (%s does not say), ",
			"so an independent approval cannot be shown; record the access request and its approver, or revoke ",
			"the grant and re-grant it through one.",
		]),
		[g.id, object.get(display_names, identity.person_key(g.person), g.person), g.role, g.system, g.system],
	),
} if {
	some g in privileged
	not text.filled(g.granted_by)
}
