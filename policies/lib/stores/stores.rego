# METADATA
# title: Data stores
# description: >-
#   The data-inventory helpers the privacy controls share: which stores hold personal
#   data, how a store is named in messages, and its personal data categories.
#   Library rules never read input: the control passes in the stores.
package lib.stores

import rego.v1

# METADATA
# title: personal
# description: The stores (an array) that hold personal data.
personal(stores) := [s | some s in stores; s.contains_personal_data]

# METADATA
# title: label
# description: A store as messages name it, "<name> (<id>)".
label(s) := sprintf("%s (%s)", [s.name, s.id])

# METADATA
# title: categories
# description: >-
#   The store's personal data categories, trimmed and lower-cased (they are free strings),
#   that are also in wanted (compared the same way).
categories(s, wanted) := {lower(trim_space(c)) | some c in s.personal_data_categories} & {lower(c) | some c in wanted}
