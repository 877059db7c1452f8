# METADATA
# title: Each model has a named accountable owner
# description: >-
#   Reads input.models. A model in scope (stage in params.stages) is at fault when it
#   has no owner, the owner has no name or no valid email, the email is outside the
#   allowed domains, or its local part matches a shared or team mailbox pattern.
package controls.ai.ai_005

import rego.v1

import data.lib.models
import data.lib.text

params := data.params["AI-005"]

models_in_scope := models.in_stages(input.models, params.stages)

owned := [m | some m in models_in_scope; m.owner != null]

# [model, lower-cased owner email] of owned models that record an email.
emails := [[m, lower(trim_space(m.owner.email))] | some m in owned; text.filled(m.owner.email)]

valid_email(e) if regex.match(`^[^@\s]+@[^@\s]+\.[^@\s]+$`, e)

local_part(e) := substring(e, 0, indexof(e, "@"))

domain(e) := substring(e, indexof(e, "@") + 1, -1)

allowed_domains := {lower(d) | some d in params.allowed_domains}

shared_mailbox(e) if {
	some pattern in params.disallowed_local_parts
	regex.match(pattern, local_part(e))
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		concat("", [
			"Model %s is in %s with no accountable owner recorded; ",
			"record a named individual as owner in the model registry.",
		]),
		[models.label(m), m.stage],
	),
} if {
	some m in models_in_scope
	m.owner == null
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		"The owner of model %s has no email address recorded; record the accountable individual's work email.",
		[models.label(m)],
	),
} if {
	some m in owned
	not text.filled(m.owner.email)
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		"The owner of model %s has no name recorded; record the name of the accountable individual.",
		[models.label(m)],
	),
} if {
	some m in owned
	not text.filled(m.owner.name)
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		concat("", [
			"The owner email %s of model %s is not a valid email address; ",
			"record the accountable individual's work email.",
		]),
		[e, models.label(m)],
	),
} if {
	some [m, e] in emails
	not valid_email(e)
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		concat("", [
			"The owner email %s of model %s is outside the organisation's domains (%s); ",
			"record an accountable employee, not a vendor or personal address.",
		]),
		[e, models.label(m), concat(", ", params.allowed_domains)],
	),
} if {
	some [m, e] in emails
	valid_email(e)
	count(params.allowed_domains) > 0
	not domain(e) in allowed_domains
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		concat("", [
			"Model %s is owned by %s, a shared or team mailbox; ",
			"record a named individual who is accountable for the model.",
		]),
		[models.label(m), e],
	),
} if {
	some [m, e] in emails
	valid_email(e)
	shared_mailbox(e)
}

in_scope := {m.id | some m in models_in_scope}
