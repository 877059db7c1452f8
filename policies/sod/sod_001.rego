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


idx := changes.index(input.changes)

prod := changes.production(input.deployments, {identity.norm(e) | some e in params.production_environments})

deployed := changes.deployed(prod)

rel := changes.releases(deployed, idx)

in_scope := {d.id | some d in prod}

# [email, login] -> person key, resolved once for every author and approver of a shipped commit
names := identity.persons(identity.index_for(object.get(input, "identities", []), named), named)

named := changes.named([c | some sha in changes.shipped_commits(rel); some c in idx.records[sha]])

# sha -> {"authors", "author", "approvals": [[person, at_ns or null, label]], "unattributed", "until"},
# judged once per commit every release shipped (many deployments ship one commit)
facts := {sha: commit_facts(recs) |
	some sha in changes.shipped_commits(rel)
	recs := idx.records[sha]
}

# sha -> what a deployment shipping it must be checked for: [kind] or ["approvals", until], where
# "approvals" with a number holds only for deployments started before that instant (before it,
# fewer than min_approvals independent people had approved; at or after it, enough had)
concern := {sha: [c] | some sha in changes.shipped_commits(rel); c := concern_of(sha)}

concern_of(sha) := ["missing"] if changes.hole(sha)

concern_of(sha) := ["unrecorded"] if {
	not changes.hole(sha)
	not facts[sha]
}

concern_of(sha) := ["unattributed"] if facts[sha].unattributed

concern_of(sha) := ["approvals", facts[sha].until] if {
	not facts[sha].unattributed
	facts[sha].until != "always"
}

concerns := changes.concerns(rel, concern)

# release key -> its concerns that hold whenever it is deployed: [[commit, kind]]
fixed := {key: list |
	some key, all in concerns
	list := [[sha, c[0]] | some [sha, c] in all; not is_number(c[1])]
	count(list) > 0
}

# release key -> the latest approval threshold among its commits: a deployment started at or after
# it lacks no approval
deadline := {key: max(ts) |
	some key, all in concerns
	ts := [c[1] | some [_, c] in all; is_number(c[1])]
	count(ts) > 0
}

# [deployment, commit, kind] for each concern a deployment's release raises at its start (two passes
# over the deployments, each a lookup by release key: a first pass keeping the deployments with any
# concern costs as much as it saves, since most releases carry one)
flagged := array.concat(
	[[d, sha, kind] | some [d, key] in deployed; some [sha, kind] in fixed[key]],
	[[d, sha, "approvals"] |
		some [d, key] in deployed
		latest := deadline[key]
		start := time.parse_rfc3339_ns(d.started_at)
		start < latest
		some [sha, c] in concerns[key]
		is_number(c[1])
		start < c[1]
	],
)

commit_facts(recs) := object.union(facts_until(authors, approvals), {
	"authors": authors,
	"author": author_label(recs[0]),
	"approvals": approvals,
	"unattributed": count([c | some c in recs; changes.unattributed(names, c)]) > 0,
}) if {
	authors := union({changes.authors(names, c) | some c in recs})
	approvals := [[p, at_ns(a), approval_label(a)] |
		some c in recs
		some a in c.approvals
		p := names[changes.approval_pair(a)]
	]
}

# {"until": t}: the earliest instant by which min_approvals people other than the authors had approved
# ("always" when enough approvals carry no time; null when there are too few independent approvers)
facts_until(authors, approvals) := {"until": until(need, dated)} if {
	undated := {a[0] | some a in approvals; a[1] == null; not a[0] in authors}
	need := min_approvals - count(undated)
	dated := sort([min({a[1] | some a in approvals; a[0] == p; a[1] != null}) |
		some p in {a[0] | some a in approvals; not a[0] in authors} - undated
	])
}

until(need, _) := "always" if need <= 0

until(need, dated) := dated[need - 1] if {
	need > 0
	need <= count(dated)
}

until(need, dated) := null if need > count(dated)

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
	some [d, sha, "unrecorded"] in flagged
}

violations contains {"resource": d.id, "message": changes.missing_history(where(d), changes.hole(sha))} if {
	some [d, sha, "missing"] in flagged
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
	some [d, sha, "unattributed"] in flagged
}

violations contains {"resource": d.id, "message": message(d, sha, f, before, late)} if {
	some [d, sha, "approvals"] in flagged
	f := facts[sha]
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
