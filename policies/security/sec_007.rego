package controls.security.sec_007

# Credentials unused for max_unused_days are disabled.
# Reads input.identities. On enabled accounts: an active access key not used
# for max_unused_days or more (or never used and that old) is at fault, and so
# is a console login of a human account whose last sign-in (or creation, if it
# never signed in) is that old (CIS AWS 1.12: "unused for 45 days or more").
# A human console account on a system listed in require_login_evidence_for must
# carry last_login_at (null = never signed in); where it is absent the login
# cannot be shown to be in use, which is itself a finding. Systems that cannot
# report sign-ins (e.g. GitHub) are left out of that list and not checked.

import rego.v1

params := data.params["SEC-007"]

now_ns := time.parse_rfc3339_ns(data.audit.as_of)

day_ns := 86400000000000

max_days := object.get(params, "max_unused_days", 45)

str(x) := x if is_string(x)

else := ""

keys(i) := object.get(i, "access_keys", []) if is_array(object.get(i, "access_keys", []))

else := []

ts(s) := time.parse_rfc3339_ns(s) if is_string(s)

stale(t) if now_ns - t >= max_days * day_ns

enabled_identities contains i if {
	some i in input.identities
	object.get(i, "disabled", false) != true
}

violations contains {
	"resource": i.id,
	"message": sprintf("Access key %s of %s (%s) is active but was last used %d days ago, beyond the %d-day limit; deactivate it, or delete it if nothing needs it.", [str(object.get(k, "id", "?")), i.id, str(object.get(i, "system", "")), floor((now_ns - used) / day_ns), max_days]),
} if {
	some i in enabled_identities
	some k in keys(i)
	is_object(k)
	object.get(k, "status", "") == "active"
	used := ts(object.get(k, "last_used_at", null))
	stale(used)
}

violations contains {
	"resource": i.id,
	"message": sprintf("Access key %s of %s (%s) is active but has never been used in the %d days since it was created; deactivate and delete it.", [str(object.get(k, "id", "?")), i.id, str(object.get(i, "system", "")), floor((now_ns - created) / day_ns)]),
} if {
	some i in enabled_identities
	some k in keys(i)
	is_object(k)
	object.get(k, "status", "") == "active"
	object.get(k, "last_used_at", "not collected") == null
	created := ts(object.get(k, "created_at", null))
	stale(created)
}

violations contains {
	"resource": i.id,
	"message": sprintf("Console login of %s (%s, %s) was last used %d days ago, beyond the %d-day limit; disable the login or the account if the person no longer needs it.", [i.id, str(object.get(i, "display_name", "")), str(object.get(i, "system", "")), floor((now_ns - last) / day_ns), max_days]),
} if {
	some i in enabled_identities
	object.get(i, "type", "human") == "human"
	object.get(i, "console_access", false) == true
	last := ts(object.get(i, "last_login_at", null))
	stale(last)
}

violations contains {
	"resource": i.id,
	"message": sprintf("Console login of %s (%s, %s) has never been used in the %d days since the account was created; disable the login or the account.", [i.id, str(object.get(i, "display_name", "")), str(object.get(i, "system", "")), floor((now_ns - created) / day_ns)]),
} if {
	some i in enabled_identities
	object.get(i, "type", "human") == "human"
	object.get(i, "console_access", false) == true
	object.get(i, "last_login_at", "not collected") == null
	created := ts(object.get(i, "created_at", null))
	stale(created)
}

login_evidence_systems := {lower(s) | some s in object.get(params, "require_login_evidence_for", ["aws", "okta"])}

violations contains {
	"resource": i.id,
	"message": sprintf("Console login of %s (%s, %s) has no recorded last sign-in, so the evidence cannot show it is in use; collect last_login_at for %s accounts or disable the login.", [i.id, str(object.get(i, "display_name", "")), str(object.get(i, "system", "")), str(object.get(i, "system", ""))]),
} if {
	some i in enabled_identities
	object.get(i, "type", "human") == "human"
	object.get(i, "console_access", false) == true
	lower(str(object.get(i, "system", ""))) in login_evidence_systems
	not "last_login_at" in object.keys(i)
}

# in_scope: the resource ids of every item this control judged (the evaluator counts them).
# Enabled identities with an active access key or a human console login.
in_scope contains i.id if {
	some i in enabled_identities
	some k in keys(i)
	is_object(k)
	object.get(k, "status", "") == "active"
}

in_scope contains i.id if {
	some i in enabled_identities
	object.get(i, "type", "human") == "human"
	object.get(i, "console_access", false) == true
}
