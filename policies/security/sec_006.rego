# METADATA
# title: Audit logging is enabled in every region with integrity validation
# description: >-
#   Reads input.audit_trails. A trail is at fault when logging is off, when it is
#   single-region (require_multi_region with multi_region_rule every_trail), when log
#   file validation is off, or when
#   its retention is shorter than min_retention_days (null = kept indefinitely).
#   Each account in required_accounts must have at least one trail with logging enabled;
#   with multi_region_rule every_region (CIS 3.1, Prowler) each account with trails, and
#   each required account, must have a logging multi-region trail instead.
package controls.security.sec_006

import rego.v1

params := data.params["SEC-006"]

trail_text(t) := sprintf("Audit trail %s (%s, account %s)", [t.id, t.system, t.account])

violations contains {
	"resource": t.id,
	"message": sprintf(
		"%s has logging turned off; start logging so API and console activity is recorded.",
		[trail_text(t)],
	),
} if {
	some t in input.audit_trails
	not t.logging_enabled
}

violations contains {
	"resource": t.id,
	"message": sprintf(
		"%s records only its home region; make it a multi-region trail so activity in every region is logged.",
		[trail_text(t)],
	),
} if {
	params.require_multi_region
	params.multi_region_rule == "every_trail"
	some t in input.audit_trails
	not t.multi_region
}

# every_region (CIS 3.1, Prowler): an account is covered by one logging multi-region trail.
covered_accounts := {t.account | some t in input.audit_trails; t.logging_enabled; t.multi_region}

violations contains {
	"resource": account,
	"message": sprintf(
		concat("", [
			"Account %s has no logging multi-region audit trail, so some regions may go unrecorded; make one ",
			"trail multi-region (or an organisation trail) and keep it logging.",
		]),
		[account],
	),
} if {
	params.require_multi_region
	params.multi_region_rule == "every_region"
	some account in trail_accounts | {a | some a in params.required_accounts}
	not account in covered_accounts
}

trail_accounts := {t.account | some t in input.audit_trails}

violations contains {
	"resource": t.id,
	"message": sprintf(
		concat("", [
			"%s has log file validation turned off, so tampering with delivered logs would go unnoticed; ",
			"enable log file integrity validation.",
		]),
		[trail_text(t)],
	),
} if {
	some t in input.audit_trails
	not t.log_file_validation
}

violations contains {
	"resource": t.id,
	"message": sprintf(
		"%s keeps logs for %d days, less than the required %d days; extend the retention of its log destination.",
		[trail_text(t), t.retention_days, params.min_retention_days],
	),
} if {
	some t in input.audit_trails
	is_number(t.retention_days)
	t.retention_days < params.min_retention_days
}

logged_accounts := {t.account | some t in input.audit_trails; t.logging_enabled}

violations contains {
	"resource": account,
	"message": sprintf(
		"Account %s has no audit trail with logging enabled; create an organisation or account trail that covers it.",
		[account],
	),
} if {
	some account in params.required_accounts
	not account in logged_accounts
}

# Every trail, and every account that must be covered by one.
in_scope := {t.id | some t in input.audit_trails} | {a | some a in params.required_accounts} | region_accounts

default region_accounts := set()

region_accounts := trail_accounts if params.multi_region_rule == "every_region"

