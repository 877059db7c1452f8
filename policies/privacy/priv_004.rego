package controls.privacy.priv_004

# Data subject requests are answered within the statutory deadline.
# Reads input.dsar_requests. The clock starts at received_at (or verified_at
# when clock_starts_at_verification is true and identity was verified later).
# The deadline is response_days, or extended_response_days when the request
# records an extension reason and the requester was notified of the extension
# within response_days. A request is at fault when it was answered after its
# deadline, is still unanswered past its deadline, or is marked completed or
# rejected with no response date.

import rego.v1

params := data.params["PRIV-004"]

now_ns := time.parse_rfc3339_ns(data.audit.as_of)

day_ns := 86400000000000

ts(r, field) := t if {
	v := object.get(r, field, null)
	is_string(v)
	t := time.parse_rfc3339_ns(v)
}

filled(r, field) if {
	v := object.get(r, field, null)
	is_string(v)
	trim_space(v) != ""
}

received(r) := ts(r, "received_at")

start(r) := max({received(r), ts(r, "verified_at")}) if {
	params.clock_starts_at_verification == true
	ts(r, "verified_at")
} else := received(r)

properly_extended(r) if {
	filled(r, "extension_reason")
	ts(r, "extension_notified_at") <= start(r) + (params.response_days * day_ns)
}

allowed_days(r) := params.extended_response_days if {
	properly_extended(r)
} else := params.response_days

deadline(r) := start(r) + (allowed_days(r) * day_ns)

days_between(a, b) := floor((b - a) / day_ns)

kind(r) := object.get(r, "type", "data subject")

note(r) := " (its extension is not valid: no reason was recorded or the requester was not told within the first month)" if {
	object.get(r, "status", null) == "extended"
	not properly_extended(r)
} else := ""

violations contains {
	"resource": r.id,
	"message": sprintf("Data subject %s request %s was answered %v days after the clock started, beyond the %v days allowed%s; review why it was late and tell the requester.", [kind(r), r.id, days_between(start(r), done), allowed_days(r), note(r)]),
} if {
	some r in input.dsar_requests
	done := ts(r, "completed_at")
	done > deadline(r)
}

violations contains {
	"resource": r.id,
	"message": sprintf("Data subject %s request %s received %s is unanswered %v days after the clock started, beyond the %v days allowed%s; respond now and tell the requester why it is late.", [kind(r), r.id, r.received_at, days_between(start(r), now_ns), allowed_days(r), note(r)]),
} if {
	some r in input.dsar_requests
	not ts(r, "completed_at")
	not object.get(r, "status", "open") in {"completed", "rejected"}
	now_ns > deadline(r)
}

violations contains {
	"resource": r.id,
	"message": sprintf("Data subject %s request %s is marked %s but has no completed_at date, so it cannot be shown to have been answered on time; record when the response was sent.", [kind(r), r.id, r.status]),
} if {
	some r in input.dsar_requests
	not ts(r, "completed_at")
	object.get(r, "status", "open") in {"completed", "rejected"}
}

violations contains {
	"resource": r.id,
	"message": sprintf("Data subject request %s has no valid received_at date, so its deadline cannot be checked; record when the request was received.", [r.id]),
} if {
	some r in input.dsar_requests
	not received(r)
}

# in_scope: the resource ids of every item this control judged (the evaluator counts them).
in_scope contains r.id if some r in input.dsar_requests
