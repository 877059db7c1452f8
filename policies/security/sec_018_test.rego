package controls.security.sec_018_test

import rego.v1

import data.controls.security.sec_018

trail(id, logging, kms, group, delivered) := {"id": id, "system": "aws-cloudtrail", "account": "1",
	"logging_enabled": logging, "multi_region": true, "log_file_validation": true, "retention_days": null,
	"kms_key": kms, "attributes": {"cloudwatch_logs_group": group, "cloudwatch_delivered": delivered}}

p(judge) := {"SEC-018": {"judge": judge, "require_cloudwatch_logs": true, "require_delivery": true}}

trails := [
	trail("ok", true, "k", "g", true), trail("plain", true, null, "g", true),
	trail("no-logs", true, "k", null, false), trail("stopped", false, null, null, false),
]

test_every_trail if {
	v := sec_018.violations with input as {"audit_trails": trails} with data.params as p("every_trail")
	{x.resource | some x in v} == {"plain", "no-logs", "stopped"}
}

test_logging_trails_only if {
	v := sec_018.violations with input as {"audit_trails": trails} with data.params as p("logging_trails")
	{x.resource | some x in v} == {"plain", "no-logs"}
}

test_group_without_delivery_fails if {
	v := sec_018.violations with input as {"audit_trails": [trail("quiet", true, "k", "g", false)]}
		with data.params as p("every_trail")
	{x.resource | some x in v} == {"quiet"}
}

test_a_configured_group_suffices_without_require_delivery if {
	quiet := [trail("quiet", true, "k", "g", false), trail("none", true, "k", null, false)]
	v := sec_018.violations with input as {"audit_trails": quiet}
		with data.params as {"SEC-018": {"judge": "every_trail", "require_cloudwatch_logs": true, "require_delivery": false}}
	{x.resource | some x in v} == {"none"}
}
