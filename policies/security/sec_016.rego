# METADATA
# title: The account password policy meets the organisation's parameters
# description: >-
#   Reads input.cloud_accounts. An account is at fault when it has no password
#   policy or when its policy falls short of a parameter: minimum_length,
#   reuse_prevention, the four character classes, and max_age_days when above 0.
package controls.security.sec_016

import rego.v1

params := data.params["SEC-016"]

in_scope := {a.id | some a in input.cloud_accounts}

classes := ["require_uppercase", "require_lowercase", "require_numbers", "require_symbols"]

shortfalls contains [a.id, "no password policy is set"] if {
	some a in input.cloud_accounts
	a.password_policy == null
	not unread(a)
}

shortfalls contains [a.id, "the password policy could not be read (see the collection errors)"] if {
	some a in input.cloud_accounts
	a.password_policy == null
	unread(a)
}

unread(a) if "password_policy" in object.get(object.get(a, "attributes", {}), "unknown", [])

shortfalls contains [a.id, sprintf("minimum length %d, expected at least %d", [p.minimum_length, params.minimum_length])] if {
	some a in input.cloud_accounts
	p := a.password_policy
	is_object(p)
	p.minimum_length < params.minimum_length
}

shortfalls contains [a.id, sprintf("%s is off", [c])] if {
	some a in input.cloud_accounts
	p := a.password_policy
	is_object(p)
	some c in classes
	params[c]
	not p[c]
}

shortfalls contains [a.id, sprintf("remembers %v passwords, expected %d", [p.reuse_prevention, wanted])] if {
	some a in input.cloud_accounts
	p := a.password_policy
	is_object(p)
	wanted := params.reuse_prevention
	not at_least(p.reuse_prevention, wanted)
}

shortfalls contains [a.id, sprintf("passwords expire after %v days, expected %d or fewer", [p.max_age_days, limit])] if {
	some a in input.cloud_accounts
	p := a.password_policy
	is_object(p)
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
	"message": sprintf("The password policy of %s falls short: %s; update it.", [id, concat("; ", sort(reasons))]),
} if {
	some [id, _] in shortfalls
	reasons := {r | some [i, r] in shortfalls; i == id}
}
