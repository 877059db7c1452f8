package lib.identity_test

import rego.v1

import data.lib.identity

dirs := [
	{"id": "okta:dan", "person": "p-010", "display_name": "Dan Okafor", "emails": ["Dan@Brightwater.example"], "username": "dan"},
	{"id": "github:dan-o", "person": "p-010", "display_name": "Dan O", "emails": ["2002+dan-o@users.noreply.github.com"], "username": "dan-o"},
	{"id": "okta:erin", "person": "p-011", "display_name": "Erin Walsh", "emails": ["erin@brightwater.example", "shared@brightwater.example"], "username": null},
	{"id": "okta:zed", "person": "p-099", "display_name": "", "emails": ["shared@brightwater.example"], "username": "zed"},
]

people := identity.index(dirs)

test_email_resolves_case_insensitively if {
	identity.person_of(people, {"email": " DAN@brightwater.example "}) == "person:p-010"
}

test_second_address_is_the_same_person if {
	identity.person_of(people, {"email": "2002+dan-o@users.noreply.github.com"}) == identity.person_of(people, {"email": "dan@brightwater.example"})
}

test_noreply_resolves_through_its_login if {
	identity.person_of(people, {"email": "777+dan@users.noreply.github.com"}) == "person:p-010"
}

test_login_resolves if {
	identity.person_of(people, {"email": null, "login": "DAN-O"}) == "person:p-010"
}

test_email_wins_over_login if {
	identity.person_of(people, {"email": "erin@brightwater.example", "login": "dan"}) == "person:p-011"
}

test_shared_address_goes_to_lowest_person_id if {
	identity.person_of(people, {"email": "shared@brightwater.example"}) == "person:p-011"
}

test_unknown_address_stays_an_address if {
	identity.person_of(people, {"email": "Stranger@Example.com", "login": "nobody"}) == "email:stranger@example.com"
}

test_unknown_login_only if {
	identity.person_of(people, {"email": null, "login": "Nobody"}) == "login:nobody"
}

test_nothing_recorded_is_undefined if {
	not identity.person_of(people, {"email": null, "login": ""})
	not identity.person_of(people, null)
	not identity.person_of_email(people, null)
}

test_without_identities_addresses_stay_distinct if {
	none := identity.index([])
	identity.person_of(none, {"email": "dan@brightwater.example"}) == "email:dan@brightwater.example"
	identity.person_of(none, {"email": "2002+dan-o@users.noreply.github.com"}) != identity.person_of(none, {"email": "dan@brightwater.example"})
}

test_collector_keys_resolve if {
	identity.resolve(people, "email:dan@brightwater.example") == "person:p-010"
	identity.resolve(people, "email:someone@else.example") == "email:someone@else.example"
	identity.resolve(people, "login:erin") == "login:erin"
	identity.resolve(people, "login:zed") == "person:p-099"
	identity.resolve(people, "person:p-5") == "person:p-5"
}

test_person_key if {
	identity.person_key("p-1") == "person:p-1"
}

test_display_names if {
	names := identity.display_names(dirs)
	names["person:p-010"] == "Dan O"
	names["person:p-011"] == "Erin Walsh"
	not names["person:p-099"]
}

test_index_is_first_claim_per_key if {
	people.email["shared@brightwater.example"] == "p-011"
	count(people.login) == 3
}

test_pair_of_is_the_raw_address_and_login if {
	identity.pair_of({"email": "Dan@X.example", "login": "dan", "name": "Dan"}) == ["Dan@X.example", "dan"]
	identity.pair_of({"name": "nobody"}) == [null, null]
	identity.pair_of(null) == [null, null]
}

test_persons_resolve_each_pair_as_person_of_does if {
	whos := [
		{"email": " DAN@brightwater.example "}, {"email": "777+dan@users.noreply.github.com"},
		{"email": null, "login": "DAN-O"}, {"email": "erin@brightwater.example", "login": "dan"},
		{"email": "nobody@x.example"}, {"login": "ghost"},
	]
	names := identity.persons(people, {identity.pair_of(w) | some w in whos})
	count(names) == count(whos)
	every w in whos {
		names[identity.pair_of(w)] == identity.person_of(people, w)
	}
}

test_persons_leave_out_pairs_naming_nobody if {
	identity.persons(people, {[null, null], ["", " "]}) == {}
}

test_key_pair_and_person_in_resolve_collector_keys if {
	identity.key_pair("email:Dan@brightwater.example") == ["Dan@brightwater.example", null]
	identity.key_pair("login:dan") == [null, "dan"]
	not identity.key_pair("person:p-010")
	names := identity.persons(people, {identity.key_pair(k) | some k in ["email:Dan@brightwater.example", "login:dan-o", "login:ghost"]})
	identity.person_in(names, "email:Dan@brightwater.example") == identity.resolve(people, "email:Dan@brightwater.example")
	identity.person_in(names, "login:dan-o") == "person:p-010"
	identity.person_in(names, "login:ghost") == "login:ghost"
	identity.person_in(names, "person:p-042") == "person:p-042"
	not identity.person_in(names, "github:dan")
}

test_index_for_resolves_the_wanted_pairs_as_the_whole_index_does if {
	whos := [
		{"email": " DAN@brightwater.example "}, {"email": "777+dan@users.noreply.github.com"},
		{"email": "shared@brightwater.example"}, {"email": null, "login": "DAN-O"},
		{"email": "nobody@x.example", "login": "zed"}, {"login": "ghost"},
	]
	pairs := {identity.pair_of(w) | some w in whos}
	identity.persons(identity.index_for(dirs, pairs), pairs) == identity.persons(people, pairs)
}

test_index_for_keeps_only_wanted_keys if {
	part := identity.index_for(dirs, {["erin@brightwater.example", null], [null, "ZED"], ["9+dan@users.noreply.github.com", null]})
	part.email == {"erin@brightwater.example": "p-011"}
	part.login == {"zed": "p-099", "dan": "p-010"}
}

test_display_names_of_names_only_the_people_asked_for if {
	identity.display_names_of(dirs, {"p-010", "p-099"}) == {"person:p-010": "Dan O"}
	identity.display_names_of(dirs, {"p-010", "p-011"}) == {k: v | some k, v in identity.display_names(dirs); k != "person:p-099"}
}
