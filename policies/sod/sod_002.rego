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


idx := changes.index(input.changes)

prod := changes.production(input.deployments, {identity.norm(e) | some e in params.production_environments})

in_scope := {d.id | some d in prod}

# the deployed commits, lower-cased once per distinct commit (many deployments ship one commit)
deployed := {c: lower(c) | some c in {d.commit | some d in prod}}

# who triggered the deployments and who approved them, distinct (null where a deployment records none)
actors := {object.get(d, "actor", null) | some d in prod}

approvers := {object.get(d, "approver", null) | some d in prod}

# [email, login] -> person key, resolved once for the authors of the deployed commits, the actors
# and the deployment approvers
names := identity.persons(identity.index_for(object.get(input, "identities", []), named), named)

named := (changes.authors_named(deployed_changes) | {identity.pair_of(a) | some a in actors}) | {
	identity.pair_of(a) |
		some a in approvers
}

# the change records of the deployed commits
deployed_changes := [c | some sha in deployed; some c in idx.records[sha]]

# commit (as deployed) -> the person keys of its authors, once per deployed commit
authors := {commit: union({changes.authors(names, c) | some c in recs}) |
	some commit, sha in deployed
	recs := idx.records[sha]
}

# commit -> its author, for commits with exactly one (the only ones a deployer can be the sole author of)
sole_author := {sha: p | some sha, ps in authors; count(ps) == 1; some p in ps}

# actor -> the person key of who triggered a deployment, once per distinct actor
deployers := {a: p | some a in actors; p := names[identity.pair_of(a)]}

# actors naming nobody (neither address nor login recorded)
unrecorded_actors := {a | some a in actors; not deployers[a]}

# commits whose sole author triggers deployments: only deployments of these can be self-deployed
deployed_by_author := {c | some c, p in sole_author; p in {q | some _, q in deployers}}

# deployments triggered by the sole author of the deployed commit
self_deployed := [d |
	some d in prod
	d.commit in deployed_by_author
	deployers[d.actor] == sole_author[d.commit]
]

deployer(d) := deployers[d.actor]

# actor -> how messages name it, once per distinct actor
actor_labels := {a: actor_label(a) | some a in actors}

default actor_label(_) := "an unrecorded actor"

actor_label(a) := identity.field(a, "email")

actor_label(a) := identity.field(a, "login") if not identity.field(a, "email")

independently_approved(d) if {
	params.allow_independent_deploy_approval
	p := names[identity.pair_of(d.approver)]
	p != deployer(d)
	not p in authors[d.commit]
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
		[where(d), actor_labels[d.actor], changes.short(deployed[d.commit])],
	),
} if {
	some d in self_deployed
	not independently_approved(d)
}
