package controls.ai.ai_003

# Production models are monitored for performance and drift.
# Reads input.models. A model in scope (stage in params.stages) is at fault
# when monitoring is absent or disabled, drift alerts are off (when required),
# or no dashboard is recorded for a risk tier that requires one.

import rego.v1

params := data.params["AI-003"]

models_in_scope contains m if {
	some m in input.models
	object.get(m, "stage", null) in {s | some s in params.stages}
}

label(m) := sprintf("%s %s (%s)", [m.name, m.version, m.id]) if {
	is_string(object.get(m, "name", null))
	is_string(object.get(m, "version", null))
} else := m.id

monitoring(m) := mon if {
	mon := object.get(m, "monitoring", null)
	is_object(mon)
	object.get(mon, "enabled", false) == true
}

violations contains {
	"resource": m.id,
	"message": sprintf("Model %s is in %s without monitoring enabled; enable performance and drift monitoring in the ML platform and route its alerts to the owning team.", [label(m), m.stage]),
} if {
	some m in models_in_scope
	not monitoring(m)
}

violations contains {
	"resource": m.id,
	"message": sprintf("Model %s is monitored but drift alerts are off, so data or concept drift would go unnoticed; configure drift alert thresholds and an alert channel.", [label(m)]),
} if {
	params.require_drift_alerts == true
	some m in models_in_scope
	mon := monitoring(m)
	object.get(mon, "drift_alerts", false) != true
}

violations contains {
	"resource": m.id,
	"message": sprintf("%s-risk model %s has no monitoring dashboard recorded; record the dashboard the owner reviews in the model registry.", [upper_first(m.risk_tier), label(m)]),
} if {
	some m in models_in_scope
	mon := monitoring(m)
	object.get(m, "risk_tier", null) in {t | some t in params.require_dashboard_for}
	not has_dashboard(mon)
}

has_dashboard(mon) if {
	d := object.get(mon, "dashboard", null)
	is_string(d)
	trim_space(d) != ""
}

upper_first(s) := concat("", [upper(substring(s, 0, 1)), substring(s, 1, -1)])

# in_scope: the resource ids of every item this control judged (the evaluator counts them).
in_scope contains m.id if some m in models_in_scope
