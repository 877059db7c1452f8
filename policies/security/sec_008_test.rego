package controls.security.sec_008_test

import rego.v1

import data.controls.security.sec_008
import data.lib.testing

commit(branch, sig) := {
	"id": "e1b2c3d4e5f60718293a4b5c6d7e8f9012345678", "repository": "brightwater/web", "branch": branch,
	"author": {"name": "Nia Bell", "email": "nia@brightwater.example"}, "message_summary": "Bump deps", "signature": sig,
}

test_verified_passes if {
	count(sec_008.violations) == 0 with input as {"changes": [commit("main", {"present": true, "verified": true, "key_id": "SHA256:abc"})]}
}

test_unsigned_fails if {
	x := testing.only(sec_008.violations) with input as {"changes": [commit("main", {"present": false, "verified": null})]}
	x.resource == "e1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
	contains(x.message, "Commit e1b2c3d (Bump deps) on main of brightwater/web by nia@brightwater.example is not signed")
	count(sec_008.violations) == 1 with input as {"changes": [commit("main", {"present": false, "verified": false})]}
}

test_bad_signature_fails if {
	x := testing.only(sec_008.violations) with input as {"changes": [commit("main", {"present": true, "verified": false, "key_id": "4AEE18F83AFDEB23"})]}
	contains(x.message, "failed verification (key 4AEE18F83AFDEB23)")
}

test_unverifiable_signature if {
	c := commit("main", {"present": true, "verified": null})
	count(sec_008.violations) == 1 with input as {"changes": [c]}
	count(sec_008.violations) == 0 with input as {"changes": [c]}
		with data.params["SEC-008"] as {"protected_branches": ["main"], "require_verified": false}
}

test_branch_scope if {
	c := commit("feature/login", {"present": false, "verified": null})
	count(sec_008.violations) == 0 with input as {"changes": [c]}
	count(sec_008.violations) == 1 with input as {"changes": [c]}
		with data.params["SEC-008"] as {"protected_branches": [], "require_verified": true}
}

test_in_scope_is_commits_on_protected_branches if {
	sec_008.in_scope == {"c1"} with input as {"changes": [
		{"id": "c1", "branch": "main"},
		{"id": "c2", "branch": "feature/x"},
	]}
}
