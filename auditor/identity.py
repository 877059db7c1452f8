"""People, not strings: the one place an email address or login becomes a person key.

Every comparison of people (a change's authors and approvers, a deployer, a waiver's
requester and approver) goes through :meth:`Directory.key`, which returns the canonical
person key shared with the Rego library ``policies/lib/identity``:

- ``person:<id>`` when an ``identities`` item claims the address or login (an address
  claimed by several people resolves to the lowest person id, deterministically);
- else ``email:<address>``, the address lower-cased and resolved through ``.mailmap``
  style aliases;
- else ``login:<login>`` when only a login is known.

A forge noreply address (``12345+alice@users.noreply.github.com``) also resolves through
the login it embeds, so an approval from it is matched to the person owning that login.

Example::

    people = Directory.from_identities(identities, aliases=parse_mailmap(text))
    people.key(email="Alice@Example.com") == people.key(email="5101+alice@users.noreply.github.com")
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

PERSON = "person:"
EMAIL = "email:"
LOGIN = "login:"

_NOREPLY = re.compile(r"^(?:\d+\+)?(?P<login>[^@+]+)@users\.noreply\.github\.com$")
_MAILMAP_EMAIL = re.compile(r"<([^<>]*)>")


def normalize(value: str | None) -> str:
    """Lower-cased and trimmed; ``""`` for None."""
    return (value or "").strip().lower()


def noreply_login(address: str) -> str | None:
    """The login a GitHub noreply address embeds (``12345+name@users.noreply.github.com`` -> ``name``)."""
    match = _NOREPLY.match(normalize(address))
    return match["login"] if match else None


def parse_mailmap(text: str) -> dict[str, str]:
    """Aliases from ``.mailmap`` text: commit address -> proper address (both lower-cased).

    Lines of the form ``Proper Name <proper@x> Commit Name <commit@x>`` or
    ``<proper@x> <commit@x>`` map the second address to the first; a line with a single
    address only renames and maps nothing.
    """
    aliases: dict[str, str] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        emails = [normalize(e) for e in _MAILMAP_EMAIL.findall(line)]
        if len(emails) >= 2 and emails[0] and emails[1]:
            aliases[emails[1]] = emails[0]
    return aliases


def _first_claims(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """key -> the lowest person id claiming it."""
    found: dict[str, str] = {}
    for key, person in sorted(pairs):
        found.setdefault(key, person)
    return found


@dataclass(frozen=True)
class Directory:
    """Addresses and logins of known people, plus address aliases."""

    by_email: Mapping[str, str] = field(default_factory=dict)
    by_login: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_identities(
        cls, identities: Iterable[Mapping[str, Any]], aliases: Mapping[str, str] | None = None
    ) -> Directory:
        """Index ``identities`` evidence items (each with ``person``, ``emails`` and ``username``)."""
        emails: list[tuple[str, str]] = []
        logins: list[tuple[str, str]] = []
        for item in identities:
            person = item.get("person")
            if not isinstance(person, str) or not person.strip():
                continue
            for address in item.get("emails") or ():
                if isinstance(address, str) and normalize(address):
                    emails.append((normalize(address), person))
            username = item.get("username")
            if isinstance(username, str) and normalize(username):
                logins.append((normalize(username), person))
        return cls(_first_claims(emails), _first_claims(logins), dict(aliases or {}))

    def address(self, email: str | None) -> str:
        """The canonical address: lower-cased, then resolved through the aliases."""
        address = normalize(email)
        return self.aliases.get(address, address)

    def key(self, email: str | None = None, login: str | None = None) -> str | None:
        """The person key of an address and/or login; None when neither is recorded."""
        address = self.address(email)
        name = normalize(login)
        if address and address in self.by_email:
            return PERSON + self.by_email[address]
        if address and normalize(email) in self.by_email:
            return PERSON + self.by_email[normalize(email)]
        if name and name in self.by_login:
            return PERSON + self.by_login[name]
        embedded = noreply_login(address) if address else None
        if embedded and embedded in self.by_login:
            return PERSON + self.by_login[embedded]
        if address:
            return EMAIL + address
        if name:
            return LOGIN + name
        return None

    def key_of(self, text: str | None) -> str | None:
        """The person key of free text naming someone: an address if it has an ``@``, else a login."""
        value = normalize(text)
        match = re.search(r"<([^<>]+)>", value)
        if match:
            value = normalize(match[1])
        if not value:
            return None
        return self.key(email=value) if "@" in value else self.key(login=value)

    def same_person(self, a: str | None, b: str | None) -> bool:
        """``a`` and ``b`` (addresses or logins) name the same person.

        Beyond equal keys, a noreply address matches a bare login it embeds
        (``5101+alice@users.noreply.github.com`` and ``alice``).
        """
        ka, kb = self.key_of(a), self.key_of(b)
        if ka is None or kb is None:
            return False
        if ka == kb:
            return True
        return bool({_login_of(ka), _login_of(kb)} - {None} and _login_of(ka) == _login_of(kb))


def _login_of(key: str) -> str | None:
    if key.startswith(LOGIN):
        return key.removeprefix(LOGIN)
    if key.startswith(EMAIL):
        return noreply_login(key.removeprefix(EMAIL))
    return None


EMPTY = Directory()
