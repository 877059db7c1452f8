# METADATA
# title: SM-003 Failed changes get a post-implementation review
# description: >-
#   Reads input.change_requests. Every change whose outcome is one of
#   failed_outcomes must have a post-implementation review completed within
#   review_within_days of the end of implementation (its start when no end is
#   recorded). A failed change still inside its deadline and not yet reviewed is
#   not judged.
package controls.sm.sm_003

import rego.v1

import data.lib.text
import data.lib.time

params := data.params["SM-003"]

now := time.ns(data.audit.as_of)

limit := time.days(params.review_within_days)

failed_outcomes := {o | some o in params.failed_outcomes}

failed contains c if {
	some c in input.change_requests
	c.outcome in failed_outcomes
	is_string(c.actual_start)
}

finished := {c.id: t | some c in failed; t := end_of(c)}

end_of(c) := c.actual_end if is_string(c.actual_end)

end_of(c) := c.actual_start if not is_string(c.actual_end)

reviewed_at := {c.id: t | some c in failed; t := review_time(c)}

default review_time(_) := null

review_time(c) := c.review.completed_at if is_object(c.review)

in_scope contains c.id if {
	some c in failed
	time.judgeable(finished[c.id], reviewed_at[c.id], limit, now)
}

violations contains {
	"resource": c.id,
	"message": sprintf(
		concat("", [
			"Change %s (%s) ended %s at %s and has no completed post-implementation review after more than %d days; ",
			"review what went wrong and record the lessons.",
		]),
		[c.id, service(c), c.outcome, finished[c.id], params.review_within_days],
	),
} if {
	some c in failed
	not is_string(reviewed_at[c.id])
	time.overdue(finished[c.id], reviewed_at[c.id], limit, now)
}

violations contains {
	"resource": c.id,
	"message": sprintf(
		concat("", [
			"Change %s (%s) ended %s at %s; its post-implementation review was completed at %s, later than the %d ",
			"days allowed.",
		]),
		[c.id, service(c), c.outcome, finished[c.id], reviewed_at[c.id], params.review_within_days],
	),
} if {
	some c in failed
	is_string(reviewed_at[c.id])
	time.overdue(finished[c.id], reviewed_at[c.id], limit, now)
}

service(c) := text.or_default(c.service, "no service recorded")
