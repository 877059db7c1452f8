package controls.security.sec_015_test

import rego.v1

import data.controls.security.sec_015

store(id, type, attrs) := {"id": id, "name": id, "type": type, "attributes": attrs}

p := {"SEC-015": {"min_backup_retention_days": 7}}

test_each_gap_fails if {
	v := sec_015.violations with input as {"data_stores": [
		store("s3-ok", "s3", {"versioning": "Enabled"}), store("s3-off", "s3", {"versioning": "Suspended"}),
		store("ddb-ok", "dynamodb", {"point_in_time_recovery": true}), store("ddb-off", "dynamodb", {}),
		store("rds-ok", "rds", {"deletion_protection": true, "backup_retention_days": 7}),
		store("rds-short", "rds", {"deletion_protection": true, "backup_retention_days": 1}),
		store("rds-unprotected", "rds", {"deletion_protection": false, "backup_retention_days": 30}),
		store("sftp", "other", {}),
	]}
		with data.params as p
	{x.resource | some x in v} == {"s3-off", "ddb-off", "rds-short", "rds-unprotected"}
}

test_reasons_are_joined if {
	v := sec_015.violations with input as {"data_stores": [store("db", "rds", {})]} with data.params as p
	some x in v
	contains(x.message, "automated backups are kept under 7 days; deletion protection is off")
}
