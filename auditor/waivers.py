"""Waivers: ``waivers.yaml``, validated, judged at the run's ``as_of``, applied.

A waiver turns matching violations of one control into ``waived``; they stay
in every output. It is applied only when it has an approver who is not its
requester (compared as persons through :mod:`auditor.identity`: the run's
``identities`` evidence, the ``.mailmap`` named by the file's optional ``mailmap``
key, and forge noreply addresses), is in force at ``as_of`` (``created <= as_of <= expires``, dates
inclusive) and names a known control. Every waiver is reported with its
status and, when it is not applied, why.

The file lists them under ``waivers:``; ``exceptions:``, the old spelling, is still read (messages
then name the key the file uses). results.json keeps schema 1's spelling: the judged waivers are
its ``exceptions`` and a waived violation's waiver its ``exception``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.errors import InputError
from auditor.families import CONTROL_ID_SHAPE
from auditor.files import line_of, load_yaml_lines, read_text
from auditor.identity import EMPTY, Directory, parse_mailmap
from auditor.model import ControlResult, Status, Violation
from auditor.results_model import (
    WAIVER_APPLIED,
    WAIVER_EXPIRED,
    WAIVER_EXPIRING,
    WAIVER_IN_FORCE,
    WAIVER_NOT_APPLIED,
)
from auditor.validation import validate

if TYPE_CHECKING:
    from auditor.controls import ControlLibrary
    from auditor.evidence import EvidenceSet

#: An applied waiver expiring within this many days raises a warning in every output.
EXPIRY_WARNING_DAYS = 14

_TEXT = {"type": "string", "required": True, "empty": False}

#: the key the waivers are listed under, and its old spelling
WAIVERS_KEY, OLD_KEY = "waivers", "exceptions"

_WAIVER_LIST: dict[str, Any] = {
        "type": "list",
        "required": True,
        "schema": {
            "type": "dict",
            "schema": {
                "id": {"type": "string", "required": True, "regex": r"^[A-Za-z0-9][A-Za-z0-9._\-]*$"},
                "control": {"type": "string", "required": True, "regex": CONTROL_ID_SHAPE},
                "resource": _TEXT,
                "reason": _TEXT,
                "requester": _TEXT,
                # Optional in the schema so a missing approver is reported as "not applied", not a crash.
                "approver": {"type": "string", "nullable": True},
                "created": {"type": "date", "required": True},
                "expires": {"type": "date", "required": True},
                "ticket": _TEXT,
            },
        },
    }


def waivers_schema(key: str = WAIVERS_KEY) -> dict[str, Any]:
    """The waivers file's schema, its list under ``key`` (``waivers``, or the old ``exceptions``)."""
    return {
        # A .mailmap (relative to this file) whose aliases link a person's addresses.
        "mailmap": {"type": "string", "empty": False},
        key: _WAIVER_LIST,
    }


@dataclass(frozen=True)
class Waiver:
    """One entry of ``waivers.yaml``."""

    id: str
    control: str
    resource: str
    reason: str
    requester: str
    approver: str | None
    created: dt.date
    expires: dt.date
    ticket: str
    line: int | None = None

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "reason": self.reason, "approver": self.approver,
                "expires": self.expires.isoformat(), "ticket": self.ticket}


@dataclass
class WaiverSet:
    path: Path
    waivers: list[Waiver]
    aliases: dict[str, str] = field(default_factory=dict)  # address -> canonical address (.mailmap)

    def __len__(self) -> int:
        return len(self.waivers)



def resource_matches(pattern: str, resource: str) -> bool:
    """``*`` matches any run of characters, ``?`` one character; everything else is literal.

    Not fnmatch: its ``[...]`` classes would let a pattern such as ``role[admin]`` waive
    ``rolea`` or ``roled``, and a waiver must never cover more than it says.
    """
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, resource, flags=re.DOTALL) is not None

def load_waivers(path: Path, library: ControlLibrary | None = None) -> WaiverSet:
    """Read and validate ``waivers.yaml``; unknown control ids and duplicate ids are exit 2."""
    path = Path(path)
    raw = load_yaml_lines(path)
    key = OLD_KEY if isinstance(raw, dict) and OLD_KEY in raw and WAIVERS_KEY not in raw else WAIVERS_KEY
    if isinstance(raw, dict) and OLD_KEY in raw and WAIVERS_KEY in raw:
        raise InputError(f"{path}:{line_of(raw, OLD_KEY)}: {OLD_KEY}: found both {WAIVERS_KEY} and {OLD_KEY}, "
                         f"expected one list ({OLD_KEY} is the old spelling of {WAIVERS_KEY})")
    doc = validate(waivers_schema(key), raw, path, "waivers file")
    entries = raw[key]
    found: list[Waiver] = []
    seen: dict[str, int | None] = {}
    for index, item in enumerate(doc[key]):
        line = line_of(entries[index], "id")
        if item["id"] in seen:
            raise InputError(f"{path}:{line}: {key}[{index}].id: duplicate id {item['id']!r} "
                             f"(first at line {seen[item['id']]})")
        seen[item["id"]] = line
        if library is not None and item["control"] not in library.controls:
            cline = line_of(entries[index], "control")
            raise InputError(f"{path}:{cline}: {key}[{index}].control: found {item['control']!r}, "
                             "expected a control id of the library")
        for name in ("created", "expires"):
            if isinstance(item[name], dt.datetime):  # a YAML date-time passes cerberus' "date" type
                raise InputError(f"{path}:{line_of(entries[index], name)}: {key}[{index}].{name}: "
                                 f"found {item[name].isoformat()}, expected a date (YYYY-MM-DD)")
        if item["expires"] < item["created"]:
            eline = line_of(entries[index], "expires")
            raise InputError(f"{path}:{eline}: {key}[{index}].expires: found {item['expires']}, "
                             f"expected a date on or after created ({item['created']})")
        approver = item.get("approver")
        found.append(Waiver(
            id=item["id"], control=item["control"], resource=item["resource"], reason=" ".join(item["reason"].split()),
            requester=item["requester"].strip(), approver=approver.strip() if approver else None,
            created=item["created"], expires=item["expires"], ticket=item["ticket"].strip(), line=line,
        ))
    aliases: dict[str, str] = {}
    if doc.get("mailmap"):
        mailmap = (path.parent / doc["mailmap"]).resolve()
        if not mailmap.is_file():
            raise InputError(f"{path}:{line_of(raw, 'mailmap')}: mailmap: found {doc['mailmap']!r}, "
                             f"expected a .mailmap file (relative to {path.parent})")
        aliases = parse_mailmap(read_text(mailmap))
    return WaiverSet(path, sorted(found, key=lambda e: e.id), aliases)


def people_for(waivers: WaiverSet, evidence: EvidenceSet | None = None) -> Directory:
    """The directory that judges requesters and approvers: identities evidence plus the mailmap aliases."""
    import orjson

    items: list[dict[str, Any]] = []
    for doc in evidence.for_kind("identities") if evidence is not None else ():
        items.extend(orjson.loads(doc.items_json))
    return Directory.from_identities(items, waivers.aliases)


@dataclass
class Judgement:
    """A waiver judged at ``as_of``: its status and, when not applied, why."""

    waiver: Waiver
    status: str  # WAIVER_APPLIED | WAIVER_EXPIRING | WAIVER_EXPIRED | WAIVER_NOT_APPLIED
    detail: str
    days_left: int
    matched: int = 0

    @property
    def applies(self) -> bool:
        return self.status in WAIVER_IN_FORCE

    def to_dict(self) -> dict[str, Any]:
        e = self.waiver
        return {"id": e.id, "control": e.control, "resource": e.resource, "status": self.status,
                "detail": self.detail, "reason": e.reason, "requester": e.requester, "approver": e.approver,
                "created": e.created.isoformat(), "expires": e.expires.isoformat(), "days_left": self.days_left,
                "ticket": e.ticket, "matched": self.matched}


def judge(waiver: Waiver, as_of: dt.date, people: Directory = EMPTY) -> Judgement:
    e = waiver
    days_left = (e.expires - as_of).days
    if not e.approver:
        return Judgement(e, WAIVER_NOT_APPLIED, "no approver", days_left)
    if e.approver.casefold() == e.requester.casefold():
        return Judgement(e, WAIVER_NOT_APPLIED, f"approver is the requester ({e.requester})", days_left)
    if people.same_person(e.requester, e.approver):
        return Judgement(e, WAIVER_NOT_APPLIED, f"approver {e.approver} is the requester {e.requester} under another "
                         f"address ({people.key_of(e.requester)}): self-approval", days_left)
    if days_left < 0:
        return Judgement(e, WAIVER_EXPIRED, f"expired on {e.expires} ({-days_left} days before as_of {as_of})",
                         days_left)
    if e.created > as_of:
        return Judgement(e, WAIVER_NOT_APPLIED, f"not yet in force: created {e.created}, after as_of {as_of}",
                         days_left)
    if days_left <= EXPIRY_WARNING_DAYS:
        return Judgement(e, WAIVER_EXPIRING, f"expires on {e.expires} (in {days_left} days)", days_left)
    return Judgement(e, WAIVER_APPLIED, f"in force until {e.expires}", days_left)


def apply_waivers(
    results: list[ControlResult], waivers: WaiverSet, as_of: str, people: Directory | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Move matched violations of failing controls to ``waived``.

    Returns the judged waivers (for results.json's ``exceptions``) and the warnings to show in
    every output. A control whose violations are all waived ends ``waived``.
    """
    day = dt.date.fromisoformat(as_of[:10])
    people = people if people is not None else people_for(waivers)
    judged = [judge(w, day, people) for w in waivers.waivers]
    by_control: dict[str, list[Judgement]] = {}
    for j in judged:
        if j.applies:
            by_control.setdefault(j.waiver.control, []).append(j)
    for result in results:
        candidates = by_control.get(result.control.id)
        if not candidates or result.status is not Status.FAIL:
            continue
        remaining: list[Violation] = []
        for violation in result.violations:
            match = next((j for j in candidates if resource_matches(j.waiver.resource, violation.resource)), None)
            if match is None:
                remaining.append(violation)
                continue
            match.matched += 1
            result.waived.append({**violation.to_dict(), "exception": match.waiver.summary()})
        if not result.waived:
            continue
        result.violations = remaining
        w = len(result.waived)
        if remaining:
            n = len(remaining)
            result.reason = f"{n} violation{'s' if n != 1 else ''} ({w} more waived)"
        else:
            result.status = Status.WAIVED
            result.reason = f"{w} violation{'s' if w != 1 else ''} waived"
    evaluated = {r.control.id for r in results}
    warnings = []
    for j in judged:
        e = j.waiver
        if j.status == WAIVER_EXPIRING:
            warnings.append(f"waiver {e.id} ({e.control}, {e.resource}) {j.detail}; ticket {e.ticket}")
        elif not j.applies:
            warnings.append(f"waiver {e.id} ({e.control}, {e.resource}) not applied: {j.detail}")
        if j.applies and j.matched == 0 and e.control in evaluated:
            warnings.append(f"waiver {e.id} ({e.control}, {e.resource}){_UNMATCHED}")
    return [j.to_dict() for j in judged], warnings


_UNMATCHED = " matched no violation"


def unmatched_waiver(warning: str) -> str | None:
    """The id of the waiver a "matched no violation" warning names; ``None`` for any other warning
    (a merge drops it when another shard's violation matched that waiver)."""
    m = re.match(rf"waiver (\S+) .*{_UNMATCHED}$", warning)
    return m.group(1) if m else None


#: The names before waivers had one word across code, CLI and docs (kept for callers of 0.x).
ExceptionSet = WaiverSet
load_exceptions = load_waivers
apply_exceptions = apply_waivers
