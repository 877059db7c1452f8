# METADATA
# title: Grouping in linear time
# description: >-
#   Rego has no group-by: a comprehension per key scans every item, so grouping n items
#   by k keys costs n * k. These helpers group a sorted array in one pass (plus the
#   sort), using a shifted copy of the keys built once. Library rules never read input.
package lib.groups

import rego.v1

# METADATA
# title: first
# description: Sorted [key, value] pairs -> {key: the first (smallest) value of that key}.
first(pairs) := {pair[0]: pair[1] |
	previous := array.concat([null], [p[0] | some p in pairs])
	some k, pair in pairs
	pair[0] != previous[k]
}

# METADATA
# title: counts
# description: A sorted array of keys -> {key: how many times it occurs}.
counts(keys) := {key: n |
	previous := array.concat([null], keys)
	starts := [i | some i, k in keys; k != previous[i]]
	ends := array.concat(array.slice(starts, 1, count(starts)), [count(keys)])
	some j, s in starts
	key := keys[s]
	n := ends[j] - s
}

# METADATA
# title: by
# description: >-
#   Sorted [key, value] pairs -> {key: [values of that key, in order]}: a group-by in one pass,
#   each group sliced between its first index and the next key's (e.g. every reason per resource,
#   for a control that reports all of an item's shortfalls in one violation).
by(pairs) := {pairs[s][0]: [p[1] | some p in array.slice(pairs, s, ends[j])] |
	previous := array.concat([null], [p[0] | some p in pairs])
	starts := [i | some i, p in pairs; p[0] != previous[i]]
	ends := array.concat(array.slice(starts, 1, count(starts)), [count(pairs)])
	some j, s in starts
}
