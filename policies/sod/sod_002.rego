package controls.sod.sod_002

# The deployer of a production release is not its sole author.
# Reads input.deployments, input.changes and input.identities. A production
# deployment is at fault when the person who triggered it is the only author of
# the deployed commit, unless (allow_independent_deploy_approval) a different
# person, not an author, approved the deployment itself. A production
# deployment with no recorded actor is also at fault: independence cannot be
# shown. Commits missing from the evidence, or with no recorded author, are
# reported by SOD-001.

import rego.v1

params := data.params["SOD-002"]

prod_envs := {norm(e) | some e in as_list(object.get(params, "production_environments", ["production"])); is_string(e)}

prod_deployments contains d if {
	some d in input.deployments
	norm(str(object.get(d, "environment", ""))) in prod_envs
	object.get(d, "status", "unknown") in {"success", "unknown"}
}

commit_of(d) := norm(str(object.get(d, "commit", "")))

actor_person(d) := person_of(object.get(d, "actor", null))

actor_label(d) := who_field(object.get(d, "actor", null), "email") if {
	who_field(object.get(d, "actor", null), "email")
} else := who_field(object.get(d, "actor", null), "login")

independently_approved(d, authors, deployer) if {
	object.get(params, "allow_independent_deploy_approval", true) == true
	p := person_of(object.get(d, "approver", null))
	p != deployer
	not p in authors
}

where(d) := sprintf("Deployment %s of %s to %s", [d.id, str(object.get(d, "service", "")), str(object.get(d, "environment", ""))])

violations contains {
	"resource": d.id,
	"message": sprintf("%s has no recorded actor, so it cannot be shown that someone other than the author deployed it; record who triggers production deployments in the pipeline.", [where(d)]),
} if {
	some d in prod_deployments
	not actor_person(d)
}

violations contains {
	"resource": d.id,
	"message": sprintf("%s was triggered by %s, the sole author of commit %s, with no independent deployment approval; have another engineer deploy or approve it (e.g. a protected environment with required reviewers).", [where(d), actor_label(d), short(commit_of(d))]),
} if {
	some d in prod_deployments
	deployer := actor_person(d)
	recs := records(commit_of(d))
	count(recs) > 0
	authors := union({content_authors(c) | some c in recs})
	authors == {deployer}
	not independently_approved(d, authors, deployer)
}

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
