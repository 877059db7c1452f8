package controls.sod.sod_003

# No one holds both a privileged administrator role and the access approver role.
# Reads input.access_grants (and input.identities, when present, to skip
# disabled accounts and name people). Roles are matched case-insensitively by
# name ("AdministratorAccess") or by "<system>:<role>" ("okta:Super Administrator").
# The check is per person, across all their accounts and systems.

import rego.v1

params := data.params["SOD-003"]

admin_roles := {norm(r) | some r in as_list(object.get(params, "admin_roles", [])); is_string(r)}

approver_roles := {norm(r) | some r in as_list(object.get(params, "approver_roles", [])); is_string(r)}

role_in(g, roles) if norm(str(object.get(g, "role", ""))) in roles

role_in(g, roles) if norm(concat(":", [str(object.get(g, "system", "")), str(object.get(g, "role", ""))])) in roles

label(g) := sprintf("%s on %s (grant %s)", [str(object.get(g, "role", "")), str(object.get(g, "system", "")), str(object.get(g, "id", ""))])

admin_pairs contains [grant_person(g), label(g)] if {
	some g in active_grants
	role_in(g, admin_roles)
}

approver_pairs contains [grant_person(g), label(g)] if {
	some g in active_grants
	role_in(g, approver_roles)
}

conflicted := {p | some [p, _] in admin_pairs} & {p | some [p, _] in approver_pairs}

violations contains {
	"resource": person,
	"message": sprintf("%s (%s) holds the administrator role %s and the access approver role %s, so they could approve their own privileged access; remove one of the roles or move approval to someone else.", [display_name(person), person, concat(", ", sort(admin)), concat(", ", sort(approver))]),
} if {
	some person in conflicted
	admin := {l | some [p, l] in admin_pairs; p == person}
	approver := {l | some [p, l] in approver_pairs; p == person}
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
