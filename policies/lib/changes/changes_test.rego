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

test_index_marks_duplicates if {
	idx := changes.index(array.concat(history, [object.union(change(2, "b@x.example", {}), {"branch": "release"})]))
	idx.duplicates == {sha(2)}
	count(changes.records(idx, [], sha(1))) == 1
	changes.records(idx, [], sha(9)) == []
}

test_production_filters_environment_and_status if {
	ds := [dep("d1", "api", 1, "2026-01-01T00:00:00Z"), object.union(dep("d2", "api", 2, "2026-01-02T00:00:00Z"), {"status": "failed"}), object.union(dep("d3", "api", 2, "2026-01-02T00:00:00Z"), {"environment": "staging"})]
	[d.id | some d in changes.production(ds, {"production"})] == ["d1"]
}

test_shipped_range_since_previous_deployment_of_same_service if {
	prod := [dep("d1", "api", 1, "2026-01-01T00:00:00Z"), dep("d2", "web", 2, "2026-01-02T00:00:00Z"), dep("d3", "api", 3, "2026-01-03T00:00:00Z")]
	s := changes.shipped(prod, changes.index(history), history)
	s.d1 == [sha(1)]
	s.d2 == [sha(2)]
	s.d3 == [sha(2), sha(3)]
}

test_redeploy_of_older_commit_is_that_commit_alone if {
	prod := [dep("d1", "api", 3, "2026-01-01T00:00:00Z"), dep("d2", "api", 1, "2026-01-02T00:00:00Z")]
	changes.shipped(prod, changes.index(history), history).d2 == [sha(1)]
}

test_authors_of_merge_are_merged_commit_authors if {
	people := identity.index([])
	m := change(4, "merger@x.example", {"is_merge": true, "merged_commits": [{"id": sha(5), "author": {"name": null, "email": "dev@x.example"}, "person": "email:dev@x.example"}]})
	changes.authors(people, m) == {"email:dev@x.example"}
	changes.authors(people, change(1, "A@x.example", {})) == {"email:a@x.example"}
	changes.authors(people, change(1, "a@x.example", {"identity": {"author_person": "email:main@x.example"}})) == {"email:main@x.example"}
}

test_unattributed if {
	people := identity.index([])
	changes.unattributed(people, change(1, null, {}))
	not changes.unattributed(people, change(1, "a@x.example", {}))
}

test_history_gaps_and_their_message if {
	prod := [{"id": "dep-1"}, {"id": "dep-2"}]
	shipped := {"dep-1": ["abc", "missing:web#main#7"], "dep-2": ["def"]}
	changes.history_gaps(prod, shipped) == [[{"id": "dep-1"}, "web#main#7"]]
	contains(changes.missing_history("Deployment dep-1", "web#main#7"), "Deployment dep-1 shipped commits")
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

test_unrecorded_leaves_out_known_commits_and_holes if {
	prod := [{"id": "dep-1"}]
	shipped := {"dep-1": ["abc", "def", "missing:web#main#7"]}
	changes.unrecorded(prod, shipped, {"abc": {}}) == [[{"id": "dep-1"}, "def"]]
}
