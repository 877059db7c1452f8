# METADATA
# title: Production models are monitored for performance and drift
# description: >-
#   Reads input.models. A model in scope (stage in params.stages) is at fault when
#   monitoring is absent or disabled, drift alerts are off (when required), or no
#   dashboard is recorded for a risk tier that requires one.
package controls.ai.ai_003

import rego.v1

import data.lib.models
import data.lib.text

params := data.params["AI-003"]

models_in_scope := models.in_stages(input.models, params.stages)

monitoring(m) := m.monitoring if {
	m.monitoring != null
	m.monitoring.enabled
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		concat("", [
			"Model %s is in %s without monitoring enabled; enable performance and drift monitoring in the ",
			"ML platform and route its alerts to the owning team.",
		]),
		[models.label(m), m.stage],
	),
} if {
	some m in models_in_scope
	not monitoring(m)
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		concat("", [
			"Model %s is monitored but drift alerts are off, so data or concept drift would go unnoticed; ",
			"configure drift alert thresholds and an alert channel.",
		]),
		[models.label(m)],
	),
} if {
	params.require_drift_alerts
	some m in models_in_scope
	mon := monitoring(m)
	not mon.drift_alerts
}

violations contains {
	"resource": m.id,
	"message": sprintf(
		concat("", [
			"%s-risk model %s has no monitoring dashboard recorded; ",
			"record the dashboard the owner reviews in the model registry.",
		]),
		[upper_first(m.risk_tier), models.label(m)],
	),
} if {
	some m in models_in_scope
	mon := monitoring(m)
	m.risk_tier in {t | some t in params.require_dashboard_for}
	not text.filled(mon.dashboard)
}

upper_first(s) := concat("", [upper(substring(s, 0, 1)), substring(s, 1, -1)])

in_scope := {m.id | some m in models_in_scope}
