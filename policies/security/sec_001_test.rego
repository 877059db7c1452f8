package controls.security.sec_001_test

import rego.v1

import data.controls.security.sec_001
import data.lib.testing

user(id, type, console, mfa) := {
	"id": id, "person": "p-1", "display_name": "Lee Chan", "emails": ["lee@brightwater.example"], "type": type, "system": "aws",
	"console_access": console, "mfa_enabled": mfa, "access_keys": [], "roles": [], "created_at": "2025-01-01T00:00:00Z", "disabled": false,
}

test_human_with_mfa_passes if {
	count(sec_001.violations) == 0 with input as {"identities": [user("aws:lee", "human", true, true)]}
}

test_human_console_without_mfa_fails if {
	x := testing.only(sec_001.violations) with input as {"identities": [user("aws:lee", "human", true, false)]}
	x.resource == "aws:lee"
	contains(x.message, "Human account aws:lee (Lee Chan, aws) can sign in to the console without MFA")
}

test_root_without_mfa_fails if {
	x := testing.only(sec_001.violations) with input as {"identities": [user("aws:root", "root", true, false)]}
	startswith(x.message, "Root account aws:root")
}

test_no_console_or_service_or_disabled_passes if {
	count(sec_001.violations) == 0 with input as {"identities": [
		user("aws:a", "human", false, false),
		user("aws:b", "service", true, false),
		object.union(user("aws:c", "human", true, false), {"disabled": true}),
	]}
}

test_missing_mfa_field_fails if {
	count(sec_001.violations) == 1 with input as {"identities": [object.remove(user("aws:lee", "human", true, false), ["mfa_enabled"])]}
}

test_disabled_account_is_not_judged if {
	count(sec_001.violations) == 0 with input as {"identities": [object.union(user("aws:lee", "human", true, false), {"disabled": true})]}
}

test_account_types_parameter if {
	count(sec_001.violations) == 1 with input as {"identities": [user("aws:b", "service", true, false)]}
		with data.params["SEC-001"] as {"account_types": ["human", "root", "service"]}
}

test_in_scope_is_enabled_console_accounts_of_the_covered_types if {
	sec_001.in_scope == {"h1", "r1"} with input as {"identities": [
		{"id": "h1", "type": "human", "console_access": true, "mfa_enabled": true},
		{"id": "r1", "type": "root", "console_access": true, "mfa_enabled": false},
		{"id": "h2", "type": "human", "console_access": false},
		{"id": "h3", "type": "human", "console_access": true, "disabled": true},
		{"id": "s1", "type": "service", "console_access": true},
	]}
}
