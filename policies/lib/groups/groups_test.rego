# METADATA
# title: Tests of lib.groups
# description: First value and count per key of sorted arrays.
package lib.groups_test

import rego.v1

import data.lib.groups

test_first_keeps_the_smallest_value_per_key if {
	groups.first(sort([["b", 3], ["a", 2], ["b", 1], ["a", 5]])) == {"a": 2, "b": 1}
	groups.first([]) == {}
}

test_counts_per_key if {
	groups.counts(sort(["x", "y", "x", "x", "z"])) == {"x": 3, "y": 1, "z": 1}
	groups.counts(["only"]) == {"only": 1}
	groups.counts([]) == {}
}

test_by_groups_values_per_key_in_order if {
	groups.by(sort([["b", 3], ["a", 2], ["b", 1], ["a", 5]])) == {"a": [2, 5], "b": [1, 3]}
	groups.by([["k", {"n": 2}], ["k", {"n": 1}]]) == {"k": [{"n": 2}, {"n": 1}]}
	groups.by([]) == {}
	groups.by(sort([["b", "y"], ["a", "z"], ["b", "x"], ["c", "w"]])) == {"a": ["z"], "b": ["x", "y"], "c": ["w"]}
}
