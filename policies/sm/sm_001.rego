# METADATA
# title: SM-001 Normal changes are assessed and independently approved in proportion to their risk
# description: >-
#   Reads input.change_requests and, optionally, input.identities. Every normal
#   change that was implemented (actual_start recorded) must carry a risk rating
#   and an impact assessment, and approvals given no later than its start from at
#   least min_approvals people (high_risk_min_approvals for the risks in
#   high_risks) other than its implementer. People are compared as persons
#   (canonical keys person:<id> or email:<address>), so an approval from the
#   implementer's second account is not independent. A change whose implementer
#   is not recorded is at fault: independence cannot be shown.
package controls.sm.sm_001

import rego.v1

import data.lib.identity
import data.lib.text
import data.lib.time

params := data.params["SM-001"]

high_risks := {r | some r in params.high_risks}

in_scope contains c.id if {
	some c in normal
}

normal contains c if {
	some c in input.change_requests
	c.type == "normal"
	is_string(c.actual_start)
}

violations contains {
	"resource": c.id,
	"message": sprintf(
		concat("", [
			"Normal change %s (%s) was implemented without a risk and impact assessment (risk %v, impact assessment ",
			"%s); assess risk and impact before approval.",
		]),
		[c.id, service(c), c.risk, assessed_text(c)],
	),
} if {
	some c in normal
	not assessed(c)
}

violations contains {
	"resource": c.id,
	"message": sprintf(
		concat("", [
			"Normal change %s (%s) records no implementer, so its approvals cannot be shown to be independent; record ",
			"who implemented it.",
		]),
		[c.id, service(c)],
	),
} if {
	some c in normal
	not implementer_key[c.id]
}

violations contains {
	"resource": c.id,
	"message": sprintf(
		concat("", [
			"Normal change %s (%s, risk %v) had %d approval(s) before it started from people other than its ",
			"implementer %s, fewer than the %d its risk requires; get independent approval before implementation.",
		]),
		[c.id, service(c), c.risk, count(independent[c.id]), who_text(c.implementer), required(c)],
	),
} if {
	some c in normal
	implementer_key[c.id]
	count(independent[c.id]) < required(c)
}

assessed(c) if {
	c.risk != null
	is_string(c.impact_assessment)
	trim_space(c.impact_assessment) != ""
}

impact_text := {c.id: "present" | some c in normal; text.filled(c.impact_assessment)}

assessed_text(c) := object.get(impact_text, c.id, "missing")

required(c) := params.high_risk_min_approvals if c.risk in high_risks

required(c) := params.min_approvals if not c.risk in high_risks

service(c) := text.or_default(c.service, "no service recorded")

# ---- per-change facts, computed once ---------------------------------------------

implementer_key := {c.id: k | some c in normal; k := person(c.implementer)}

independent := {c.id: ks |
	some c in normal
	ks := {k |
		some a in c.approvals
		a.state == "approved"
		in_time(a, c)
		k := person(a.approver)
		k != object.get(implementer_key, c.id, "")
	}
}

# An approval counts when it was given no later than implementation started (or its time is not recorded).
in_time(a, c) if not is_string(object.get(a, "at", null))

in_time(a, c) if time.ns(a.at) <= time.ns(c.actual_start)

default who_text(_) := "(unrecorded)"

who_text(w) := w.email if is_string(object.get(w, "email", null))

who_text(w) := w.login if {
	not is_string(object.get(w, "email", null))
	is_string(object.get(w, "login", null))
}

# ---- persons: one canonical key (lib.identity), index built once ---------------

people := identity.index(object.get(input, "identities", []))

person(w) := identity.person_of(people, w)
