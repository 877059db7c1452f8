# METADATA
# title: Every change on a protected branch was approved by someone other than its authors
# description: >-
#   Reads input.changes and, when present, identities. Every change on a
#   protected branch (all branches when protected_branches is empty) needs
#   approvals from at least min_approvals people who are not among its authors,
#   compared as persons (lib.identity). A merge commit that lists the commits it
#   brought in is judged per merged commit: each needs independent approvals of
#   its own, from the approvals recorded on it (its review trailers) or on the
#   merge; the merger is not an author and not, by merging, an approver.
package controls.sod.sod_008

import rego.v1

import data.lib.changes
import data.lib.identity
import data.lib.text

params := data.params["SOD-008"]

min_approvals := params.min_approvals


protected := changes.on_branches(input.changes, params.protected_branches)

in_scope := {c.id | some c in protected}

# [email, login] -> person key, resolved once for every author and approver the protected changes name
names := identity.persons(identity.index_for(object.get(input, "identities", []), named), named)

named := changes.named(protected)

# What is judged, once: [change id, commit id, author keys, [[approver key, label]], author, change]
# (the author and the change are put into words only for a violation).
units := array.concat(
	[[c.id, c.id, changes.authors(names, c), approvals(c.approvals), c.author, c] |
		some c in protected
		not split_merge(c)
	],
	[[
		c.id, m.id, {a | a := changes.author_key(names, m)},
		approvals(array.concat(object.get(m, "approvals", []), c.approvals)), m.author, c,
	] |
		some c in protected
		split_merge(c)
		some m in c.merged_commits
	],
)

split_merge(c) if {
	c.is_merge
	count(object.get(c, "merged_commits", [])) > 0
}

approvals(list) := [[names[changes.approval_pair(a)], identity.field(a, "email")] | some a in list]

default author_label(_) := "an unrecorded author"

author_label(who) := identity.field(who, "email")


summary(c) := sprintf("Change %s (%s) on %s of %s", [text.short(c.id), c.message_summary, c.branch, c.repository])

# The commit judged, in words: the change itself, or a commit its merge brought in.
subject(u) := sprintf("%s by %s", [summary(u[5]), author_label(u[4])]) if u[0] == u[1]

subject(u) := sprintf(
	"%s brought in commit %s by %s",
	[summary(u[5]), changes.short(u[1]), author_label(u[4])],
) if u[0] != u[1]

violations contains {"resource": u[0], "message": sprintf(
	concat("", [
		"%s has no recorded author, so its approvals cannot be shown to be independent; ",
		"collect the commit with its author.",
	]),
	[subject(u)],
)} if {
	some u in units
	count(u[2]) == 0
}

violations contains {"resource": u[0], "message": message(u, independent)} if {
	some u in units
	count(u[2]) > 0
	independent := {a[0] | some a in u[3]; not a[0] in u[2]}
	count(independent) < min_approvals
}

message(u, _) := sprintf(
	"%s has no recorded approval; it needs %d approval(s) from people other than its author.",
	[subject(u), min_approvals],
) if count(u[3]) == 0

message(u, independent) := sprintf(
	concat("", [
		"%s was approved only by its author (%s: the same person), which does not count; it needs %d approval(s) ",
		"from people other than its author.",
	]),
	[subject(u), concat(", ", sort({a[1] | some a in u[3]})), min_approvals],
) if {
	count(u[3]) > 0
	count(independent) == 0
}

message(u, independent) := sprintf(
	"%s has %d independent approval(s) (%s), fewer than the %d required; approvals from its author (%s) do not count.",
	[
		subject(u), count(independent), concat(", ", sort({a[1] | some a in u[3]; not a[0] in u[2]})),
		min_approvals, own(u),
	],
) if {
	count(independent) > 0
}

default own(_) := "none"

own(u) := concat(", ", sort(s)) if {
	s := {a[1] | some a in u[3]; a[0] in u[2]}
	count(s) > 0
}
