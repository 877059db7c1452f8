package controls.sod.sod_004_test

import rego.v1

import data.controls.sod.sod_004
import data.lib.testing

# The audit instant in tests is 2026-01-01T00:00:00Z; 90 days before is 2025-10-03T00:00:00Z.

grant(id, system, role, at) := {
	"id": id, "identity": concat(":", [system, id]), "person": concat("-", ["p", id]), "system": system, "role": role,
	"privileged": true, "granted_at": at, "granted_by": "iam-lead@brightwater.example",
}

review(id, scope, at) := {"id": id, "scope": scope, "reviewer": "ciso@brightwater.example", "completed_at": at, "privileged": true, "findings_open": 0}

old := "2025-01-15T10:00:00Z"

test_recent_role_review_passes if {
	count(sod_004.violations) == 0 with input as {
		"access_grants": [grant("g1", "aws", "AdministratorAccess", old)],
		"access_reviews": [review("r1", "aws:AdministratorAccess", "2025-11-20T00:00:00Z")],
	}
}

test_whole_system_review_covers_role if {
	count(sod_004.violations) == 0 with input as {
		"access_grants": [grant("g1", "aws", "AdministratorAccess", old)],
		"access_reviews": [review("r1", "AWS", "2025-11-20T00:00:00Z")],
	}
}

test_never_reviewed_fails if {
	x := testing.only(sod_004.violations) with input as {
		"access_grants": [grant("g1", "aws", "AdministratorAccess", old), grant("g2", "aws", "AdministratorAccess", old)],
		"access_reviews": [review("r1", "okta", "2025-12-01T00:00:00Z")],
	}
	x.resource == "aws:AdministratorAccess"
	contains(x.message, "(2 active grant(s)) has never been reviewed")
}

test_overdue_review_fails if {
	x := testing.only(sod_004.violations) with input as {
		"access_grants": [grant("g1", "aws", "AdministratorAccess", old)],
		"access_reviews": [review("r1", "aws:AdministratorAccess", "2025-06-01T00:00:00Z"), review("r2", "aws:AdministratorAccess", "2025-09-01T00:00:00Z")],
	}
	contains(x.message, "last reviewed 122 days ago, beyond the 90-day review cycle")
}

test_boundary_exactly_90_days_passes if {
	count(sod_004.violations) == 0 with input as {
		"access_grants": [grant("g1", "aws", "AdministratorAccess", old)],
		"access_reviews": [review("r1", "aws:AdministratorAccess", "2025-10-03T00:00:00Z")],
	}
}

test_boundary_one_second_over_fails if {
	count(sod_004.violations) == 1 with input as {
		"access_grants": [grant("g1", "aws", "AdministratorAccess", old)],
		"access_reviews": [review("r1", "aws:AdministratorAccess", "2025-10-02T23:59:59Z")],
	}
}

test_new_grants_not_yet_due if {
	count(sod_004.violations) == 0 with input as {
		"access_grants": [grant("g1", "github", "owner", "2025-10-03T00:00:00Z")],
		"access_reviews": [],
	}
	count(sod_004.violations) == 1 with input as {
		"access_grants": [grant("g1", "github", "owner", "2025-10-02T23:59:59Z")],
		"access_reviews": [],
	}
}

test_future_review_does_not_count if {
	count(sod_004.violations) == 1 with input as {
		"access_grants": [grant("g1", "aws", "AdministratorAccess", old)],
		"access_reviews": [review("r1", "aws:AdministratorAccess", "2026-01-05T00:00:00Z")],
	}
}

test_non_privileged_and_expired_grants_ignored if {
	np := object.union(grant("g1", "aws", "ReadOnlyAccess", old), {"privileged": false})
	ex := object.union(grant("g2", "aws", "AdministratorAccess", old), {"expires_at": "2025-11-01T00:00:00Z"})
	count(sod_004.violations) == 0 with input as {"access_grants": [np, ex], "access_reviews": []}
}

test_cycle_is_a_parameter if {
	inp := {
		"access_grants": [grant("g1", "aws", "AdministratorAccess", old)],
		"access_reviews": [review("r1", "aws:AdministratorAccess", "2025-11-20T00:00:00Z")],
	}
	count(sod_004.violations) == 1 with input as inp with data.params["SOD-004"] as {"max_days_since_review": 30}
}

# no granted_at (and a review with no completion time, which covers nothing): the role is due and unreviewed
test_missing_fields_fail_closed if {
	count(sod_004.violations) == 1 with input as {
		"access_grants": [{"id": "g1", "privileged": true, "system": "aws", "role": "Admin"}],
		"access_reviews": [{"id": "r1"}],
	}
}

test_in_scope_is_every_privileged_role if {
	sod_004.in_scope == {"aws:AdministratorAccess", "okta:Super Administrator"} with input as {
		"access_grants": [grant("g1", "aws", "AdministratorAccess", old), grant("g2", "okta", "Super Administrator", old)],
		"access_reviews": [],
	}
}

test_undated_grant_is_always_due if {
	x := testing.only(sod_004.violations) with input as {
		"access_grants": [grant("g1", "aws", "AdministratorAccess", null)],
		"access_reviews": [],
	}
	x.resource == "aws:AdministratorAccess"
	contains(x.message, "has never been reviewed")
	count(sod_004.violations) == 0 with input as {
		"access_grants": [grant("g1", "aws", "AdministratorAccess", null)],
		"access_reviews": [review("r1", "aws", "2025-12-01T00:00:00Z")],
	}
}
