"""auditor.identity: the one canonical person key, the same as policies/lib/identity produces."""

from __future__ import annotations

from auditor.identity import EMPTY, Directory, noreply_login, parse_mailmap

PEOPLE = [
    {"person": "p-2", "emails": ["Shared@Acme.example", "ann@acme.example"], "username": "ann"},
    {"person": "p-1", "emails": ["shared@acme.example"], "username": None},
    {"person": "p-3", "emails": ["ben@acme.example"], "username": "ben-b"},
    {"person": "", "emails": ["ghost@acme.example"], "username": "ghost"},
]


def test_keys_with_and_without_a_directory() -> None:
    people = Directory.from_identities(PEOPLE)
    assert people.key(email=" ANN@acme.example ") == "person:p-2"
    assert people.key(email="shared@acme.example") == "person:p-1"  # claimed twice: the lowest person id
    assert people.key(email="stranger@x.example", login="nobody") == "email:stranger@x.example"
    assert people.key(login="BEN-B") == "person:p-3"
    assert people.key(login="nobody") == "login:nobody"
    assert people.key(email="ghost@acme.example") == "email:ghost@acme.example"  # no person id: not resolved
    assert people.key() is None and EMPTY.key(email="  ") is None
    assert EMPTY.key(email="Ann@Acme.example") == "email:ann@acme.example"


def test_noreply_addresses_resolve_through_their_login() -> None:
    assert noreply_login("12345+Ben-B@users.noreply.github.com") == "ben-b"
    assert noreply_login("ben-b@users.noreply.github.com") == "ben-b"
    assert noreply_login("ben@acme.example") is None
    people = Directory.from_identities(PEOPLE)
    assert people.key(email="999+ben-b@users.noreply.github.com") == "person:p-3"


def test_mailmap_aliases() -> None:
    aliases = parse_mailmap(
        "# comment\nAnn Lee <ann@acme.example> <ANN@laptop.local>\n<ben@acme.example> Ben <ben@old.example>\n"
        "Only Name <rename@acme.example>\n"
    )
    assert aliases == {"ann@laptop.local": "ann@acme.example", "ben@old.example": "ben@acme.example"}
    people = Directory.from_identities(PEOPLE, aliases)
    assert people.key(email="ann@laptop.local") == "person:p-2"
    assert Directory(aliases=aliases).key(email="Ben@Old.example") == "email:ben@acme.example"


def test_same_person() -> None:
    people = Directory.from_identities(PEOPLE)
    assert people.same_person("ann@acme.example", "Ann Lee <ann@acme.example>")
    assert people.same_person("ann", "ann@acme.example")
    assert not people.same_person("ann@acme.example", "ben@acme.example")
    assert EMPTY.same_person("ben-b", "1+ben-b@users.noreply.github.com")
    assert not EMPTY.same_person("ben@acme.example", "1+ben@users.noreply.github.com")
    assert not EMPTY.same_person(None, "x@y.example")


def test_collector_keys_match_the_rego_library_format() -> None:
    from auditor.collect.git import person_id

    assert person_id("Alice@Example.com ") == "email:alice@example.com"
    assert person_id("") is None
