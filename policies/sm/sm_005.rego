# METADATA
# title: SM-005 Major incidents get a timely post-incident review whose actions close on time
# description: >-
#   Reads input.incidents. A major incident (declared major, or of a priority in
#   major_priorities) that has been resolved must have its post-incident review
#   completed within review_within_days of resolution; every action of the review
#   must have an owner and a due date and be closed by that date (an open action
#   whose due date has passed is at fault). Judged once resolved and the review is
#   due or done.
package controls.sm.sm_005

import rego.v1

import data.lib.text
import data.lib.time

params := data.params["SM-005"]

now := time.ns(data.audit.as_of)

limit := time.days(params.review_within_days)

major_priorities := {p | some p in params.major_priorities}

major contains i if {
	some i in input.incidents
	is_string(i.resolved_at)
	is_major(i)
}

is_major(i) if i.major == true

is_major(i) if i.priority in major_priorities

reviewed_at := {i.id: t | some i in major; t := review_time(i)}

default review_time(_) := null

review_time(i) := i.review.completed_at if is_object(i.review)

actions := {i.id: a | some i in major; a := review_actions(i)}

default review_actions(_) := []

review_actions(i) := i.review.actions if is_object(i.review)

in_scope contains i.id if {
	some i in major
	time.judgeable(i.resolved_at, reviewed_at[i.id], limit, now)
}

violations contains {
	"resource": i.id,
	"message": sprintf(
		concat("", [
			"Major incident %s (%s, %s) was resolved at %s and has no completed post-incident review after more than ",
			"%d days; hold the review and record its actions.",
		]),
		[i.id, i.priority, service(i), i.resolved_at, params.review_within_days],
	),
} if {
	some i in major
	not is_string(reviewed_at[i.id])
	time.overdue(i.resolved_at, null, limit, now)
}

violations contains {
	"resource": i.id,
	"message": sprintf(
		concat("", [
			"Major incident %s (%s, %s) was resolved at %s; its post-incident review was completed at %s, later than ",
			"the %d days allowed.",
		]),
		[i.id, i.priority, service(i), i.resolved_at, reviewed_at[i.id], params.review_within_days],
	),
} if {
	some i in major
	is_string(reviewed_at[i.id])
	time.overdue(i.resolved_at, reviewed_at[i.id], limit, now)
}

violations contains {
	"resource": i.id,
	"message": sprintf(
		concat("", [
			"Post-incident review action %s of major incident %s has no owner or no due date; give every action an ",
			"owner and a date.",
		]),
		[a.id, i.id],
	),
} if {
	some i in major
	some a in actions[i.id]
	not accountable(a)
}

violations contains {
	"resource": i.id,
	"message": sprintf(
		concat("", [
			"Post-incident review action %s of major incident %s was due %s and is %s; close it or agree a new date ",
			"with its owner.",
		]),
		[a.id, i.id, a.due_at, late_state(a)],
	),
} if {
	some i in major
	some a in actions[i.id]
	accountable(a)
	late(a)
}

accountable(a) if {
	is_object(a.owner)
	is_string(a.due_at)
}

# Closed after its due date, or still open with the due date passed.
late(a) if time.ns(a.closed_at) > time.ns(a.due_at)

late(a) if {
	a.closed_at == null
	time.ns(a.due_at) < now
}

default late_state(_) := "still open"

late_state(a) := sprintf("was closed late, at %s", [a.closed_at]) if is_string(a.closed_at)

service(i) := text.or_default(i.service, "no service recorded")
