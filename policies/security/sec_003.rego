package controls.security.sec_003

# The root (account owner) user has no active access keys.
# Reads input.identities. Any identity of type root with an active access key
# is at fault.

import rego.v1

str(x) := x if is_string(x)

else := ""

keys(i) := object.get(i, "access_keys", []) if is_array(object.get(i, "access_keys", []))

else := []

violations contains {
	"resource": i.id,
	"message": sprintf("Root account %s (%s %s) has an active access key %s; delete the key and use IAM roles or named users for programmatic access.", [i.id, str(object.get(i, "system", "")), str(object.get(i, "account", "")), str(object.get(k, "id", "?"))]),
} if {
	some i in input.identities
	object.get(i, "type", "") == "root"
	some k in keys(i)
	is_object(k)
	object.get(k, "status", "") == "active"
}

# in_scope: the resource ids of every item this control judged (the evaluator counts them).
in_scope contains i.id if {
	some i in input.identities
	object.get(i, "type", "") == "root"
}
