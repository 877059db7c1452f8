# METADATA
# title: Administrators use multi-factor authentication
# description: >-
#   Reads input.access_grants and input.identities. Every user (principal_type user or
#   none given) holding an active privileged grant, directly or through a group, must be
#   an identity with mfa_enabled true; a holder missing from identities is at fault too.
package controls.security.sec_011

import rego.v1

import data.lib.grants
import data.lib.time

active := grants.active(input.access_grants, input.identities, time.parse(data.audit.as_of))

admins := {g.identity | some g in grants.held_by_users(active); g.privileged}

mfa := {i.id: i.mfa_enabled | some i in input.identities}

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
	not who in object.keys(mfa)
}
