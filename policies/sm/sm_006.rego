# METADATA
# title: SM-006 Every production service has an owner, a tier and an SLO with an error-budget policy
# description: >-
#   Reads input.services. Every service in one of production_environments must
#   name an owner, a tier, at least one SLO and an error-budget policy: the
#   minimum of a service constitution someone can be held to.
package controls.sm.sm_006

import rego.v1

params := data.params["SM-006"]

prod_envs := {lower(e) | some e in params.production_environments}

production contains s if {
	some s in input.services
	lower(s.environment) in prod_envs
}

in_scope contains s.id if {
	some s in production
}

violations contains {
	"resource": s.id,
	"message": sprintf("Production service %s (%s) has no %s; %s.", [s.id, s.name, gap, fix]),
} if {
	some s in production
	some [gap, fix] in gaps(s)
}

gaps(s) := {g |
	some check in checks
	not present(s, check)
	g := messages[check]
}

checks := ["owner", "tier", "slos", "error_budget_policy"]

messages := {
	"owner": ["named owner", "name the person accountable for it in the service catalogue"],
	"tier": ["tier", "assign a criticality tier so its targets and support match its importance"],
	"slos": ["service level objective", "define at least one SLO (SLI, target and window) for what users need from it"],
	"error_budget_policy": ["error-budget policy", "agree what happens to changes when its error budget runs out"],
}

present(s, "owner") if {
	is_object(s.owner)
	some f in ["email", "login", "name"]
	is_string(object.get(s.owner, f, null))
	trim_space(s.owner[f]) != ""
}

present(s, "tier") if is_number(s.tier)

present(s, "slos") if count(s.slos) > 0

present(s, "error_budget_policy") if is_object(s.error_budget_policy)
