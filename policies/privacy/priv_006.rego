# METADATA
# title: Stores holding personal data are not open to the public
# description: >-
#   Reads input.data_stores. An S3 bucket that holds (or may hold: unknown counts as
#   yes) personal data is at fault when an ACL or policy grants public read or list,
#   when either was not read, or when its own public access block is not fully on.
package controls.privacy.priv_006

import rego.v1

import data.lib.stores

buckets := stores.buckets(stores.personal(input.data_stores))

in_scope := {s.id | some s in buckets}

# Per bucket, what exposes it: public grants or unread settings, and a block not fully on.
exposures := {s.id: reasons |
	some s in buckets
	blocked := {"its public access block is not fully on" |
		not stores.fully_blocked(stores.setting(s, "public_access_block"))
	}
	reasons := stores.public_exposures(s) | blocked
	count(reasons) > 0
}

violations contains {
	"resource": id,
	"message": sprintf("Bucket %s holds personal data but %s; block public access to it.",
		[id, concat(" and ", sort(reasons))]),
} if {
	some id, reasons in exposures
}
