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
	a := store("a", true, [" Health ", "contact", "health"])
	b := store("b", true, [])
	c := store("c", true, ["BIOMETRIC", "contact"])
	wanted := stores.wanted_categories([a, b, c], ["health", "Biometric"])
	wanted == {" Health ": "health", "health": "health", "BIOMETRIC": "biometric"}
	stores.categories(a, wanted) == {"health"}
	stores.categories(b, wanted) == set()
	stores.categories(c, wanted) == {"biometric"}
	stores.categories(c, stores.wanted_categories([c], [])) == set()
}

bucket(attrs) := {"id": "b1", "name": "b1", "type": "s3", "attributes": attrs}

test_buckets_and_setting if {
	[s.id | some s in stores.buckets([bucket({}), {"id": "t", "type": "dynamodb"}])] == ["b1"]
	stores.setting(bucket({"versioning": "Enabled"}), "versioning") == "Enabled"
	stores.setting({"id": "x"}, "versioning") == null
}

test_fully_blocked_needs_all_four_settings if {
	on := {"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true}
	stores.fully_blocked(on)
	not stores.fully_blocked(object.union(on, {"IgnorePublicAcls": false}))
	not stores.fully_blocked(null)
}

test_public_exposures_name_grants_and_unread_settings if {
	stores.public_exposures(bucket({"public_acl_grants": [], "public_policy_statements": []})) == set()
	stores.public_exposures(bucket({"public_acl_grants": ["AllUsers:READ"], "public_policy_statements": null})) == {
		"its ACL grants public read or list (AllUsers:READ)",
		"its bucket policy could not be read, so public access cannot be ruled out",
	}
}
