package controls.privacy.priv_005

# Personal data is held only in stores with an owner and a classification.
# Reads input.data_stores. A store holding personal data is at fault when it
# has no owner, no classification, a classification not allowed for personal
# data, or holds a restricted category without the restricted classification.

import rego.v1

params := data.params["PRIV-005"]

personal_stores contains s if {
	some s in input.data_stores
	object.get(s, "contains_personal_data", false) == true
}

label(s) := sprintf("%s (%s)", [s.name, s.id]) if {
	is_string(object.get(s, "name", null))
} else := s.id

classification(s) := object.get(s, "classification", null)

has_owner(s) if {
	o := object.get(s, "owner", null)
	is_string(o)
	trim_space(o) != ""
}

# Categories are free strings: compared trimmed and lower-cased.
categories(s) := {lower(trim_space(c)) | some c in cats; is_string(c)} if {
	cats := object.get(s, "personal_data_categories", [])
	is_array(cats)
} else := set()

violations contains {
	"resource": s.id,
	"message": sprintf("Data store %s holds personal data but has no owner; assign a named data owner in the data inventory.", [label(s)]),
} if {
	some s in personal_stores
	not has_owner(s)
}

violations contains {
	"resource": s.id,
	"message": sprintf("Data store %s holds personal data but is not classified; classify it as one of: %s.", [label(s), concat(", ", params.allowed_classifications)]),
} if {
	some s in personal_stores
	not is_string(classification(s))
}

violations contains {
	"resource": s.id,
	"message": sprintf("Data store %s holds personal data but is classified %s; reclassify it as one of: %s, or remove the personal data.", [label(s), classification(s), concat(", ", params.allowed_classifications)]),
} if {
	some s in personal_stores
	is_string(classification(s))
	not classification(s) in {c | some c in params.allowed_classifications}
}

violations contains {
	"resource": s.id,
	"message": sprintf("Data store %s holds %s data but is classified %s; classify it as restricted and apply restricted handling.", [label(s), concat(", ", sort(sensitive)), classification(s)]),
} if {
	some s in personal_stores
	is_string(classification(s))
	classification(s) in {c | some c in params.allowed_classifications}
	classification(s) != "restricted"
	sensitive := categories(s) & {lower(c) | some c in params.restricted_categories; is_string(c)}
	count(sensitive) > 0
}

# in_scope: the resource ids of every item this control judged (the evaluator counts them).
in_scope contains s.id if some s in personal_stores
