# METADATA
# title: Tests of lib.text
# description: Short ids, filled, fallbacks and joining.
package lib.text_test

import rego.v1

import data.lib.text

test_short_cuts_long_ids_and_keeps_short_ones if {
	text.short("0123456789abcdef") == "0123456"
	text.short("abc") == "abc"
}

test_filled if {
	text.filled(" x ")
	not text.filled("  ")
	not text.filled(null)
	not text.filled(3)
}

test_or_empty_and_or_default if {
	text.or_empty("a") == "a"
	text.or_empty(null) == ""
	text.or_default(null, "?") == "?"
	text.or_default("k", "?") == "k"
}

test_joined_sorts if {
	text.joined({"b", "a"}) == "a, b"
	text.joined(["z", "y"]) == "y, z"
	text.joined([]) == ""
}
