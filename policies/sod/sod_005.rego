# METADATA
# title: Changes are never approved by their author under another identity
# description: >-
#   Reads input.changes and, when present, identities. On the protected
#   branches (all branches when protected_branches is empty), no approval of a
#   change may come from one of its authors: not from the same address, and not
#   from another account or address of the same person (lib.identity). Such an
#   approval is reported even when the change also has independent approvals,
#   because it shows a review control being worked around.
package controls.sod.sod_005

import rego.v1

import data.lib.changes
import data.lib.identity

params := data.params["SOD-005"]


protected := changes.on_branches(input.changes, params.protected_branches)

in_scope := {c.id | some c in protected}

# the changes with approvals (most carry none: their authors are never looked at)
approved := [c | some c in protected; count(c.approvals) > 0]

# [email, login] -> person key, resolved once for every author and approver of an approved change
names := identity.persons(identity.index_for(object.get(input, "identities", []), named), named)

named := changes.named(approved)

author_addresses(c) := {e | e := identity.field(c.author, "email")} | {e |
	some m in object.get(c, "merged_commits", [])
	e := identity.field(m.author, "email")
}

where(c) := sprintf("Change %s (%s) on %s of %s", [changes.short(c.id), c.message_summary, c.branch, c.repository])

violations contains {"resource": c.id, "message": message(c, a, p)} if {
	some c in approved
	authors := changes.authors(names, c)
	some a in c.approvals
	p := names[changes.approval_pair(a)]
	p in authors
}

message(c, a, _) := sprintf(
	"%s was approved by its own author %s; remove the approval and get a review from someone else.",
	[where(c), identity.field(a, "email")],
) if {
	identity.field(a, "email") in author_addresses(c)
}

message(c, a, person) := sprintf(
	concat("", [
		"%s was approved by %s, another identity of its author %s (%s), which is self-approval; remove the approval, ",
		"get an independent review, and check why the author holds a second approving account.",
	]),
	[where(c), approval_label(a), author_label(c), person],
) if {
	not identity.field(a, "email") in author_addresses(c)
}

approval_label(a) := identity.field(a, "email")

approval_label(a) := identity.field(a, "login") if not identity.field(a, "email")

default author_label(_) := "an unrecorded author"

author_label(c) := identity.field(c.author, "email")
