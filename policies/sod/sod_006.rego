package controls.sod.sod_006

# Access reviews are not signed off by someone who holds the access reviewed.
# Reads input.access_reviews, input.access_grants and input.identities. A
# review completed within the last lookback_days is at fault when its reviewer,
# resolved to a person across all their accounts, held a grant in the reviewed
# scope ("<system>:<role>" or the whole "<system>") when signing off: granted at
# or before the sign-off and not expired by then. A grant that has expired
# since still counts (the reviewer held it when they certified it). Grants of
# identities now disabled are left out: the evidence does not say when they
# were disabled.

import rego.v1

params := data.params["SOD-006"]

recent_reviews contains r if {
	some r in input.access_reviews
	t := ts(object.get(r, "completed_at", null))
	t <= now_ns
	now_ns - t <= object.get(params, "lookback_days", 365) * day_ns
}

# One row per grant of an enabled identity (expired or not), computed once:
# person, the two scope keys that cover it, when it was granted and when it
# expires (null: never), and a label for messages.
grant_rows contains {
	"person": grant_person(g),
	"scopes": {norm(str(object.get(g, "system", ""))), norm(concat(":", [str(object.get(g, "system", "")), str(object.get(g, "role", ""))]))},
	"granted_ns": ts(object.get(g, "granted_at", null)),
	"expires_ns": expiry_ns(g),
	"label": sprintf("%s on %s", [str(object.get(g, "role", "")), str(object.get(g, "system", ""))]),
} if {
	some g in object.get(input, "access_grants", [])
	is_object(g)
	not disabled_identity(g)
}

expiry_ns(g) := ts(object.get(g, "expires_at", null)) if ts(object.get(g, "expires_at", null))

else := null

# held_at(row, t): the grant was in force at instant t.
held_at(row, t) if {
	row.granted_ns <= t
	row.expires_ns == null
}

held_at(row, t) if {
	row.granted_ns <= t
	row.expires_ns != null
	row.expires_ns > t
}

# [person, scope] for every scope a person holds an active grant in, so each
# review is matched by a lookup rather than a scan of every grant.
holdings contains [row.person, scope] if {
	some row in grant_rows
	some scope in row.scopes
}

violations contains {
	"resource": r.id,
	"message": sprintf("Access review %s of %s was signed off by %s, who held access in that scope (%s); have it re-performed by someone independent of the access, such as the system owner or the holder's manager.", [r.id, str(object.get(r, "scope", "")), str(object.get(r, "reviewer", "")), concat(", ", sort(held))]),
} if {
	some r in recent_reviews
	reviewer := person_of_email(object.get(r, "reviewer", null))
	scope := norm(str(object.get(r, "scope", "")))
	[reviewer, scope] in holdings
	completed := ts(object.get(r, "completed_at", null))
	held := {row.label |
		some row in grant_rows
		row.person == reviewer
		scope in row.scopes
		held_at(row, completed)
	}
	count(held) > 0
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

# ---- Access grants ------------------------------------------------------------
# A grant is active unless it has expired (expires_at at or before the audit
# instant) or belongs to an identity that is disabled in input.identities.

now_ns := time.parse_rfc3339_ns(data.audit.as_of)

day_ns := 86400000000000

ts(s) := time.parse_rfc3339_ns(s) if is_string(s)

active_grants contains g if {
	some g in object.get(input, "access_grants", [])
	is_object(g)
	not expired(g)
	not disabled_identity(g)
}

expired(g) if ts(object.get(g, "expires_at", null)) <= now_ns

disabled_identity(g) if object.get(g, "identity", null) in disabled_identity_ids

disabled_identity_ids := {i.id |
	some i in identities
	object.get(i, "disabled", false) == true
}

# The person holding a grant: as recorded on the grant, else through its identity.
grant_person(g) := p if {
	p := object.get(g, "person", null)
	is_string(p)
	p != ""
} else := min(ps) if {
	ps := {i.person | some i in identities; i.id == object.get(g, "identity", null); is_string(i.person)}
	count(ps) > 0
}

display_name(person) := min(names) if {
	names := {n | some i in identities; i.person == person; n := object.get(i, "display_name", null); is_string(n); n != ""}
	count(names) > 0
} else := person
