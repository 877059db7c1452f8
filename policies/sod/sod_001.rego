package controls.sod.sod_001

# Production changes are approved by someone other than their author.
# Reads input.deployments, input.changes and input.identities. For every
# deployment to a production environment that reached it (status success or
# unknown), the deployed commit must have approvals from at least
# min_independent_approvals people who are not among its authors. People are
# compared as persons, not addresses: an approval from the author's second
# account or email is not independent. An approval recorded as given after the
# deployment started does not count (the change shipped unapproved). A change
# whose author (or one of whose merged commits' authors) is not recorded is at
# fault: the independence of its approvals cannot be shown.

import rego.v1

params := data.params["SOD-001"]

prod_envs := {norm(e) | some e in as_list(object.get(params, "production_environments", ["production"])); is_string(e)}

prod_deployments contains d if {
	some d in input.deployments
	norm(str(object.get(d, "environment", ""))) in prod_envs
	object.get(d, "status", "unknown") in {"success", "unknown"}
}

commit_of(d) := norm(str(object.get(d, "commit", "")))

approval_emails(recs) := concat(", ", sort({e |
	some c in recs
	some a in as_list(object.get(c, "approvals", []))
	e := who_field(a, "email")
}))

where(d) := sprintf("Deployment %s of %s to %s", [d.id, str(object.get(d, "service", "")), str(object.get(d, "environment", ""))])

violations contains {
	"resource": d.id,
	"message": sprintf("%s shipped commit %s, which has no change record in the evidence; collect the history of its repository or investigate how the commit reached production without review.", [where(d), short(commit_of(d))]),
} if {
	some d in prod_deployments
	count(records(commit_of(d))) == 0
}

violations contains {
	"resource": d.id,
	"message": sprintf("%s shipped commit %s, whose change record has no recorded author (author email missing for the commit or one of its merged commits), so its approvals cannot be shown to be independent; collect the commit with its author, or map the author in the identity evidence.", [where(d), short(commit_of(d))]),
} if {
	some d in prod_deployments
	recs := records(commit_of(d))
	some c in recs
	unattributed(c)
}

violations contains {"resource": d.id, "message": message(d, recs, approvers, independent)} if {
	some d in prod_deployments
	recs := records(commit_of(d))
	count(recs) > 0
	not unattributed_records(recs)
	authors := union({content_authors(c) | some c in recs})
	approvers := {p | some c in recs; some a in as_list(object.get(c, "approvals", [])); not approved_after(a, d); p := person_of(a)}
	independent := approvers - authors
	count(independent) < object.get(params, "min_independent_approvals", 1)
}

unattributed_records(recs) if {
	some c in recs
	unattributed(c)
}

# No author could be resolved for the change, or for one of its merged commits.
unattributed(c) if count(content_authors(c)) == 0

unattributed(c) if {
	some m in as_list(object.get(c, "merged_commits", []))
	not person_of(object.get(m, "author", null))
}

ts(s) := time.parse_rfc3339_ns(s) if is_string(s)

# The approval records a time after the deployment started.
approved_after(a, d) if ts(object.get(a, "at", null)) > ts(object.get(d, "started_at", null))

late_approvals(recs, d) := {e |
	some c in recs
	some a in as_list(object.get(c, "approvals", []))
	approved_after(a, d)
	e := who_field(a, "email")
}

message(d, recs, approvers, independent) := sprintf(
	"%s shipped commit %s by %s before any approval: it was approved only after it was deployed (by %s); stop deploying unapproved commits and have the change reviewed retrospectively.",
	[where(d), short(commit_of(d)), author_email(recs[0]), concat(", ", sort(late_approvals(recs, d)))],
) if {
	count(approvers) == 0
	count(late_approvals(recs, d)) > 0
} else := sprintf(
	"%s shipped commit %s by %s with no recorded approval; require an approving review from someone other than the author before production deployment.",
	[where(d), short(commit_of(d)), author_email(recs[0])],
) if {
	count(approvers) == 0
} else := sprintf(
	"%s shipped commit %s, which was approved only by its author %s (approvals recorded from %s, all resolving to the author); get an independent review and re-deploy, and check how the author approved their own change.",
	[where(d), short(commit_of(d)), author_email(recs[0]), approval_emails(recs)],
) if {
	count(independent) == 0
} else := sprintf(
	"%s shipped commit %s with %d independent approval(s), fewer than the %d required; get further reviews from people other than the author.",
	[where(d), short(commit_of(d)), count(independent), object.get(params, "min_independent_approvals", 1)],
)

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

# ---- Change lookup ------------------------------------------------------------
# Changes indexed by commit id. A commit collected more than once (e.g. from two
# branches) keeps all its records; the sort keeps the index linear.

change_keys := sort([norm(str(object.get(c, "id", ""))) | some c in input.changes])

duplicate_ids := {id | some k, id in change_keys; k > 0; change_keys[k - 1] == id}

unique_changes := {id: c |
	some c in input.changes
	id := norm(str(object.get(c, "id", "")))
	not id in duplicate_ids
}

# records(sha): every change record of the commit; empty when not collected.
records(sha) := [c] if {
	c := unique_changes[sha]
} else := [c | some c in input.changes; norm(str(object.get(c, "id", ""))) == sha] if {
	sha in duplicate_ids
} else := []

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
