# METADATA
# title: Person resolution
# description: >-
#   The one place Rego turns an email address, a login or a collector's person key
#   into a person key, the same key auditor/identity.py produces: "person:<id>" when
#   an identities item claims the address or login (the lowest person id when
#   several do), else "email:<lower-cased address>", else "login:<login>". A forge
#   noreply address (12345+name@users.noreply.github.com) resolves through the login
#   it embeds. Build the index once in a rule of the control,
#   people := identity.index(object.get(input, "identities", [])), and pass it in.
package lib.identity

import rego.v1

# METADATA
# title: index
# description: >-
#   Person ids by lower-cased email address and by login, from identities items. The
#   (address, person) pairs are collected as a set first, so an address many accounts
#   share is normalised and sorted once.
index(identities) := {
	"email": claims({[e, i.person] | some i in identities; some e in i.emails}),
	"login": claims({[u, i.person] |
		some i in identities
		u := i.username # optional, string or null (the schema): absent is undefined, skipped
		u != null
	}),
}

# METADATA
# title: index_for
# description: >-
#   The index (as index builds it) restricted to the addresses and logins that pairs (from
#   pair_of or key_pair) can look up, noreply logins included: every claim of a wanted key is
#   kept, so each resolves to the same person as with the whole index, while the identities
#   are read in one pass, as distinct [emails, username, person] entries, and only wanted keys
#   are sorted. For a control that resolves a few people against a large directory.
index_for(identities, pairs) := {
	"email": first_claims(sort({[k, e[2]] |
		some e in entries
		some raw in e[0]
		k := norm(raw)
		k in emails
	})),
	"login": first_claims(sort({[k, e[2]] |
		some e in entries
		is_string(e[1])
		k := norm(e[1])
		k in logins
	})),
} if {
	entries := {[i.emails, object.get(i, "username", null), i.person] | some i in identities}
	emails := {norm(p[0]) | some p in pairs; is_string(p[0])}
	logins := {norm(p[1]) | some p in pairs; is_string(p[1])} | {login | some e in emails; login := noreply_login(e)}
}

# Distinct raw [key, person] pairs -> {normalised key: lowest person}.
claims(raw) := first_claims(sort({[lower(trim_space(k)), p] | some [k, p] in raw}))

# Sorted [key, person] pairs -> {key: person} keeping the first (lowest) person of each
# key. The shifted array of previous keys is built once, so this stays linear.
first_claims(pairs) := {pair[0]: pair[1] |
	previous := array.concat([null], [p[0] | some p in pairs])
	some k, pair in pairs
	pair[0] != ""
	pair[0] != previous[k]
}

# METADATA
# title: norm
# description: Lower-cased and trimmed.
norm(s) := lower(trim_space(s))

# METADATA
# title: field
# description: who[name] lower-cased and trimmed; undefined when who is not an object or the field is null or empty.
field(who, name) := v if {
	is_object(who)
	raw := object.get(who, name, null)
	is_string(raw)
	v := norm(raw)
	v != ""
}

# METADATA
# title: noreply_login
# description: The login embedded in a GitHub noreply address; undefined for any other address.
noreply_login(address) := login if {
	endswith(address, "@users.noreply.github.com")
	parts := split(trim_suffix(address, "@users.noreply.github.com"), "+")
	login := parts[count(parts) - 1]
	login != ""
}

# METADATA
# title: person_of
# description: >-
#   The person key of who, an object with email and/or login (a commit author, an
#   approval, a deployment actor); undefined when neither is recorded. In order of
#   trust: the person claiming the address, the person claiming the login, the
#   person claiming the login a noreply address embeds, then the address, then the
#   login. One body, so each call looks each field up once.
person_of(people, who) := key if {
	e := text(who, "email")
	l := text(who, "login")
	keys := array.concat(
		array.concat(
			[concat("", ["person:", p]) | p := people.email[e]],
			[concat("", ["person:", p]) | p := people.login[l]],
		),
		array.concat(
			[concat("", ["person:", p]) | p := people.login[noreply_login(e)]],
			array.concat([concat("", ["email:", e]) | e != ""], [concat("", ["login:", l]) | l != ""]),
		),
	)
	key := keys[0]
}

# who[name] lower-cased and trimmed, "" when who is not an object or the field is null.
default text(_, _) := ""

text(who, name) := norm(who[name]) if {
	is_object(who)
	is_string(object.get(who, name, null))
}

# METADATA
# title: person_of_email
# description: The person key of an email address (a string); undefined for null or empty.
person_of_email(people, address) := person_of(people, {"email": address})

# METADATA
# title: resolve
# description: >-
#   A collector's person key ("email:...", "login:..." or "person:...") resolved
#   through the index, so a key written without the identity directory meets the
#   keys of approvers resolved with it.
resolve(people, key) := person_of(people, {"email": trim_prefix(key, "email:")}) if startswith(key, "email:")

resolve(people, key) := person_of(people, {"login": trim_prefix(key, "login:")}) if startswith(key, "login:")

resolve(people, key) := key if startswith(key, "person:")

# METADATA
# title: pair_of
# description: >-
#   The raw [email, login] of who (null where a field is absent; [null, null] when who is
#   not an object): the key persons resolves once, so a control looks each who up instead
#   of calling person_of per item (regorus does not memoise functions).
default pair_of(_) := [null, null]

pair_of(who) := [object.get(who, "email", null), object.get(who, "login", null)] if is_object(who)

# METADATA
# title: persons
# description: >-
#   {pair: person key} for the distinct [email, login] pairs given (from pair_of or key_pair),
#   each resolved once by person_of; a pair naming nobody is left out.
persons(people, pairs) := {p: key |
	some p in pairs
	key := person_of(people, {"email": p[0], "login": p[1]})
}

# METADATA
# title: key_pair
# description: >-
#   The pair of a collector's "email:..." or "login:..." person key ([address, null] or
#   [null, login]), so resolving it through persons is resolve; undefined for other keys.
key_pair(key) := [trim_prefix(key, "email:"), null] if startswith(key, "email:")

key_pair(key) := [null, trim_prefix(key, "login:")] if startswith(key, "login:")

# METADATA
# title: person_in
# description: >-
#   A collector's person key resolved through names (from persons over its key_pair): what
#   resolve gives, by lookup. A "person:..." key is already resolved.
person_in(_, key) := key if startswith(key, "person:")

person_in(names, key) := names[key_pair(key)]

# METADATA
# title: person_key
# description: The person key of a person id recorded in the evidence (e.g. an access grant's person).
person_key(id) := concat("", ["person:", id])

# METADATA
# title: display_names
# description: Person key -> the first display name of that person in identities items.
display_names(identities) := {concat("", ["person:", p]): name |
	some p, name in first_claims(sort({[i.person, i.display_name] | some i in identities; i.display_name != ""}))
}

# METADATA
# title: display_names_of
# description: >-
#   display_names restricted to the person ids in ids (a set): the same names, without sorting
#   the whole directory, for a control that names a few people.
display_names_of(identities, ids) := {concat("", ["person:", p]): name |
	some p, name in first_claims(sort({[i.person, i.display_name] |
		some i in identities
		i.person in ids
		i.display_name != ""
	}))
}
