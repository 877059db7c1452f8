# METADATA
# title: Audit trails are encrypted with a customer key and delivered to CloudWatch Logs
# description: >-
#   Reads input.audit_trails (CloudTrail). With judge every_trail (the default) every
#   trail is judged; with logging_trails only those logging. A trail is at fault
#   without kms_key, or, when require_cloudwatch_logs, without a log group that has
#   received events (a configured group suffices when require_delivery is false).
package controls.security.sec_018

import rego.v1

import data.lib.groups
import data.lib.text

params := data.params["SEC-018"]

trails := [t | some t in input.audit_trails; t.system == "aws-cloudtrail"; judged(t)]

default judged(_) := false

judged(_) if params.judge == "every_trail"

judged(t) if {
	params.judge == "logging_trails"
	t.logging_enabled
}

attr(t, name) := object.get(object.get(t, "attributes", {}), name, null)

in_scope := {t.id | some t in trails}

gaps contains [t.id, "its log files are not encrypted with a KMS key"] if {
	some t in trails
	not text.filled(t.kms_key)
}

gaps contains [t.id, "it delivers no events to CloudWatch Logs"] if {
	some t in trails
	params.require_cloudwatch_logs
	not delivered(t)
}

delivered(t) if {
	text.filled(attr(t, "cloudwatch_logs_group"))
	received(t)
}

# require_delivery false (CIS, Prowler): a configured group suffices.
default received(_) := false

received(t) if attr(t, "cloudwatch_delivered") == true

received(_) if not params.require_delivery

violations contains {
	"resource": id,
	"message": sprintf("Trail %s falls short: %s; fix its configuration.", [id, concat("; ", reasons)]),
} if {
	some id, reasons in groups.by(sort(gaps))
}
