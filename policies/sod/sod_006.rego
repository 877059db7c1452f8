# METADATA
# title: Access reviews are not signed off by someone who holds the access reviewed
# description: >-
#   Reads input.access_reviews, input.access_grants and, when present, identities. A
#   review completed within the last lookback_days is at fault when its reviewer,
#   resolved to a person (lib.identity), held a grant in the reviewed scope when
#   signing off. Grants of identities now disabled are left out: the evidence does
#   not say when they were disabled.
package controls.sod.sod_006

import rego.v1

import data.lib.grants
import data.lib.groups
import data.lib.identity
import data.lib.text
import data.lib.time

params := data.params["SOD-006"]

now_ns := time.parse(data.audit.as_of)

identities := object.get(input, "identities", [])


# [review, completion ns] of reviews completed within the last lookback_days.
recent_reviews := [[r, t] |
	some r in input.access_reviews
	t := time.parse(r.completed_at)
	t <= now_ns
	now_ns - t <= time.days(params.lookback_days)
]

# One row per grant of an enabled identity (expired or not), computed once:
# person, the two scope keys that cover it, when it was granted and when it
# expires (null: never), and a label for messages. An undated grant (AWS IAM records no
# granted_at) counts as held since the epoch: it may have been held at any sign-off.
grant_rows := [{
	"person": identity.person_key(g.person),
	"scopes": grants.scope_keys(g),
	"granted_ns": grants.granted_ns(g),
	"expires_ns": grants.expires_ns(g),
	"label": sprintf("%s on %s", [g.role, g.system]),
} |
	some g in grants.of_enabled(input.access_grants, identities)
]

# held_at(row, t): the grant was in force at instant t.
held_at(row, t) if {
	row.granted_ns <= t
	row.expires_ns == null
}

held_at(row, t) if {
	row.granted_ns <= t
	row.expires_ns != null
	row.expires_ns > t
}

# [person, scope] for every scope a person holds a grant in, so each review is
# matched by a lookup rather than a scan of every grant.
# [person, scope] -> the grant rows giving that person access in that scope, grouped once
holdings := groups.by(sort([[[row.person, scope], row] | some row in grant_rows; some scope in row.scopes]))

in_scope := {r.id | some [r, _] in recent_reviews}

# reviewer address -> person key, resolved once per distinct reviewer
reviewers := {[r.reviewer, null] | some [r, _] in recent_reviews}

names := identity.persons(identity.index_for(identities, reviewers), reviewers)

violations contains {
	"resource": r.id,
	"message": sprintf(
		concat("", [
			"Access review %s of %s was signed off by %s, who held access in that scope (%s); have it ",
			"re-performed by someone independent of the access, such as the system owner or the holder's manager.",
		]),
		[r.id, r.scope, r.reviewer, text.joined(held)],
	),
} if {
	some [r, completed] in recent_reviews
	reviewer := names[[r.reviewer, null]]
	scope := identity.norm(r.scope)
	held := {row.label |
		some row in holdings[[reviewer, scope]]
		held_at(row, completed)
	}
	count(held) > 0
}
