# METADATA
# title: Privileged access is reviewed at least every max_days_since_review days
# description: >-
#   Reads input.access_grants and input.access_reviews (and identities, when
#   present, to skip disabled accounts). Every role with active privileged grants
#   must be covered by an access review (scope "<system>:<role>" or the whole
#   "<system>") completed within the last max_days_since_review days. A role whose
#   privileged grants are all younger than that period is not yet due; a grant with no
#   recorded granted_at is taken to be old enough, never too new.
package controls.sod.sod_004

import rego.v1

import data.lib.grants
import data.lib.groups
import data.lib.identity
import data.lib.time

params := data.params["SOD-004"]

now_ns := time.parse(data.audit.as_of)

max_days := params.max_days_since_review

max_age_ns := time.days(max_days)

active_grants := grants.active(input.access_grants, object.get(input, "identities", []), now_ns)

# [role key, granted ns] of every active privileged grant, sorted once; the role key is "<system>:<role>".
# An undated grant (granted_at null: AWS IAM does not record it) counts as granted at the
# epoch, so its role is always due: an unknown age never makes a role too new to review.
privileged := sort([[concat(":", [g.system, g.role]), grants.granted_ns(g)] |
	some g in active_grants
	g.privileged
])

# [system, role] by role key.
privileged_roles := {concat(":", [g.system, g.role]): [g.system, g.role] | some g in active_grants; g.privileged}

# Per role key, in one pass each: how many active privileged grants, and the earliest granted.
holders := groups.counts([p[0] | some p in privileged])

earliest_grant := groups.first(privileged)

# The latest review completed by the audit instant, per normalised scope.
# (the first of the negated completion times is the latest)
latest_review := {scope: (0 - negated) | some scope, negated in groups.first(sort([[identity.norm(r.scope), 0 - t] |
	some r in input.access_reviews
	t := time.parse(r.completed_at)
	t <= now_ns
]))}

# Facts per role, computed once: a review of the whole system or of the role covers it.
roles := {key: {
	"system": system, "role": role, "holders": holders[key],
	"due": earliest_grant[key] < now_ns - max_age_ns,
	"reviewed": {t | some scope in {identity.norm(system), identity.norm(key)}; t := latest_review[scope]},
} | some key, [system, role] in privileged_roles}

in_scope := {key | some key, _ in roles}

violations contains {
	"resource": key,
	"message": sprintf(
		concat("", [
			"Privileged role %s on %s (%d active grant(s)) has never been reviewed; run an access review of it ",
			"and recertify or remove each grant, then repeat every %d days.",
		]),
		[f.role, f.system, f.holders, max_days],
	),
} if {
	some key, f in roles
	f.due
	count(f.reviewed) == 0
}

violations contains {
	"resource": key,
	"message": sprintf(
		concat("", [
			"Privileged role %s on %s (%d active grant(s)) was last reviewed %d days ago, beyond the %d-day ",
			"review cycle; run an access review of it now.",
		]),
		[f.role, f.system, f.holders, time.age_days(latest, now_ns), max_days],
	),
} if {
	some key, f in roles
	f.due
	count(f.reviewed) > 0
	latest := max(f.reviewed)
	now_ns - latest > max_age_ns
}
