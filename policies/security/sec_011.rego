# METADATA
# title: Administrators use multi-factor authentication
# description: >-
#   Reads input.access_grants and input.identities. Every user (principal_type user or
#   none given) holding an active privileged grant, directly or through a group, must be
#   an identity with mfa_enabled true; a holder missing from identities is at fault too.
#   With console_only (Prowler's rule) holders without console access are not judged.
package controls.security.sec_011

import rego.v1

import data.lib.grants
import data.lib.time

active := grants.active(input.access_grants, input.identities, time.parse(data.audit.as_of))

params := data.params["SEC-011"]

# console_only (Prowler): holders without console access are left out; a holder missing from
# identities stays in (its console access is unknown).
admins := {g.identity | some g in grants.held_by_users(active); g.privileged; not keys_only[g.identity]}

keys_only := {i.id: true | params.console_only; some i in input.identities; not i.console_access}

mfa := {i.id: i.mfa_enabled | some i in input.identities}

recorded := {id | some id, _ in mfa}

in_scope := admins

violations contains {
	"resource": who,
	"message": sprintf("Administrator %s has no MFA device; enable MFA before it keeps administrator rights.", [who]),
} if {
	some who in admins
	mfa[who] == false
}

violations contains {
	"resource": who,
	"message": sprintf("Administrator %s is not in the identities evidence, so its MFA is unknown.", [who]),
} if {
	some who in admins
	not who in recorded
}
