# METADATA
# title: Test helpers
# description: Helpers shared by the policies' unit tests. Library rules never read input.
package lib.testing

import rego.v1

# METADATA
# title: only
# description: The one member of a set or array; undefined when it has none or several.
only(v) := xs[0] if {
	xs := [y | some y in v]
	count(xs) == 1
}
