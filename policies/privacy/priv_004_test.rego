package controls.privacy.priv_004_test

import data.controls.privacy.priv_004
import rego.v1

# as_of is 2026-01-01T00:00:00Z in tests.

req(overrides) := object.union(
	{
		"id": "DSAR-2025-0101",
		"type": "access",
		"received_at": "2025-11-01T10:00:00Z",
		"verified_at": "2025-11-03T10:00:00Z",
		"completed_at": "2025-11-20T16:00:00Z",
		"status": "completed",
		"extension_reason": null,
	},
	overrides,
)

test_answered_in_time_passes if {
	count(priv_004.violations) == 0 with input as {"dsar_requests": [req({})]}
}

test_answered_on_day_30_passes if {
	count(priv_004.violations) == 0 with input as {"dsar_requests": [req({"completed_at": "2025-12-01T10:00:00Z"})]}
}

test_answered_just_after_day_30_fails if {
	vs := priv_004.violations with input as {"dsar_requests": [req({"completed_at": "2025-12-01T10:00:01Z"})]}
	count(vs) == 1
	some v in vs
	v.resource == "DSAR-2025-0101"
	contains(v.message, "answered 30 days after")
	contains(v.message, "beyond the 30 days allowed")
}

test_open_within_deadline_passes if {
	r := req({"received_at": "2025-12-10T09:00:00Z", "verified_at": null, "completed_at": null, "status": "open"})
	count(priv_004.violations) == 0 with input as {"dsar_requests": [r]}
}

test_open_past_deadline_fails if {
	r := req({"received_at": "2025-11-15T09:00:00Z", "completed_at": null, "status": "open"})
	vs := priv_004.violations with input as {"dsar_requests": [r]}
	count(vs) == 1
	some v in vs
	contains(v.message, "unanswered 46 days")
}

test_open_null_fields_past_deadline_fails if {
	r := req({"received_at": "2025-11-15T09:00:00Z", "completed_at": null, "status": "open", "verified_at": null})
	count(priv_004.violations) == 1 with input as {"dsar_requests": [r]}
}

test_valid_extension_allows_90_days if {
	r := req({
		"type": "erasure",
		"received_at": "2025-10-10T09:00:00Z",
		"completed_at": null,
		"status": "extended",
		"extension_reason": "Request covers 14 systems and 9 years of records",
		"extension_notified_at": "2025-10-30T09:00:00Z",
	})
	count(priv_004.violations) == 0 with input as {"dsar_requests": [r]}
}

test_extension_without_reason_fails if {
	r := req({
		"received_at": "2025-10-10T09:00:00Z",
		"completed_at": null,
		"status": "extended",
		"extension_reason": null,
		"extension_notified_at": "2025-10-30T09:00:00Z",
	})
	vs := priv_004.violations with input as {"dsar_requests": [r]}
	count(vs) == 1
	some v in vs
	contains(v.message, "extension is not valid")
}

test_extension_notified_late_fails if {
	r := req({
		"received_at": "2025-10-10T09:00:00Z",
		"completed_at": null,
		"status": "extended",
		"extension_reason": "Complex request",
		"extension_notified_at": "2025-11-20T09:00:00Z",
	})
	count(priv_004.violations) == 1 with input as {"dsar_requests": [r]}
}

test_extension_never_notified_fails if {
	r := req({
		"received_at": "2025-10-10T09:00:00Z",
		"completed_at": null,
		"status": "extended",
		"extension_reason": "Complex request",
	})
	count(priv_004.violations) == 1 with input as {"dsar_requests": [r]}
}

test_extended_request_answered_after_90_days_fails if {
	r := req({
		"received_at": "2025-08-01T09:00:00Z",
		"completed_at": "2025-11-05T09:00:00Z",
		"status": "completed",
		"extension_reason": "Complex request",
		"extension_notified_at": "2025-08-20T09:00:00Z",
	})
	vs := priv_004.violations with input as {"dsar_requests": [r]}
	count(vs) == 1
	some v in vs
	contains(v.message, "beyond the 90 days allowed")
}

test_rejected_in_time_passes if {
	r := req({"status": "rejected", "rejection_reason": "Manifestly unfounded"})
	count(priv_004.violations) == 0 with input as {"dsar_requests": [r]}
}

test_completed_without_date_fails if {
	vs := priv_004.violations with input as {"dsar_requests": [req({"completed_at": null})]}
	count(vs) == 1
	some v in vs
	contains(v.message, "no completed_at date")
}

test_clock_from_verification_when_configured if {
	r := req({"received_at": "2025-11-01T10:00:00Z", "verified_at": "2025-11-10T10:00:00Z", "completed_at": "2025-12-05T10:00:00Z"})
	count(priv_004.violations) == 1 with input as {"dsar_requests": [r]}
	p := object.union(data.params["PRIV-004"], {"clock_starts_at_verification": true})
	count(priv_004.violations) == 0 with input as {"dsar_requests": [r]} with data.params["PRIV-004"] as p
}

test_response_days_parameter if {
	p := object.union(data.params["PRIV-004"], {"response_days": 14})
	count(priv_004.violations) == 1 with input as {"dsar_requests": [req({})]} with data.params["PRIV-004"] as p
}

test_only_late_requests_reported if {
	rs := [
		req({"id": "a"}),
		req({"id": "b", "completed_at": "2025-12-20T10:00:00Z"}),
		req({"id": "c", "received_at": "2025-12-20T10:00:00Z", "completed_at": null, "status": "open"}),
	]
	vs := priv_004.violations with input as {"dsar_requests": rs}
	{v.resource | some v in vs} == {"b"}
}

test_in_scope_is_every_request if {
	priv_004.in_scope == {"r1", "r2"} with input as {"dsar_requests": [
		req({"id": "r1", "received_at": "2025-12-20T00:00:00Z", "completed_at": null, "status": "open"}),
		req({"id": "r2", "received_at": "2025-12-21T00:00:00Z", "completed_at": null, "status": "open"}),
	]}
}
