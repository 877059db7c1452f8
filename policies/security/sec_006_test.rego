package controls.security.sec_006_test

import rego.v1

import data.controls.security.sec_006
import data.lib.testing

trail(id, account) := {
	"id": id, "system": "aws-cloudtrail", "account": account, "logging_enabled": true,
	"multi_region": true, "log_file_validation": true, "retention_days": 400,
}

test_good_trail_passes if {
	count(sec_006.violations) == 0 with input as {"audit_trails": [trail("t1", "111"), object.union(trail("t2", "222"), {"retention_days": null})]}
}

test_logging_off_fails if {
	x := testing.only(sec_006.violations) with input as {"audit_trails": [object.union(trail("t1", "111"), {"logging_enabled": false})]}
	x.resource == "t1"
	contains(x.message, "Audit trail t1 (aws-cloudtrail, account 111) has logging turned off")
}

test_single_region_fails_unless_allowed if {
	t := object.union(trail("t1", "111"), {"multi_region": false})
	count(sec_006.violations) == 1 with input as {"audit_trails": [t]}
	count(sec_006.violations) == 0 with input as {"audit_trails": [t]}
		with data.params["SEC-006"] as {"require_multi_region": false, "min_retention_days": 365, "required_accounts": []}
}

test_validation_off_fails if {
	count(sec_006.violations) == 1 with input as {"audit_trails": [object.union(trail("t1", "111"), {"log_file_validation": false})]}
	count(sec_006.violations) == 1 with input as {"audit_trails": [object.remove(trail("t1", "111"), ["log_file_validation"])]}
}

test_retention_boundary if {
	count(sec_006.violations) == 0 with input as {"audit_trails": [object.union(trail("t1", "111"), {"retention_days": 365})]}
	x := testing.only(sec_006.violations) with input as {"audit_trails": [object.union(trail("t1", "111"), {"retention_days": 364})]}
	contains(x.message, "keeps logs for 364 days, less than the required 365 days")
}

test_required_accounts if {
	p := {"require_multi_region": true, "min_retention_days": 365, "required_accounts": ["111", "333"]}
	x := testing.only(sec_006.violations) with input as {"audit_trails": [trail("t1", "111")]} with data.params["SEC-006"] as p
	x.resource == "333"
	off := object.union(trail("t3", "333"), {"logging_enabled": false})
	count(sec_006.violations) == 2 with input as {"audit_trails": [trail("t1", "111"), off]} with data.params["SEC-006"] as p
}

test_in_scope_is_trails_and_required_accounts if {
	sec_006.in_scope == {"t1", "111111111111", "222222222222"} with input as {"audit_trails": [trail("t1", "111111111111")]}
		with data.params["SEC-006"] as {"required_accounts": ["111111111111", "222222222222"]}
}

cis := {"require_multi_region": true, "multi_region_rule": "every_region", "min_retention_days": 365, "required_accounts": []}

test_every_region_rule_accepts_one_logging_multi_region_trail_per_account if {
	single := object.union(trail("t2", "111"), {"multi_region": false})
	# Auditor's default: the single-region trail fails although t1 covers every region
	x := testing.only(sec_006.violations) with input as {"audit_trails": [trail("t1", "111"), single]}
	x.resource == "t2"
	# CIS 3.1 / Prowler: account 111 is covered by t1
	count(sec_006.violations) == 0 with input as {"audit_trails": [trail("t1", "111"), single]} with data.params["SEC-006"] as cis
}

test_every_region_rule_fails_an_account_without_a_logging_multi_region_trail if {
	single := object.union(trail("t2", "222"), {"multi_region": false})
	stopped := object.union(trail("t3", "333"), {"logging_enabled": false})
	got := {v.resource | some v in sec_006.violations} with input as {"audit_trails": [trail("t1", "111"), single, stopped]}
		with data.params["SEC-006"] as cis
	got == {"222", "333", "t3"}
	x := testing.only({v | some v in sec_006.violations; v.resource == "222"}) with input as {"audit_trails": [single]}
		with data.params["SEC-006"] as cis
	contains(x.message, "Account 222 has no logging multi-region audit trail")
	sec_006.in_scope == {"t2", "222"} with input as {"audit_trails": [single]} with data.params["SEC-006"] as cis
}

test_every_region_rule_judges_required_accounts_without_trails if {
	p := object.union(cis, {"required_accounts": ["444"]})
	{v.resource | some v in sec_006.violations} == {"444"} with input as {"audit_trails": [trail("t1", "111")]}
		with data.params["SEC-006"] as p
}
