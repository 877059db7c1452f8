package controls.sod.sod_008_test

import rego.v1

import data.controls.sod.sod_008
import data.lib.testing

people := [
	{"id": "okta:ann", "person": "p-1", "display_name": "Ann", "emails": ["ann@acme.example", "ann.home@mail.example"], "username": "ann"},
	{"id": "okta:ben", "person": "p-2", "display_name": "Ben", "emails": ["ben@acme.example"], "username": "ben"},
]

sha(n) := sprintf("%040d", [n])

approval(email) := {"email": email, "name": null, "source": "trailer"}

change(n, author, approvals) := {
	"id": sha(n), "repository": "acme/api", "branch": "main", "message_summary": sprintf("Change %d", [n]),
	"author": {"name": null, "email": author}, "identity": {"author_person": concat("", ["email:", author]), "committer_person": null},
	"is_merge": false, "approvals": approvals,
}

merged(n, author, approvals) := {"id": sha(n), "author": {"name": null, "email": author}, "person": concat("", ["email:", author]), "approvals": approvals}

merge(n, approvals, commits) := object.union(change(n, "merger@acme.example", approvals), {"is_merge": true, "merged_commits": commits})

test_independent_approval_passes if {
	count(sod_008.violations) == 0 with input as {"changes": [change(1, "ann@acme.example", [approval("ben@acme.example")])]}
}

test_no_approval_fails_naming_commit_and_author if {
	x := testing.only(sod_008.violations) with input as {"changes": [change(1, "ann@acme.example", [])]}
	x.resource == sha(1)
	contains(x.message, "Change 0000000 (Change 1) on main of acme/api by ann@acme.example has no recorded approval")
}

test_own_address_approval_fails if {
	x := testing.only(sod_008.violations) with input as {"changes": [change(1, "ann@acme.example", [approval("ANN@acme.example")])]}
	contains(x.message, "approved only by its author (ann@acme.example: the same person), which does not count")
}

test_second_address_counts_as_author_only_with_identities if {
	c := change(1, "ann@acme.example", [approval("ann.home@mail.example")])
	count(sod_008.violations) == 1 with input as {"changes": [c], "identities": people}
	count(sod_008.violations) == 0 with input as {"changes": [c]}
}

test_min_approvals_parameter if {
	c := change(1, "ann@acme.example", [approval("ben@acme.example"), approval("ann@acme.example")])
	x := testing.only(sod_008.violations) with input as {"changes": [c]} with data.params["SOD-008"] as {"min_approvals": 2, "protected_branches": ["main"]}
	contains(x.message, "has 1 independent approval(s) (ben@acme.example), fewer than the 2 required; approvals from its author (ann@acme.example) do not count")
}

test_unprotected_branches_are_out_of_scope if {
	c := object.union(change(1, "ann@acme.example", []), {"branch": "feature/x"})
	count(sod_008.violations) == 0 with input as {"changes": [c]}
	count(sod_008.in_scope) == 0 with input as {"changes": [c]}
	count(sod_008.violations) == 1 with input as {"changes": [c]} with data.params["SOD-008"] as {"min_approvals": 1, "protected_branches": []}
}

test_reviews_on_merged_commits_count_for_those_commits if {
	m := merge(10, [], [merged(11, "ann@acme.example", [approval("ben@acme.example")]), merged(12, "ben@acme.example", [])])
	x := testing.only(sod_008.violations) with input as {"changes": [m]}
	x.resource == sha(10)
	contains(x.message, "brought in commit 0000000 by ben@acme.example has no recorded approval")
}

test_merge_approval_counts_for_every_merged_commit_but_not_its_author if {
	m := merge(10, [approval("ben@acme.example")], [merged(11, "ann@acme.example", []), merged(12, "ben@acme.example", [])])
	x := testing.only(sod_008.violations) with input as {"changes": [m]}
	contains(x.message, "by ben@acme.example was approved only by its author")
}

test_the_merger_is_not_an_approver if {
	m := merge(10, [], [merged(11, "ann@acme.example", [])])
	count(sod_008.violations) == 1 with input as {"changes": [m]}
}

test_merge_without_listed_commits_is_judged_as_a_change if {
	m := object.union(change(10, "merger@acme.example", [approval("ben@acme.example")]), {"is_merge": true})
	count(sod_008.violations) == 0 with input as {"changes": [m]}
}

test_unrecorded_author_fails if {
	c := object.union(change(1, "x", [approval("ben@acme.example")]), {"author": {"name": null, "email": null}, "identity": {"author_person": null, "committer_person": null}})
	x := testing.only(sod_008.violations) with input as {"changes": [c]}
	contains(x.message, "no recorded author")
}

test_in_scope_is_every_protected_change if {
	sod_008.in_scope == {sha(1), sha(2)} with input as {"changes": [change(1, "ann@acme.example", []), change(2, "ben@acme.example", [])]}
}
