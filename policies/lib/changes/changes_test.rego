package lib.changes_test

import rego.v1

import data.lib.changes
import data.lib.identity

sha(n) := sprintf("%040d", [n])

change(n, author, extra) := object.union({
	"id": sha(n), "repository": "acme/api", "branch": "main", "sequence": n,
	"author": {"name": null, "email": author}, "is_merge": false, "approvals": [],
}, extra)

dep(id, service, n, at) := {"id": id, "environment": "Production", "service": service, "commit": sha(n), "started_at": at, "status": "success"}

history := [change(1, "a@x.example", {}), change(2, "b@x.example", {}), change(3, "a@x.example", {})]

# The commits a deployment (by id) shipped, from releases.
shipped(rel, id) := rel.commits[key] if {
	some [d, key] in rel.deployed
	d.id == id
}

test_index_groups_the_records_of_a_commit_in_evidence_order if {
	release := object.union(change(2, "b@x.example", {}), {"branch": "release"})
	idx := changes.index(array.concat([release], history))
	idx.records[sha(2)] == [release, change(2, "b@x.example", {})]
	idx.records[sha(1)] == [change(1, "a@x.example", {})]
	not idx.records[sha(9)]
	idx.at["acme/api#main#3"] == sha(3)
}

test_production_filters_environment_and_status if {
	ds := [dep("d1", "api", 1, "2026-01-01T00:00:00Z"), object.union(dep("d2", "api", 2, "2026-01-02T00:00:00Z"), {"status": "failed"}), object.union(dep("d3", "api", 2, "2026-01-02T00:00:00Z"), {"environment": "staging"})]
	[d.id | some d in changes.production(ds, {"production"})] == ["d1"]
}

test_shipped_range_since_previous_deployment_of_same_service if {
	prod := [dep("d1", "api", 1, "2026-01-01T00:00:00Z"), dep("d2", "web", 2, "2026-01-02T00:00:00Z"), dep("d3", "api", 3, "2026-01-03T00:00:00Z")]
	rel := changes.releases(changes.deployed(prod), changes.index(history))
	shipped(rel, "d1") == [sha(1)]
	shipped(rel, "d2") == [sha(2)]
	shipped(rel, "d3") == [sha(2), sha(3)]
	changes.shipped_commits(rel) == {sha(1), sha(2), sha(3)}
}

test_deployments_shipping_the_same_release_share_it if {
	prod := [dep("d1", "api", 1, "2026-01-01T00:00:00Z"), dep("d2", "api", 3, "2026-01-02T00:00:00Z"), object.union(dep("d3", "api", 3, "2026-01-02T00:00:00Z"), {"previous_commit": sha(1)})]
	rel := changes.releases(changes.deployed(prod), changes.index(history))
	keys := {d.id: key | some [d, key] in rel.deployed}
	keys.d2 == keys.d3
	count(rel.commits) == 2
}

test_redeploy_of_older_commit_is_that_commit_alone if {
	prod := [dep("d1", "api", 3, "2026-01-01T00:00:00Z"), dep("d2", "api", 1, "2026-01-02T00:00:00Z")]
	rel := changes.releases(changes.deployed(prod), changes.index(history))
	shipped(rel, "d2") == [sha(1)]
}

# names for a test: every pair the changes name, resolved without an identity directory
names_of(cs) := identity.persons(identity.index([]), changes.named(cs))

test_authors_of_merge_are_merged_commit_authors if {
	m := change(4, "merger@x.example", {"is_merge": true, "merged_commits": [{"id": sha(5), "author": {"name": null, "email": "dev@x.example"}, "person": "email:dev@x.example"}]})
	plain := change(1, "A@x.example", {})
	keyed := change(1, "a@x.example", {"identity": {"author_person": "email:main@x.example"}})
	names := names_of([m, plain, keyed])
	changes.authors(names, m) == {"email:dev@x.example"}
	changes.authors(names, plain) == {"email:a@x.example"}
	changes.authors(names, keyed) == {"email:main@x.example"}
}

test_authors_of_a_change_and_its_merged_commits if {
	c := change(6, "own@x.example", {"merged_commits": [
		{"id": sha(7), "author": {"email": "Dev@X.example"}},
		{"id": sha(8), "author": {"email": "ignored@x.example"}, "person": "person:p-7"},
	]})
	changes.authors(names_of([c]), c) == {"email:own@x.example", "email:dev@x.example", "person:p-7"}
}

test_unattributed if {
	nobody := change(1, null, {})
	merged_nobody := change(2, "a@x.example", {"merged_commits": [{"id": sha(9), "author": {"email": null}}]})
	names := names_of([nobody, merged_nobody, change(1, "a@x.example", {})])
	changes.unattributed(names, nobody)
	changes.unattributed(names, merged_nobody)
	not changes.unattributed(names, change(1, "a@x.example", {}))
}

test_named_collects_authors_merged_authors_keys_and_approvals if {
	c := change(1, "a@x.example", {
		"identity": {"author_person": "login:alice"},
		"approvals": [{"email": "b@x.example", "login": "bee"}],
		"merged_commits": [
			{"id": sha(2), "author": {"email": "m@x.example"}, "approvals": [{"email": "t@x.example"}]},
			{"id": sha(3), "author": {"email": "n@x.example"}, "person": "email:n@x.example"},
		],
	})
	changes.named([c]) == {
		["a@x.example", null], [null, "alice"], ["b@x.example", "bee"],
		["m@x.example", null], ["t@x.example", null], ["n@x.example", null],
	}
	changes.authors_named([c]) == {["a@x.example", null], [null, "alice"], ["m@x.example", null], ["n@x.example", null]}
}

test_author_key_of_a_merged_commit if {
	names := {["dev@x.example", null]: "person:p-1", [null, "dev"]: "person:p-1"}
	changes.author_key(names, {"author": {"email": "dev@x.example"}}) == "person:p-1"
	changes.author_key(names, {"author": {"email": "other@x.example"}, "person": "login:dev"}) == "person:p-1"
	not changes.author_key(names, {"author": {"email": "unknown@x.example"}})
}

test_release_keys_use_recorded_previous_else_the_service_before if {
	rows := [
		["api", "t1", "d1", "C1", null, {"id": "d1"}],
		["api", "t2", "d2", "C2", null, {"id": "d2"}],
		["api", "t3", "d3", "C3", "c1", {"id": "d3"}],
		["web", "t4", "d4", "C4", null, {"id": "d4"}],
	]
	{d.id: key | some [d, key] in changes.release_keys(rows)} == {"d1": " C1", "d2": "C1 C2", "d3": "c1 C3", "d4": " C4"}
}

test_releases_lower_case_the_commits_once_per_release if {
	upper := object.union(dep("d1", "api", 3, "2026-01-01T00:00:00Z"), {"commit": upper(sha(3)), "previous_commit": upper(sha(1))})
	rel := changes.releases(changes.deployed([upper]), changes.index(history))
	shipped(rel, "d1") == [sha(2), sha(3)]
}

test_holes_and_their_message if {
	changes.hole("missing:web#main#7") == "web#main#7"
	not changes.hole(sha(7))
	contains(changes.missing_history("Deployment dep-1", "web#main#7"), "Deployment dep-1 shipped commits")
}

test_releases_with_a_hole_in_the_history if {
	prod := [dep("d1", "api", 1, "2026-01-01T00:00:00Z"), dep("d3", "api", 3, "2026-01-03T00:00:00Z")]
	gappy := [change(1, "a@x.example", {}), change(3, "a@x.example", {})]
	rel := changes.releases(changes.deployed(prod), changes.index(gappy))
	shipped(rel, "d3") == ["missing:acme/api#main#2", sha(3)]
}

test_shipped_commit_names_the_range_only_for_earlier_commits if {
	changes.shipped_commit("0123456789", "0123456789") == "shipped commit 0123456"
	contains(changes.shipped_commit("0123456789", "abcdef0123"), "shipped commit abcdef0 (part of the changes")
}

test_on_branches_filters_by_normalised_name_or_keeps_all if {
	cs := [{"id": "a", "branch": "Main "}, {"id": "b", "branch": "dev"}]
	[c.id | some c in changes.on_branches(cs, ["main"])] == ["a"]
	changes.on_branches(cs, []) == cs
}

test_concerns_per_release_leave_out_clean_releases if {
	rel := {"deployed": [[{"id": "d1"}, "r1"], [{"id": "d2"}, "r2"]], "commits": {"r1": ["abc", "def"], "r2": ["ghi"]}}
	changes.concerns(rel, {"def": [["unrecorded"]], "abc": []}) == {"r1": [["def", ["unrecorded"]]]}
}

test_approval_pair_is_the_pair_identity_gives if {
	a := {"email": "Bob@x.example", "source": "github", "login": "bob", "at": "2026-01-01T00:00:00Z"}
	t := {"email": "t@x.example", "source": "trailer"}
	changes.approval_pair(a) == identity.pair_of(a)
	changes.approval_pair(t) == ["t@x.example", null]
}
