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

import data.lib.identity
import data.lib.text

# METADATA
# title: index
# description: >-
#   {"unique": {sha: change}, "duplicates": {sha}, "at": {"repo#branch#seq": sha}}
#   for changes items (a commit collected from two branches has two records).
index(changes) := {
	"unique": {c.id: c | some c in changes; not c.id in dups},
	"duplicates": dups,
	"at": {position_key(c.repository, c.branch, c.sequence): c.id |
		some c in changes
		is_number(object.get(c, "sequence", null))
	},
} if {
	ids := sort([c.id | some c in changes])
	previous := array.concat([null], ids)
	dups := {id | some k, id in ids; previous[k] == id}
}

position_key(repository, branch, sequence) := sprintf("%s#%s#%d", [repository, branch, sequence])

# METADATA
# title: records
# description: Every change record of a commit in the index; empty when it was not collected.
default records(_, _, _) := []

records(idx, _, sha) := [idx.unique[sha]]

records(idx, changes, sha) := [c | some c in changes; c.id == sha] if sha in idx.duplicates

# METADATA
# title: production
# description: Deployments to one of envs (lower-cased names) that reached it (status success or unknown).
production(deployments, envs) := [d |
	some d in deployments
	identity.norm(d.environment) in envs
	d.status in {"success", "unknown"}
]

# METADATA
# title: previous_commits
# description: >-
#   Deployment id -> the commit the previous deployment of the same service (by
#   started_at) shipped, or the deployment's own previous_commit when recorded.
previous_commits(prod) := object.union(derived, recorded) if {
	rows := sort([[d.service, d.started_at, d.id, lower(d.commit)] | some d in prod])
	before := array.concat([null], rows)
	derived := {row[2]: before[k][3] | some k, row in rows; before[k] != null; before[k][0] == row[0]}
	recorded := {d.id: lower(p) | some d in prod; p := object.get(d, "previous_commit", null); is_string(p)}
}

# METADATA
# title: shipped
# description: >-
#   Deployment id -> the commits it shipped, oldest first: the first-parent range
#   (previous, deployed] when both commits are collected with a sequence on the
#   same repository and branch and the deployed one is newer, else the deployed
#   commit alone. A position missing from the evidence is reported as
#   "missing:<repo#branch#seq>".
shipped(prod, idx, changes) := {d.id: range(idx, changes, d, previous) | some d in prod} if {
	previous := previous_commits(prod)
}

range(idx, changes, d, previous) := commits if {
	s := min(spans(idx, changes, d, previous))
	commits := [object.get(idx.at, key, concat("", ["missing:", key])) |
		some n in numbers.range(s[2] + 1, s[3])
		key := position_key(s[0], s[1], n)
	]
}

range(idx, changes, d, previous) := [lower(d.commit)] if count(spans(idx, changes, d, previous)) == 0

# [repository, branch, previous sequence, deployed sequence] for each branch both commits are on.
spans(idx, changes, d, previous) := {[c.repository, c.branch, p.sequence, c.sequence] |
	some c in records(idx, changes, lower(d.commit))
	is_number(object.get(c, "sequence", null))
	some p in records(idx, changes, object.get(previous, d.id, ""))
	is_number(object.get(p, "sequence", null))
	p.repository == c.repository
	p.branch == c.branch
	p.sequence < c.sequence
}

# METADATA
# title: authors
# description: >-
#   The person keys of the people who wrote a change: for a merge with its merged
#   commits listed, their authors (the merger is not an author); otherwise the
#   collector's author key (or the author's address) plus any merged commits' authors.
authors(people, c) := authors_of(c, merged_authors(people, c), own_author(people, c))

# A merge listing its merged commits: their authors only; otherwise the own author too.
authors_of(c, merged, _) := merged if {
	c.is_merge
	count(merged) > 0
}

authors_of(c, merged, own) := merged | own if not c.is_merge

authors_of(_, merged, own) := merged | own if count(merged) == 0

merged_authors(people, c) := {p |
	some m in object.get(c, "merged_commits", [])
	p := author_key(people, m)
}

# A merged commit's author: the collector's key when recorded, else its address.
author_key(people, m) := identity.resolve(people, m.person) if is_string(object.get(m, "person", null))

author_key(people, m) := identity.person_of(people, m.author) if not is_string(object.get(m, "person", null))

own_author(people, c) := {p | p := own_key(people, c)}

own_key(people, c) := identity.resolve(people, collector_key(c))

own_key(people, c) := identity.person_of(people, c.author) if not collector_key(c)

# The collector's person key for the change's author, when it wrote one.
collector_key(c) := k if {
	k := object.get(object.get(c, "identity", {}), "author_person", null)
	is_string(k)
	k != ""
}

# METADATA
# title: unattributed
# description: The change, or one of its merged commits, has no recorded author.
unattributed(people, c) if count(authors(people, c)) == 0

unattributed(people, c) if {
	some m in object.get(c, "merged_commits", [])
	not author_key(people, m)
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
# title: history_gaps
# description: >-
#   [deployment, position] for every hole in the recorded history that a deployment's
#   shipped range (from shipped) crosses: the "missing:<repository>#<branch>#<n>" entries.
history_gaps(prod, shipped) := [[d, trim_prefix(sha, "missing:")] |
	some d in prod
	some sha in shipped[d.id]
	startswith(sha, "missing:")
]

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

# METADATA
# title: unrecorded
# description: >-
#   [deployment, commit] for every commit a deployment shipped (from shipped) that has no
#   entry in facts (the control's per-commit facts keyed by commit id), holes in the history aside.
unrecorded(prod, shipped, facts) := [[d, sha] |
	some d in prod
	some sha in shipped[d.id]
	not startswith(sha, "missing:")
	not facts[sha]
]
