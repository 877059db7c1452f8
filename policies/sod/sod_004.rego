package controls.sod.sod_004

# Privileged access is reviewed at least every max_days_since_review days.
# Reads input.access_grants and input.access_reviews. Every role with active
# privileged grants ("<system>:<role>") must be covered by an access review
# (scope "<system>:<role>" or the whole "<system>") completed within the last
# max_days_since_review days. A role whose privileged grants are all younger
# than that period is not yet due.

import rego.v1

params := data.params["SOD-004"]

max_age_ns := object.get(params, "max_days_since_review", 90) * day_ns

privileged_roles contains [str(object.get(g, "system", "")), str(object.get(g, "role", ""))] if {
	some g in active_grants
	object.get(g, "privileged", false) == true
}

holders(system, role) := {g |
	some g in active_grants
	object.get(g, "privileged", false) == true
	str(object.get(g, "system", "")) == system
	str(object.get(g, "role", "")) == role
}

due(system, role) if {
	some g in holders(system, role)
	ts(object.get(g, "granted_at", null)) < now_ns - max_age_ns
}

review_times(system, role) := {t |
	some r in object.get(input, "access_reviews", [])
	norm(str(object.get(r, "scope", ""))) in {norm(system), norm(concat(":", [system, role]))}
	t := ts(object.get(r, "completed_at", null))
	t <= now_ns
}

violations contains {
	"resource": concat(":", [system, role]),
	"message": sprintf("Privileged role %s on %s (%d active grant(s)) has never been reviewed; run an access review of it and recertify or remove each grant, then repeat every %d days.", [role, system, count(holders(system, role)), object.get(params, "max_days_since_review", 90)]),
} if {
	some [system, role] in privileged_roles
	due(system, role)
	count(review_times(system, role)) == 0
}

violations contains {
	"resource": concat(":", [system, role]),
	"message": sprintf("Privileged role %s on %s (%d active grant(s)) was last reviewed %d days ago, beyond the %d-day review cycle; run an access review of it now.", [role, system, count(holders(system, role)), floor((now_ns - latest) / day_ns), object.get(params, "max_days_since_review", 90)]),
} if {
	some [system, role] in privileged_roles
	due(system, role)
	times := review_times(system, role)
	count(times) > 0
	latest := max(times)
	now_ns - latest > max_age_ns
}

# ---- Helpers ----------------------------------------------------------------
# People are matched by the person id recorded on each grant (resolved through
# input.identities when the grant lacks one), so all accounts of one human count
# as one person.

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
