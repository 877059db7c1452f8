# METADATA
# title: Data stores
# description: >-
#   The data-inventory helpers the privacy and storage controls share: which stores hold
#   personal data, how a store is named in messages, its personal data categories, and the
#   S3 settings the AWS collector records (public access block, ACL and policy exposure).
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
# title: wanted_categories
# description: >-
#   Category string as recorded -> its name trimmed and lower-cased (they are free strings),
#   for each category recorded on the stores whose name is in wanted (compared lower-cased).
#   Each distinct string is normalised once: build it once in a rule and pass it to categories.
wanted_categories(stores, wanted) := {c: n |
	names := {lower(w) | some w in wanted}
	some c in {raw | some s in stores; some raw in s.personal_data_categories}
	n := lower(trim_space(c))
	n in names
}

# METADATA
# title: categories
# description: >-
#   The store's personal data categories, trimmed and lower-cased, that are wanted:
#   wanted is a wanted_categories map built over stores that include s.
categories(s, wanted) := {wanted[c] | some c in s.personal_data_categories}

# METADATA
# title: buckets
# description: The S3 buckets (an array) among the stores.
buckets(stores) := [s | some s in stores; s.type == "s3"]

# METADATA
# title: setting
# description: A store's collector setting attributes[name]; null when it is absent (not collected).
setting(s, name) := object.get(object.get(s, "attributes", {}), name, null)

# METADATA
# title: fully_blocked
# description: >-
#   A public access block (a store's or an account's, or null) has all four settings
#   on: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets.
default fully_blocked(_) := false

fully_blocked(b) if {
	is_object(b)
	every k in block_settings {
		b[k] == true
	}
}

block_settings := ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"]

# METADATA
# title: public_exposures
# description: >-
#   What may make a bucket public, in words for messages: its ACL or its bucket policy
#   granting public read or list (attributes.public_acl_grants, public_policy_statements),
#   or either setting unread (absent or null: fail closed). Empty when neither exposes it.
public_exposures(s) := {reason |
	some field, what in exposure_fields
	reason := exposure(what, setting(s, field))
}

exposure_fields := {"public_acl_grants": "ACL", "public_policy_statements": "bucket policy"}

exposure(what, grants) := sprintf("its %s grants public read or list (%s)", [what, concat(", ", grants)]) if {
	is_array(grants)
	count(grants) > 0
}

exposure(what, grants) := sprintf("its %s could not be read, so public access cannot be ruled out", [what]) if {
	not is_array(grants)
}
