# METADATA
# title: Production deployments ship only reviewed, tested commits
# description: >-
#   Reads input.deployments and input.changes. Every change a production
#   deployment shipped (each commit on the deployed branch's first-parent history
#   since the commit the previous production deployment of the same service
#   shipped, or the deployed commit alone when that range cannot be drawn;
#   lib.changes) must be recorded as reviewed and, when require_tests_passed is
#   true, with its required CI checks passed (null counts as not shown).
package controls.security.sec_004

import rego.v1

import data.lib.changes
import data.lib.identity

params := data.params["SEC-004"]

idx := changes.index(input.changes)

prod := changes.production(input.deployments, {identity.norm(e) | some e in params.production_environments})

shipped := changes.shipped(prod, idx, input.changes)

in_scope := {d.id | some d in prod}

shipped_commits := {sha | some list in shipped; some sha in list}

# sha -> {"reviewed", "tested", "failed"}, judged once per commit over all its records
facts := {sha: {
	"reviewed": count([c | some c in recs; c.reviewed == true]) > 0,
	"tested": count([c | some c in recs; c.tests_passed == true]) > 0,
	"failed": count([c | some c in recs; c.tests_passed == false]) > 0,
} |
	some sha in shipped_commits
	recs := changes.records(idx, input.changes, sha)
	count(recs) > 0
}

where(d) := sprintf("Deployment %s of %s to %s", [d.id, d.service, d.environment])

what(d, sha) := changes.shipped_commit(lower(d.commit), sha)

violations contains {
	"resource": d.id,
	"message": sprintf(
		concat("", [
			"%s %s, which has no change record showing review or tests; collect the repository history or investigate ",
			"how the commit reached production.",
		]),
		[where(d), what(d, sha)],
	),
} if {
	some [d, sha] in changes.unrecorded(prod, shipped, facts)
}

violations contains {"resource": d.id, "message": changes.missing_history(where(d), at)} if {
	some [d, at] in changes.history_gaps(prod, shipped)
}

violations contains {
	"resource": d.id,
	"message": sprintf(
		concat("", [
			"%s %s, which was not code reviewed; review the change retrospectively and deploy only from reviewed pull ",
			"requests.",
		]),
		[where(d), what(d, sha)],
	),
} if {
	some d in prod
	some sha in shipped[d.id]
	not facts[sha].reviewed
	facts[sha]
}

violations contains {
	"resource": d.id,
	"message": sprintf(
		concat("", [
			"%s %s whose required CI checks failed; fix and re-run the checks, and block deployment of commits with ",
			"failing checks.",
		]),
		[where(d), what(d, sha)],
	),
} if {
	params.require_tests_passed
	some d in prod
	some sha in shipped[d.id]
	not facts[sha].tested
	facts[sha].failed
}

violations contains {
	"resource": d.id,
	"message": sprintf(
		concat("", [
			"%s %s with no record of passing CI checks; make the pipeline run and record the required checks before ",
			"deployment.",
		]),
		[where(d), what(d, sha)],
	),
} if {
	params.require_tests_passed
	some d in prod
	some sha in shipped[d.id]
	f := facts[sha]
	not f.tested
	not f.failed
}
