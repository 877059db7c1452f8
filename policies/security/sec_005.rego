# METADATA
# title: Data stores are encrypted at rest, with a customer-managed key where the classification requires one
# description: >-
#   Reads input.data_stores. A store is at fault when encrypted_at_rest is false, or
#   when its classification is in cmk_required_classifications (or it holds personal
#   data and cmk_required_for_personal_data is true) and it has no kms_key.
package controls.security.sec_005

import rego.v1

import data.lib.text

params := data.params["SEC-005"]

cmk_classes := {lower(c) | some c in params.cmk_required_classifications}

store_text(s) := sprintf("%s (%s, %s)", [s.name, s.id, s.type])

# The recorded classifications (as written, null included) that require a customer-managed key:
# each distinct value lower-cased once, so a store is judged by one lookup.
cmk_values := {c |
	some c in {s.classification | some s in input.data_stores}
	lower(text.or_empty(c)) in cmk_classes
}

# Encrypted stores needing a customer-managed key, [store, reason for messages]: by classification,
# then (when cmk_required_for_personal_data) for holding personal data; no store is listed twice.
needs_cmk := array.concat(
	[[s, s.classification] |
		cmk := cmk_values
		some s in input.data_stores
		s.encrypted_at_rest
		s.classification in cmk
	],
	[[s, "as holding personal data"] |
		params.cmk_required_for_personal_data
		cmk := cmk_values
		some s in input.data_stores
		s.encrypted_at_rest
		s.contains_personal_data
		not s.classification in cmk
	],
)

violations contains {
	"resource": s.id,
	"message": sprintf(
		concat("", [
			"Data store %s is not encrypted at rest; enable encryption (with a customer-managed KMS key ",
			"where its classification requires one) and re-encrypt existing data.",
		]),
		[store_text(s)],
	),
} if {
	some s in input.data_stores
	not s.encrypted_at_rest
}

violations contains {
	"resource": s.id,
	"message": sprintf(
		concat("", [
			"Data store %s is classified %s but is encrypted with a provider-managed key; encrypt it with a ",
			"customer-managed KMS key so key use can be controlled and audited.",
		]),
		[store_text(s), reason],
	),
} if {
	some [s, reason] in needs_cmk
	not text.filled(s.kms_key)
}

in_scope := {s.id | some s in input.data_stores}
