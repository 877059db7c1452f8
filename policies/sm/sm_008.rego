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

import data.lib.time

params := data.params["SM-008"]

prod_envs := {lower(e) | some e in params.production_environments}

prod_deployments contains d if {
	some d in input.deployments
	lower(d.environment) in prod_envs
	d.status in {"success", "unknown"}
}

# Windows per service, computed once: [start_ns, end_ns, exhausted_ns or null, report id, exhausted_at].
reporting_services := {r.service | some r in input.slo_reports}

windows := {s: ws |
	some s in reporting_services
	ws := [[time.ns(r.window_start), time.ns(r.window_end), exhausted_ns(r), r.id, r.error_budget_exhausted_at] |
		some r in input.slo_reports
		r.service == s
	]
}

default exhausted_ns(_) := null

exhausted_ns(r) := time.ns(r.error_budget_exhausted_at) if is_string(r.error_budget_exhausted_at)

emergency_deployments := {id |
	some c in object.get(input, "change_requests", [])
	c.type == "emergency"
	some id in object.get(c, "deployments", [])
}

started := {d.id: time.ns(d.started_at) | some d in prod_deployments}

in_scope contains d.id if {
	some d in prod_deployments
	some w in object.get(windows, d.service, [])
	w[0] <= started[d.id]
	started[d.id] <= w[1]
}

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
	some d in prod_deployments
	not d.id in emergency_deployments
	some w in object.get(windows, d.service, [])
	is_number(w[2])
	w[2] <= started[d.id]
	started[d.id] <= w[1]
}
