"""--quiet still says why a control was not evaluated; run --branch; --format lists every registered format."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from auditor.cli import cli
from tests.conftest import REPO

DEMO = REPO / "evidence" / "examples" / "demo"


def test_quiet_evaluate_prints_the_reason_of_each_control_it_could_not_evaluate(tmp_path: Path) -> None:
    evidence = tmp_path / "ev"
    evidence.mkdir()
    shutil.copy(DEMO / "changes.json", evidence / "changes.json")  # no deployments: SEC-004 cannot be decided
    result = CliRunner().invoke(cli, ["evaluate", "--evidence", str(evidence), "--profile", "ci", "--quiet",
                                      "--out", str(tmp_path / "results.json"), "--as-of", "2026-11-20T12:00:00Z",
                                      "--jobs", "1"])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if "insufficient_evidence:" in line]
    assert any(line.startswith("SEC-004 insufficient_evidence: ") and "deployments" in line for line in lines), lines
    assert "Auditor run" not in result.output  # no table


def test_run_branch_needs_collect_git(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["run", "--branch", "main", "--out-dir", str(tmp_path / "out"), "--no-pack"])
    assert result.exit_code == 2 and "--branch applies to --collect git" in result.output


def test_format_help_lists_every_registered_format() -> None:
    from auditor.report import FORMATS
    from auditor.report.outputs import load_formats

    load_formats()
    for command in ("run", "evaluate"):
        text = " ".join(CliRunner().invoke(cli, [command, "--help"]).output.split())
        assert f"Also write an output format: {', '.join(sorted(FORMATS.names()))}" in text
        assert "oscal" in text
