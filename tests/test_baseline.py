from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from auditor.baseline import baseline_from_results, load_baseline
from auditor.errors import ExitCode, InputError
from auditor.results import results_document
from auditor.results_model import Results
from tests.ci_helpers import ci_document, ci_run


def typed(document: dict[str, Any]) -> Results:
    return Results.from_dict(document)


def test_baseline_is_minimal_sorted_and_includes_waived(library: Path, evidence: Path) -> None:
    baseline = baseline_from_results(typed(ci_document(library, evidence)))
    assert baseline["kind"] == "auditor-baseline"
    # SEC-001's violations are waived but still known; SEC-002 g-3 is a plain violation.
    assert baseline["violations"] == [{"control": "SEC-001", "resource": "g-2"},
                                      {"control": "SEC-001", "resource": "g-3"},
                                      {"control": "SEC-002", "resource": "g-3"}]


def test_only_new_violations_fail(library: Path, evidence: Path, tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(baseline_from_results(typed(ci_document(library, evidence, exceptions=None)))))
    run = ci_run(library, evidence, exceptions=None, baseline=path)
    assert run.exit_code() is ExitCode.OK  # everything is known
    doc = results_document(run)
    sec1 = next(c for c in doc["controls"] if c["id"] == "SEC-001")
    assert sec1["status"] == "fail"  # still reported as failing
    assert [v["new"] for v in sec1["violations"]] == [False, False]
    assert doc["baseline"] == {"known": 3, "new": 0, "baseline_size": 3}

    # Drop g-3 from the baseline: SEC-001's g-3 is new, so the run fails again.
    data = json.loads(path.read_text())
    data["violations"] = [v for v in data["violations"] if v != {"control": "SEC-001", "resource": "g-3"}]
    path.write_text(json.dumps(data))
    run = ci_run(library, evidence, exceptions=None, baseline=path)
    assert run.exit_code() is ExitCode.FAILED
    sec1 = next(c for c in results_document(run)["controls"] if c["id"] == "SEC-001")
    assert [(v["resource"], v["new"]) for v in sec1["violations"]] == [("g-2", False), ("g-3", True)]


def test_a_results_file_is_accepted_as_baseline(library: Path, evidence: Path, tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text(json.dumps(ci_document(library, evidence, exceptions=None)))
    assert load_baseline(path) == {("SEC-001", "g-2"), ("SEC-001", "g-3"), ("SEC-002", "g-3")}


def test_insufficient_evidence_still_fails_with_a_baseline(library: Path, evidence: Path, tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(baseline_from_results(typed(ci_document(library, evidence, exceptions=None)))))
    (evidence / "ledgers.yaml").unlink()
    assert ci_run(library, evidence, exceptions=None, baseline=path).exit_code() is ExitCode.FAILED


@pytest.mark.parametrize(("text", "message"), [
    ("{", r"b\.json:1: malformed JSON"),
    ('{"kind": "other"}', r"kind: expected 'auditor-baseline' or an Auditor results\.json"),
    ('{"kind": "auditor-baseline", "violations": [{"control": 1}]}',
     r"b\.json: violations\[0\]: found \{'control': 1\}, expected \{control: string, resource: string\}$"),
    # were KeyError / TypeError tracebacks (exit 3)
    ('{"kind": "auditor-baseline", "violations": null}', r"b\.json: violations: found None, expected a list"),
])
def test_bad_baseline_is_exit_2(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        load_baseline(path)


def _drop(*path: str | int) -> Callable[[dict[str, Any]], None]:
    def damage(document: dict[str, Any]) -> None:
        target: Any = document
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]
    return damage


def _set(value: Any, *path: str | int) -> Callable[[dict[str, Any]], None]:
    def damage(document: dict[str, Any]) -> None:
        target: Any = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
    return damage


# A results.json given as a baseline is checked like every results.json a command starts from: one field
# of a complete run's results damaged, that field is named (controls: PRIV-001, SEC-001 waived, SEC-002 fail).
@pytest.mark.parametrize(("damage", "message"), [
    (_drop("controls", 0, "id"), r"b\.json: controls\[0\]\.id: required field is missing$"),
    (_set(None, "controls", 0, "id"), r"b\.json: controls\[0\]\.id: found None, expected string$"),
    (_drop("controls", 2, "violations", 0, "resource"),
     r"b\.json: controls\[2\]\.violations\[0\]\.resource: required field is missing$"),
    (_set(3, "controls", 1, "waived"), r"b\.json: controls\[1\]\.waived: found 3, expected array$"),
    (_set({}, "controls"), r"b\.json: controls: found \{\}, expected array$"),
    (_set("skipped", "controls", 2, "status"), r"b\.json: controls\[2\]\.status: found 'skipped', expected 'pass' or"),
])
def test_a_damaged_results_file_as_baseline_is_exit_2_naming_the_field(
        library: Path, evidence: Path, tmp_path: Path, damage: Callable[[dict[str, Any]], None], message: str) -> None:
    document = ci_document(library, evidence)
    damage(document)
    path = tmp_path / "b.json"
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match=message):
        load_baseline(path)


def test_baseline_command_rejects_a_malformed_results_file(library: Path, evidence: Path, tmp_path: Path,
                                                           cli) -> None:  # type: ignore[no-untyped-def]
    document = ci_document(library, evidence)
    del document["controls"][0]["id"]
    bad = tmp_path / "results.json"
    bad.write_text(json.dumps(document))
    out = tmp_path / "baseline.json"
    result = cli("baseline", "--results", bad, "--out", out)
    assert result.code == 2
    assert f"{bad}: controls[0].id: required field is missing" in result.err
    assert "Traceback" not in result.err
    assert not out.exists()
