package controls.privacy.priv_001

# Personal data stores keep data no longer than the retention schedule allows.
# Reads input.data_stores. A store is at fault when it holds personal data and
# has no configured retention, is not on the retention schedule, keeps data
# longer than its schedule entry, or longer than the organisation ceiling.
# A recorded legal hold suspends the check when honour_legal_hold is true.

import rego.v1

params := data.params["PRIV-001"]

personal_stores contains s if {
	some s in input.data_stores
	object.get(s, "contains_personal_data", false) == true
	not on_legal_hold(s)
}

on_legal_hold(s) if {
	object.get(params, "honour_legal_hold", true) == true
	object.get(s, "legal_hold", false) == true
	hold_ref := object.get(s, "legal_hold_ref", null)
	is_string(hold_ref)
	hold_ref != ""
}

label(s) := sprintf("%s (%s)", [s.name, s.id]) if {
	is_string(object.get(s, "name", null))
} else := s.id

retention(s) := r if {
	r := object.get(s, "retention_days", null)
	is_number(r)
}

schedule(s) := r if {
	r := object.get(s, "retention_policy_days", null)
	is_number(r)
}

violations contains {
	"resource": s.id,
	"message": sprintf("Data store %s holds personal data but has no retention period configured, so data is kept indefinitely; configure a lifecycle rule, TTL or deletion job matching the retention schedule.", [label(s)]),
} if {
	some s in personal_stores
	not retention(s)
}

violations contains {
	"resource": s.id,
	"message": sprintf("Data store %s holds personal data but is not covered by the retention schedule; add a schedule entry for it and align its %v-day retention to it.", [label(s), retention(s)]),
} if {
	some s in personal_stores
	retention(s)
	not schedule(s)
}

violations contains {
	"resource": s.id,
	"message": sprintf("Data store %s keeps personal data for %v days but the retention schedule allows %v days; shorten its retention to %v days or get a schedule change approved.", [label(s), retention(s), schedule(s), schedule(s)]),
} if {
	some s in personal_stores
	retention(s) > schedule(s)
}

violations contains {
	"resource": s.id,
	"message": sprintf("Data store %s keeps personal data for %v days, beyond the organisation-wide ceiling of %v days; shorten its retention and review its schedule entry.", [label(s), retention(s), params.max_retention_days]),
} if {
	some s in personal_stores
	retention(s) > params.max_retention_days
	# avoid a second message when the schedule entry is already exceeded
	not retention(s) > schedule(s)
}

# in_scope: the resource ids of every item this control judged (the evaluator counts them).
in_scope contains s.id if some s in personal_stores
