package controls.security.sec_004

# Production deployments ship only reviewed, tested commits.
# Reads input.deployments and input.changes. Every deployment to a production
# environment that reached it (status success or unknown) must deploy a commit
# recorded in the change evidence as reviewed and, when require_tests_passed
# is true, with its required CI checks passed (null counts as not shown).

import rego.v1

params := data.params["SEC-004"]

str(x) := x if is_string(x)

else := ""

norm(s) := lower(trim_space(s))

prod_envs := {norm(e) | some e in object.get(params, "production_environments", ["production"]); is_string(e)}

prod_deployments contains d if {
	some d in input.deployments
	norm(str(object.get(d, "environment", ""))) in prod_envs
	object.get(d, "status", "unknown") in {"success", "unknown"}
}

commit_of(d) := norm(str(object.get(d, "commit", "")))

short(sha) := substring(sha, 0, 7) if count(sha) > 7

else := sha

# Changes indexed by commit id. A commit collected more than once (e.g. from two
# branches) keeps all its records; the sort keeps the index linear.
change_keys := sort([norm(str(object.get(c, "id", ""))) | some c in input.changes])

duplicate_ids := {id | some k, id in change_keys; k > 0; change_keys[k - 1] == id}

unique_changes := {id: c |
	some c in input.changes
	id := norm(str(object.get(c, "id", "")))
	not id in duplicate_ids
}

# records(sha): every change record of the commit; empty when not collected.
records(sha) := [c] if {
	c := unique_changes[sha]
} else := [c | some c in input.changes; norm(str(object.get(c, "id", ""))) == sha] if {
	sha in duplicate_ids
} else := []

where(d) := sprintf("Deployment %s of %s to %s", [d.id, str(object.get(d, "service", "")), str(object.get(d, "environment", ""))])

reviewed(recs) if {
	some c in recs
	object.get(c, "reviewed", false) == true
}

tested(recs) if {
	some c in recs
	object.get(c, "tests_passed", null) == true
}

tests_failed(recs) if {
	some c in recs
	object.get(c, "tests_passed", null) == false
}

violations contains {
	"resource": d.id,
	"message": sprintf("%s shipped commit %s, which has no change record showing review or tests; collect the repository history or investigate how the commit reached production.", [where(d), short(commit_of(d))]),
} if {
	some d in prod_deployments
	count(records(commit_of(d))) == 0
}

violations contains {
	"resource": d.id,
	"message": sprintf("%s shipped commit %s, which was not code reviewed; review the change retrospectively and deploy only from reviewed pull requests.", [where(d), short(commit_of(d))]),
} if {
	some d in prod_deployments
	recs := records(commit_of(d))
	count(recs) > 0
	not reviewed(recs)
}

violations contains {"resource": d.id, "message": message} if {
	object.get(params, "require_tests_passed", true) == true
	some d in prod_deployments
	recs := records(commit_of(d))
	count(recs) > 0
	not tested(recs)
	message := checks_message(d, recs)
}

checks_message(d, recs) := sprintf("%s shipped commit %s whose required CI checks failed; fix and re-run the checks, and block deployment of commits with failing checks.", [where(d), short(commit_of(d))]) if {
	tests_failed(recs)
} else := sprintf("%s shipped commit %s with no record of passing CI checks; make the pipeline run and record the required checks before deployment.", [where(d), short(commit_of(d))])
