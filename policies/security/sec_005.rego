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

cmk_class(s) if lower(text.or_empty(s.classification)) in cmk_classes

needs_cmk(s) if cmk_class(s)

needs_cmk(s) if {
	params.cmk_required_for_personal_data
	s.contains_personal_data
}

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
		[store_text(s), cmk_reason(s)],
	),
} if {
	some s in input.data_stores
	s.encrypted_at_rest
	needs_cmk(s)
	not text.filled(s.kms_key)
}

default cmk_reason(_) := "as holding personal data"

cmk_reason(s) := s.classification if cmk_class(s)

in_scope := {s.id | some s in input.data_stores}
