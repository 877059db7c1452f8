package controls.sm.sm_001_test

import rego.v1

import data.controls.sm.sm_001
import data.lib.testing

people := [
	{"id": "okta:alice", "person": "p-001", "emails": ["alice@brightwater.example"], "username": "alice"},
	{"id": "github:alice-ng", "person": "p-001", "emails": ["alice.ng@gmail.com"], "username": "alice-ng"},
	{"id": "okta:bob", "person": "p-002", "emails": ["bob@brightwater.example"], "username": "bob"},
	{"id": "okta:carol", "person": "p-003", "emails": ["carol@brightwater.example"], "username": "carol"},
]

approval(email, at) := {"approver": {"email": email}, "state": "approved", "at": at}

change(risk, approvals) := {
	"id": "CHG0030001", "type": "normal", "service": "payments-api", "risk": risk,
	"impact_assessment": "Payments API restarts; 30 s of 503s expected.",
	"implementer": {"email": "alice@brightwater.example"}, "approvals": approvals,
	"planned_start": "2026-11-02T10:00:00Z", "planned_end": "2026-11-02T11:00:00Z",
	"actual_start": "2026-11-02T10:05:00Z", "actual_end": "2026-11-02T10:40:00Z",
	"backout_plan": "Redeploy the previous release.", "outcome": "successful", "review": null,
}

ev(c) := {"change_requests": [c], "identities": people}

test_independent_approval_passes if {
	e := ev(change("moderate", [approval("bob@brightwater.example", "2026-11-01T09:00:00Z")]))
	count(sm_001.violations) == 0 with input as e
	sm_001.in_scope == {"CHG0030001"} with input as e
}

test_implementer_second_account_is_not_independent if {
	v := sm_001.violations with input as ev(change("moderate", [approval("Alice.Ng@gmail.com", "2026-11-01T09:00:00Z")]))
	x := testing.only(v)
	x.resource == "CHG0030001"
	contains(x.message, "0 approval(s)")
	contains(x.message, "fewer than the 1")
}

test_same_address_without_identities_is_not_independent if {
	c := change("low", [approval("ALICE@brightwater.example", null)])
	count(sm_001.violations) == 1 with input as {"change_requests": [c]}
}

test_high_risk_needs_two_approvals if {
	one := change("high", [approval("bob@brightwater.example", "2026-11-01T09:00:00Z")])
	x := testing.only(sm_001.violations) with input as ev(one)
	contains(x.message, "fewer than the 2")
	two := change("high", [approval("bob@brightwater.example", "2026-11-01T09:00:00Z"), approval("carol@brightwater.example", "2026-11-01T09:30:00Z")])
	count(sm_001.violations) == 0 with input as ev(two)
}

test_approval_after_start_does_not_count if {
	c := change("low", [approval("bob@brightwater.example", "2026-11-02T10:06:00Z")])
	count(sm_001.violations) == 1 with input as ev(c)
}

test_rejected_or_requested_approval_does_not_count if {
	c := change("low", [{"approver": {"email": "bob@brightwater.example"}, "state": "rejected", "at": null}, {"approver": {"email": "carol@brightwater.example"}, "state": "requested", "at": null}])
	count(sm_001.violations) == 1 with input as ev(c)
}

test_missing_impact_assessment_fails if {
	c := object.union(change("low", [approval("bob@brightwater.example", null)]), {"impact_assessment": "  "})
	x := testing.only(sm_001.violations) with input as ev(c)
	contains(x.message, "without a risk and impact assessment")
	contains(x.message, "impact assessment missing")
}

test_missing_risk_fails if {
	c := change(null, [approval("bob@brightwater.example", null)])
	x := testing.only(sm_001.violations) with input as ev(c)
	contains(x.message, "risk null")
}

test_unrecorded_implementer_fails if {
	c := object.union(change("low", [approval("bob@brightwater.example", null)]), {"implementer": null})
	x := testing.only(sm_001.violations) with input as ev(c)
	contains(x.message, "records no implementer")
}

test_standard_emergency_and_unimplemented_changes_are_out_of_scope if {
	std := object.union(change("low", []), {"id": "CHG1", "type": "standard"})
	emg := object.union(change("low", []), {"id": "CHG2", "type": "emergency"})
	planned := object.union(change("low", []), {"id": "CHG3", "actual_start": null})
	e := {"change_requests": [std, emg, planned]}
	count(sm_001.violations) == 0 with input as e
	count(sm_001.in_scope) == 0 with input as e
}

test_min_approvals_parameter if {
	c := change("low", [approval("bob@brightwater.example", null)])
	p := {"SM-001": {"min_approvals": 2, "high_risk_min_approvals": 3, "high_risks": ["high", "very_high"]}}
	count(sm_001.violations) == 1 with input as ev(c) with data.params as p
}
