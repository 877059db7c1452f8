package controls.privacy.priv_003

# Processing of personal data has a recorded lawful basis.
# Reads input.data_stores. A store holding personal data is at fault when it
# records no valid Article 6 lawful basis, relies on consent without a link to
# consent records, relies on legitimate interests without an assessment (when
# required), or holds special category data without an Article 9 condition.

import rego.v1

params := data.params["PRIV-003"]

lawful_bases := {"consent", "contract", "legal_obligation", "vital_interests", "public_task", "legitimate_interests"}

personal_stores contains s if {
	some s in input.data_stores
	object.get(s, "contains_personal_data", false) == true
}

label(s) := sprintf("%s (%s)", [s.name, s.id]) if {
	is_string(object.get(s, "name", null))
} else := s.id

basis(s) := object.get(s, "lawful_basis", null)

filled(s, field) if {
	v := object.get(s, field, null)
	is_string(v)
	trim_space(v) != ""
}

# Categories are free strings: compared trimmed and lower-cased.
categories(s) := {lower(trim_space(c)) | some c in cats; is_string(c)} if {
	cats := object.get(s, "personal_data_categories", [])
	is_array(cats)
} else := set()

violations contains {
	"resource": s.id,
	"message": sprintf("Data store %s holds personal data but records no lawful basis for processing it; record the Article 6 basis in the data inventory with the Data Protection Officer.", [label(s)]),
} if {
	some s in personal_stores
	basis(s) == null
}

violations contains {
	"resource": s.id,
	"message": sprintf("Data store %s records %v as its lawful basis, which is not an Article 6 basis; record one of: %s.", [label(s), basis(s), concat(", ", sort(lawful_bases))]),
} if {
	some s in personal_stores
	basis(s) != null
	not basis(s) in lawful_bases
}

violations contains {
	"resource": s.id,
	"message": sprintf("Data store %s relies on consent but has no reference to consent records; link the consent records (consent_record_ref) that show who consented, when and to what.", [label(s)]),
} if {
	some s in personal_stores
	basis(s) == "consent"
	not filled(s, "consent_record_ref")
}

violations contains {
	"resource": s.id,
	"message": sprintf("Data store %s relies on legitimate interests but has no legitimate interests assessment recorded; complete an LIA and record its reference (lia_ref).", [label(s)]),
} if {
	params.require_lia_for_legitimate_interests == true
	some s in personal_stores
	basis(s) == "legitimate_interests"
	not filled(s, "lia_ref")
}

violations contains {
	"resource": s.id,
	"message": sprintf("Data store %s holds special category data (%s) but records no Article 9 condition; record the condition relied on (special_category_condition).", [label(s), concat(", ", sort(special))]),
} if {
	some s in personal_stores
	special := categories(s) & {lower(c) | some c in params.special_categories; is_string(c)}
	count(special) > 0
	not filled(s, "special_category_condition")
}

# in_scope: the resource ids of every item this control judged (the evaluator counts them).
in_scope contains s.id if some s in personal_stores
