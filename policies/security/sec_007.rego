# METADATA
# title: Credentials unused for max_unused_days are disabled
# description: >-
#   Reads input.identities. On enabled accounts: an active access key not used for
#   max_unused_days or more (or never used and that old) is at fault, and so is a
#   console login of a human account whose last sign-in (or creation, if it never
#   signed in) is that old (CIS AWS 1.12: "unused for 45 days or more"). A human
#   console account on a system listed in require_login_evidence_for must carry
#   last_login_at (null = never signed in); where it is absent the login cannot be
#   shown to be in use, which is itself a finding. Systems that cannot report
#   sign-ins (e.g. GitHub) are left out of that list and not checked.
package controls.security.sec_007

import rego.v1

import data.lib.time as t

params := data.params["SEC-007"]

now_ns := t.parse(data.audit.as_of)

max_days := params.max_unused_days

# an instant at or before this is stale (now - t >= max_days), computed once
stale_from := now_ns - t.days(max_days)

# a time sorting at or after this date is not stale: compared as strings before any is parsed
stale_before := t.later_date(stale_from)

# [identity, key] for each active access key of an enabled identity
active_keys := [[i, k] | some i in input.identities; some k in i.access_keys; k.status == "active"; not i.disabled]

# enabled human identities with a console login
console_logins := [i | some i in input.identities; i.console_access; i.type == "human"; not i.disabled]

# console logins that may be at fault: last sign-in absent, null, or sorting before stale_before (a
# string comparison, no parse); a login signed in at or after that date is not stale
dormant_logins := [i | cut := stale_before; some i in console_logins; not i.last_login_at >= cut]

violations contains {
	"resource": i.id,
	"message": sprintf(
		concat("", [
			"Access key %s of %s (%s) is active but was last used %d days ago, beyond the %d-day limit; ",
			"deactivate it, or delete it if nothing needs it.",
		]),
		[k.id, i.id, i.system, t.age_days(used, now_ns), max_days],
	),
} if {
	some [i, k] in active_keys
	k.last_used_at < stale_before
	k.last_used_at != null
	used := time.parse_rfc3339_ns(k.last_used_at)
	used <= stale_from
}

violations contains {
	"resource": i.id,
	"message": sprintf(
		concat("", [
			"Access key %s of %s (%s) is active but has never been used in the %d days since it was created; ",
			"deactivate and delete it.",
		]),
		[k.id, i.id, i.system, t.age_days(created, now_ns)],
	),
} if {
	some [i, k] in active_keys
	k.last_used_at == null
	created := time.parse_rfc3339_ns(k.created_at)
	created <= stale_from
}

violations contains {
	"resource": i.id,
	"message": sprintf(
		concat("", [
			"Console login of %s (%s, %s) was last used %d days ago, beyond the %d-day limit; ",
			"disable the login or the account if the person no longer needs it.",
		]),
		[i.id, i.display_name, i.system, t.age_days(last, now_ns), max_days],
	),
} if {
	some i in dormant_logins
	i.last_login_at != null
	last := time.parse_rfc3339_ns(i.last_login_at)
	last <= stale_from
}

violations contains {
	"resource": i.id,
	"message": sprintf(
		concat("", [
			"Console login of %s (%s, %s) has never been used in the %d days since the account was created; ",
			"disable the login or the account.",
		]),
		[i.id, i.display_name, i.system, t.age_days(created, now_ns)],
	),
} if {
	some i in dormant_logins
	i.last_login_at == null
	created := time.parse_rfc3339_ns(i.created_at)
	created <= stale_from
}

login_evidence_systems := {lower(s) | some s in params.require_login_evidence_for}

violations contains {
	"resource": i.id,
	"message": sprintf(
		concat("", [
			"Console login of %s (%s, %s) has no recorded last sign-in, so the evidence cannot show it is in use; ",
			"collect last_login_at for %s accounts or disable the login.",
		]),
		[i.id, i.display_name, i.system, i.system],
	),
} if {
	some i in dormant_logins
	not i.last_login_at # absent: the schema allows a string or null when it is recorded
	lower(i.system) in login_evidence_systems
}

# Enabled identities with an active access key or a human console login.
in_scope := {i.id | some [i, _] in active_keys} | {i.id | some i in console_logins}
