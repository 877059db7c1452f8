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
	rel := changes.releases(prod, changes.index(history))
	rel.commits[rel.of.d1] == [sha(1)]
	rel.commits[rel.of.d2] == [sha(2)]
	rel.commits[rel.of.d3] == [sha(2), sha(3)]
	changes.shipped_commits(rel) == {sha(1), sha(2), sha(3)}
}

test_deployments_shipping_the_same_release_share_it if {
	prod := [dep("d1", "api", 1, "2026-01-01T00:00:00Z"), dep("d2", "api", 3, "2026-01-02T00:00:00Z"), object.union(dep("d3", "api", 3, "2026-01-02T00:00:00Z"), {"previous_commit": sha(1)})]
	rel := changes.releases(prod, changes.index(history))
	rel.of.d2 == rel.of.d3
	count(rel.commits) == 2
}

test_redeploy_of_older_commit_is_that_commit_alone if {
	prod := [dep("d1", "api", 3, "2026-01-01T00:00:00Z"), dep("d2", "api", 1, "2026-01-02T00:00:00Z")]
	rel := changes.releases(prod, changes.index(history))
	rel.commits[rel.of.d2] == [sha(1)]
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

test_holes_and_their_message if {
	changes.hole("missing:web#main#7") == "web#main#7"
	not changes.hole(sha(7))
	contains(changes.missing_history("Deployment dep-1", "web#main#7"), "Deployment dep-1 shipped commits")
}

test_releases_with_a_hole_in_the_history if {
	prod := [dep("d1", "api", 1, "2026-01-01T00:00:00Z"), dep("d3", "api", 3, "2026-01-03T00:00:00Z")]
	gappy := [change(1, "a@x.example", {}), change(3, "a@x.example", {})]
	rel := changes.releases(prod, changes.index(gappy))
	rel.commits[rel.of.d3] == ["missing:acme/api#main#2", sha(3)]
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
	rel := {"of": {"d1": "r1", "d2": "r2"}, "commits": {"r1": ["abc", "def"], "r2": ["ghi"]}}
	changes.concerns(rel, {"def": [["unrecorded"]], "abc": []}) == {"r1": [["def", ["unrecorded"]]]}
}
