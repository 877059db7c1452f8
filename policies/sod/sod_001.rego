# METADATA
# title: Production changes are approved by someone other than their author
# description: >-
#   Reads input.deployments, input.changes and, when present, identities. Every
#   change a production deployment shipped (each commit on the deployed branch's
#   first-parent history since the commit the previous production deployment of
#   the same service shipped, or the deployed commit alone when that range cannot
#   be drawn) must have approvals from at least min_independent_approvals people
#   who are not among its authors. People are compared as persons
#   (lib.identity): an approval from the author's second account or address is
#   not independent. An approval recorded after the deployment started does not
#   count. A change with no recorded author is at fault: independence cannot be
#   shown.
package controls.sod.sod_001

import rego.v1

import data.lib.changes
import data.lib.identity

params := data.params["SOD-001"]

min_approvals := params.min_independent_approvals

people := identity.index(object.get(input, "identities", []))

idx := changes.index(input.changes)

prod := changes.production(input.deployments, {identity.norm(e) | some e in params.production_environments})

shipped := changes.shipped(prod, idx, input.changes)

in_scope := {d.id | some d in prod}

# Every commit any production deployment shipped, judged once.
shipped_commits := {sha | some list in shipped; some sha in list}

# sha -> {"authors", "author", "approvals": [[person, at_ns or null, label]], "unattributed"}
facts := {sha: commit_facts(recs) |
	some sha in shipped_commits
	recs := changes.records(idx, input.changes, sha)
	count(recs) > 0
}

commit_facts(recs) := {
	"authors": union({changes.authors(people, c) | some c in recs}),
	"author": author_label(recs[0]),
	"approvals": [[p, at_ns(a), approval_label(a)] |
		some c in recs
		some a in c.approvals
		p := identity.person_of(people, a)
	],
	"unattributed": count([c | some c in recs; changes.unattributed(people, c)]) > 0,
}

default at_ns(_) := null

at_ns(a) := time.parse_rfc3339_ns(a.at) if is_string(object.get(a, "at", null))

default author_label(_) := "an unrecorded author"

author_label(c) := identity.field(c.author, "email")

approval_label(a) := identity.field(a, "email")

where(d) := sprintf("Deployment %s of %s to %s", [d.id, d.service, d.environment])

# The deployment shipped the commit as its own (deployed) commit, or as part of a range.
what(d, sha) := changes.shipped_commit(lower(d.commit), sha)

violations contains {
	"resource": d.id,
	"message": sprintf(
		concat("", [
			"%s %s, which has no change record in the evidence; collect the history of its repository or investigate ",
			"how the commit reached production without review.",
		]),
		[where(d), what(d, sha)],
	),
} if {
	some [d, sha] in changes.unrecorded(prod, shipped, facts)
}

violations contains {"resource": d.id, "message": changes.missing_history(where(d), at)} if {
	some [d, at] in changes.history_gaps(prod, shipped)
}

violations contains {
	"resource": d.id,
	"message": sprintf(
		concat("", [
			"%s %s, whose change record has no recorded author (author email missing for the commit or one of its ",
			"merged commits), so its approvals cannot be shown to be independent; collect the commit with its author, ",
			"or map the author in the identity evidence.",
		]),
		[where(d), what(d, sha)],
	),
} if {
	some d in prod
	some sha in shipped[d.id]
	facts[sha].unattributed
}

violations contains {"resource": d.id, "message": message(d, sha, f, before, late)} if {
	some d in prod
	some sha in shipped[d.id]
	f := facts[sha]
	not f.unattributed
	start := time.parse_rfc3339_ns(d.started_at)
	before := {a[0] | some a in f.approvals; not after(a[1], start)}
	late := {a[2] | some a in f.approvals; after(a[1], start)}
	count(before - f.authors) < min_approvals
}

after(at, start) if {
	at != null
	at > start
}

message(d, sha, f, before, late) := sprintf(
	concat("", [
		"%s %s by %s before any approval: it was approved only after it was deployed (by %s), which does not count; ",
		"stop deploying unapproved commits and have the change reviewed retrospectively.",
	]),
	[where(d), what(d, sha), f.author, concat(", ", sort(late))],
) if {
	count(before) == 0
	count(late) > 0
}

message(d, sha, f, before, late) := sprintf(
	concat("", [
		"%s %s by %s with no recorded approval; require an approving review from someone other than the author before ",
		"production deployment.",
	]),
	[where(d), what(d, sha), f.author],
) if {
	count(before) == 0
	count(late) == 0
}

message(d, sha, f, before, _) := sprintf(
	concat("", [
		"%s %s, which was approved only by its author %s (approvals recorded from %s all resolve to the author, so ",
		"they do not count); get an independent review and re-deploy, and check how the author approved their own ",
		"change.",
	]),
	[where(d), what(d, sha), f.author, concat(", ", sort({a[2] | some a in f.approvals; a[0] in f.authors}))],
) if {
	count(before) > 0
	count(before - f.authors) == 0
}

message(d, sha, f, before, _) := sprintf(
	concat("", [
		"%s %s by %s with %d independent approval(s) (%s), fewer than the %d required; get further reviews from ",
		"people other than the author.",
	]),
	[
		where(d), what(d, sha), f.author, count(before - f.authors),
		concat(", ", sort({a[2] | some a in f.approvals; not a[0] in f.authors})), min_approvals,
	],
) if {
	count(before - f.authors) > 0
}
