"""The typed Results model: round-trips results.json byte for byte, types statuses, and refuses a bad file."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from auditor.errors import InputError
from auditor.files import pretty_json
from auditor.model import SEVERITIES, Status
from auditor.report import FORMATS
from auditor.report.outputs import load_formats
from auditor.results import WrittenResults
from auditor.results_model import Results

GOLDEN = Path(__file__).parent / "fixtures" / "golden"


def test_golden_results_round_trip_byte_for_byte() -> None:
    raw = (GOLDEN / "results.json").read_bytes()
    results = Results.from_dict(orjson.loads(raw), "golden")
    assert pretty_json(results.to_dict()) == raw
    assert all(isinstance(c.status, Status) and c.severity in SEVERITIES for c in results.controls)
    assert results.counts()[Status.FAIL] == sum(c["status"] == "fail" for c in orjson.loads(raw)["controls"])


def test_unknown_fields_are_kept_for_a_newer_writer() -> None:
    document = orjson.loads((GOLDEN / "results.json").read_bytes())
    document["organisation"] = "Brightwater Financial"
    document["controls"][0]["risk_owner"] = "cfo"
    document["evidence"][0]["region"] = "eu-west-2"
    assert Results.from_dict(document).to_dict() == document


def test_waivers_and_waived_violations_are_typed_and_round_trip(library: Path, evidence: Path) -> None:
    """A real run's judged waivers (results.json ``exceptions``) and waived violations: typed, and given
    back exactly, an approver of null, an approver key absent and an early version's field included."""
    from tests.ci_helpers import ci_document

    document = orjson.loads(pretty_json(ci_document(library, evidence)))
    results = Results.from_dict(document)
    assert pretty_json(results.to_dict()) == pretty_json(document)
    judged = {w.id: w for w in results.waivers or []}
    assert {w.status for w in judged.values()} >= {"applied", "expired", "not_applied"}
    assert all(w.judgement == w.detail for w in judged.values())
    waived = [w for c in results.controls for w in c.waived_violations]
    assert waived and all(w.waiver.id in judged for w in waived)
    document["exceptions"].append({"id": "EX-OLD", "control": "SEC-001", "status": "expired",
                                   "reason_not_applied": "expired on 2026-01-01"})
    document["exceptions"].append({"id": "EX-NULL", "control": "SEC-001", "status": "not_applied", "approver": None})
    older = Results.from_dict(document)
    assert older.to_dict() == document
    assert {w.id: w.judgement for w in older.waivers or []}["EX-OLD"] == "expired on 2026-01-01"


def test_every_format_renders_the_same_from_typed_results_and_from_the_document() -> None:
    load_formats()
    document = orjson.loads((GOLDEN / "results.json").read_bytes())
    typed = Results.from_dict(document)
    for name, renderer in FORMATS:
        assert renderer().render(typed) == renderer().render(document), name


@pytest.mark.parametrize(("field", "value", "message"), [
    ("status", "passed", r"controls\[0\]\.status: found 'passed', expected 'pass' or 'fail'"),
    ("severity", "urgent", r"controls\[0\]\.severity: found 'urgent', expected 'low' or 'medium'"),
])
def test_a_bad_results_file_is_exit_2_naming_the_field(tmp_path: Path, field: str, value: str, message: str) -> None:
    document = orjson.loads((GOLDEN / "results.json").read_bytes())
    document["controls"][0][field] = value
    path = tmp_path / "results.json"
    path.write_bytes(pretty_json(document))
    with pytest.raises(InputError, match=message) as raised:
        Results.read(path)
    assert raised.value.exit_code == 2 and str(path) in raised.value.message
    with pytest.raises(InputError, match=message):
        WrittenResults.read(path).results  # noqa: B018 - the typed view checks when first asked
