# METADATA
# title: SM-008 No non-emergency deployment to a service whose error budget is exhausted
# description: >-
#   Reads input.deployments and input.slo_reports, and optionally
#   input.change_requests. A deployment to a production environment that
#   reached it (status success or unknown), started inside an SLO report's
#   window at or after the instant that SLO's error budget was exhausted, is at
#   fault unless an emergency change request lists it. Judged: production
#   deployments of services that have an SLO report whose window covers them.
package controls.sm.sm_008

import rego.v1

import data.lib.groups
import data.lib.time as t

params := data.params["SM-008"]

prod_envs := {lower(e) | some e in params.production_environments}

# Windows per service, grouped once: [start_ns, end_ns, exhausted_ns or null, report id, exhausted_at].
windows := groups.by(sort([[r.service, w] |
	some r in input.slo_reports
	w := [t.ns(r.window_start), t.ns(r.window_end), exhausted_ns(r), r.id, r.error_budget_exhausted_at]
]))

default exhausted_ns(_) := null

exhausted_ns(r) := t.ns(r.error_budget_exhausted_at) if is_string(r.error_budget_exhausted_at)

emergency_deployments := {id |
	some c in object.get(input, "change_requests", [])
	c.type == "emergency"
	some id in object.get(c, "deployments", [])
}

# [deployment, started_ns, window] for each production deployment that reached its environment (status success
# or unknown) of a reporting service, and each window of that service ending at or after it started: one pass
# over the deployments, each distinct environment lower-cased once, one parse per deployment kept
candidates := [[d, started, w] |
	reached := {e | some e in {x.environment | some x in input.deployments}; lower(e) in prod_envs}
	ok := {"success", "unknown"}
	by_service := windows
	some d in input.deployments
	d.environment in reached
	d.status in ok
	ws := by_service[d.service]
	started := time.parse_rfc3339_ns(d.started_at)
	some w in ws
	started <= w[1]
]

in_scope := {d.id | some [d, started, w] in candidates; w[0] <= started}

violations contains {
	"resource": d.id,
	"message": sprintf(
		concat("", [
			"Deployment %s of %s to %s at %s was not an emergency change, yet the error budget of SLO report %s was ",
			"exhausted at %s; freeze non-emergency changes until the budget recovers, or record the emergency change.",
		]),
		[d.id, d.service, d.environment, d.started_at, w[3], w[4]],
	),
} if {
	some [d, started, w] in candidates
	w[2] != null
	w[2] <= started
	not d.id in emergency_deployments
}
