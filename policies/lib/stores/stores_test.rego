# METADATA
# title: Tests of lib.stores
# description: Personal stores, labels and categories.
package lib.stores_test

import rego.v1

import data.lib.stores

store(id, personal, cats) := {"id": id, "name": "Loans", "contains_personal_data": personal, "personal_data_categories": cats}

test_personal_keeps_stores_with_personal_data if {
	[s.id | some s in stores.personal([store("a", true, []), store("b", false, [])])] == ["a"]
}

test_label if stores.label(store("rds:x", true, [])) == "Loans (rds:x)"

test_categories_are_normalised_and_intersected if {
	stores.categories(store("a", true, [" Health ", "contact"]), ["health", "Biometric"]) == {"health"}
	stores.categories(store("a", true, []), ["health"]) == set()
}
