# METADATA
# title: Stores holding personal data are not open to the public
# description: >-
#   Reads input.data_stores. An S3 bucket that holds (or may hold: unknown counts as
#   yes) personal data is at fault when an ACL or policy grants public read or list,
#   when either was not read, or when its own public access block is not fully on.
package controls.privacy.priv_006

import rego.v1

keys := ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"]

buckets := [s | some s in input.data_stores; s.type == "s3"; s.contains_personal_data]

attr(s, name) := object.get(object.get(s, "attributes", {}), name, null)

in_scope := {s.id | some s in buckets}

default open(_) := false

open(grants) if {
	is_array(grants)
	count(grants) > 0
}

open(grants) if not is_array(grants)

default blocked(_) := false

blocked(b) if every k in keys {
	b[k] == true
}

exposures contains [s.id, "an ACL or bucket policy grants public read or list (or was not read)"] if {
	some s in buckets
	some field in ["public_acl_grants", "public_policy_statements"]
	open(attr(s, field))
}

exposures contains [s.id, "its public access block is not fully on"] if {
	some s in buckets
	not blocked(attr(s, "public_access_block"))
}

violations contains {
	"resource": id,
	"message": sprintf("Bucket %s holds personal data but %s; block public access to it.",
		[id, concat(" and ", sort(reasons))]),
} if {
	some [id, _] in exposures
	reasons := {r | some [i, r] in exposures; i == id}
}
