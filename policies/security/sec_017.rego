# METADATA
# title: No identity has two active access keys
# description: >-
#   Reads input.identities. An identity with access keys is in scope; it is at fault
#   when more than one of its keys is active.
package controls.security.sec_017

import rego.v1

active := {i.id: n |
	some i in input.identities
	count(i.access_keys) > 0
	n := count([k | some k in i.access_keys; k.status == "active"])
}

in_scope := {id | some id, _ in active}

violations contains {
	"resource": id,
	"message": sprintf("Identity %s has %d active access keys; keep one, deactivate and delete the rest.", [id, n]),
} if {
	some id, n in active
	n > 1
}
