"""The reporting period: incidents and change failure rate count only what happened between the start and as_of."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from auditor.errors import InputError
from auditor.report.period import report_period
from auditor.results_model import Results
from tests.conftest import REPO
from tests.report.conftest import pdf_pages

DEMO = REPO / "evidence" / "examples" / "demo"
#: the demo's run (golden): as_of 2026-11-20T09:00:00Z
RESULTS = Results.read(REPO / "tests" / "fixtures" / "golden" / "results.json")


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_period_ends_at_as_of_never_the_wall_clock() -> None:
    assert RESULTS.as_of == "2026-11-20T09:00:00Z"
    period = report_period(RESULTS)
    assert (period.start, period.end) == (datetime(2026, 8, 22, 9, tzinfo=UTC), datetime(2026, 11, 20, 9, tzinfo=UTC))
    assert period.contains("2026-08-22T09:00:00Z") and period.contains("2026-11-20T09:00:00Z")
    assert not period.contains("2026-08-22T08:59:59Z") and not period.contains("2026-11-20T09:00:01Z")
    assert not period.contains(None) and not period.contains("yesterday")
    assert report_period(RESULTS, days=7).label() == "2026-11-13 to 2026-11-20"
    since = report_period(RESULTS, since="2026-11-01")
    assert since.label() == "2026-11-01 to 2026-11-20" and since.sentence().startswith(
        "Incidents and changes from 2026-11-01 to 2026-11-20 (since 2026-11-01, to the evidence's as-of")
    with pytest.raises(InputError, match="--period-days and --since both"):
        report_period(RESULTS, days=7, since="2026-11-01")
    with pytest.raises(InputError, match=r"--since: found '1 Nov', expected a date"):
        report_period(RESULTS, since="1 Nov")
    with pytest.raises(InputError, match=r"--since: found 2026-12-01, after the run's as_of 2026-11-20T09:00:00Z"):
        report_period(RESULTS, since="2026-12-01")


def _evidence_with_old_and_late_items(tmp_path: Path) -> Path:
    """The demo, plus for the customer portal: a P1 major incident long before the period, one detected after
    as_of, and a failed change completed before the period; none of them may count."""
    folder = tmp_path / "evidence"
    shutil.copytree(DEMO, folder)
    doc = orjson.loads((folder / "incidents.json").read_bytes())
    base = next(i for i in doc["items"] if i["id"] == "INC0012003")
    old = {**base, "id": "INC0009001", "priority": "P1", "major": True, "title": "Portal down for a day in June",
           "detected_at": "2026-06-01T08:00:00Z", "acknowledged_at": "2026-06-01T08:05:00Z",
           "resolved_at": "2026-06-02T08:00:00Z"}
    late = {**base, "id": "INC0012999", "priority": "P1", "major": True, "title": "Detected after as_of",
            "detected_at": "2026-11-21T08:00:00Z", "acknowledged_at": "2026-11-21T08:05:00Z",
            "resolved_at": "2026-11-21T09:00:00Z"}
    doc["items"] += [old, late]
    doc["item_count"] = len(doc["items"])
    (folder / "incidents.json").write_bytes(orjson.dumps(doc))
    changes = orjson.loads((folder / "change_requests.json").read_bytes())
    first = next(c for c in changes["items"] if c["id"] == "CHG0031005")  # customer-portal, successful
    changes["items"].append({**first, "id": "CHG0029001", "outcome": "unsuccessful",
                             "planned_start": "2026-05-01T10:00:00Z", "planned_end": "2026-05-01T11:00:00Z",
                             "actual_start": "2026-05-01T10:00:00Z", "actual_end": "2026-05-01T10:40:00Z",
                             "deployments": []})
    changes["item_count"] = len(changes["items"])
    (folder / "change_requests.json").write_bytes(orjson.dumps(changes))
    return folder


def test_incidents_and_changes_outside_the_period_never_count(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    evidence = _evidence_with_old_and_late_items(tmp_path)
    out = tmp_path / "out"
    result = cli("run", "--evidence", evidence, "--out-dir", out, "--no-pack", "--as-of", "2026-11-20T09:00:00Z")
    assert result.code in (0, 1), result.err
    md = (out / "board.md").read_text()
    row = next(line for line in md.splitlines() if line.startswith("| Customer portal"))
    # the June P1 and the P1 detected after as_of would be the worst incident: neither is in the period
    assert "| 2 (0 major); worst P2 INC0012003: Support assistant gave wrong statement dates |" in row
    assert "| 0% (0 of 2 changes failed) |" in row  # the failed May change is outside it
    assert ("Incidents and changes from 2026-08-22 to 2026-11-20 (the 90 days to the evidence's as-of, "
            "2026-11-20 09:00Z); 2 incidents and 1 completed changes outside it are not counted.") in md
    board = _flat(" ".join(pdf_pages((out / "board.pdf").read_bytes())))
    assert "2 (0 major); worst P2 INC0012003: Support assistant gave wrong statement dates" in board
    assert "2 incidents and 1 completed changes outside it are not counted" in board
    report = _flat(" ".join(pdf_pages((out / "evidence-report.pdf").read_bytes())))
    assert ("Incidents in the period 2 (0 major); worst P2 INC0012003: Support assistant gave wrong statement dates (2 incidents "
            "outside the period not counted)") in report
    assert ("Change failure rate in the period 0% (0 of 2 changes failed) (1 completed changes outside the period "
            "not counted)") in report
    assert "Incidents in the period (2; 2 outside the period not counted)" in report
    # (the controls still judge every incident: only the per-service figures are limited to the period)
    assert "Service period Incidents and changes from 2026-08-22 to 2026-11-20" in report

    # a longer period takes the June incident and the May change in; the one after as_of stays out
    wide = cli("report", "board", "--results", out / "results.json", "--evidence", evidence, "--since", "2026-04-01",
               "--format", "markdown")
    assert wide.code == 0, wide.err
    row = next(line for line in wide.out.splitlines() if line.startswith("| Customer portal"))
    assert "| 3 (1 major); worst P1 INC0009001: Portal down for a day in June |" in row
    assert "| 33% (1 of 3 changes failed) |" in row
    assert "INC0012999" not in wide.out
    # a short one: only what was detected or completed in the last 5 days
    short = cli("report", "board", "--results", out / "results.json", "--evidence", evidence, "--period-days", "5",
                "--format", "markdown")
    row = next(line for line in short.out.splitlines() if line.startswith("| Customer portal"))
    assert "| none in the period |" in row and "| 0% (0 of 1 changes failed) |" in row
    both = cli("report", "board", "--results", out / "results.json", "--evidence", evidence, "--period-days", "5",
               "--since", "2026-11-01")
    assert both.code == 2 and "give one" in both.err
    bad = cli("run", "--evidence", evidence, "--out-dir", tmp_path / "bad", "--since", "soon")
    assert bad.code == 2 and "--since: found 'soon'" in bad.err and not (tmp_path / "bad" / "results.json").exists()
