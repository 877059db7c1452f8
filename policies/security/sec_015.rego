# METADATA
# title: Data stores can be recovered
# description: >-
#   Reads input.data_stores. S3 buckets need versioning Enabled; DynamoDB tables
#   point-in-time recovery; RDS instances deletion protection and at least
#   min_backup_retention_days of automated backups. Unknown settings are at fault.
package controls.security.sec_015

import rego.v1

params := data.params["SEC-015"]

types := {"s3", "dynamodb", "rds"}

stores := [s | some s in input.data_stores; s.type in types]

attr(s, name) := object.get(object.get(s, "attributes", {}), name, null)

in_scope := {s.id | some s in stores}

gaps contains [s.id, "versioning is not enabled"] if {
	some s in stores
	s.type == "s3"
	attr(s, "versioning") != "Enabled"
}

gaps contains [s.id, "point-in-time recovery is off"] if {
	some s in stores
	s.type == "dynamodb"
	attr(s, "point_in_time_recovery") != true
}

gaps contains [s.id, "deletion protection is off"] if {
	some s in stores
	s.type == "rds"
	attr(s, "deletion_protection") != true
}

gaps contains [s.id, sprintf("automated backups are kept under %d days", [params.min_backup_retention_days])] if {
	some s in stores
	s.type == "rds"
	not retention_ok(attr(s, "backup_retention_days"))
}

retention_ok(days) if {
	is_number(days)
	days >= params.min_backup_retention_days
}

names := {s.id: s.name | some s in stores}

violations contains {
	"resource": id,
	"message": sprintf("Data store %s cannot be recovered reliably: %s; turn the protection on.",
		[names[id], concat("; ", sort(reasons))]),
} if {
	some [id, _] in gaps
	reasons := {r | some [i, r] in gaps; i == id}
}
