package controls.security.sec_007_test

import rego.v1

import data.controls.security.sec_007
import data.lib.testing

# Audit instant 2026-01-01T00:00:00Z; 45 days before is 2025-11-17T00:00:00Z.

ident(keys, last_login) := {
	"id": "aws:mo", "display_name": "Mo Farah", "type": "human", "system": "aws", "console_access": true,
	"access_keys": keys, "created_at": "2024-01-01T00:00:00Z", "last_login_at": last_login, "disabled": false,
}

key(used) := {"id": "****MO01", "status": "active", "created_at": "2025-10-01T00:00:00Z", "last_used_at": used}

recent := "2025-12-20T00:00:00Z"

test_recently_used_passes if {
	count(sec_007.violations) == 0 with input as {"identities": [ident([key(recent)], recent)]}
}

test_stale_key_fails if {
	x := testing.only(sec_007.violations) with input as {"identities": [ident([key("2025-10-15T00:00:00Z")], recent)]}
	x.resource == "aws:mo"
	contains(x.message, "Access key ****MO01 of aws:mo (aws) is active but was last used 78 days ago")
}

test_boundary_45_days if {
	# CIS AWS 1.12: credentials unused for 45 days or more are at fault.
	count(sec_007.violations) == 0 with input as {"identities": [ident([key("2025-11-17T00:00:01Z")], recent)]}
	count(sec_007.violations) == 1 with input as {"identities": [ident([key("2025-11-17T00:00:00Z")], recent)]}
	count(sec_007.violations) == 1 with input as {"identities": [ident([], "2025-11-17T00:00:00Z")]}
}

test_never_used_key if {
	x := testing.only(sec_007.violations) with input as {"identities": [ident([key(null)], recent)]}
	contains(x.message, "never been used in the 92 days")
	young := object.union(key(null), {"created_at": "2025-12-01T00:00:00Z"})
	count(sec_007.violations) == 0 with input as {"identities": [ident([young], recent)]}
}

test_stale_console_login_fails if {
	x := testing.only(sec_007.violations) with input as {"identities": [ident([], "2025-09-01T00:00:00Z")]}
	contains(x.message, "Console login of aws:mo (Mo Farah, aws) was last used 122 days ago")
	count(sec_007.violations) == 1 with input as {"identities": [ident([], null)]}
}

test_console_not_checked_when_the_system_cannot_report_logins if {
	github := object.union(object.remove(ident([], null), ["last_login_at"]), {"id": "github:mo", "system": "github"})
	count(sec_007.violations) == 0 with input as {"identities": [github]}
	count(sec_007.violations) == 0 with input as {"identities": [ident([object.remove(key(null), ["last_used_at"])], recent)]}
}

test_missing_login_evidence_fails_where_the_system_reports_it if {
	x := testing.only(sec_007.violations) with input as {"identities": [object.remove(ident([], null), ["last_login_at"])]}
	x.resource == "aws:mo"
	contains(x.message, "has no recorded last sign-in")
}

test_systems_required_to_report_logins_are_a_parameter if {
	count(sec_007.violations) == 0 with input as {"identities": [object.remove(ident([], null), ["last_login_at"])]}
		with data.params["SEC-007"] as {"max_unused_days": 45, "require_login_evidence_for": []}
}

test_disabled_and_inactive_ignored if {
	count(sec_007.violations) == 0 with input as {"identities": [object.union(ident([key("2025-01-01T00:00:00Z")], "2025-01-01T00:00:00Z"), {"disabled": true})]}
	count(sec_007.violations) == 0 with input as {"identities": [ident([object.union(key("2025-01-01T00:00:00Z"), {"status": "inactive"})], recent)]}
}

test_parameter if {
	count(sec_007.violations) == 1 with input as {"identities": [ident([key("2025-12-01T00:00:00Z")], recent)]}
		with data.params["SEC-007"] as {"max_unused_days": 14}
}

test_in_scope_is_enabled_identities_with_keys_or_console_logins if {
	sec_007.in_scope == {"k", "c"} with input as {"identities": [
		{"id": "k", "type": "service", "access_keys": [{"id": "a", "status": "active"}]},
		{"id": "c", "type": "human", "console_access": true},
		{"id": "off", "type": "human", "console_access": true, "disabled": true},
		{"id": "none", "type": "human", "console_access": false, "access_keys": [{"id": "b", "status": "inactive"}]},
	]}
}

test_offsets_near_the_limit_are_judged_as_instants if {
	# 45 days before the audit instant is 2025-11-17T00:00:00Z: judged as instants, whatever the offset
	stale := ["2025-11-17T01:00:00+02:00", "2025-11-16T23:59:59Z", "2025-11-16T02:00:00-21:00"]
	every last in stale {
		count(sec_007.violations) == 1 with input as {"identities": [ident([key(last)], recent)]}
		count(sec_007.violations) == 1 with input as {"identities": [ident([], last)]}
	}
	fresh := ["2025-11-17T00:30:00-00:30", "2025-11-18T00:30:00+01:00", "2025-11-19T00:00:00+23:59"]
	every last in fresh {
		count(sec_007.violations) == 0 with input as {"identities": [ident([key(last)], recent)]}
		count(sec_007.violations) == 0 with input as {"identities": [ident([], last)]}
	}
}
