package controls.security.sec_008

# Commits on protected branches carry a verified signature.
# Reads input.changes. On the protected branches (all branches when the list is
# empty) a commit is at fault when it is unsigned, when its signature failed
# verification, or (require_verified) when the signature could not be verified.

import rego.v1

params := data.params["SEC-008"]

str(x) := x if is_string(x)

else := ""

branches := {lower(b) | some b in object.get(params, "protected_branches", ["main", "master"]); is_string(b)}

protected(c) if count(branches) == 0

protected(c) if lower(str(object.get(c, "branch", ""))) in branches

signature(c) := s if {
	s := object.get(c, "signature", {})
	is_object(s)
} else := {}

short(sha) := substring(sha, 0, 7) if count(sha) > 7

else := sha

where(c) := sprintf("Commit %s (%s) on %s of %s by %s", [short(str(object.get(c, "id", ""))), str(object.get(c, "message_summary", "")), str(object.get(c, "branch", "")), str(object.get(c, "repository", "")), author(c)])

author(c) := e if {
	a := object.get(c, "author", {})
	is_object(a)
	e := object.get(a, "email", null)
	is_string(e)
} else := "an unrecorded author"

violations contains {
	"resource": c.id,
	"message": sprintf("%s is not signed; require signed commits on the branch and have the author configure commit signing.", [where(c)]),
} if {
	some c in input.changes
	protected(c)
	object.get(signature(c), "present", false) != true
}

violations contains {
	"resource": c.id,
	"message": sprintf("%s has a signature that failed verification (key %s); investigate whether the commit was forged and have the author re-register their signing key.", [where(c), str(object.get(signature(c), "key_id", "unknown"))]),
} if {
	some c in input.changes
	protected(c)
	object.get(signature(c), "present", false) == true
	object.get(signature(c), "verified", null) == false
}

violations contains {
	"resource": c.id,
	"message": sprintf("%s is signed but its signature could not be verified; collect it with verification (forge API or an allowed-signers file) or register the signing key.", [where(c)]),
} if {
	object.get(params, "require_verified", true) == true
	some c in input.changes
	protected(c)
	object.get(signature(c), "present", false) == true
	object.get(signature(c), "verified", null) == null
}

# in_scope: the resource ids of every item this control judged (the evaluator counts them).
in_scope contains c.id if {
	some c in input.changes
	protected(c)
}
