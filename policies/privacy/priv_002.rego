package controls.privacy.priv_002

# Personal data is deleted within its deletion SLA.
# Reads input.deletion_jobs and input.data_stores. A deletion job is at fault
# when it is disabled or has never run, its last run failed, it has missed its
# schedule, it left records undeleted, or records have been overdue for longer
# than its SLA. A personal data store whose deletion_mechanism is
# "deletion_job" is at fault when no enabled job targets it.

import rego.v1

params := data.params["PRIV-002"]

now_ns := time.parse_rfc3339_ns(data.audit.as_of)

hour_ns := 3600000000000

stores_by_id := {s.id: s | some s in input.data_stores}

# Stores under a recorded legal hold (legal_hold true with a legal_hold_ref,
# as in PRIV-001) are left out: deletion is suspended on purpose. A hold flag
# with no reference does not suspend anything.
personal_store_ids contains s.id if {
	some s in input.data_stores
	object.get(s, "contains_personal_data", false) == true
	not on_legal_hold(s)
}

on_legal_hold(s) if {
	object.get(s, "legal_hold", false) == true
	ref := object.get(s, "legal_hold_ref", null)
	is_string(ref)
	trim_space(ref) != ""
}

# Jobs relevant to personal data: those whose store holds personal data (and
# is not on legal hold), and those whose store is not in the inventory
# (unknown, so checked).
relevant_jobs contains j if {
	some j in input.deletion_jobs
	object.get(j, "data_store", null) in personal_store_ids
}

relevant_jobs contains j if {
	some j in input.deletion_jobs
	not stores_by_id[object.get(j, "data_store", null)]
}

sla_hours(j) := h if {
	h := object.get(j, "sla_hours", null)
	is_number(h)
	h > 0
}

# Longest acceptable gap since the last run.
max_gap_hours(j) := h * params.missed_run_tolerance if {
	h := object.get(j, "interval_hours", null)
	is_number(h)
	h > 0
} else := sla_hours(j)

ts(j, field) := t if {
	v := object.get(j, field, null)
	is_string(v)
	t := time.parse_rfc3339_ns(v)
}

# Whole hours (rounded up), for messages only; limits are compared in
# nanoseconds.
hours_since(t) := ceil((now_ns - t) / hour_ns)

beyond_hours(t, limit) if now_ns - t > limit * hour_ns

status(j) := object.get(j, "last_status", "never_run")

enabled(j) if object.get(j, "enabled", true) == true

violations contains {
	"resource": j.id,
	"message": sprintf("Deletion job %s for data store %s is disabled, so expired personal data is not being deleted; re-enable it or replace it with another deletion mechanism.", [j.id, object.get(j, "data_store", "(unknown)")]),
} if {
	some j in relevant_jobs
	not enabled(j)
}

violations contains {
	"resource": j.id,
	"message": sprintf("Deletion job %s for data store %s has never run; run it and confirm it deletes records past their retention period.", [j.id, object.get(j, "data_store", "(unknown)")]),
} if {
	some j in relevant_jobs
	enabled(j)
	not ts(j, "last_run_at")
}

violations contains {
	"resource": j.id,
	"message": sprintf("Deletion job %s for data store %s failed on its last run at %s; fix the failure from its runbook and re-run it.", [j.id, object.get(j, "data_store", "(unknown)"), j.last_run_at]),
} if {
	some j in relevant_jobs
	enabled(j)
	ts(j, "last_run_at")
	status(j) == "failed"
}

violations contains {
	"resource": j.id,
	"message": sprintf("Deletion job %s for data store %s last ran %v hours ago, more than the %v hours allowed by its schedule; find out why runs are being missed and re-run it.", [j.id, object.get(j, "data_store", "(unknown)"), hours_since(t), max_gap_hours(j)]),
} if {
	some j in relevant_jobs
	enabled(j)
	t := ts(j, "last_run_at")
	beyond_hours(t, max_gap_hours(j))
}

violations contains {
	"resource": j.id,
	"message": sprintf("Deletion job %s for data store %s deleted %v of %v records due at its last run; investigate the records left behind and delete them.", [j.id, object.get(j, "data_store", "(unknown)"), deleted, due]),
} if {
	some j in relevant_jobs
	enabled(j)
	ts(j, "last_run_at")
	status(j) in {"success", "partial"}
	due := object.get(j, "records_due", 0)
	deleted := object.get(j, "records_deleted", 0)
	is_number(due)
	is_number(deleted)
	due > 0
	deleted < due * params.min_deleted_ratio
}

violations contains {
	"resource": j.id,
	"message": sprintf("Deletion job %s for data store %s has records overdue for deletion since %s, %v hours ago, beyond its %v-hour SLA; clear the backlog.", [j.id, object.get(j, "data_store", "(unknown)"), j.oldest_overdue_at, hours_since(t), sla_hours(j)]),
} if {
	some j in relevant_jobs
	t := ts(j, "oldest_overdue_at")
	beyond_hours(t, sla_hours(j))
}

violations contains {
	"resource": j.id,
	"message": sprintf("Deletion job %s has no valid sla_hours, so deletion deadlines cannot be checked; record the SLA agreed with the data owner.", [j.id]),
} if {
	some j in relevant_jobs
	not sla_hours(j)
}

violations contains {
	"resource": s.id,
	"message": sprintf("Data store %s (%s) relies on a deletion job for retention but no enabled deletion job targets it; create and schedule one.", [object.get(s, "name", s.id), s.id]),
} if {
	some s in input.data_stores
	s.id in personal_store_ids
	object.get(s, "deletion_mechanism", null) == "deletion_job"
	not has_enabled_job(s.id)
}

has_enabled_job(store_id) if {
	some j in input.deletion_jobs
	object.get(j, "data_store", null) == store_id
	enabled(j)
}

# in_scope: the resource ids of every item this control judged (the evaluator counts them).
# Deletion jobs for personal data, and personal-data stores that rely on one.
in_scope contains j.id if some j in relevant_jobs

in_scope contains s.id if {
	some s in input.data_stores
	s.id in personal_store_ids
	object.get(s, "deletion_mechanism", null) == "deletion_job"
}
