# METADATA
# title: No customer-managed or inline policy grants full access
# description: >-
#   Reads input.access_policies. A customer-managed or inline policy is at fault when
#   full_access is true: a statement allows every action on every resource.
package controls.security.sec_010

import rego.v1

import data.lib.text

in_scope := {p.id | some p in input.access_policies}

violations contains {
	"resource": p.id,
	"message": sprintf(
		"%s policy %s allows every action on every resource (*:*), attached to %s; grant only the actions needed.",
		[p.policy_type, p.name, attached(p)],
	),
} if {
	some p in input.access_policies
	p.full_access
}

default attached(_) := "nothing"

attached(p) := text.joined(p.attached_to) if count(p.attached_to) > 0
