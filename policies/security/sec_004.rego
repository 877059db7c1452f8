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

deployed := changes.deployed(prod)

rel := changes.releases(deployed, idx)

in_scope := {d.id | some d in prod}

# sha -> {"reviewed", "tested", "failed"}, judged once per commit over all its records
facts := {sha: {
	"reviewed": count([c | some c in recs; c.reviewed == true]) > 0,
	"tested": count([c | some c in recs; c.tests_passed == true]) > 0,
	"failed": count([c | some c in recs; c.tests_passed == false]) > 0,
} |
	some sha in changes.shipped_commits(rel)
	recs := idx.records[sha]
}

# sha -> what is wrong with it, once per commit: "missing", "unrecorded", "unreviewed", "failed", "untested"
concern := {sha: problems | some sha in changes.shipped_commits(rel); problems := concerns_of(sha)}

concerns_of(sha) := ["missing"] if changes.hole(sha)

concerns_of(sha) := ["unrecorded"] if {
	not changes.hole(sha)
	not facts[sha]
}

concerns_of(sha) := array.concat(
	[k | some k in ["unreviewed"]; not f.reviewed],
	[k | some k in ["failed", "untested"]; params.require_tests_passed; not f.tested; f.failed == (k == "failed")],
) if {
	f := facts[sha]
}

concerns := changes.concerns(rel, concern)

# [deployment, commit, concern] for every concern of every commit a deployment shipped
flagged := [[d, sha, c] |
	some [d, key] in deployed
	some [sha, c] in concerns[key]
]

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
	some [d, sha, "unrecorded"] in flagged
}

violations contains {"resource": d.id, "message": changes.missing_history(where(d), changes.hole(sha))} if {
	some [d, sha, "missing"] in flagged
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
	some [d, sha, "unreviewed"] in flagged
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
	some [d, sha, "failed"] in flagged
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
	some [d, sha, "untested"] in flagged
}
