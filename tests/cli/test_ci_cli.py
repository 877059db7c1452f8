from __future__ import annotations

import json
from pathlib import Path

import pytest
from junitparser import JUnitXml

from auditor.errors import InputError
from auditor.model import Status
from auditor.report import FORMATS
from auditor.report.outputs import load_formats
from tests.ci_helpers import CI, FIXTURES


def evaluate_args(library: Path, evidence: Path, out: Path, *extra: str | Path) -> list[str | Path]:
    return ["evaluate", "--evidence", evidence, "--controls", library / "controls", "--policies",
            library / "policies", "--schemas", FIXTURES / "schemas", "--mappings", CI / "mappings",
            "--out", out, "-q", *extra]


def test_evaluate_writes_every_format_and_applies_exceptions(
    library: Path, evidence: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out" / "results.json"
    sarif = tmp_path / "elsewhere" / "x.sarif"
    result = cli(*evaluate_args(library, evidence, out, "--format", "junit", "--format", f"sarif={sarif}",
                                "--format", "markdown", "--exceptions", CI / "waivers.yaml"))
    assert result.code == 0, result.err  # SEC-001 waived, SEC-002 medium
    assert (out.parent / "auditor.junit.xml").is_file() and (out.parent / "auditor.md").is_file()
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert len(list(JUnitXml.fromfile(str(out.parent / "auditor.junit.xml")))) == 2
    doc = json.loads(out.read_text())
    assert {c["id"]: c["status"] for c in doc["controls"]} == {"PRIV-001": "pass", "SEC-001": "waived",
                                                              "SEC-002": "fail"}
    assert [e["status"] for e in doc["exceptions"]] == ["applied", "expiring", "not_applied", "expired",
                                                         "not_applied"]
    assert "warning: waiver EX-002 (SEC-001, g-3*) expires on 2026-11-30" in result.err
    assert not list(out.parent.glob(".*.tmp"))


def test_markdown_is_appended_to_the_github_step_summary(
    library: Path, evidence: Path, tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = cli(*evaluate_args(library, evidence, tmp_path / "r.json"))
    assert result.code == 1
    text = summary.read_text()
    assert text.startswith("earlier step\n## Auditor: failed (3 controls: 2 fail, 1 pass)")
    assert "| ❌ fail | `SEC-001` | high | iso27001-2022: A.8.24 / nist-ai-rmf-1.0: GOVERN 1.4 | 2 |" in text


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "pdfx"], "unknown output format 'pdfx'; expected one of: json, junit, markdown, oscal, sarif"),
    (["--format", "junit="], "expected NAME or NAME=PATH"),
    (["--base", "HEAD"], "--base only applies with --changed-only"),
])
def test_bad_ci_options_are_exit_2(
    library: Path, evidence: Path, tmp_path: Path, cli, args: list[str], message: str
) -> None:  # type: ignore[no-untyped-def]
    result = cli(*evaluate_args(library, evidence, tmp_path / "r.json", *args))
    assert result.code == 2
    assert message in result.err
    assert not (tmp_path / "r.json").exists()


def test_exceptions_for_an_unknown_control_are_exit_2(
    library: Path, evidence: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "waivers.yaml"
    bad.write_text((CI / "waivers.yaml").read_text().replace("control: SEC-002", "control: SEC-042", 1))
    result = cli(*evaluate_args(library, evidence, tmp_path / "r.json", "--exceptions", bad))
    assert result.code == 2
    assert "waivers.yaml:22: waivers[2].control: found 'SEC-042', expected a control id" in result.err
    assert "Traceback" not in result.err


def test_baseline_command_then_evaluate_with_baseline(
    library: Path, evidence: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    first = tmp_path / "first.json"
    assert cli(*evaluate_args(library, evidence, first)).code == 1
    baseline = tmp_path / "baseline.json"
    result = cli("baseline", "--results", first, "--out", baseline)
    assert result.code == 0 and "3 known violations" in result.err
    data = json.loads(baseline.read_text())
    assert data["violations"][0] == {"control": "SEC-001", "resource": "g-2"}
    again = cli("baseline", "--results", first, "--out", tmp_path / "b2.json")
    assert again.code == 0 and (tmp_path / "b2.json").read_bytes() == baseline.read_bytes()

    second = tmp_path / "second.json"
    result = cli(*evaluate_args(library, evidence, second, "--baseline", baseline, "--format", "junit"))
    assert result.code == 0, result.err
    assert "baseline: 0 new, 3 known violations" in result.err
    doc = json.loads(second.read_text())
    assert doc["exit_code"] == 0 and doc["baseline"]["known"] == 3
    assert next(c for c in doc["controls"] if c["id"] == "SEC-001")["status"] == "fail"  # still reported


def test_run_accepts_formats_too(library: Path, evidence: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("run", "--evidence", evidence, "--controls", library / "controls", "--policies",
                 library / "policies", "--schemas", FIXTURES / "schemas", "--mappings", CI / "mappings",
                 "--out-dir", tmp_path / "o",
                 "--format", "sarif", "--format", "markdown")
    assert result.code == 1
    assert (tmp_path / "o" / "auditor.sarif").is_file() and (tmp_path / "o" / "auditor.md").is_file()


def test_policies_test_junit(library: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "policy.xml"
    result = cli("policies", "test", "--controls", library / "controls", "--policies", library / "policies",
                 "--format", f"junit={target}")
    assert result.code == 0, result.out + result.err
    xml = JUnitXml.fromfile(str(target))
    cases = [c for s in xml for c in s]
    assert cases and all(c.is_passed for c in cases)
    assert cli("policies", "test", "--policies", library / "policies", "--format", "sarif").code == 2


def test_every_format_declares_its_contract() -> None:
    load_formats()
    assert FORMATS.names() == ["json", "junit", "markdown", "oscal", "sarif"]
    for name, cls in FORMATS:
        assert cls.name == name
        assert cls.default_filename and "." in cls.default_filename
        assert cls.__doc__ and "Example:" in cls.__doc__
        # the smallest valid results document (formats render typed Results: an invalid one is refused)
        minimal = {"schema_version": "1", "run_id": "r", "started_at": "2026-11-20T12:00:00Z",
                   "finished_at": "2026-11-20T12:00:01Z", "as_of": "2026-11-20T12:00:00Z",
                   "engine": {"name": "regorus", "version": "0", "auditor": "0"}, "fail_on": "high", "exit_code": 0,
                   "evidence": [], "controls": [],
                   "summary": {"total": 0, "by_status": {s.value: 0 for s in Status}, "by_family": {}}}
        assert isinstance(cls().render(minimal), bytes)
    with pytest.raises(InputError, match="exit_code: required field is missing"):
        FORMATS.get("markdown")().render({k: v for k, v in minimal.items() if k != "exit_code"})


def test_waivers_is_the_option_and_exceptions_its_hidden_old_spelling(
    library: Path, evidence: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    new = cli(*evaluate_args(library, evidence, tmp_path / "new.json", "--waivers", CI / "waivers.yaml"))
    old = cli(*evaluate_args(library, evidence, tmp_path / "old.json", "--exceptions", CI / "waivers.yaml"))
    assert new.code == old.code == 0
    statuses = [{c["id"]: c["status"] for c in json.loads((tmp_path / f"{n}.json").read_text())["controls"]}
                for n in ("new", "old")]
    assert statuses[0] == statuses[1] and statuses[0]["SEC-001"] == "waived"
    both = cli(*evaluate_args(library, evidence, tmp_path / "both.json", "--waivers", CI / "waivers.yaml",
                              "--exceptions", CI / "waivers.yaml"))
    assert both.code == 2 and "give --waivers once" in both.err and not (tmp_path / "both.json").exists()
    help_text = cli("evaluate", "--help").out
    assert "--waivers" in help_text and "--exceptions" not in help_text
