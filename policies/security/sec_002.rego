# METADATA
# title: Active access keys are rotated within max_key_age_days
# description: >-
#   Reads input.identities. Every active access key created more than
#   max_key_age_days before the audit instant is at fault, whoever owns it
#   (a disabled user's key still works until it is deactivated).
package controls.security.sec_002

import rego.v1

import data.lib.time as t

params := data.params["SEC-002"]

now_ns := t.parse(data.audit.as_of)

# [identity, key, created ns] of every active key.
active_keys := [[i, k, t.parse(k.created_at)] |
	some i in input.identities
	some k in i.access_keys
	k.status == "active"
]

violations contains {
	"resource": i.id,
	"message": sprintf(
		concat("", [
			"Access key %s of %s (%s) was created %d days ago and is still active, beyond the %d-day rotation limit; ",
			"create a new key, move its users to it and deactivate this one.",
		]),
		[k.id, i.id, i.system, t.age_days(created, now_ns), params.max_key_age_days],
	),
} if {
	some [i, k, created] in active_keys
	now_ns - created > t.days(params.max_key_age_days)
}

in_scope := {i.id | some [i, _, _] in active_keys}
