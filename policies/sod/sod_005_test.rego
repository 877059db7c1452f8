package controls.sod.sod_005_test

import rego.v1

import data.controls.sod.sod_005
import data.lib.testing

people := [
	{"id": "okta:dan", "person": "p-010", "display_name": "Dan Okafor", "emails": ["dan@brightwater.example"], "username": "dan"},
	{"id": "github:dan-o", "person": "p-010", "display_name": "Dan Okafor", "emails": ["2002+dan-o@users.noreply.github.com"], "username": "dan-o"},
	{"id": "github:danny-test", "person": "p-010", "display_name": "Dan (test)", "emails": ["danny.test@brightwater.example"], "username": "danny-test"},
	{"id": "okta:erin", "person": "p-011", "display_name": "Erin Walsh", "emails": ["erin@brightwater.example"], "username": "erin"},
]

change(id, branch, approvals) := {
	"id": id, "repository": "brightwater/web", "branch": branch,
	"author": {"name": "Dan Okafor", "email": "dan@brightwater.example"},
	"committer": {"name": "GitHub", "email": "noreply@github.com"},
	"is_merge": false, "message_summary": "Fix login redirect", "approvals": approvals,
}

c1 := "c100000000000000000000000000000000000001"

test_independent_approval_passes if {
	count(sod_005.violations) == 0 with input as {"changes": [change(c1, "main", [{"email": "erin@brightwater.example", "source": "github"}])], "identities": people}
}

test_no_approval_is_not_this_control if {
	count(sod_005.violations) == 0 with input as {"changes": [change(c1, "main", [])], "identities": people}
}

test_approval_from_second_account_fails if {
	x := testing.only(sod_005.violations) with input as {"changes": [change(c1, "main", [
		{"email": "erin@brightwater.example", "source": "github"},
		{"email": "danny.test@brightwater.example", "login": "danny-test", "source": "github"},
	])], "identities": people}
	x.resource == c1
	contains(x.message, "another identity of its author dan@brightwater.example (person:p-010)")
}

test_approval_from_noreply_address_fails if {
	count(sod_005.violations) == 1 with input as {"changes": [change(c1, "main", [{"email": "2002+dan-o@users.noreply.github.com", "source": "github"}])], "identities": people}
}

test_trailer_self_approval_same_address_fails if {
	x := testing.only(sod_005.violations) with input as {"changes": [change(c1, "main", [{"email": " DAN@brightwater.example", "source": "trailer"}])], "identities": people}
	contains(x.message, "approved by its own author dan@brightwater.example")
}

test_unlinked_addresses_are_different_people if {
	count(sod_005.violations) == 0 with input as {"changes": [change(c1, "main", [{"email": "danny.test@brightwater.example", "source": "github"}])], "identities": []}
}

test_author_person_from_collector if {
	c := object.union(change(c1, "main", [{"email": "danny.test@brightwater.example", "source": "github"}]), {
		"author": {"name": "dan", "email": "dan@laptop.local"},
		"identity": {"author_person": "email:dan@brightwater.example"},
	})
	count(sod_005.violations) == 1 with input as {"changes": [c], "identities": people}
}

test_unprotected_branches_ignored_unless_all_checked if {
	c := change(c1, "feature/x", [{"email": "danny.test@brightwater.example", "source": "trailer"}])
	count(sod_005.violations) == 0 with input as {"changes": [c], "identities": people}
	count(sod_005.violations) == 1 with input as {"changes": [c], "identities": people}
		with data.params["SOD-005"] as {"protected_branches": []}
}

test_merge_commit_merger_may_approve if {
	c := object.union(change(c1, "main", [{"email": "dan@brightwater.example", "source": "github"}]), {
		"is_merge": true,
		"merged_commits": [{"id": "c100000000000000000000000000000000000002", "author": {"name": "Erin Walsh", "email": "erin@brightwater.example"}}],
	})
	count(sod_005.violations) == 0 with input as {"changes": [c], "identities": people}
}

test_in_scope_is_the_protected_changes if {
	ev := {"changes": [change(c1, "main", []), change("c100000000000000000000000000000000000009", "feature/x", [])], "identities": people}
	sod_005.in_scope == {c1} with input as ev
}
