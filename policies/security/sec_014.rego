# METADATA
# title: No bucket ACL or bucket policy grants public read or list
# description: >-
#   Reads input.data_stores (S3 buckets). A bucket is at fault when
#   attributes.public_acl_grants or attributes.public_policy_statements is non-empty,
#   or when either is absent or null (not read: fail closed).
package controls.security.sec_014

import rego.v1

buckets := [s | some s in input.data_stores; s.type == "s3"]

fields := ["public_acl_grants", "public_policy_statements"]

in_scope := {s.id | some s in buckets}

violations contains {
	"resource": s.id,
	"message": sprintf("Bucket %s is readable or listable by anyone through its %s (%s); remove the public grant.",
		[s.name, field, concat(", ", grants)]),
} if {
	some s in buckets
	some field in fields
	grants := object.get(object.get(s, "attributes", {}), field, null)
	is_array(grants)
	count(grants) > 0
}

violations contains {
	"resource": s.id,
	"message": sprintf("Bucket %s has no recorded %s, so public access cannot be ruled out; collect it.",
		[s.name, field]),
} if {
	some s in buckets
	some field in fields
	not is_array(object.get(object.get(s, "attributes", {}), field, null))
}
