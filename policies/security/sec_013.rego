# METADATA
# title: S3 public access is blocked at account and bucket level
# description: >-
#   Reads input.cloud_accounts and input.data_stores (S3 buckets). A block is on when
#   all four settings are true. With require_both (the default) the account block and
#   every bucket's block must be on; otherwise a bucket passes under either.
package controls.security.sec_013

import rego.v1

import data.lib.stores

params := data.params["SEC-013"]

accounts_blocked := {a.account: stores.fully_blocked(a.public_access_block) | some a in input.cloud_accounts}

buckets := stores.buckets(input.data_stores)

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
	not stores.fully_blocked(stores.setting(s, "public_access_block"))
	not covered_by_account(s)
}

covered_by_account(s) if {
	not params.require_both
	accounts_blocked[s.account]
}
