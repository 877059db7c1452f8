# METADATA
# title: Personal data is held only in stores with an owner and a classification
# description: >-
#   Reads input.data_stores. A store holding personal data is at fault when it has no
#   owner, no classification, a classification not allowed for personal data, or
#   holds a restricted category without the restricted classification.
package controls.privacy.priv_005

import rego.v1

import data.lib.stores
import data.lib.text

params := data.params["PRIV-005"]

personal_stores := stores.personal(input.data_stores)

restricted_categories := stores.wanted_categories(personal_stores, params.restricted_categories)

allowed := {c | some c in params.allowed_classifications}

violations contains {
	"resource": s.id,
	"message": sprintf(
		"Data store %s holds personal data but has no owner; assign a named data owner in the data inventory.",
		[stores.label(s)],
	),
} if {
	some s in personal_stores
	not text.filled(s.owner)
}

violations contains {
	"resource": s.id,
	"message": sprintf(
		"Data store %s holds personal data but is not classified; classify it as one of: %s.",
		[stores.label(s), concat(", ", params.allowed_classifications)],
	),
} if {
	some s in personal_stores
	s.classification == null
}

violations contains {
	"resource": s.id,
	"message": sprintf(
		concat("", [
			"Data store %s holds personal data but is classified %s; reclassify it as one of: %s, or remove the ",
			"personal data.",
		]),
		[stores.label(s), s.classification, concat(", ", params.allowed_classifications)],
	),
} if {
	some s in personal_stores
	s.classification != null
	not s.classification in allowed
}

violations contains {
	"resource": s.id,
	"message": sprintf(
		"Data store %s holds %s data but is classified %s; classify it as restricted and apply restricted handling.",
		[stores.label(s), text.joined(sensitive), s.classification],
	),
} if {
	some s in personal_stores
	s.classification in allowed
	s.classification != "restricted"
	sensitive := stores.categories(s, restricted_categories)
	count(sensitive) > 0
}

in_scope := {s.id | some s in personal_stores}
