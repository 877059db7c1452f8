package controls.security.sec_005

# Data stores are encrypted at rest, with a customer-managed key where the
# classification requires one.
# Reads input.data_stores. A store is at fault when encrypted_at_rest is not
# true, or when its classification is in cmk_required_classifications (or it
# holds personal data and cmk_required_for_personal_data is true) and it has
# no kms_key.

import rego.v1

params := data.params["SEC-005"]

str(x) := x if is_string(x)

else := ""

cmk_classes := {lower(c) | some c in object.get(params, "cmk_required_classifications", ["restricted"]); is_string(c)}

label(s) := sprintf("%s (%s, %s)", [str(object.get(s, "name", "")), s.id, str(object.get(s, "type", ""))])

has_key(s) if {
	k := object.get(s, "kms_key", null)
	is_string(k)
	trim_space(k) != ""
}

needs_cmk(s) if lower(str(object.get(s, "classification", ""))) in cmk_classes

needs_cmk(s) if {
	object.get(params, "cmk_required_for_personal_data", false) == true
	object.get(s, "contains_personal_data", false) == true
}

violations contains {
	"resource": s.id,
	"message": sprintf("Data store %s is not encrypted at rest; enable encryption (with a customer-managed KMS key where its classification requires one) and re-encrypt existing data.", [label(s)]),
} if {
	some s in input.data_stores
	object.get(s, "encrypted_at_rest", false) != true
}

violations contains {
	"resource": s.id,
	"message": sprintf("Data store %s is classified %s but is encrypted with a provider-managed key; encrypt it with a customer-managed KMS key so key use can be controlled and audited.", [label(s), reason(s)]),
} if {
	some s in input.data_stores
	object.get(s, "encrypted_at_rest", false) == true
	needs_cmk(s)
	not has_key(s)
}

reason(s) := str(object.get(s, "classification", "")) if lower(str(object.get(s, "classification", ""))) in cmk_classes

else := "as holding personal data"

# in_scope: the resource ids of every item this control judged (the evaluator counts them).
in_scope contains s.id if some s in input.data_stores
