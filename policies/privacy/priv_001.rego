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

personal_stores := [s | some s in stores.personal(input.data_stores); not on_legal_hold(s)]

on_legal_hold(s) if {
	params.honour_legal_hold
	object.get(s, "legal_hold", false) == true
	hold_ref := object.get(s, "legal_hold_ref", null)
	is_string(hold_ref)
	hold_ref != ""
}

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

# Stores with both periods recorded whose retention exceeds the schedule.
beyond_schedule(s) if {
	is_number(s.retention_policy_days)
	is_number(s.retention_days)
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
	beyond_schedule(s)
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
	is_number(s.retention_days)
	s.retention_days > params.max_retention_days
	# avoid a second message when the schedule entry is already exceeded
	not beyond_schedule(s)
}

in_scope := {s.id | some s in personal_stores}
