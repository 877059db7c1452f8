# METADATA
# title: Changes and releases
# description: >-
#   Change records indexed by commit, their authors as person keys, and the
#   changes each production deployment shipped: every commit on the deployed
#   branch's first-parent history after the commit the previous production
#   deployment of the same service shipped, up to the deployed commit (changes
#   carry "sequence", their position on that history). Build the index once in a
#   rule of the control and pass it in.
package lib.changes

import rego.v1

import data.lib.groups
import data.lib.identity
import data.lib.text

# METADATA
# title: index
# description: >-
#   {"records": {sha: [change records, in evidence order]}, "at": {"repo#branch#seq": sha}} for
#   changes items (a commit collected from two branches has two records), grouped in one pass.
index(changes) := {
	"records": {sha: [changes[n] | some n in ns] | some sha, ns in groups.by(sort([[c.id, n] | some n, c in changes]))},
	"at": {position_key(c.repository, c.branch, c.sequence): c.id |
		some c in changes
		is_number(object.get(c, "sequence", null))
	},
}

position_key(repository, branch, sequence) := sprintf("%s#%s#%d", [repository, branch, sequence])

# METADATA
# title: production
# description: >-
#   Deployments to one of envs (lower-cased names) that reached it (status success or unknown).
#   Each distinct environment name is normalised once, not once per deployment.
production(deployments, envs) := [d |
	reached := {e | some e in {x.environment | some x in deployments}; identity.norm(e) in envs}
	ok := {"success", "unknown"}
	some d in deployments
	d.environment in reached
	d.status in ok
]

# METADATA
# title: deployed
# description: >-
#   Each production deployment with its release key: [[deployment, "<previous> <deployed>"]]
#   (by service, then started_at, then id). The previous commit is the deployment's own
#   previous_commit when recorded, else the commit the previous deployment of the same
#   service (by started_at) shipped. Pairs, not an object keyed by deployment id: a control
#   walks them once instead of looking each deployment up. A rule of its own (not a field of
#   releases), so the evidence projection can see it holds deployments and nothing deeper.
deployed(prod) := release_keys(rows) if {
	# the deployment rides last: ids are unique, so the sort never compares two deployments
	rows := sort([[d.service, d.started_at, d.id, d.commit, object.get(d, "previous_commit", null), d] |
		some d in prod
	])
}

# METADATA
# title: releases
# description: >-
#   What the deployed pairs (from deployed) shipped, drawn once per distinct release (many
#   deployments ship the same one): {"deployed": the pairs, "commits": {release key: commits,
#   oldest first}}. The commits are the first-parent range (previous, deployed] when both
#   commits are collected with a sequence on the same repository and branch and the deployed
#   one is newer, else the deployed commit alone. A position missing from the evidence is
#   reported as "missing:<repo#branch#seq>".
releases(deployed, idx) := {"deployed": deployed, "commits": commits} if {
	commits := {key: list |
		some key in {k | some [_, k] in deployed}
		pair := split(key, " ")
		deployed_commit := lower(pair[1])
		list := commits_between(idx, spans(idx, deployed_commit, lower(pair[0])), deployed_commit)
	}
}

# Sorted rows -> [[deployment, "<previous> <deployed>"]]: the recorded previous_commit (row[4]) when
# not null, else the commit of the row before when that is the same service's, else "". Three
# filtered passes over shifted copies of the services and commits, built once (no per-row literal;
# measured faster than indexing a shifted copy of the rows). Commits are lower-cased per distinct
# release key, not per deployment.
release_keys(rows) := array.concat(
	array.concat(
		[[row[5], concat(" ", [row[4], row[3]])] | some row in rows; row[4] != null],
		[[row[5], concat(" ", [commits[k], row[3]])] | some k, row in rows; row[4] == null; services[k] == row[0]],
	),
	[[row[5], concat(" ", ["", row[3]])] | some k, row in rows; row[4] == null; services[k] != row[0]],
) if {
	services := array.concat([null], [r[0] | some r in rows])
	commits := array.concat([""], [r[3] | some r in rows])
}

# The commits of one release: the range of the shortest span, else the deployed commit alone.
commits_between(idx, spans, _) := [object.get(idx.at, key, concat("", ["missing:", key])) |
	s := min(spans)
	some n in numbers.range(s[2] + 1, s[3])
	key := position_key(s[0], s[1], n)
] if count(spans) > 0

commits_between(_, spans, deployed) := [deployed] if count(spans) == 0

# [repository, branch, previous sequence, deployed sequence] for each branch both commits are on.
spans(idx, deployed, previous) := {[c.repository, c.branch, p.sequence, c.sequence] |
	some c in object.get(idx.records, deployed, [])
	is_number(object.get(c, "sequence", null))
	some p in object.get(idx.records, previous, [])
	is_number(object.get(p, "sequence", null))
	p.repository == c.repository
	p.branch == c.branch
	p.sequence < c.sequence
}

# METADATA
# title: shipped_commits
# description: Every commit any release shipped (from releases), once, holes in the history included.
shipped_commits(rel) := {sha | some list in rel.commits; some sha in list}

# METADATA
# title: concerns
# description: >-
#   Release key -> [[commit, concern]] for the commits of each release (from releases) that
#   have an entry in by_commit (the control's concerns keyed by commit); releases with none
#   are left out, so a deployment's concerns are one lookup.
concerns(rel, by_commit) := {key: list |
	some key, commits in rel.commits
	list := [[sha, c] | some sha in commits; some c in by_commit[sha]]
	count(list) > 0
}

# METADATA
# title: hole
# description: The position of a hole in the history ("missing:<repo#branch#seq>" -> "<repo#branch#seq>").
hole(sha) := trim_prefix(sha, "missing:") if startswith(sha, "missing:")

# METADATA
# title: named
# description: >-
#   Every [email, login] pair (identity.pair_of, identity.key_pair) that the authors of changes,
#   their merged commits' authors and the approvals of both name: resolve them once with
#   identity.persons and pass the table to authors and unattributed.
named(changes) := (authors_named(changes) | {approval_pair(a) | some c in changes; some a in c.approvals}) | {
	approval_pair(a) |
		some c in changes
		some m in object.get(c, "merged_commits", [])
		some a in object.get(m, "approvals", [])
}

# METADATA
# title: approval_pair
# description: >-
#   The [email, login] pair of an approval, as identity.pair_of gives it, written out: the
#   schema requires the address, and this runs once per approval. (An author's pair is
#   [email, null]: the schema gives authors no login.)
approval_pair(a) := [a.email, object.get(a, "login", null)]

# METADATA
# title: authors_named
# description: The pairs the authors of changes (and of their merged commits) name, for identity.persons.
authors_named(changes) := (own_named(changes) | {[c.author.email, null] | some c in changes}) | merged_named(
	changes,
)

own_named(changes) := {identity.key_pair(k) | some c in changes; k := collector_key(c)}

# A merged commit names the collector's key when recorded, else its author. Two passes, no
# function per merged commit (a call per item is most of the cost at scale).
merged_named(changes) := {identity.key_pair(m.person) |
	some c in changes
	some m in object.get(c, "merged_commits", [])
	is_string(object.get(m, "person", null))
} | {[m.author.email, null] |
	some c in changes
	some m in object.get(c, "merged_commits", [])
	not is_string(object.get(m, "person", null))
}

# METADATA
# title: authors
# description: >-
#   The person keys of the people who wrote a change, looked up in names (identity.persons
#   over named or authors_named): for a merge with its merged commits listed, their authors
#   (the merger is not an author); otherwise the collector's author key (or the author's
#   address) plus any merged commits' authors.
authors(names, c) := authors_of(c, merged_authors(names, c), own_author(names, c))

# A merge listing its merged commits: their authors only; otherwise the own author too.
authors_of(c, merged, _) := merged if {
	c.is_merge
	count(merged) > 0
}

authors_of(c, merged, own) := merged | own if not c.is_merge

authors_of(_, merged, own) := merged | own if count(merged) == 0

merged_authors(names, c) := {p |
	some m in object.get(c, "merged_commits", [])
	is_string(object.get(m, "person", null))
	p := identity.person_in(names, m.person)
} | {p |
	some m in object.get(c, "merged_commits", [])
	not is_string(object.get(m, "person", null))
	p := names[[m.author.email, null]]
}

# METADATA
# title: author_key
# description: A merged commit's author, looked up in names: the collector's key when recorded, else its address.
author_key(names, m) := identity.person_in(names, m.person) if is_string(object.get(m, "person", null))

author_key(names, m) := names[[m.author.email, null]] if not is_string(object.get(m, "person", null))

own_author(names, c) := {p | p := own_key(names, c)}

own_key(names, c) := identity.person_in(names, collector_key(c))

own_key(names, c) := names[[c.author.email, null]] if not collector_key(c)

# The collector's person key for the change's author, when it wrote one.
collector_key(c) := k if {
	k := object.get(object.get(c, "identity", {}), "author_person", null)
	is_string(k)
	k != ""
}

# METADATA
# title: unattributed
# description: The change, or one of its merged commits, has no recorded author (names as for authors).
unattributed(names, c) if count(authors(names, c)) == 0

unattributed(names, c) if {
	some m in object.get(c, "merged_commits", [])
	not author_key(names, m)
}

# METADATA
# title: short
# description: The first seven characters of a commit id.
short(sha) := text.short(sha)

# METADATA
# title: shipped_commit
# description: >-
#   A commit a deployment shipped, in words for messages: "shipped commit <short>", and
#   when it is not the deployed commit itself, the range it came in with.
shipped_commit(deployed, sha) := sprintf("shipped commit %s", [short(sha)]) if deployed == sha

shipped_commit(deployed, sha) := sprintf(
	"shipped commit %s (part of the changes since the previous production deployment, up to %s)",
	[short(sha), short(deployed)],
) if deployed != sha

# METADATA
# title: missing_history
# description: The message for a deployment (described by where) whose shipped range crosses a hole at position at.
missing_history(where, at) := sprintf(
	concat("", [
		"%s shipped commits since the previous production deployment, but the change history at %s is missing ",
		"from the evidence; collect the full first-parent history of the branch.",
	]),
	[where, at],
)

# METADATA
# title: on_branches
# description: >-
#   The changes (an array, not a set: a set would compare whole change objects) on one
#   of branches, names compared trimmed and lower-cased; every change when branches is empty.
on_branches(changes, branches) := changes if count(branches) == 0

on_branches(changes, branches) := [c | some c in changes; identity.norm(c.branch) in wanted] if {
	count(branches) > 0
	wanted := {identity.norm(b) | some b in branches}
}
