package controls.privacy.priv_002_test

import data.controls.privacy.priv_002
import rego.v1

# as_of is 2026-01-01T00:00:00Z in tests.

store(overrides) := object.union(
	{
		"id": "rds:loans-core/customers",
		"name": "loans-core customers",
		"type": "rds",
		"owner": "jane.doe@brightwater.example",
		"classification": "restricted",
		"contains_personal_data": true,
		"personal_data_categories": ["contact_details"],
		"lawful_basis": "contract",
		"retention_days": 2555,
		"retention_policy_days": 2555,
		"deletion_mechanism": "deletion_job",
		"encrypted_at_rest": true,
		"kms_key": null,
		"region": "eu-west-2",
	},
	overrides,
)

job(overrides) := object.union(
	{
		"id": "del-loans-customers",
		"name": "Purge closed loan customers",
		"data_store": "rds:loans-core/customers",
		"enabled": true,
		"schedule": "0 2 * * *",
		"interval_hours": 24,
		"sla_hours": 72,
		"last_run_at": "2025-12-31T02:00:00Z",
		"last_status": "success",
		"records_due": 120,
		"records_deleted": 120,
		"oldest_overdue_at": null,
	},
	overrides,
)

inp(jobs) := {"data_stores": [store({})], "deletion_jobs": jobs}

test_healthy_job_passes if {
	vs1 := priv_002.violations with input as inp([job({})])
	count(vs1) == 0
}

test_failed_run_fails if {
	vs := priv_002.violations with input as inp([job({"last_status": "failed", "records_deleted": 0})])
	some v in vs
	v.resource == "del-loans-customers"
	contains(v.message, "failed on its last run")
}

test_never_run_fails if {
	vs := priv_002.violations with input as inp([job({"last_run_at": null, "last_status": "never_run", "records_due": 0, "records_deleted": 0})])
	count(vs) == 1
	some v in vs
	contains(v.message, "never run")
}

test_null_last_run_fails_as_never_run if {
	j := job({"last_run_at": null, "last_status": "never_run"})
	vs2 := priv_002.violations with input as inp([j])
	count(vs2) == 1
}

test_disabled_job_fails if {
	vs := priv_002.violations with input as inp([job({"enabled": false})])
	some v in vs
	v.resource == "del-loans-customers"
	contains(v.message, "disabled")
}

test_missed_schedule_at_boundary_passes if {
	# 48 hours = 2 x 24h interval: not yet missed
	vs3 := priv_002.violations with input as inp([job({"last_run_at": "2025-12-30T00:00:00Z"})])
	count(vs3) == 0
}

test_missed_schedule_beyond_boundary_fails if {
	vs := priv_002.violations with input as inp([job({"last_run_at": "2025-12-29T23:00:00Z"})])
	count(vs) == 1
	some v in vs
	contains(v.message, "last ran 49 hours ago")
}

test_gap_falls_back_to_sla_without_interval if {
	j := job({"interval_hours": null, "last_run_at": "2025-12-28T23:00:00Z"})
	vs4 := priv_002.violations with input as inp([j])
	count(vs4) == 1
	j2 := job({"interval_hours": null, "last_run_at": "2025-12-29T01:00:00Z"})
	vs5 := priv_002.violations with input as inp([j2])
	count(vs5) == 0
}

test_incomplete_deletion_fails if {
	vs := priv_002.violations with input as inp([job({"records_due": 120, "records_deleted": 100, "last_status": "partial"})])
	count(vs) == 1
	some v in vs
	contains(v.message, "deleted 100 of 120")
}

test_incomplete_deletion_tolerated_by_ratio if {
	vs := priv_002.violations with input as inp([job({"records_due": 120, "records_deleted": 110})]) with data.params["PRIV-002"] as {"missed_run_tolerance": 2, "min_deleted_ratio": 0.9}
	count(vs) == 0
}

test_overdue_backlog_beyond_sla_fails if {
	vs := priv_002.violations with input as inp([job({"oldest_overdue_at": "2025-12-28T23:00:00Z"})])
	count(vs) == 1
	some v in vs
	contains(v.message, "beyond its 72-hour SLA")
}

test_overdue_backlog_within_sla_passes if {
	vs6 := priv_002.violations with input as inp([job({"oldest_overdue_at": "2025-12-29T00:00:00Z"})])
	count(vs6) == 0
}

test_store_without_enabled_job_fails if {
	vs := priv_002.violations with input as inp([job({"enabled": false})])
	"rds:loans-core/customers" in {v.resource | some v in vs}
}

test_store_without_any_job_fails if {
	vs := priv_002.violations with input as inp([])
	count(vs) == 1
	some v in vs
	v.resource == "rds:loans-core/customers"
}

test_store_with_lifecycle_rule_needs_no_job if {
	vs := priv_002.violations with input as {"data_stores": [store({"deletion_mechanism": "lifecycle_rule"})], "deletion_jobs": []}
	count(vs) == 0
}

test_store_on_legal_hold_ignored if {
	s := store({"legal_hold": true, "legal_hold_ref": "LH-1"})
	vs := priv_002.violations with input as {"data_stores": [s], "deletion_jobs": [job({"enabled": false})]}
	count(vs) == 0
}

test_job_for_non_personal_store_ignored if {
	s := store({"contains_personal_data": false})
	vs := priv_002.violations with input as {"data_stores": [s], "deletion_jobs": [job({"last_status": "failed"})]}
	count(vs) == 0
}

test_job_for_unknown_store_checked if {
	vs := priv_002.violations with input as inp([job({}), job({"id": "del-orphan", "data_store": "s3:unknown", "last_status": "failed"})])
	{v.resource | some v in vs} == {"del-orphan"}
}

test_legal_hold_without_reference_does_not_suspend_deletion if {
	# As in PRIV-001, only a recorded hold (legal_hold_ref) suspends the checks.
	s := store({"legal_hold": true, "legal_hold_ref": null})
	vs := priv_002.violations with input as {"data_stores": [s], "deletion_jobs": [job({"enabled": false})]}
	{v.resource | some v in vs} == {"del-loans-customers", "rds:loans-core/customers"}
}

test_missed_schedule_by_less_than_an_hour_fails if {
	# 48h59m since the last run is beyond the 48h allowed (hours must not be truncated)
	vs := priv_002.violations with input as inp([job({"last_run_at": "2025-12-29T23:01:00Z"})])
	count(vs) == 1
}

test_overdue_backlog_by_less_than_an_hour_beyond_sla_fails if {
	vs := priv_002.violations with input as inp([job({"oldest_overdue_at": "2025-12-28T23:30:00Z"})])
	count(vs) == 1
}

test_in_scope_is_jobs_for_personal_data_and_stores_relying_on_one if {
	priv_002.in_scope == {"j1", "p1", "p2"} with input as {
		"data_stores": [
			{"id": "p1", "contains_personal_data": true, "deletion_mechanism": "deletion_job"},
			{"id": "p2", "contains_personal_data": true, "deletion_mechanism": "deletion_job"},
			{"id": "n1", "contains_personal_data": false},
		],
		"deletion_jobs": [
			{"id": "j1", "data_store": "p1"},
			{"id": "j2", "data_store": "n1"},
		],
	}
}
