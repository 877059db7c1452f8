# METADATA
# title: Personal data is deleted within its deletion SLA
# description: >-
#   Reads input.deletion_jobs and input.data_stores. A deletion job is at fault when
#   it is disabled or has never run, its last run failed, it has missed its schedule,
#   it left records undeleted, or records have been overdue for longer than its SLA.
#   A personal data store whose deletion_mechanism is "deletion_job" is at fault when
#   no enabled job targets it.
package controls.privacy.priv_002

import rego.v1

import data.lib.text
import data.lib.time

params := data.params["PRIV-002"]

now_ns := time.parse(data.audit.as_of)

store_ids := {s.id | some s in input.data_stores}

# Stores under a recorded legal hold (legal_hold true with a legal_hold_ref, as in
# PRIV-001) are left out: deletion is suspended on purpose. A hold flag with no
# reference does not suspend anything.
personal_store_ids := {s.id | some s in input.data_stores; s.contains_personal_data; not on_legal_hold(s)}

on_legal_hold(s) if {
	object.get(s, "legal_hold", false) == true
	text.filled(object.get(s, "legal_hold_ref", null))
}

# Jobs relevant to personal data: those whose store holds personal data (and is not
# on legal hold), and those whose store is not in the inventory (unknown, so checked).
relevant_jobs := [j | some j in input.deletion_jobs; relevant(j)]

relevant(j) if j.data_store in personal_store_ids

relevant(j) if not j.data_store in store_ids

# Stores with at least one enabled job, built once so each store is a lookup.
stores_with_enabled_job := {j.data_store | some j in input.deletion_jobs; j.enabled}

# Longest acceptable gap since the last run (sla_hours when no interval is recorded).
max_gap_hours(j) := j.sla_hours if not is_number(object.get(j, "interval_hours", null))

max_gap_hours(j) := j.interval_hours * params.missed_run_tolerance if is_number(object.get(j, "interval_hours", null))

# Whole hours (rounded up), for messages only; limits are compared in nanoseconds.
hours_since(t) := ceil((now_ns - t) / time.hour_ns)

beyond_hours(t, limit) if now_ns - t > time.hours(limit)

violations contains {
	"resource": j.id,
	"message": sprintf(
		concat("", [
			"Deletion job %s for data store %s is disabled, so expired personal data is not being deleted; ",
			"re-enable it or replace it with another deletion mechanism.",
		]),
		[j.id, j.data_store],
	),
} if {
	some j in relevant_jobs
	not j.enabled
}

violations contains {
	"resource": j.id,
	"message": sprintf(
		concat("", [
			"Deletion job %s for data store %s has never run; run it and confirm it deletes records ",
			"past their retention period.",
		]),
		[j.id, j.data_store],
	),
} if {
	some j in relevant_jobs
	j.enabled
	j.last_run_at == null
}

# Enabled relevant jobs that have run: [job, last run ns].
ran := [[j, time.parse(j.last_run_at)] | some j in relevant_jobs; j.enabled; j.last_run_at != null]

violations contains {
	"resource": j.id,
	"message": sprintf(
		concat("", [
			"Deletion job %s for data store %s failed on its last run at %s; ",
			"fix the failure from its runbook and re-run it.",
		]),
		[j.id, j.data_store, j.last_run_at],
	),
} if {
	some [j, _] in ran
	j.last_status == "failed"
}

violations contains {
	"resource": j.id,
	"message": sprintf(
		concat("", [
			"Deletion job %s for data store %s last ran %v hours ago, more than the %v hours allowed by its ",
			"schedule; find out why runs are being missed and re-run it.",
		]),
		[j.id, j.data_store, hours_since(t), max_gap_hours(j)],
	),
} if {
	some [j, t] in ran
	beyond_hours(t, max_gap_hours(j))
}

violations contains {
	"resource": j.id,
	"message": sprintf(
		concat("", [
			"Deletion job %s for data store %s deleted %v of %v records due at its last run; ",
			"investigate the records left behind and delete them.",
		]),
		[j.id, j.data_store, j.records_deleted, j.records_due],
	),
} if {
	some [j, _] in ran
	j.last_status in {"success", "partial"}
	j.records_due > 0
	j.records_deleted < j.records_due * params.min_deleted_ratio
}

violations contains {
	"resource": j.id,
	"message": sprintf(
		concat("", [
			"Deletion job %s for data store %s has records overdue for deletion since %s, %v hours ago, ",
			"beyond its %v-hour SLA; clear the backlog.",
		]),
		[j.id, j.data_store, j.oldest_overdue_at, hours_since(t), j.sla_hours],
	),
} if {
	some j in relevant_jobs
	t := time.ns(j.oldest_overdue_at)
	beyond_hours(t, j.sla_hours)
}

# Personal-data stores that rely on a deletion job.
job_stores := [s |
	some s in input.data_stores
	s.id in personal_store_ids
	object.get(s, "deletion_mechanism", null) == "deletion_job"
]

violations contains {
	"resource": s.id,
	"message": sprintf(
		concat("", [
			"Data store %s (%s) relies on a deletion job for retention but no enabled deletion job targets it; ",
			"create and schedule one.",
		]),
		[s.name, s.id],
	),
} if {
	some s in job_stores
	not s.id in stores_with_enabled_job
}

# Deletion jobs for personal data, and personal-data stores that rely on one.
in_scope := {j.id | some j in relevant_jobs} | {s.id | some s in job_stores}
