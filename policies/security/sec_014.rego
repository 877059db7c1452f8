# METADATA
# title: No bucket ACL or bucket policy grants public read or list
# description: >-
#   Reads input.data_stores (S3 buckets). A bucket is at fault when
#   attributes.public_acl_grants or attributes.public_policy_statements is non-empty,
#   or when either is absent or null (not read: fail closed).
package controls.security.sec_014

import rego.v1

import data.lib.stores

buckets := stores.buckets(input.data_stores)

in_scope := {s.id | some s in buckets}

violations contains {
	"resource": s.id,
	"message": sprintf("Bucket %s may be readable or listable by anyone: %s; remove the public grant or collect it.",
		[s.name, concat("; ", sort(exposures))]),
} if {
	some s in buckets
	exposures := stores.public_exposures(s)
	count(exposures) > 0
}
