package controls.sod.sod_005

# Changes are not approved by their author under any identity.
# Reads input.changes and input.identities. On the protected branches (all
# branches when protected_branches is empty), no approval of a change may come
# from one of its authors: not from the same address, and not from another
# account or email of the same person. Such an approval is reported even when
# the change also has independent approvals, because it shows a review control
# being worked around.

import rego.v1

params := data.params["SOD-005"]

branches := {norm(b) | some b in as_list(object.get(params, "protected_branches", [])); is_string(b)}

in_scope(c) if count(branches) == 0

in_scope(c) if norm(str(object.get(c, "branch", ""))) in branches

author_addresses(c) := {e | e := who_field(object.get(c, "author", null), "email")} | {e |
	some m in as_list(object.get(c, "merged_commits", []))
	e := who_field(object.get(m, "author", null), "email")
}

where(c) := sprintf("Change %s (%s) on %s of %s", [short(str(object.get(c, "id", ""))), str(object.get(c, "message_summary", "")), str(object.get(c, "branch", "")), str(object.get(c, "repository", ""))])

violations contains {"resource": c.id, "message": message(c, a, p)} if {
	some c in input.changes
	in_scope(c)
	authors := content_authors(c)
	some a in as_list(object.get(c, "approvals", []))
	p := person_of(a)
	p in authors
}

message(c, a, person) := sprintf(
	"%s was approved by its own author %s; remove the approval and get a review from someone else.",
	[where(c), who_field(a, "email")],
) if {
	who_field(a, "email") in author_addresses(c)
} else := sprintf(
	"%s was approved by %s, another identity of its author %s (person %s), which is self-approval; remove the approval, get an independent review, and check why the author holds a second approving account.",
	[where(c), approval_label(a), author_email(c), person],
)

approval_label(a) := who_field(a, "email") if who_field(a, "email")

else := who_field(a, "login")

# ---- Identity resolution (the same block in every SOD policy that matches people by address)
# One human may hold several accounts and email addresses. Every email, login
# or person reference is resolved to a person id through input.identities
# (an email or login claimed by several people resolves to the lowest person
# id, deterministically). Unknown addresses stay distinct "email:..." or
# "login:..." keys, so a person is never merged with a stranger.

identities := object.get(input, "identities", [])

norm(s) := lower(trim_space(s))

as_list(x) := x if is_array(x)

else := []

str(x) := x if is_string(x)

else := ""

# Sorted [address, person] pairs; the first pair of each address gives its
# person (the lowest id when several claim it). Sorting keeps this linear.
email_pairs := sort([[norm(raw), i.person] |
	some i in identities
	is_string(object.get(i, "person", null))
	some raw in as_list(object.get(i, "emails", []))
	is_string(raw)
])

email_person := {pair[0]: pair[1] | some k, pair in email_pairs; first_of_key(email_pairs, k)}

login_pairs := sort([[norm(login), i.person] |
	some i in identities
	is_string(object.get(i, "person", null))
	login := object.get(i, "username", null)
	is_string(login)
])

login_person := {pair[0]: pair[1] | some k, pair in login_pairs; first_of_key(login_pairs, k)}

first_of_key(pairs, k) if k == 0

first_of_key(pairs, k) if {
	k > 0
	pairs[k - 1][0] != pairs[k][0]
}

who_field(who, field) := v if {
	is_object(who)
	raw := object.get(who, field, null)
	is_string(raw)
	v := norm(raw)
	v != ""
}

# person_of(who): who is an object with email and/or login (a commit author,
# an approval, a deployment actor). Undefined when neither is recorded.
person_of(who) := p if {
	p := email_person[who_field(who, "email")]
} else := p if {
	p := login_person[who_field(who, "login")]
} else := p if {
	p := concat(":", ["email", who_field(who, "email")])
} else := p if {
	p := concat(":", ["login", who_field(who, "login")])
}

person_of_email(e) := person_of({"email": e}) if is_string(e)

# ---- Change authorship ------------------------------------------------------
# The people who wrote a change: for a merge commit with its merged commits
# listed, the authors of those commits (the merger is not an author); for other
# commits the author (or the collector-resolved author person) plus the authors
# of any squashed commits.

content_authors(c) := merged_authors(c) if {
	object.get(c, "is_merge", false) == true
	count(merged_authors(c)) > 0
} else := {p | p := own_author(c)} | merged_authors(c)

merged_authors(c) := {p |
	some m in as_list(object.get(c, "merged_commits", []))
	is_object(m)
	p := person_of(object.get(m, "author", null))
}

own_author(c) := p if {
	identity := object.get(c, "identity", {})
	is_object(identity)
	p := object.get(identity, "author_person", null)
	is_string(p)
	p != ""
} else := person_of(object.get(c, "author", null))

short(sha) := substring(sha, 0, 7) if {
	is_string(sha)
	count(sha) > 7
} else := sha

author_email(c) := who_field(object.get(c, "author", null), "email") if {
	who_field(object.get(c, "author", null), "email")
} else := "an unrecorded author"
