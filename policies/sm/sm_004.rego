# METADATA
# title: SM-004 P1 and P2 incidents are resolved within their SLA
# description: >-
#   Reads input.incidents. Every incident whose priority is in priorities must
#   have a resolution SLA (sla_minutes) and be resolved within it, measured from
#   detection. An unresolved incident is at fault once its SLA has passed at the
#   evaluation instant; before then it is not judged.
package controls.sm.sm_004

import rego.v1

import data.lib.text
import data.lib.time

params := data.params["SM-004"]

now := time.ns(data.audit.as_of)

priorities := {p | some p in params.priorities}

urgent contains i if {
	some i in input.incidents
	i.priority in priorities
}

in_scope contains i.id if {
	some i in urgent
	i.sla_minutes == null
}

in_scope contains i.id if {
	some i in urgent
	is_number(i.sla_minutes)
	time.judgeable(i.detected_at, i.resolved_at, time.minutes(i.sla_minutes), now)
}

violations contains {
	"resource": i.id,
	"message": sprintf(
		"%s incident %s (%s) has no resolution SLA target; set one for every %s incident.",
		[i.priority, i.id, service(i), i.priority],
	),
} if {
	some i in urgent
	i.sla_minutes == null
}

violations contains {
	"resource": i.id,
	"message": sprintf(
		concat("", [
			"%s incident %s (%s) detected at %s is still unresolved, past its %d-minute SLA; escalate and restore the ",
			"service.",
		]),
		[i.priority, i.id, service(i), i.detected_at, i.sla_minutes],
	),
} if {
	some i in urgent
	is_number(i.sla_minutes)
	i.resolved_at == null
	time.overdue(i.detected_at, null, time.minutes(i.sla_minutes), now)
}

violations contains {
	"resource": i.id,
	"message": sprintf(
		"%s incident %s (%s) took %v hours to resolve (detected %s, resolved %s), beyond its %d-minute SLA.",
		[
			i.priority, i.id, service(i), time.hours_between(i.detected_at, i.resolved_at), i.detected_at,
			i.resolved_at, i.sla_minutes,
		],
	),
} if {
	some i in urgent
	is_number(i.sla_minutes)
	is_string(i.resolved_at)
	not time.within(i.detected_at, i.resolved_at, time.minutes(i.sla_minutes))
}

service(i) := text.or_default(i.service, "no service recorded")
