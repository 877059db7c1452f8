# METADATA
# title: S3 public access is blocked at account and bucket level
# description: >-
#   Reads input.cloud_accounts and input.data_stores (S3 buckets). A block is on when
#   all four settings are true. With require_both (the default) the account block and
#   every bucket's block must be on; otherwise a bucket passes under either.
package controls.security.sec_013

import rego.v1

params := data.params["SEC-013"]

keys := ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"]

default blocked(_) := false

blocked(b) if every k in keys {
	b[k] == true
}

accounts_blocked := {a.account: blocked(a.public_access_block) | some a in input.cloud_accounts}

buckets := [s | some s in input.data_stores; s.type == "s3"]

bucket_blocked(s) := blocked(object.get(object.get(s, "attributes", {}), "public_access_block", null))

in_scope := {s.id | some s in buckets} | {a.id | some a in input.cloud_accounts}

violations contains {
	"resource": a.id,
	"message": sprintf("Account %s has no full S3 public access block; turn on all four settings.", [a.account]),
} if {
	some a in input.cloud_accounts
	params.require_both
	not accounts_blocked[a.account]
}

violations contains {
	"resource": s.id,
	"message": sprintf("Bucket %s has no full public access block of its own; turn on all four settings.", [s.name]),
} if {
	some s in buckets
	not bucket_blocked(s)
	not covered_by_account(s)
}

covered_by_account(s) if {
	not params.require_both
	accounts_blocked[s.account]
}
