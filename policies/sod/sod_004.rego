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

# ---- Identity resolution (the same block in every SOD policy) --------------
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

email_pairs contains [norm(raw), i.person] if {
	some i in identities
	is_string(object.get(i, "person", null))
	some raw in as_list(object.get(i, "emails", []))
	is_string(raw)
}

email_person := {e: min({p | some q in email_pairs; q[0] == e; p := q[1]}) | some [e, _] in email_pairs}

login_pairs contains [norm(login), i.person] if {
	some i in identities
	is_string(object.get(i, "person", null))
	login := object.get(i, "username", null)
	is_string(login)
}

login_person := {l: min({p | some q in login_pairs; q[0] == l; p := q[1]}) | some [l, _] in login_pairs}

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

disabled_identity(g) if {
	some i in identities
	i.id == object.get(g, "identity", null)
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
