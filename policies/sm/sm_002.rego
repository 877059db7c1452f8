# METADATA
# title: SM-002 Emergency changes are reviewed after the fact within N hours
# description: >-
#   Reads input.change_requests. Every emergency change that was implemented
#   must have its retrospective review completed within review_within_hours of
#   the end of implementation (its start when no end is recorded). A change whose
#   deadline has not yet passed at the evaluation instant and that is not yet
#   reviewed is not judged.
package controls.sm.sm_002

import rego.v1

import data.lib.text
import data.lib.time

params := data.params["SM-002"]

now := time.ns(data.audit.as_of)

limit := time.hours(params.review_within_hours)

emergency contains c if {
	some c in input.change_requests
	c.type == "emergency"
	is_string(c.actual_start)
}

# When implementation finished: its recorded end, else its start.
finished := {c.id: t | some c in emergency; t := end_of(c)}

end_of(c) := c.actual_end if is_string(c.actual_end)

end_of(c) := c.actual_start if not is_string(c.actual_end)

reviewed_at := {c.id: t | some c in emergency; t := review_time(c)}

default review_time(_) := null

review_time(c) := c.review.completed_at if is_object(c.review)

in_scope contains c.id if {
	some c in emergency
	time.judgeable(finished[c.id], reviewed_at[c.id], limit, now)
}

violations contains {
	"resource": c.id,
	"message": sprintf(
		concat("", [
			"Emergency change %s (%s) finished at %s and has no completed retrospective review, more than %d hours ",
			"later; hold the review and record its outcome.",
		]),
		[c.id, service(c), finished[c.id], params.review_within_hours],
	),
} if {
	some c in emergency
	time.overdue(finished[c.id], reviewed_at[c.id], limit, now)
	not is_string(reviewed_at[c.id])
}

violations contains {
	"resource": c.id,
	"message": sprintf(
		concat("", [
			"Emergency change %s (%s) was reviewed %v hours after it finished (at %s), later than the %d hours ",
			"allowed; review emergency changes promptly.",
		]),
		[
			c.id, service(c), time.hours_between(finished[c.id], reviewed_at[c.id]), reviewed_at[c.id],
			params.review_within_hours,
		],
	),
} if {
	some c in emergency
	is_string(reviewed_at[c.id])
	time.overdue(finished[c.id], reviewed_at[c.id], limit, now)
}

service(c) := text.or_default(c.service, "no service recorded")
