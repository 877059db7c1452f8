# METADATA
# title: The account password policy meets the organisation's parameters
# description: >-
#   Reads input.cloud_accounts. An account is at fault when it has no password
#   policy or when its policy falls short of a parameter: minimum_length,
#   reuse_prevention, the four character classes, and max_age_days when above 0.
package controls.security.sec_016

import rego.v1

import data.lib.groups

params := data.params["SEC-016"]

in_scope := {a.id | some a in input.cloud_accounts}

classes := ["require_uppercase", "require_lowercase", "require_numbers", "require_symbols"]

# [account id, its password policy] of the accounts that have one.
policies := [[a.id, a.password_policy] | some a in input.cloud_accounts; is_object(a.password_policy)]

shortfalls contains [a.id, missing_policy(a)] if {
	some a in input.cloud_accounts
	a.password_policy == null
}

default missing_policy(_) := "no password policy is set"

missing_policy(a) := "the password policy could not be read (see the collection errors)" if {
	"password_policy" in object.get(object.get(a, "attributes", {}), "unknown", [])
}

shortfalls contains [id, sprintf("minimum length %d, expected at least %d", [p.minimum_length, wanted])] if {
	some [id, p] in policies
	wanted := params.minimum_length
	p.minimum_length < wanted
}

shortfalls contains [id, sprintf("%s is off", [c])] if {
	some [id, p] in policies
	some c in classes
	params[c]
	not p[c]
}

shortfalls contains [id, sprintf("remembers %v passwords, expected %d", [p.reuse_prevention, wanted])] if {
	some [id, p] in policies
	wanted := params.reuse_prevention
	not at_least(p.reuse_prevention, wanted)
}

shortfalls contains [id, sprintf("passwords expire after %v days, expected %d or fewer", [p.max_age_days, limit])] if {
	some [id, p] in policies
	limit := params.max_age_days
	limit > 0
	not at_most(p.max_age_days, limit)
}

at_least(value, wanted) if {
	is_number(value)
	value >= wanted
}

at_most(value, limit) if {
	is_number(value)
	value <= limit
}

violations contains {
	"resource": id,
	"message": sprintf("The password policy of %s falls short: %s; update it.", [id, concat("; ", reasons)]),
} if {
	some id, reasons in groups.by(sort(shortfalls))
}
