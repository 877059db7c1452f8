# METADATA
# title: Data stores can be recovered
# description: >-
#   Reads input.data_stores. S3 buckets need versioning Enabled; DynamoDB tables
#   point-in-time recovery; RDS instances deletion protection and at least
#   min_backup_retention_days of automated backups. Unknown settings are at fault.
package controls.security.sec_015

import rego.v1

import data.lib.groups
import data.lib.stores

params := data.params["SEC-015"]

types := {"s3", "dynamodb", "rds"}

recoverable := [s | some s in input.data_stores; s.type in types]

in_scope := {s.id | some s in recoverable}

gaps contains [s.id, "versioning is not enabled"] if {
	some s in recoverable
	s.type == "s3"
	stores.setting(s, "versioning") != "Enabled"
}

gaps contains [s.id, "point-in-time recovery is off"] if {
	some s in recoverable
	s.type == "dynamodb"
	stores.setting(s, "point_in_time_recovery") != true
}

gaps contains [s.id, "deletion protection is off"] if {
	some s in recoverable
	s.type == "rds"
	stores.setting(s, "deletion_protection") != true
}

gaps contains [s.id, sprintf("automated backups are kept under %d days", [params.min_backup_retention_days])] if {
	some s in recoverable
	s.type == "rds"
	not retention_ok(stores.setting(s, "backup_retention_days"))
}

retention_ok(days) if {
	is_number(days)
	days >= params.min_backup_retention_days
}

names := {s.id: s.name | some s in recoverable}

violations contains {
	"resource": id,
	"message": sprintf("Data store %s cannot be recovered reliably: %s; turn the protection on.",
		[names[id], concat("; ", reasons)]),
} if {
	some id, reasons in groups.by(sort(gaps))
}
