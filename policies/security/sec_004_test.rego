package controls.security.sec_004_test

import rego.v1

import data.controls.security.sec_004
import data.lib.testing

sha := "d1b2c3d4e5f60718293a4b5c6d7e8f9012345678"

change(reviewed, tests) := {"id": sha, "repository": "brightwater/payments", "branch": "main", "reviewed": reviewed, "tests_passed": tests}

deploy(env, status) := {"id": "d-400", "environment": env, "service": "payments-api", "commit": sha, "status": status, "started_at": "2026-11-01T00:00:00Z"}

test_reviewed_tested_passes if {
	count(sec_004.violations) == 0 with input as {"changes": [change(true, true)], "deployments": [deploy("production", "success")]}
}

test_unreviewed_fails if {
	x := testing.only(sec_004.violations) with input as {"changes": [change(false, true)], "deployments": [deploy("production", "success")]}
	x.resource == "d-400"
	contains(x.message, "shipped commit d1b2c3d, which was not code reviewed")
}

test_failed_and_unknown_tests_fail if {
	x := testing.only(sec_004.violations) with input as {"changes": [change(true, false)], "deployments": [deploy("production", "success")]}
	contains(x.message, "required CI checks failed")
	y := testing.only(sec_004.violations) with input as {"changes": [change(true, null)], "deployments": [deploy("production", "success")]}
	contains(y.message, "no record of passing CI checks")
}

test_unreviewed_and_untested_gives_two_messages if {
	count(sec_004.violations) == 2 with input as {"changes": [change(false, false)], "deployments": [deploy("production", "success")]}
}

test_tests_not_required_by_parameter if {
	count(sec_004.violations) == 0 with input as {"changes": [change(true, null)], "deployments": [deploy("production", "success")]}
		with data.params["SEC-004"] as {"production_environments": ["production"], "require_tests_passed": false}
}

test_missing_change_fails if {
	x := testing.only(sec_004.violations) with input as {"changes": [], "deployments": [deploy("production", "unknown")]}
	contains(x.message, "no change record")
}

test_non_production_or_failed_ignored if {
	count(sec_004.violations) == 0 with input as {"changes": [change(false, false)], "deployments": [deploy("staging", "success"), deploy("production", "failed")]}
}

test_commit_collected_from_two_branches if {
	main := change(true, true)
	release := object.union(change(false, null), {"branch": "release/2026.11"})
	count(sec_004.violations) == 0 with input as {"changes": [release, main], "deployments": [deploy("production", "success")]}
	count(sec_004.violations) == 2 with input as {"changes": [release, release], "deployments": [deploy("production", "success")]}
}

test_commit_ids_compared_case_insensitively if {
	d := object.union(deploy("production", "success"), {"commit": upper(sha)})
	count(sec_004.violations) == 0 with input as {"changes": [change(true, true)], "deployments": [d]}
}

seq_change(n, reviewed) := {"id": sprintf("%040d", [n]), "repository": "brightwater/payments", "branch": "main", "sequence": n, "reviewed": reviewed, "tests_passed": true}

release(id, n, at) := {"id": id, "environment": "production", "service": "payments-api", "commit": sprintf("%040d", [n]), "status": "success", "started_at": at}

test_release_judges_every_change_since_the_previous_deployment if {
	ev := {
		"changes": [seq_change(1, true), seq_change(2, false), seq_change(3, true)],
		"deployments": [release("d-1", 1, "2026-11-01T00:00:00Z"), release("d-2", 3, "2026-11-02T00:00:00Z")],
	}
	x := testing.only(sec_004.violations) with input as ev
	x.resource == "d-2"
	contains(x.message, "shipped commit 0000000 (part of the changes since the previous production deployment, up to 0000000), which was not code reviewed")
	sec_004.in_scope == {"d-1", "d-2"} with input as ev
}

test_unknown_environment_is_not_in_scope if {
	count(sec_004.in_scope) == 0 with input as {"changes": [change(true, true)], "deployments": [deploy("unknown", "unknown")]}
}
