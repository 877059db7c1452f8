# METADATA
# title: Data subject requests are answered within the statutory deadline
# description: >-
#   Reads input.dsar_requests. The clock starts at received_at (or verified_at when
#   clock_starts_at_verification is true and identity was verified later). The
#   deadline is response_days, or extended_response_days when the request records an
#   extension reason and the requester was notified of the extension within
#   response_days. A request is at fault when it was answered after its deadline, is
#   still unanswered past its deadline, or is marked completed or rejected with no
#   response date.
package controls.privacy.priv_004

import rego.v1

import data.lib.text
import data.lib.time

params := data.params["PRIV-004"]

now_ns := time.parse(data.audit.as_of)

clock_start(r) := max({time.parse(r.received_at), time.parse(r.verified_at)}) if {
	params.clock_starts_at_verification
	r.verified_at != null
}

clock_start(r) := time.parse(r.received_at) if {
	not params.clock_starts_at_verification
}

clock_start(r) := time.parse(r.received_at) if r.verified_at == null

properly_extended(r, start) if {
	text.filled(r.extension_reason)
	time.ns(object.get(r, "extension_notified_at", null)) <= start + time.days(params.response_days)
}

allowed_days(r, start) := params.extended_response_days if properly_extended(r, start)

allowed_days(r, start) := params.response_days if not properly_extended(r, start)

# Facts per request, computed once: [request, clock start, days allowed, deadline, note for messages].
requests := [[r, start, days, start + time.days(days), extension_note(r, start)] |
	some r in input.dsar_requests
	start := clock_start(r)
	days := allowed_days(r, start)
]

default extension_note(_, _) := ""

extension_note(r, start) := concat("", [
	" (its extension is not valid: no reason was recorded",
	" or the requester was not told within the first month)",
]) if {
	r.status == "extended"
	not properly_extended(r, start)
}

violations contains {
	"resource": r.id,
	"message": sprintf(
		concat("", [
			"Data subject %s request %s was answered %v days after the clock started, beyond the %v days allowed%s; ",
			"review why it was late and tell the requester.",
		]),
		[r.type, r.id, time.age_days(start, done), days, note],
	),
} if {
	some [r, start, days, deadline, note] in requests
	done := time.ns(r.completed_at)
	done > deadline
}

violations contains {
	"resource": r.id,
	"message": sprintf(
		concat("", [
			"Data subject %s request %s received %s is unanswered %v days after the clock started, beyond the %v ",
			"days allowed%s; respond now and tell the requester why it is late.",
		]),
		[r.type, r.id, r.received_at, time.age_days(start, now_ns), days, note],
	),
} if {
	some [r, start, days, deadline, note] in requests
	r.completed_at == null
	not r.status in {"completed", "rejected"}
	now_ns > deadline
}

violations contains {
	"resource": r.id,
	"message": sprintf(
		concat("", [
			"Data subject %s request %s is marked %s but has no completed_at date, so it cannot be shown to have ",
			"been answered on time; record when the response was sent.",
		]),
		[r.type, r.id, r.status],
	),
} if {
	some r in input.dsar_requests
	r.completed_at == null
	r.status in {"completed", "rejected"}
}

in_scope := {r.id | some r in input.dsar_requests}
