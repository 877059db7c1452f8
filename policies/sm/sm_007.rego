# METADATA
# title: SM-007 SLO attainment meets its target over the window
# description: >-
#   Reads input.slo_reports. Every SLO report whose window has ended by the
#   evaluation instant must show an attainment at or above its target. A report
#   with no events (attainment null) is at fault: the SLO was not measured.
package controls.sm.sm_007

import rego.v1

import data.lib.time

now := time.ns(data.audit.as_of)

ended contains r if {
	some r in input.slo_reports
	time.ns(r.window_end) <= now
}

in_scope contains r.id if {
	some r in ended
}

violations contains {
	"resource": r.id,
	"message": sprintf(
		"SLO %s of %s has no measurements over %s (%s to %s); check the SLI query and its data source.",
		[r.slo, r.service, r.window, r.window_start, r.window_end],
	),
} if {
	some r in ended
	r.attainment == null
}

violations contains {
	"resource": r.id,
	"message": sprintf(
		concat("", [
			"SLO %s of %s attained %s%% over %s to %s, below its %s%% target (error budget remaining %s%%); apply the ",
			"error-budget policy.",
		]),
		[
			r.slo, r.service, pct(r.attainment), r.window_start, r.window_end, pct(r.target),
			pct(r.error_budget_remaining),
		],
	),
} if {
	some r in ended
	is_number(r.attainment)
	r.attainment < r.target
}

# A fraction as a percentage with up to three decimals, e.g. 0.99912 -> "99.912".
default pct(_) := "unknown"

pct(x) := sprintf("%v", [round(x * 100000) / 1000]) if is_number(x)
