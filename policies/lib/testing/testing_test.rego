# METADATA
# title: Tests of lib.testing
# description: only() is defined for exactly one member.
package lib.testing_test

import rego.v1

import data.lib.testing

test_only_one_member if {
	testing.only({"a"}) == "a"
	testing.only([{"k": 1}]) == {"k": 1}
}

test_only_undefined_for_none_or_several if {
	not testing.only(set())
	not testing.only(["a", "b"])
}
