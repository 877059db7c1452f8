package controls.ai.ai_005

# Each model has a named accountable owner.
# Reads input.models. A model in scope (stage in params.stages) is at fault
# when it has no owner, the owner has no name or no valid email, the email is
# outside the allowed domains, or its local part matches a shared or team
# mailbox pattern.

import rego.v1

params := data.params["AI-005"]

models_in_scope contains m if {
	some m in input.models
	object.get(m, "stage", null) in {s | some s in params.stages}
}

label(m) := sprintf("%s %s (%s)", [m.name, m.version, m.id]) if {
	is_string(object.get(m, "name", null))
	is_string(object.get(m, "version", null))
} else := m.id

owner(m) := o if {
	o := object.get(m, "owner", null)
	is_object(o)
}

filled(obj, field) if {
	v := object.get(obj, field, null)
	is_string(v)
	trim_space(v) != ""
}

email(m) := lower(trim_space(owner(m).email)) if filled(owner(m), "email")

valid_email(e) if regex.match(`^[^@\s]+@[^@\s]+\.[^@\s]+$`, e)

local_part(e) := substring(e, 0, indexof(e, "@"))

domain(e) := substring(e, indexof(e, "@") + 1, -1)

shared_mailbox(e) if {
	some pattern in params.disallowed_local_parts
	regex.match(pattern, local_part(e))
}

violations contains {
	"resource": m.id,
	"message": sprintf("Model %s is in %s with no accountable owner recorded; record a named individual as owner in the model registry.", [label(m), m.stage]),
} if {
	some m in models_in_scope
	not owner(m)
}

violations contains {
	"resource": m.id,
	"message": sprintf("The owner of model %s has no email address recorded; record the accountable individual's work email.", [label(m)]),
} if {
	some m in models_in_scope
	owner(m)
	not email(m)
}

violations contains {
	"resource": m.id,
	"message": sprintf("The owner of model %s has no name recorded; record the name of the accountable individual.", [label(m)]),
} if {
	some m in models_in_scope
	o := owner(m)
	not filled(o, "name")
}

violations contains {
	"resource": m.id,
	"message": sprintf("The owner email %s of model %s is not a valid email address; record the accountable individual's work email.", [e, label(m)]),
} if {
	some m in models_in_scope
	e := email(m)
	not valid_email(e)
}

violations contains {
	"resource": m.id,
	"message": sprintf("The owner email %s of model %s is outside the organisation's domains (%s); record an accountable employee, not a vendor or personal address.", [e, label(m), concat(", ", params.allowed_domains)]),
} if {
	some m in models_in_scope
	e := email(m)
	valid_email(e)
	count(params.allowed_domains) > 0
	not domain(e) in {lower(d) | some d in params.allowed_domains}
}

violations contains {
	"resource": m.id,
	"message": sprintf("Model %s is owned by %s, a shared or team mailbox; record a named individual who is accountable for the model.", [label(m), e]),
} if {
	some m in models_in_scope
	e := email(m)
	valid_email(e)
	shared_mailbox(e)
}

# in_scope: the resource ids of every item this control judged (the evaluator counts them).
in_scope contains m.id if some m in models_in_scope
