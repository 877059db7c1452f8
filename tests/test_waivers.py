from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from auditor.controls import load_library
from auditor.errors import ExitCode, InputError
from auditor.model import Status
from auditor.waivers import judge, load_waivers, unmatched_waiver
from tests.ci_helpers import CI, ci_run


def results_by_id(run):  # type: ignore[no-untyped-def]
    return {r.control.id: r for r in run.results}


def test_applied_exceptions_waive_violations_and_stay_visible(library: Path, evidence: Path) -> None:
    run = ci_run(library, evidence)
    sec1 = results_by_id(run)["SEC-001"]
    # Both violations matched approved, in-force exceptions: waived, not pass, and not hidden.
    assert sec1.status is Status.WAIVED
    assert sec1.violations == []
    assert [(w["resource"], w["exception"]["id"]) for w in sec1.waived] == [("g-2", "EX-001"), ("g-3", "EX-002")]
    assert sec1.waived[0]["exception"] == {"id": "EX-001", "reason": "Legacy gadget, decommissioned in Q1.",
                                           "approver": "bob@example.com", "expires": "2027-03-31",
                                           "ticket": "SEC-101"}
    assert sec1.reason == "2 violations waived"


def test_invalid_exceptions_are_not_applied_and_say_why(library: Path, evidence: Path) -> None:
    run = ci_run(library, evidence, fail_on="medium")
    sec2 = results_by_id(run)["SEC-002"]
    assert sec2.status is Status.FAIL
    assert [v.resource for v in sec2.violations] == ["g-3"]
    assert sec2.waived == []
    status = {e["id"]: (e["status"], e["detail"]) for e in run.waivers}
    assert status["EX-001"] == ("applied", "in force until 2027-03-31")
    assert status["EX-002"] == ("expiring", "expires on 2026-11-30 (in 10 days)")
    assert status["EX-003"] == ("not_applied", "approver is the requester (dave@example.com)")
    assert status["EX-004"][0] == "expired" and "expired on 2026-10-01" in status["EX-004"][1]
    assert status["EX-005"] == ("not_applied", "no approver")
    assert run.exit_code() is ExitCode.FAILED  # SEC-002 (medium) still fails at --fail-on medium


def test_warnings_for_expiring_and_rejected_exceptions(library: Path, evidence: Path) -> None:
    run = ci_run(library, evidence)
    text = "\n".join(run.warnings)
    assert "waiver EX-002 (SEC-001, g-3*) expires on 2026-11-30 (in 10 days); ticket SEC-102" in text
    assert "EX-003 (SEC-002, *) not applied: approver is the requester" in text
    assert "EX-004" in text and "EX-005" in text
    assert "EX-001" not in text


def test_waived_does_not_fail_the_exit_code(library: Path, evidence: Path) -> None:
    # Without exceptions SEC-001 (high) fails; with them it is waived and the run passes at --fail-on high.
    assert ci_run(library, evidence, exceptions=None).exit_code() is ExitCode.FAILED
    assert ci_run(library, evidence).exit_code() is ExitCode.OK


def test_partial_waiver_keeps_the_control_failing(library: Path, evidence: Path, tmp_path: Path) -> None:
    path = tmp_path / "exceptions.yaml"
    path.write_text((CI / "waivers.yaml").read_text().replace('resource: "g-3*"', "resource: g-9"))
    run = ci_run(library, evidence, exceptions=path)
    sec1 = results_by_id(run)["SEC-001"]
    assert sec1.status is Status.FAIL
    assert [v.resource for v in sec1.violations] == ["g-3"]
    assert [w["resource"] for w in sec1.waived] == ["g-2"]
    assert sec1.reason == "1 violation (1 more waived)"
    assert any("EX-002 (SEC-001, g-9) matched no violation" in w for w in run.warnings)
    # a pack merge recognises that warning (and only that one) by the waiver it names
    assert sorted(filter(None, map(unmatched_waiver, run.warnings))) == ["EX-002"]
    assert run.exit_code() is ExitCode.FAILED


def test_expiry_is_judged_at_as_of_not_wall_clock(library: Path, evidence: Path) -> None:
    run = ci_run(library, evidence, as_of="2026-12-15T00:00:00Z")
    status = {e["id"]: e["status"] for e in run.waivers}
    assert status["EX-002"] == "expired"
    assert results_by_id(run)["SEC-001"].status is Status.FAIL  # g-3 is no longer waived


def test_judge_boundaries() -> None:
    from auditor.waivers import Waiver

    e = Waiver("X", "SEC-001", "*", "r", "a", "b", dt.date(2026, 1, 1), dt.date(2026, 3, 1), "T")
    assert judge(e, dt.date(2026, 3, 1)).status == "expiring"  # the expiry date itself is still in force
    assert judge(e, dt.date(2026, 3, 2)).status == "expired"
    assert judge(e, dt.date(2026, 2, 15)).status == "expiring"  # 14 days left: warn
    assert judge(e, dt.date(2026, 2, 14)).status == "applied"  # 15 days left: no warning yet
    assert judge(e, dt.date(2025, 12, 31)).status == "not_applied"  # not yet created


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exceptions.yaml"
    path.write_text(text)
    return path


ENTRY = """exceptions:
  - id: EX-1
    control: SEC-001
    resource: g-2
    reason: r
    requester: a
    approver: b
    created: 2026-01-01
    expires: 2026-02-01
    ticket: T-1
"""


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("control: SEC-001", "control: SEC-999", r"exceptions\.yaml:3: exceptions\[0\]\.control: found 'SEC-999', "
                                                 r"expected a control id of the library"),
        ("    ticket: T-1\n", "", r"exceptions\.yaml:2: exceptions\.0\.ticket: required field is missing"),
        ("expires: 2026-02-01", "expires: soon", r"exceptions\.yaml:9: exceptions\.0\.expires: found 'soon', "
                                                 r"expected a date"),
        ("expires: 2026-02-01", "expires: 2025-02-01", r":9: exceptions\[0\]\.expires: found 2025-02-01, "
                                                       r"expected a date on or after created"),
        ("    ticket: T-1\n", "    ticket: T-1\n    colour: red\n", r"exceptions\.0\.colour: unknown field"),
        # a YAML date-time is a date to cerberus, then a TypeError comparing it with a date (exit 3)
        ("expires: 2026-02-01", "expires: 2026-02-01T10:00:00Z", r"exceptions\.yaml:9: exceptions\[0\]\.expires: "
                                                                 r"found 2026-02-01T10:00:00\+00:00, expected a date "
                                                                 r"\(YYYY-MM-DD\)"),
        ("created: 2026-01-01", "created: 2026-01-01 09:00:00", r"exceptions\.yaml:8: exceptions\[0\]\.created: "
                                                             r"found 2026-01-01T09:00:00, expected a date"),
    ],
)
def test_bad_exceptions_file_is_exit_2_with_file_line_field(
    library: Path, tmp_path: Path, old: str, new: str, message: str
) -> None:
    lib = load_library(library / "controls")
    with pytest.raises(InputError, match=message) as info:
        load_waivers(write(tmp_path, ENTRY.replace(old, new)), lib)
    assert info.value.exit_code == 2


def test_duplicate_exception_ids_are_rejected(library: Path, tmp_path: Path) -> None:
    text = ENTRY + ENTRY.split("\n", 1)[1]
    with pytest.raises(InputError, match=r":11: exceptions\[1\]\.id: duplicate id 'EX-1' \(first at line 2\)"):
        load_waivers(write(tmp_path, text), load_library(library / "controls"))


@pytest.mark.parametrize(
    ("pattern", "resource", "matches"),
    [
        ("legacy-billing-*", "legacy-billing-eu", True),
        ("legacy-billing-*", "legacy-payments", False),
        ("role[admin]", "role[admin]", True),
        ("role[admin]", "rolea", False),
        ("db-?", "db-1", True),
        ("db-?", "db-10", False),
        ("a.b", "axb", False),
    ],
)
def test_resource_patterns_only_star_and_question_mark_are_wildcards(pattern: str, resource: str, matches: bool) -> None:
    from auditor.waivers import resource_matches

    assert resource_matches(pattern, resource) is matches


# ---- Waivers judged by person (issue 11, part 5) ----------------------------

def _waiver(requester: str, approver: str) -> object:
    from auditor.waivers import Waiver

    return Waiver("X", "SEC-001", "*", "r", requester, approver, dt.date(2026, 1, 1), dt.date(2026, 12, 31), "T")


def test_approval_from_the_requesters_other_address_is_self_approval() -> None:
    from auditor.identity import Directory

    people = Directory.from_identities([
        {"person": "p-7", "emails": ["dave@example.com"], "username": "dave"},
        {"person": "p-7", "emails": ["dave.home@mail.example"], "username": "dave-oss"},
        {"person": "p-8", "emails": ["erin@example.com"], "username": "erin"},
    ])
    day = dt.date(2026, 6, 1)
    second = judge(_waiver("dave@example.com", "Dave.Home@mail.example"), day, people)  # type: ignore[arg-type]
    assert second.status == "not_applied"
    assert "self-approval" in second.detail and "person:p-7" in second.detail
    # the forge noreply address of Dave's GitHub login, and the login itself
    noreply = judge(_waiver("dave@example.com", "5101+dave-oss@users.noreply.github.com"), day, people)  # type: ignore[arg-type]
    assert noreply.status == "not_applied"
    assert judge(_waiver("dave-oss", "dave@example.com"), day, people).status == "not_applied"  # type: ignore[arg-type]
    assert judge(_waiver("dave@example.com", "erin@example.com"), day, people).status == "applied"  # type: ignore[arg-type]
    # without the directory the two addresses cannot be linked: by string they differ
    assert judge(_waiver("dave@example.com", "dave.home@mail.example"), day).status == "applied"  # type: ignore[arg-type]


def test_noreply_address_matches_the_login_it_embeds_without_identities() -> None:
    day = dt.date(2026, 6, 1)
    assert judge(_waiver("dave-oss", "123+dave-oss@users.noreply.github.com"), day).status == "not_applied"  # type: ignore[arg-type]
    assert judge(_waiver("dave", "123+dave-oss@users.noreply.github.com"), day).status == "applied"  # type: ignore[arg-type]


def _exceptions_file(path: Path, requester: str, approver: str, extra: str = "") -> Path:
    path.write_text(extra + (
        "exceptions:\n"
        "  - id: EX-P1\n    control: SEC-001\n    resource: g-2\n    reason: Legacy gadget.\n"
        f"    requester: {requester}\n    approver: {approver}\n"
        "    created: 2026-01-01\n    expires: 2027-03-31\n    ticket: SEC-900\n"
    ))
    return path


def test_identities_evidence_makes_a_second_address_approval_not_apply(
    library: Path, evidence: Path, tmp_path: Path
) -> None:
    import orjson

    identities = [
        {"id": f"okta:{u}", "person": "p-7", "display_name": "Dave", "username": u, "emails": [e], "type": "human",
         "system": "okta", "console_access": True, "mfa_enabled": True, "access_keys": [], "roles": [],
         "created_at": "2025-01-01T00:00:00Z", "disabled": False}
        for u, e in (("dave", "dave@example.com"), ("dave-oss", "dave.home@mail.example"))
    ]
    (evidence / "identities.json").write_bytes(orjson.dumps({
        "kind": "identities", "source": "test", "collected_at": "2026-11-20T12:00:00Z",
        "collector": {"name": "test", "version": "1"}, "errors": [], "items": identities}))
    exceptions = _exceptions_file(tmp_path / "exceptions.yaml", "dave@example.com", "dave.home@mail.example")
    run = ci_run(library, evidence, exceptions=exceptions)
    sec1 = results_by_id(run)["SEC-001"]
    assert sec1.status is Status.FAIL and [v.resource for v in sec1.violations] == ["g-2", "g-3"]
    (judged,) = run.waivers
    assert judged["status"] == "not_applied" and "self-approval" in judged["detail"]
    # without the identities document the two addresses are different people: the waiver applies
    (evidence / "identities.json").unlink()
    run = ci_run(library, evidence, exceptions=exceptions)
    assert [w["resource"] for w in results_by_id(run)["SEC-001"].waived] == ["g-2"]


def test_mailmap_aliases_link_addresses(library: Path, tmp_path: Path) -> None:
    (tmp_path / "people.mailmap").write_text("Dave <dave@example.com> <dave@laptop.local>\n")
    path = _exceptions_file(tmp_path / "exceptions.yaml", "dave@example.com", "Dave <DAVE@laptop.local>",
                            extra="mailmap: people.mailmap\n")
    exceptions = load_waivers(path, load_library(library / "controls"))
    from auditor.waivers import people_for

    assert judge(exceptions.waivers[0], dt.date(2026, 6, 1), people_for(exceptions)).status == "not_applied"


def test_missing_mailmap_file_is_exit_2(library: Path, tmp_path: Path) -> None:
    path = _exceptions_file(tmp_path / "exceptions.yaml", "a@example.com", "b@example.com", extra="mailmap: nope.mailmap\n")
    with pytest.raises(InputError, match=r"exceptions.yaml:1: mailmap: found 'nope.mailmap', expected a .mailmap file") as info:
        load_waivers(path, load_library(library / "controls"))
    assert info.value.exit_code == ExitCode.INVALID_INPUT


def test_waivers_are_listed_under_waivers_and_the_old_spelling_still_reads(tmp_path: Path, library: Path) -> None:
    lib = load_library(library / "controls")
    new = load_waivers(write(tmp_path, ENTRY.replace("exceptions:", "waivers:")), lib)
    old = load_waivers(write(tmp_path, ENTRY), lib)
    assert [w.id for w in new.waivers] == [w.id for w in old.waivers] == ["EX-1"]
    # messages name the key the file uses, with its line
    with pytest.raises(InputError, match=r"exceptions\.yaml:3: waivers\[0\]\.control: found 'SEC-999'"):
        load_waivers(write(tmp_path, ENTRY.replace("exceptions:", "waivers:").replace("SEC-001", "SEC-999")), lib)
    with pytest.raises(InputError, match=r"exceptions\.yaml:1: exceptions: found both waivers and exceptions, "
                                         r"expected one list \(exceptions is the old spelling of waivers\)"):
        load_waivers(write(tmp_path, ENTRY + "waivers: []\n"), lib)
    with pytest.raises(InputError, match=r"waivers: required field is missing"):
        load_waivers(write(tmp_path, "mailmap: .mailmap\n"), lib)
