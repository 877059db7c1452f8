# METADATA
# title: Text helpers
# description: >-
#   Short commit ids, filled-in checks, fallbacks for optional strings and list joining,
#   for the messages and checks of every control. Library rules never read input.
package lib.text

import rego.v1

# METADATA
# title: short
# description: The first seven characters of a commit id (the whole id when shorter).
short(sha) := substring(sha, 0, 7)

# METADATA
# title: filled
# description: x is a string with something other than white space in it.
filled(x) if {
	is_string(x)
	trim_space(x) != ""
}

# METADATA
# title: or_empty
# description: x when it is a string, else "" (for optional or nullable fields in messages).
default or_empty(_) := ""

or_empty(x) := x if is_string(x)

# METADATA
# title: or_default
# description: x when it is a string, else fallback.
or_default(x, _) := x if is_string(x)

or_default(x, fallback) := fallback if not is_string(x)

# METADATA
# title: joined
# description: The strings of a set or array, sorted and joined with ", ".
joined(xs) := concat(", ", sort(xs))
