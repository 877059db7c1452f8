# METADATA
# title: Commits on protected branches carry a verified signature
# description: >-
#   Reads input.changes. On the protected branches (all branches when the list is
#   empty) a commit is at fault when it is unsigned, when its signature failed
#   verification, or (require_verified) when the signature could not be verified.
package controls.security.sec_008

import rego.v1

import data.lib.text

params := data.params["SEC-008"]

branches := {lower(b) | some b in params.protected_branches}

protected := [c | some c in input.changes; on_protected_branch(c)]

on_protected_branch(_) if count(branches) == 0

on_protected_branch(c) if lower(c.branch) in branches

where(c) := sprintf("Commit %s (%s) on %s of %s by %s", [
	text.short(c.id), c.message_summary, c.branch, c.repository,
	text.or_default(c.author.email, "an unrecorded author"),
])

violations contains {
	"resource": c.id,
	"message": sprintf(
		"%s is not signed; require signed commits on the branch and have the author configure commit signing.",
		[where(c)],
	),
} if {
	some c in protected
	c.signature.present != true
}

violations contains {
	"resource": c.id,
	"message": sprintf(
		concat("", [
			"%s has a signature that failed verification (key %s); investigate whether the commit was forged ",
			"and have the author re-register their signing key.",
		]),
		[where(c), text.or_empty(object.get(c.signature, "key_id", "unknown"))],
	),
} if {
	some c in protected
	c.signature.present == true
	c.signature.verified == false
}

violations contains {
	"resource": c.id,
	"message": sprintf(
		concat("", [
			"%s is signed but its signature could not be verified; collect it with verification ",
			"(forge API or an allowed-signers file) or register the signing key.",
		]),
		[where(c)],
	),
} if {
	params.require_verified
	some c in protected
	c.signature.present == true
	c.signature.verified == null
}

in_scope := {c.id | some c in protected}
