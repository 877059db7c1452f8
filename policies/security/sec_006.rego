package controls.security.sec_006

# Audit logging is enabled, covers every region, is integrity-protected and is
# retained long enough.
# Reads input.audit_trails. A trail is at fault when logging is off, when it is
# single-region (require_multi_region), when log file validation is off, or
# when its retention is shorter than min_retention_days (null = kept
# indefinitely). Each account in required_accounts must have at least one
# trail with logging enabled.

import rego.v1

params := data.params["SEC-006"]

str(x) := x if is_string(x)

else := ""

min_days := object.get(params, "min_retention_days", 365)

label(t) := sprintf("Audit trail %s (%s, account %s)", [t.id, str(object.get(t, "system", "")), str(object.get(t, "account", ""))])

violations contains {
	"resource": t.id,
	"message": sprintf("%s has logging turned off; start logging so API and console activity is recorded.", [label(t)]),
} if {
	some t in input.audit_trails
	object.get(t, "logging_enabled", false) != true
}

violations contains {
	"resource": t.id,
	"message": sprintf("%s records only its home region; make it a multi-region trail so activity in every region is logged.", [label(t)]),
} if {
	object.get(params, "require_multi_region", true) == true
	some t in input.audit_trails
	object.get(t, "multi_region", false) != true
}

violations contains {
	"resource": t.id,
	"message": sprintf("%s has log file validation turned off, so tampering with delivered logs would go unnoticed; enable log file integrity validation.", [label(t)]),
} if {
	some t in input.audit_trails
	object.get(t, "log_file_validation", false) != true
}

violations contains {
	"resource": t.id,
	"message": sprintf("%s keeps logs for %d days, less than the required %d days; extend the retention of its log destination.", [label(t), r, min_days]),
} if {
	some t in input.audit_trails
	r := object.get(t, "retention_days", null)
	is_number(r)
	r < min_days
}

violations contains {
	"resource": account,
	"message": sprintf("Account %s has no audit trail with logging enabled; create an organisation or account trail that covers it.", [account]),
} if {
	some account in object.get(params, "required_accounts", [])
	is_string(account)
	not logged(account)
}

logged(account) if {
	some t in input.audit_trails
	str(object.get(t, "account", "")) == account
	object.get(t, "logging_enabled", false) == true
}

# in_scope: the resource ids of every item this control judged (the evaluator counts them).
# Every trail, and every account that must be covered by one.
in_scope contains t.id if some t in input.audit_trails

in_scope contains account if {
	some account in object.get(params, "required_accounts", [])
	is_string(account)
}
