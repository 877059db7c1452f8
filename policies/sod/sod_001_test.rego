package controls.sod.sod_001_test

import rego.v1

import data.controls.sod.sod_001
import data.lib.testing

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
	"started_at": "2026-11-02T09:00:00Z",
}

# the single violation of a set holding exactly one

evidence(c, d) := {"changes": [c], "deployments": [d], "identities": people}

test_approved_by_other_person_passes if {
	count(sod_001.violations) == 0 with input as evidence(change([{"email": "bob@brightwater.example", "source": "github"}]), deploy("production", "success"))
}

test_no_approval_fails if {
	v := sod_001.violations with input as evidence(change([]), deploy("production", "success"))
	x := testing.only(v)
	x.resource == "d-100"
	contains(x.message, "no recorded approval")
	contains(x.message, "a1b2c3d")
}

test_self_approval_same_email_fails if {
	v := sod_001.violations with input as evidence(change([{"email": "Alice@Brightwater.example", "source": "trailer"}]), deploy("production", "success"))
	x := testing.only(v)
	contains(x.message, "approved only by its author alice@brightwater.example")
}

test_self_approval_through_second_identity_fails if {
	v := sod_001.violations with input as evidence(change([{"email": "alice.ng@gmail.com", "source": "github"}]), deploy("production", "success"))
	x := testing.only(v)
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
	c := object.union(change([{"email": "bob@brightwater.example", "source": "github"}]), {"identity": {"author_person": "email:bob@brightwater.example"}})
	count(sod_001.violations) == 1 with input as evidence(c, deploy("production", "success"))
}

# Regression (issue 11): the collector's author key must meet approvers resolved
# through identities; a self-approval from the author's second address is flagged.
test_collector_author_key_meets_identities if {
	c := object.union(change([{"email": "alice.ng@gmail.com", "source": "trailer"}]), {"identity": {"author_person": "email:alice@brightwater.example"}})
	x := testing.only(sod_001.violations) with input as evidence(c, deploy("production", "success"))
	contains(x.message, "approved only by its author")
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
	x := testing.only(v)
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
	x := testing.only(v)
	contains(x.message, "1 independent approval(s) (bob@brightwater.example), fewer than the 2 required")
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
	shared := array.concat(people, [{"id": "okta:zed", "person": "p-000", "display_name": "Zed", "emails": ["alice@brightwater.example"]}])
	# alice@ now resolves to p-000, so an approval from Alice's GitHub address (p-001) is independent
	count(sod_001.violations) == 0 with input as {"changes": [change([{"email": "alice.ng@gmail.com", "source": "github"}])], "deployments": [deploy("production", "success")], "identities": shared}
}

test_change_with_unrecorded_author_fails if {
	# author.email is nullable in the changes schema: with no author, an
	# approval cannot be shown to come from someone else.
	c := object.union(change([{"email": "bob@brightwater.example", "source": "github"}]), {"author": {"name": null, "email": null}})
	x := testing.only(sod_001.violations) with input as evidence(c, deploy("production", "success"))
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
	x := testing.only(sod_001.violations) with input as evidence(c, deploy("production", "success"))
	contains(x.message, "no recorded author")
}

test_approval_given_after_the_deployment_does_not_count if {
	late := [{"email": "bob@brightwater.example", "source": "github", "at": "2026-11-02T10:00:00Z"}]
	d := object.union(deploy("production", "success"), {"started_at": "2026-11-02T09:00:00Z"})
	x := testing.only(sod_001.violations) with input as evidence(change(late), d)
	contains(x.message, "after it was deployed")
	on_time := [{"email": "bob@brightwater.example", "source": "github", "at": "2026-11-02T08:59:00Z"}]
	count(sod_001.violations) == 0 with input as evidence(change(on_time), d)
}

# ---- Releases: every change since the previous production deployment of the service

seq_change(n, approvals) := object.union(change(approvals), {"id": sprintf("%040d", [n]), "sequence": n, "message_summary": sprintf("Change %d", [n])})

release(id, n, at) := object.union(deploy("production", "success"), {"id": id, "commit": sprintf("%040d", [n]), "started_at": at})

reviewed_by_bob := [{"email": "bob@brightwater.example", "source": "github"}]

test_release_judges_every_change_since_the_previous_deployment if {
	history := [seq_change(1, reviewed_by_bob), seq_change(2, []), seq_change(3, reviewed_by_bob), seq_change(4, reviewed_by_bob)]
	deploys := [release("d-1", 1, "2026-11-01T09:00:00Z"), release("d-2", 4, "2026-11-03T09:00:00Z")]
	ev := {"changes": history, "deployments": deploys, "identities": people}
	x := testing.only(sod_001.violations) with input as ev
	x.resource == "d-2"
	contains(x.message, "shipped commit 0000000 (part of the changes since the previous production deployment, up to 0000000)")
	contains(x.message, "with no recorded approval")
	rel := sod_001.rel with input as ev
	of := {d.id: key | some [d, key] in rel.deployed}
	rel.commits[of["d-2"]] == [sprintf("%040d", [2]), sprintf("%040d", [3]), sprintf("%040d", [4])]
	rel.commits[of["d-1"]] == [sprintf("%040d", [1])]
}

test_release_previous_deployment_is_per_service if {
	history := [seq_change(1, reviewed_by_bob), seq_change(2, []), seq_change(3, reviewed_by_bob)]
	other := object.union(release("d-1", 1, "2026-11-01T09:00:00Z"), {"service": "other"})
	# d-2 is the first deployment of payments-api: only its own commit is judged
	count(sod_001.violations) == 0 with input as {"changes": history, "deployments": [other, release("d-2", 3, "2026-11-03T09:00:00Z")], "identities": people}
}

test_release_recorded_previous_commit_is_used if {
	history := [seq_change(1, reviewed_by_bob), seq_change(2, []), seq_change(3, reviewed_by_bob)]
	d := object.union(release("d-2", 3, "2026-11-03T09:00:00Z"), {"previous_commit": sprintf("%040d", [1])})
	count(sod_001.violations) == 1 with input as {"changes": history, "deployments": [d], "identities": people}
}

test_release_with_a_gap_in_the_history_fails if {
	history := [seq_change(1, reviewed_by_bob), seq_change(3, reviewed_by_bob)]
	deploys := [release("d-1", 1, "2026-11-01T09:00:00Z"), release("d-2", 3, "2026-11-03T09:00:00Z")]
	x := testing.only(sod_001.violations) with input as {"changes": history, "deployments": deploys, "identities": people}
	contains(x.message, "change history at brightwater/payments#main#2 is missing")
}

test_in_scope_lists_production_deployments if {
	sod_001.in_scope == {"d-100"} with input as evidence(change([]), deploy("production", "success"))
	count(sod_001.in_scope) == 0 with input as evidence(change([]), deploy("staging", "success"))
}
