package controls.security.sec_001

# Every human (and root) account with console access has MFA enabled.
# Reads input.identities. An enabled identity whose type is in account_types,
# that can sign in to a console and has mfa_enabled not true, is at fault.

import rego.v1

params := data.params["SEC-001"]

types := {t | some t in object.get(params, "account_types", ["human", "root"]); is_string(t)}

str(x) := x if is_string(x)

else := ""

violations contains {
	"resource": i.id,
	"message": sprintf("%s account %s (%s, %s) can sign in to the console without MFA; enable MFA for it or remove its console password.", [kind_label(i), i.id, str(object.get(i, "display_name", "")), str(object.get(i, "system", ""))]),
} if {
	some i in input.identities
	object.get(i, "type", "human") in types
	object.get(i, "console_access", false) == true
	object.get(i, "disabled", false) != true
	object.get(i, "mfa_enabled", false) != true
}

kind_label(i) := "Root" if object.get(i, "type", "") == "root"

else := "Human" if object.get(i, "type", "human") == "human"

else := concat(" ", [str(object.get(i, "type", "")), "type"])

# in_scope: the resource ids of every item this control judged (the evaluator counts them).
in_scope contains i.id if {
	some i in input.identities
	object.get(i, "type", "human") in types
	object.get(i, "console_access", false) == true
	object.get(i, "disabled", false) != true
}
