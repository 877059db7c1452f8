# METADATA
# title: The deployer of a production release is not its sole author
# description: >-
#   Reads input.deployments, input.changes and, when present, identities. A
#   production deployment is at fault when the person who triggered it is the
#   only author of the deployed commit, unless (allow_independent_deploy_approval)
#   a different person, not an author, approved the deployment itself. A
#   production deployment with no recorded actor is also at fault: independence
#   cannot be shown. People are compared as persons (lib.identity). Commits
#   missing from the evidence, or with no recorded author, are reported by SOD-001.
package controls.sod.sod_002

import rego.v1

import data.lib.changes
import data.lib.identity

params := data.params["SOD-002"]

people := identity.index(object.get(input, "identities", []))

idx := changes.index(input.changes)

prod := changes.production(input.deployments, {identity.norm(e) | some e in params.production_environments})

in_scope := {d.id | some d in prod}

# commit -> the person keys of its authors, once per deployed commit (many deployments ship one commit)
authors := {sha: union({changes.authors(people, c) | some c in recs}) |
	some sha in {lower(d.commit) | some d in prod}
	recs := idx.records[sha]
}

# commit -> its author, for commits with exactly one (the only ones a deployer can be the sole author of)
sole_author := {sha: p | some sha, ps in authors; count(ps) == 1; some p in ps}

# who triggered the deployments (null for a deployment that records no actor)
actors := {object.get(d, "actor", null) | some d in prod}

# actor -> the person key of who triggered a deployment, once per distinct actor
deployers := {a: p | some a in actors; p := identity.person_of(people, a)}

# actors naming nobody (neither address nor login recorded)
unrecorded_actors := {a | some a in actors; not deployers[a]}

deployer(d) := deployers[d.actor]

default actor_label(_) := "an unrecorded actor"

actor_label(d) := identity.field(d.actor, "email")

actor_label(d) := identity.field(d.actor, "login") if not identity.field(d.actor, "email")

independently_approved(d) if {
	params.allow_independent_deploy_approval
	p := identity.person_of(people, d.approver)
	p != deployer(d)
	not p in authors[lower(d.commit)]
}

where(d) := sprintf("Deployment %s of %s to %s", [d.id, d.service, d.environment])

violations contains {
	"resource": d.id,
	"message": sprintf(
		concat("", [
			"%s has no recorded actor, so it cannot be shown that someone other than the author deployed it; record ",
			"who triggers production deployments in the pipeline.",
		]),
		[where(d)],
	),
} if {
	count(unrecorded_actors) > 0
	some d in prod
	object.get(d, "actor", null) in unrecorded_actors
}

violations contains {
	"resource": d.id,
	"message": sprintf(
		concat("", [
			"%s was triggered by %s, the sole author of commit %s, with no independent deployment approval; have ",
			"another engineer deploy or approve it (e.g. a protected environment with required reviewers).",
		]),
		[where(d), actor_label(d), changes.short(lower(d.commit))],
	),
} if {
	some d in prod
	p := sole_author[lower(d.commit)]
	deployers[d.actor] == p
	not independently_approved(d)
}
