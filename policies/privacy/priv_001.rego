# METADATA
# title: Personal data stores keep data no longer than the retention schedule allows
# description: >-
#   Reads input.data_stores. A store is at fault when it holds personal data and has
#   no configured retention, is not on the retention schedule, keeps data longer
#   than its schedule entry, or longer than the organisation ceiling. A recorded
#   legal hold suspends the check when honour_legal_hold is true.
package controls.privacy.priv_001

import rego.v1

import data.lib.stores

params := data.params["PRIV-001"]

# Stores under a recorded legal hold (legal_hold true with a non-empty legal_hold_ref), when holds are
# honoured: an id set built once, so each personal store is a lookup, not a function call.
on_legal_hold := {s.id |
	params.honour_legal_hold
	some s in input.data_stores
	s.legal_hold == true
	is_string(s.legal_hold_ref)
	s.legal_hold_ref != ""
}

personal_stores := [s | held := on_legal_hold; some s in stores.personal(input.data_stores); not s.id in held]

violations contains {
	"resource": s.id,
	"message": sprintf(
		concat("", [
			"Data store %s holds personal data but has no retention period configured, so data is kept ",
			"indefinitely; configure a lifecycle rule, TTL or deletion job matching the retention schedule.",
		]),
		[stores.label(s)],
	),
} if {
	some s in personal_stores
	s.retention_days == null
}

violations contains {
	"resource": s.id,
	"message": sprintf(
		concat("", [
			"Data store %s holds personal data but is not covered by the retention schedule; ",
			"add a schedule entry for it and align its %v-day retention to it.",
		]),
		[stores.label(s), s.retention_days],
	),
} if {
	some s in personal_stores
	s.retention_days != null
	s.retention_policy_days == null
}

# Stores with both periods recorded (integers or null, as the schema has them) whose retention exceeds
# the schedule: ids, so the ceiling rule below looks each store up.
beyond_schedule := {s.id |
	some s in personal_stores
	s.retention_policy_days != null
	s.retention_days != null
	s.retention_days > s.retention_policy_days
}

violations contains {
	"resource": s.id,
	"message": sprintf(
		concat("", [
			"Data store %s keeps personal data for %v days but the retention schedule allows %v days; ",
			"shorten its retention to %v days or get a schedule change approved.",
		]),
		[stores.label(s), s.retention_days, s.retention_policy_days, s.retention_policy_days],
	),
} if {
	some s in personal_stores
	s.id in beyond_schedule
}

violations contains {
	"resource": s.id,
	"message": sprintf(
		concat("", [
			"Data store %s keeps personal data for %v days, beyond the organisation-wide ceiling of %v days; ",
			"shorten its retention and review its schedule entry.",
		]),
		[stores.label(s), s.retention_days, params.max_retention_days],
	),
} if {
	some s in personal_stores
	s.retention_days != null
	s.retention_days > params.max_retention_days
	# avoid a second message when the schedule entry is already exceeded
	not s.id in beyond_schedule
}

in_scope := {s.id | some s in personal_stores}
