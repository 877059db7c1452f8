"""Hostile or damaged inputs through the real CLI: exit 2 naming the file and field, never a traceback (issue 12)."""

from __future__ import annotations

import copy
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.content import bundled
from tests.ci_helpers import CI
from tests.conftest import REPO

DEMO = REPO / "evidence" / "examples" / "demo"
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def lib_args(library: Path, fixtures: Path) -> list[str | Path]:
    return ["--controls", library / "controls", "--policies", library / "policies",
            "--schemas", fixtures / "schemas", "--mappings", fixtures / "mappings-empty"]


# --- evidence times, --as-of --------------------------------------------------------------------------------


def _demo_with_times(target: Path, when: str) -> Path:
    """The demo organisation with every date-time of every other item set to ``when``."""

    def retime(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: retime(v) for k, v in value.items()}
        if isinstance(value, list):
            return [retime(v) for v in value]
        return when if isinstance(value, str) and TIME.match(value) else value

    target.mkdir()
    for path in sorted(DEMO.glob("*.json")):
        doc = json.loads(path.read_text())
        doc["items"] = [retime(item) if n % 2 == 0 else item for n, item in enumerate(doc["items"])]
        (target / path.name).write_text(json.dumps(doc))
    return target


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
def test_extreme_evidence_times_are_exit_2_not_a_policy_error(cli, tmp_path, when):  # type: ignore[no-untyped-def]
    evidence = _demo_with_times(tmp_path / "evidence", when)
    out = tmp_path / "r.json"
    result = cli("evaluate", "--evidence", evidence, "--out", out, "--as-of", "2026-11-20T12:00:00Z")
    assert result.code == 2, result.err
    assert re.search(rf"access_grants\.json: items\[0\]\.\w+ \(id '[^']+'\): found '{when}', "
                     r"expected a date-time in the years 1900 to 2099", result.err)
    assert "Traceback" not in result.err
    assert not out.exists()


@pytest.mark.parametrize(("when", "as_of"), [
    ("1900-01-01T00:00:00Z", "2099-12-31T23:59:59Z"),
    ("2099-12-31T23:59:59Z", "1900-01-01T00:00:00Z"),
    ("1900-01-01T00:00:00Z", "1900-01-01T00:00:00Z"),
])
def test_times_at_the_edges_evaluate_with_the_real_policies(cli, tmp_path, when, as_of):  # type: ignore[no-untyped-def]
    evidence = _demo_with_times(tmp_path / "evidence", when)
    out = tmp_path / "r.json"
    result = cli("evaluate", "--evidence", evidence, "--out", out, "--as-of", as_of, "-q")
    assert result.code == 1, result.err  # the demo has failing controls either way
    doc = json.loads(out.read_text())
    assert len(doc["controls"]) == len(list(bundled("controls").rglob("*-*.yaml")))
    assert [c["id"] for c in doc["controls"] if c["status"] == "error"] == []


@pytest.mark.parametrize(("as_of", "problem"), [
    ("2026-11-20T12:00:00", "not in the form 2026-11-20T12:00:00Z; a timezone is required"),
    ("2026-11-20", "not in the form 2026-11-20T12:00:00Z; a timezone is required"),
    ("2026-02-30T12:00:00Z", "not a real date and time"),
    ("0001-01-01T00:00:00Z", "year outside 1900 to 2099"),
])
def test_as_of_is_held_to_the_evidence_time_rule(cli, library, evidence, fixtures, tmp_path, as_of, problem):  # type: ignore[no-untyped-def]
    out = tmp_path / "r.json"
    result = cli("evaluate", "--evidence", evidence, *lib_args(library, fixtures), "--out", out, "--as-of", as_of)
    assert result.code == 2
    assert (f"Invalid value for '--as-of': found {as_of!r}, expected an RFC 3339 date-time with a timezone, "
            f"in the years 1900 to 2099 ({problem})") in result.err
    assert "Traceback" not in result.err
    assert not out.exists()


def test_as_of_with_a_timezone_is_used(cli, library, evidence, fixtures, tmp_path):  # type: ignore[no-untyped-def]
    out = tmp_path / "r.json"
    result = cli("evaluate", "--evidence", evidence, *lib_args(library, fixtures), "--out", out, "-q",
                 "--as-of", "2026-11-20T13:00:00+01:00")
    assert result.code == 1, result.err
    assert json.loads(out.read_text())["as_of"] == "2026-11-20T12:00:00Z"


# --- control evidence kinds without a schema --------------------------------------------------------------


def test_control_naming_a_kind_without_schema_is_rejected(cli, library, evidence, fixtures, tmp_path):  # type: ignore[no-untyped-def]
    control = library / "controls/security/SEC-002.yaml"
    control.write_text(control.read_text().replace("evidence: [gadgets]", "evidence: [gadgetz]"))
    expected = (f"{control}:8: evidence: found kind 'gadgetz', which has no schema in the bundled schemas or "
                f"{fixtures / 'schemas'}; expected one of: ")
    validate = cli("controls", "validate", *lib_args(library, fixtures))
    assert validate.code == 2
    assert expected in validate.err
    out = tmp_path / "r.json"
    for command in ("evaluate", "run"):
        target = ["--out", out] if command == "evaluate" else ["--out-dir", tmp_path / "out"]
        result = cli(command, "--evidence", evidence, *lib_args(library, fixtures), *target)
        assert result.code == 2, (command, result.err)
        assert expected in result.err
        assert "Traceback" not in result.err
    assert not out.exists()


def test_control_kinds_from_extra_schemas_are_accepted(cli, library, fixtures):  # type: ignore[no-untyped-def]
    without = cli("controls", "validate", "--controls", library / "controls", "--policies", library / "policies",
                  "--mappings", fixtures / "mappings-empty")
    assert without.code == 2
    assert "found kind 'ledgers', which has no schema in the bundled schemas;" in without.err
    assert cli("controls", "validate", *lib_args(library, fixtures)).code == 0


# --- damaged results.json ---------------------------------------------------------------------------------

#: fields a report may do without (optional, or not written by earlier versions); every other one is required
OPTIONAL_NAMES = {"remediation", "impact", "waived", "exceptions", "warnings", "baseline", "collector", "new", "strength",
                  "rationale", "code"}
OPTIONAL_PATHS = re.compile(r"^(exceptions\[0\]\.(?!(id|control|status)$)\w+"
                            r"|summary\.by_family\.[a-z-]+"  # a family with no controls has no entry
                            r"|controls\[\d+\]\.source"  # the control file, optional (results before it)
                            r"|controls\[\d+\]\.waived\[0\]\.exception\.(?!id$)\w+)$")


def optional(path: tuple[Any, ...]) -> bool:
    if path[0] == "summary":  # counts per status, where "waived" is a status, not the optional field
        return bool(OPTIONAL_PATHS.match(_label(path)))
    return path[-1] in OPTIONAL_NAMES or bool(OPTIONAL_PATHS.match(_label(path)))


@pytest.fixture(scope="module")
def real_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A results.json from a real run with waived violations and judged exceptions."""
    from auditor.cli import main

    tmp = tmp_path_factory.mktemp("results")
    shutil.copytree(REPO / "tests/fixtures/library", tmp / "library")
    shutil.copytree(REPO / "tests/fixtures/evidence/basic", tmp / "evidence")
    fixtures = REPO / "tests/fixtures"
    with pytest.raises(SystemExit):
        main([str(a) for a in ["evaluate", "--evidence", tmp / "evidence", *lib_args(tmp / "library", fixtures),
                               "--exceptions", CI / "waivers.yaml", "--as-of", "2026-11-20T12:00:00Z",
                               "--out", tmp / "results.json", "-q"]])
    doc: dict[str, Any] = json.loads((tmp / "results.json").read_text())
    assert doc["exceptions"] and any(c.get("waived") for c in doc["controls"]) and doc["evidence"]
    return doc


def _fields(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every field of the document (descending into one entry per list; parameters are free-form)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key)
            if key != "parameters":
                yield from _fields(item, (*path, key))
    elif isinstance(value, list):
        index = next((n for n, item in enumerate(value) if isinstance(item, dict) and item.get("waived")), 0)
        if value:
            yield from _fields(value[index], (*path, index))


def _label(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _wrong(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, (int, float)):
        return "12"
    if isinstance(value, str):
        return 12345
    if isinstance(value, list):
        return {"not": "a list"}
    if isinstance(value, dict):
        return ["not a mapping"]
    return 7


def _mutants(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path in _fields(doc):
        parent_path, key = path[:-1], path[-1]
        for how in ("missing", "wrong type"):
            mutant = copy.deepcopy(doc)
            parent: Any = mutant
            for part in parent_path:
                parent = parent[part]
            if how == "missing":
                del parent[key]
            else:
                parent[key] = _wrong(parent[key])
            yield path, how, mutant


def test_reports_on_a_results_file_damaged_field_by_field(cli, real_results, tmp_path):  # type: ignore[no-untyped-def]
    damaged = tmp_path / "results.json"
    checked = 0
    for path, how, mutant in _mutants(real_results):
        field = _label(path)
        damaged.write_text(json.dumps(mutant))
        commands: list[list[str | Path]] = [["report", "board", "--format", "markdown"],
                                            ["report", "evidence", "--out", tmp_path / "e.pdf"]]
        if how == "missing" and optional(path):  # the report renders without it (the board alone, for time)
            result = cli(*commands[0], "--mappings", REPO / "tests/fixtures/mappings-empty", "--results", damaged)
            assert result.code == 0, (field, how, result.err)
            continue
        for command in commands:
            result = cli(*command, "--results", damaged)
            assert "Traceback" not in result.err and "internal error" not in result.err.lower(), (field, how)
            assert result.code == 2, (field, how, result.err)
            assert result.err.startswith(f"Error: {damaged}: "), (field, how, result.err)
            if field not in ("run_id", "controls"):  # those two: "not an Auditor results file"
                assert f"{field}:" in result.err, (field, how, result.err)
            checked += 1
    assert checked > 150  # every control, evidence, exception and waiver field, both ways


@pytest.mark.parametrize(("text", "message"), [
    (None, "malformed JSON"),  # truncated half way
    ('{"schema_version": "2", "run_id": "r", "controls": []}', "schema_version: found '2', expected '1'"),
    ("[1, 2]", "not an Auditor results file"),
])
def test_reports_on_truncated_or_foreign_results(cli, real_results, tmp_path, text, message):  # type: ignore[no-untyped-def]
    damaged = tmp_path / "results.json"
    whole = json.dumps(real_results, indent=2)
    damaged.write_text(whole[: len(whole) // 2] if text is None else text)
    for command in (["report", "board", "--format", "markdown"], ["report", "evidence", "--out", tmp_path / "e.pdf"]):
        result = cli(*command, "--results", damaged)
        assert result.code == 2
        assert message in result.err
        assert "Traceback" not in result.err
    assert not (tmp_path / "e.pdf").exists()
