package controls.sod.sod_002_test

import rego.v1

import data.controls.sod.sod_002
import data.lib.testing

people := [
	{"id": "okta:alice", "person": "p-001", "display_name": "Alice Ng", "emails": ["alice@brightwater.example"], "username": "alice"},
	{"id": "github:alice-ng", "person": "p-001", "display_name": "Alice Ng", "emails": ["1001+alice-ng@users.noreply.github.com"], "username": "alice-ng"},
	{"id": "okta:bob", "person": "p-002", "display_name": "Bob Roy", "emails": ["bob@brightwater.example"], "username": "bob"},
	{"id": "github:deploy-bot", "person": "svc-deploy", "display_name": "Deploy bot", "emails": ["deploy-bot@brightwater.example"], "username": "bw-deploy-bot", "type": "service"},
]

sha := "b1b2c3d4e5f60718293a4b5c6d7e8f9012345678"

change := {
	"id": sha, "repository": "brightwater/ledger", "branch": "main",
	"author": {"name": "Alice Ng", "email": "alice@brightwater.example"},
	"committer": {"name": "Alice Ng", "email": "alice@brightwater.example"},
	"is_merge": false, "message_summary": "Tune batch size",
	"approvals": [{"email": "bob@brightwater.example", "source": "github"}],
}

deploy(actor, approver) := {
	"id": "d-200", "environment": "production", "service": "ledger", "commit": sha, "ref": "v3.2.1",
	"actor": actor, "approver": approver, "status": "success",
}

evidence(d) := {"changes": [change], "deployments": [d], "identities": people}

test_other_person_deploys_passes if {
	count(sod_002.violations) == 0 with input as evidence(deploy({"email": "bob@brightwater.example"}, null))
}

test_pipeline_service_account_deploys_passes if {
	count(sod_002.violations) == 0 with input as evidence(deploy({"login": "bw-deploy-bot"}, null))
}

test_sole_author_deploys_fails if {
	x := testing.only(sod_002.violations) with input as evidence(deploy({"email": "alice@brightwater.example", "name": "Alice Ng"}, null))
	x.resource == "d-200"
	contains(x.message, "triggered by alice@brightwater.example, the sole author of commit b1b2c3d")
}

test_sole_author_deploys_from_other_account_fails if {
	# The GitHub login alice-ng is Alice's second identity.
	x := testing.only(sod_002.violations) with input as evidence(deploy({"login": "alice-ng"}, null))
	contains(x.message, "alice-ng")
}

test_independent_deployment_approval_passes if {
	count(sod_002.violations) == 0 with input as evidence(deploy({"login": "alice-ng"}, {"email": "bob@brightwater.example"}))
}

test_deployment_approved_by_author_alias_fails if {
	count(sod_002.violations) == 1 with input as evidence(deploy({"email": "alice@brightwater.example"}, {"login": "alice-ng"}))
}

test_deployment_approval_not_accepted_when_disabled if {
	count(sod_002.violations) == 1 with input as evidence(deploy({"login": "alice-ng"}, {"email": "bob@brightwater.example"}))
		with data.params["SOD-002"] as {"production_environments": ["production"], "allow_independent_deploy_approval": false}
}

test_co_authored_change_deployed_by_one_author_passes if {
	c := object.union(change, {"merged_commits": [{"id": "0000000000000000000000000000000000000004", "author": {"name": "Bob Roy", "email": "bob@brightwater.example"}}]})
	count(sod_002.violations) == 0 with input as {"changes": [c], "deployments": [deploy({"email": "alice@brightwater.example"}, null)], "identities": people}
}

test_missing_actor_fails if {
	d := object.remove(deploy({}, null), ["actor"])
	x := testing.only(sod_002.violations) with input as evidence(d)
	contains(x.message, "no recorded actor")
	count(sod_002.violations) == 1 with input as evidence(deploy({"name": "Someone"}, null))
}

test_unknown_commit_is_left_to_sod_001 if {
	d := object.union(deploy({"email": "alice@brightwater.example"}, null), {"commit": "ffffffffffffffffffffffffffffffffffffffff"})
	count(sod_002.violations) == 0 with input as evidence(d)
}

test_staging_ignored if {
	d := object.union(deploy({"email": "alice@brightwater.example"}, null), {"environment": "staging"})
	count(sod_002.violations) == 0 with input as evidence(d)
}

test_in_scope_is_the_production_deployments if {
	count(sod_002.in_scope) == 1 with input as {"changes": [], "deployments": [{"id": "d-1", "environment": "production", "service": "s", "commit": "abcdef0", "status": "success", "actor": {}, "approver": null}]}
}
