# METADATA
# title: The root (account owner) user has no active access keys
# description: Reads input.identities. Any identity of type root with an active access key is at fault.
package controls.security.sec_003

import rego.v1

import data.lib.text

roots := [i | some i in input.identities; i.type == "root"]

violations contains {
	"resource": i.id,
	"message": sprintf(
		concat("", [
			"Root account %s (%s %s) has an active access key %s; delete the key and use IAM roles ",
			"or named users for programmatic access.",
		]),
		[i.id, i.system, text.or_empty(object.get(i, "account", null)), k.id],
	),
} if {
	some i in roots
	some k in i.access_keys
	k.status == "active"
}

in_scope := {i.id | some i in roots}
