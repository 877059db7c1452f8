package controls.security.sec_002

# Active access keys are rotated within max_key_age_days.
# Reads input.identities. Every active access key created more than
# max_key_age_days before the audit instant is at fault, whoever owns it
# (a disabled user's key still works until it is deactivated).

import rego.v1

params := data.params["SEC-002"]

now_ns := time.parse_rfc3339_ns(data.audit.as_of)

day_ns := 86400000000000

max_days := object.get(params, "max_key_age_days", 90)

str(x) := x if is_string(x)

else := ""

keys(i) := object.get(i, "access_keys", []) if is_array(object.get(i, "access_keys", []))

else := []

violations contains {
	"resource": i.id,
	"message": sprintf("Access key %s of %s (%s) was created %d days ago and is still active, beyond the %d-day rotation limit; create a new key, move its users to it and deactivate this one.", [str(object.get(k, "id", "?")), i.id, str(object.get(i, "system", "")), floor((now_ns - created) / day_ns), max_days]),
} if {
	some i in input.identities
	some k in keys(i)
	is_object(k)
	object.get(k, "status", "") == "active"
	c := object.get(k, "created_at", null)
	is_string(c)
	created := time.parse_rfc3339_ns(c)
	now_ns - created > max_days * day_ns
}

# in_scope: the resource ids of every item this control judged (the evaluator counts them).
# Identities with an active access key whose creation date is recorded.
in_scope contains i.id if {
	some i in input.identities
	some k in keys(i)
	is_object(k)
	object.get(k, "status", "") == "active"
	is_string(object.get(k, "created_at", null))
}
