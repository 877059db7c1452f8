# METADATA
# title: Customer-managed encryption keys rotate automatically
# description: >-
#   Reads input.encryption_keys. Every rotatable key must have rotation_enabled true;
#   a rotation status that could not be read (null) is at fault.
package controls.security.sec_012

import rego.v1

in_scope := {k.id | some k in input.encryption_keys; k.rotatable}

violations contains {
	"resource": k.id,
	"message": sprintf("Encryption key %s in %s does not rotate automatically; enable key rotation.", [k.id, k.region]),
} if {
	some k in input.encryption_keys
	k.rotatable
	k.rotation_enabled != true
}
