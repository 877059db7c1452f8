# METADATA
# title: Processing of personal data has a recorded lawful basis
# description: >-
#   Reads input.data_stores. A store holding personal data is at fault when it records
#   no valid Article 6 lawful basis, relies on consent without a link to consent
#   records, relies on legitimate interests without an assessment (when required), or
#   holds special category data without an Article 9 condition.
package controls.privacy.priv_003

import rego.v1

import data.lib.stores
import data.lib.text

params := data.params["PRIV-003"]

lawful_bases := {"consent", "contract", "legal_obligation", "vital_interests", "public_task", "legitimate_interests"}

personal_stores := stores.personal(input.data_stores)

special_categories := stores.wanted_categories(personal_stores, params.special_categories)

# the personal stores holding a special category (each once): a lookup per recorded category, no function
special_stores := [s |
	special := special_categories
	some s in personal_stores
	count([c | some c in s.personal_data_categories; special[c]]) > 0
]

violations contains {
	"resource": s.id,
	"message": sprintf(
		concat("", [
			"Data store %s holds personal data but records no lawful basis for processing it; ",
			"record the Article 6 basis in the data inventory with the Data Protection Officer.",
		]),
		[stores.label(s)],
	),
} if {
	some s in personal_stores
	s.lawful_basis == null
}

violations contains {
	"resource": s.id,
	"message": sprintf(
		"Data store %s records %v as its lawful basis, which is not an Article 6 basis; record one of: %s.",
		[stores.label(s), s.lawful_basis, text.joined(lawful_bases)],
	),
} if {
	some s in personal_stores
	s.lawful_basis != null
	not s.lawful_basis in lawful_bases
}

violations contains {
	"resource": s.id,
	"message": sprintf(
		concat("", [
			"Data store %s relies on consent but has no reference to consent records; link the consent ",
			"records (consent_record_ref) that show who consented, when and to what.",
		]),
		[stores.label(s)],
	),
} if {
	some s in personal_stores
	s.lawful_basis == "consent"
	not text.filled(object.get(s, "consent_record_ref", null))
}

violations contains {
	"resource": s.id,
	"message": sprintf(
		concat("", [
			"Data store %s relies on legitimate interests but has no legitimate interests assessment recorded; ",
			"complete an LIA and record its reference (lia_ref).",
		]),
		[stores.label(s)],
	),
} if {
	params.require_lia_for_legitimate_interests
	some s in personal_stores
	s.lawful_basis == "legitimate_interests"
	not text.filled(object.get(s, "lia_ref", null))
}

violations contains {
	"resource": s.id,
	"message": sprintf(
		concat("", [
			"Data store %s holds special category data (%s) but records no Article 9 condition; ",
			"record the condition relied on (special_category_condition).",
		]),
		[stores.label(s), text.joined(special)],
	),
} if {
	some s in special_stores
	special := stores.categories(s, special_categories)
	not text.filled(object.get(s, "special_category_condition", null))
}

in_scope := {s.id | some s in personal_stores}
