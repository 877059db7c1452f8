# METADATA
# title: Every human (and root) account with console access has MFA enabled
# description: >-
#   Reads input.identities. An enabled identity whose type is in account_types,
#   that can sign in to a console and has mfa_enabled false, is at fault.
package controls.security.sec_001

import rego.v1

params := data.params["SEC-001"]

types := {t | some t in params.account_types}

console_accounts := [i |
	some i in input.identities
	i.type in types
	i.console_access
	not i.disabled
]

violations contains {
	"resource": i.id,
	"message": sprintf(
		concat("", [
			"%s account %s (%s, %s) can sign in to the console without MFA; enable MFA for it or remove its console ",
			"password.",
		]),
		[kind_label[i.type], i.id, i.display_name, i.system],
	),
} if {
	some i in console_accounts
	not i.mfa_enabled
}

kind_label := {"root": "Root", "human": "Human", "service": "service type"}

in_scope := {i.id | some i in console_accounts}
