package controls.sod.sod_001_test

import rego.v1

import data.controls.sod.sod_001

people := [
	{"id": "okta:alice", "person": "p-001", "display_name": "Alice Ng", "emails": ["alice@brightwater.example"], "username": "alice"},
	{"id": "github:alice-ng", "person": "p-001", "display_name": "Alice Ng", "emails": ["1001+alice-ng@users.noreply.github.com", "alice.ng@gmail.com"], "username": "alice-ng"},
	{"id": "okta:bob", "person": "p-002", "display_name": "Bob Roy", "emails": ["bob@brightwater.example"], "username": "bob"},
	{"id": "okta:carol", "person": "p-003", "display_name": "Carol Diaz", "emails": ["carol@brightwater.example"], "username": "carol"},
]

sha := "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"

change(approvals) := {
	"id": sha, "repository": "brightwater/payments", "branch": "main",
	"author": {"name": "Alice Ng", "email": "alice@brightwater.example"},
	"committer": {"name": "GitHub", "email": "noreply@github.com"},
	"is_merge": false, "message_summary": "Add refund limits", "approvals": approvals,
	"reviewed": true, "tests_passed": true,
}

deploy(env, status) := {
	"id": "d-100", "environment": env, "service": "payments-api", "commit": sha, "ref": "v1.4.0",
	"actor": {"email": "bob@brightwater.example"}, "approver": null, "status": status,
}

# the single violation of a set holding exactly one
only(v) := xs[0] if {
	xs := [y | some y in v]
	count(xs) == 1
}

evidence(c, d) := {"changes": [c], "deployments": [d], "identities": people}

test_approved_by_other_person_passes if {
	count(sod_001.violations) == 0 with input as evidence(change([{"email": "bob@brightwater.example", "source": "github"}]), deploy("production", "success"))
}

test_no_approval_fails if {
	v := sod_001.violations with input as evidence(change([]), deploy("production", "success"))
	x := only(v)
	x.resource == "d-100"
	contains(x.message, "no recorded approval")
	contains(x.message, "a1b2c3d")
}

test_missing_approvals_field_fails if {
	c := object.remove(change([]), ["approvals"])
	count(sod_001.violations) == 1 with input as evidence(c, deploy("production", "success"))
}

test_self_approval_same_email_fails if {
	v := sod_001.violations with input as evidence(change([{"email": "Alice@Brightwater.example", "source": "trailer"}]), deploy("production", "success"))
	x := only(v)
	contains(x.message, "approved only by its author alice@brightwater.example")
}

test_self_approval_through_second_identity_fails if {
	v := sod_001.violations with input as evidence(change([{"email": "alice.ng@gmail.com", "source": "github"}]), deploy("production", "success"))
	x := only(v)
	x.resource == "d-100"
	contains(x.message, "alice.ng@gmail.com")
}

test_second_identity_without_directory_counts_as_other_person if {
	# Without identity evidence the two addresses cannot be linked.
	count(sod_001.violations) == 0 with input as {
		"changes": [change([{"email": "alice.ng@gmail.com", "source": "github"}])],
		"deployments": [deploy("production", "success")],
	}
}

test_collector_resolved_author_person_is_used if {
	c := object.union(change([{"email": "bob@brightwater.example", "source": "github"}]), {"identity": {"author_person": "p-002"}})
	count(sod_001.violations) == 1 with input as evidence(c, deploy("production", "success"))
}

test_merge_commit_authors_come_from_merged_commits if {
	merge := object.union(change([{"email": "carol@brightwater.example", "source": "github"}]), {
		"is_merge": true,
		"author": {"name": "Carol Diaz", "email": "carol@brightwater.example"},
		"merged_commits": [{"id": "0000000000000000000000000000000000000001", "author": {"name": "Alice Ng", "email": "alice@brightwater.example"}}],
	})
	count(sod_001.violations) == 0 with input as evidence(merge, deploy("production", "success"))
}

test_merge_commit_approved_by_merged_author_alias_fails if {
	merge := object.union(change([{"email": "1001+alice-ng@users.noreply.github.com", "source": "github"}]), {
		"is_merge": true,
		"author": {"name": "Carol Diaz", "email": "carol@brightwater.example"},
		"merged_commits": [
			{"id": "0000000000000000000000000000000000000001", "author": {"name": "Alice Ng", "email": "alice@brightwater.example"}},
			{"id": "0000000000000000000000000000000000000002", "author": {"name": "Alice Ng", "email": "alice.ng@gmail.com"}},
		],
	})
	count(sod_001.violations) == 1 with input as evidence(merge, deploy("production", "success"))
}

test_squash_commit_co_author_cannot_approve if {
	squash := object.union(change([{"email": "bob@brightwater.example", "source": "github"}]), {
		"merged_commits": [{"id": "0000000000000000000000000000000000000003", "author": {"name": "Bob Roy", "email": "bob@brightwater.example"}}],
	})
	count(sod_001.violations) == 1 with input as evidence(squash, deploy("production", "success"))
}

test_missing_change_record_fails if {
	d := object.union(deploy("production", "success"), {"commit": "ffffffffffffffffffffffffffffffffffffffff"})
	v := sod_001.violations with input as evidence(change([]), d)
	x := only(v)
	contains(x.message, "no change record")
}

test_non_production_and_failed_deployments_ignored if {
	count(sod_001.violations) == 0 with input as evidence(change([]), deploy("staging", "success"))
	count(sod_001.violations) == 0 with input as evidence(change([]), deploy("production", "failed"))
	count(sod_001.violations) == 0 with input as evidence(change([]), deploy("production", "cancelled"))
}

test_unknown_status_counts_as_reaching_production if {
	count(sod_001.violations) == 1 with input as evidence(change([]), deploy("Production", "unknown"))
}

test_environment_names_are_a_parameter if {
	count(sod_001.violations) == 1 with input as evidence(change([]), deploy("prod-eu", "success"))
		with data.params["SOD-001"] as {"min_independent_approvals": 1, "production_environments": ["production", "prod-eu"]}
}

test_min_independent_approvals_parameter if {
	c := change([
		{"email": "bob@brightwater.example", "source": "github"},
		{"email": "alice.ng@gmail.com", "source": "github"},
	])
	count(sod_001.violations) == 0 with input as evidence(c, deploy("production", "success"))
	v := sod_001.violations with input as evidence(c, deploy("production", "success"))
		with data.params["SOD-001"] as {"min_independent_approvals": 2, "production_environments": ["production"]}
	x := only(v)
	contains(x.message, "1 independent approval(s), fewer than the 2 required")
	c2 := change([
		{"email": "bob@brightwater.example", "source": "github"},
		{"email": "carol@brightwater.example", "source": "github"},
	])
	count(sod_001.violations) == 0 with input as evidence(c2, deploy("production", "success"))
		with data.params["SOD-001"] as {"min_independent_approvals": 2, "production_environments": ["production"]}
}

test_same_person_twice_is_one_approval if {
	c := change([
		{"email": "bob@brightwater.example", "source": "github"},
		{"email": "BOB@brightwater.example", "source": "trailer"},
	])
	count(sod_001.violations) == 1 with input as evidence(c, deploy("production", "success"))
		with data.params["SOD-001"] as {"min_independent_approvals": 2, "production_environments": ["production"]}
}

test_commit_collected_from_two_branches_unions_approvals if {
	on_main := change([{"email": "bob@brightwater.example", "source": "github"}])
	on_release := object.union(change([]), {"branch": "release/1.4"})
	count(sod_001.violations) == 0 with input as {"changes": [on_release, on_main], "deployments": [deploy("production", "success")], "identities": people}
	count(sod_001.violations) == 1 with input as {"changes": [on_release, on_release], "deployments": [deploy("production", "success")], "identities": people}
}

test_email_claimed_by_two_people_resolves_to_lowest_person_id if {
	shared := array.concat(people, [{"id": "okta:zed", "person": "p-000", "emails": ["alice@brightwater.example"]}])
	# alice@ now resolves to p-000, so an approval from Alice's GitHub address (p-001) is independent
	count(sod_001.violations) == 0 with input as {"changes": [change([{"email": "alice.ng@gmail.com", "source": "github"}])], "deployments": [deploy("production", "success")], "identities": shared}
}

test_change_with_unrecorded_author_fails if {
	# author.email is nullable in the changes schema: with no author, an
	# approval cannot be shown to come from someone else.
	c := object.union(change([{"email": "bob@brightwater.example", "source": "github"}]), {"author": {"name": null, "email": null}})
	x := only(sod_001.violations) with input as evidence(c, deploy("production", "success"))
	x.resource == "d-100"
	contains(x.message, "no recorded author")
}

test_merge_commit_with_unrecorded_merged_author_fails if {
	c := object.union(change([{"email": "bob@brightwater.example", "source": "github"}]), {
		"is_merge": true,
		"merged_commits": [
			{"id": "b1b2c3d", "author": {"name": "Carol Diaz", "email": "carol@brightwater.example"}},
			{"id": "c1c2c3d", "author": {"name": null, "email": null}},
		],
	})
	x := only(sod_001.violations) with input as evidence(c, deploy("production", "success"))
	contains(x.message, "no recorded author")
}

test_approval_given_after_the_deployment_does_not_count if {
	late := [{"email": "bob@brightwater.example", "source": "github", "at": "2025-11-02T10:00:00Z"}]
	d := object.union(deploy("production", "success"), {"started_at": "2025-11-02T09:00:00Z"})
	x := only(sod_001.violations) with input as evidence(change(late), d)
	contains(x.message, "after it was deployed")
	on_time := [{"email": "bob@brightwater.example", "source": "github", "at": "2025-11-02T08:59:00Z"}]
	count(sod_001.violations) == 0 with input as evidence(change(on_time), d)
}
