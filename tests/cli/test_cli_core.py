"""The CLI end to end: exit codes, clear messages, no tracebacks, atomic output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO


def lib_args(library: Path, fixtures: Path) -> list[str | Path]:
    return [
        "--controls", library / "controls", "--policies", library / "policies",
        "--schemas", fixtures / "schemas", "--mappings", fixtures / "mappings-empty",
    ]


def test_evaluate_writes_results_and_exits_1_on_failures(cli, library, evidence, fixtures, tmp_path):  # type: ignore[no-untyped-def]
    out = tmp_path / "res" / "results.json"
    result = cli("evaluate", "--evidence", evidence, *lib_args(library, fixtures), "--out", out)
    assert result.code == 1
    assert "SEC-001" in result.out and "fail" in result.out
    doc = json.loads(out.read_text())
    assert {c["id"]: c["status"] for c in doc["controls"]} == {"PRIV-001": "pass", "SEC-001": "fail", "SEC-002": "fail"}
    assert doc["exit_code"] == 1
    assert doc["engine"]["name"] == "regorus"


def test_fail_on_threshold(cli, library, evidence, fixtures, tmp_path):  # type: ignore[no-untyped-def]
    # Only SEC-001 (high) and SEC-002 (medium) fail; at --fail-on critical nothing fails.
    out = tmp_path / "r.json"
    assert cli("evaluate", "--evidence", evidence, *lib_args(library, fixtures), "--out", out, "-q",
               "--fail-on", "critical").code == 0
    assert cli("evaluate", "--evidence", evidence, *lib_args(library, fixtures), "--out", out, "-q",
               "--fail-on", "medium").code == 1


def test_invalid_evidence_is_exit_2_without_traceback(cli, library, evidence, fixtures, tmp_path):  # type: ignore[no-untyped-def]
    (evidence / "gadgets.json").write_text('{"source": "x", "collected_at": "2026-01-01T00:00:00Z", "items": []}')
    out = tmp_path / "r.json"
    result = cli("evaluate", "--evidence", evidence, *lib_args(library, fixtures), "--out", out)
    assert result.code == 2
    assert "gadgets.json: kind: required field is missing" in result.err
    assert "Traceback" not in result.err
    assert not out.exists()  # nothing half-written


def test_output_is_not_replaced_on_error(cli, library, evidence, fixtures, tmp_path):  # type: ignore[no-untyped-def]
    out = tmp_path / "r.json"
    out.write_text("previous")
    (evidence / "gadgets.json").write_text("{")
    assert cli("evaluate", "--evidence", evidence, *lib_args(library, fixtures), "--out", out).code == 2
    assert out.read_text() == "previous"
    assert list(tmp_path.glob(".r.json*")) == []


def test_usage_error_is_exit_2(cli):  # type: ignore[no-untyped-def]
    assert cli("evaluate").code == 2
    assert cli("evaluate", "--evidence", "/no/such/dir").code == 2


def test_engine_error_is_exit_3(cli, library, evidence, fixtures, tmp_path):  # type: ignore[no-untyped-def]
    policy = library / "policies/security/sec_002.rego"
    policy.write_text(policy.read_text().replace("g.created_at", '"not-a-time"'))
    result = cli("evaluate", "--evidence", evidence, *lib_args(library, fixtures), "--out", tmp_path / "r.json")
    assert result.code == 3
    doc = json.loads((tmp_path / "r.json").read_text())
    assert {c["id"]: c["status"] for c in doc["controls"]}["SEC-002"] == "error"


def test_controls_list_and_validate(cli, library, fixtures):  # type: ignore[no-untyped-def]
    listed = cli("controls", "list", "--controls", library / "controls", "--format", "markdown")
    assert listed.code == 0
    assert "| SEC-002 | security | medium | Gadgets are not older than the allowed age |" in listed.out
    as_json = json.loads(cli("controls", "list", "--controls", library / "controls", "--format", "json").out)
    assert [c["id"] for c in as_json] == ["PRIV-001", "SEC-001", "SEC-002"]
    valid = cli("controls", "validate", *lib_args(library, fixtures), "--mappings", fixtures / "mappings-empty")
    assert valid.code == 0, valid.err
    (library / "policies/security/sec_001.rego").unlink()
    invalid = cli("controls", "validate", *lib_args(library, fixtures)[:6])
    assert invalid.code == 2
    assert "package 'controls.security.sec_001' not found" in invalid.err


def test_policies_test_command(cli, library):  # type: ignore[no-untyped-def]
    ok = cli("policies", "test", "--controls", library / "controls", "--policies", library / "policies", "-V")
    assert ok.code == 0, ok.out + ok.err
    assert "9 passed, 0 failed" in ok.out
    assert "PASS  security/sec_001_test.rego controls.security.sec_001_test.test_unencrypted_fails" in ok.out
    test_file = library / "policies/privacy/priv_001_test.rego"
    test_file.write_text(test_file.read_text().replace("retention_days\": 400", "retention_days\": 40"))
    failing = cli("policies", "test", "--controls", library / "controls", "--policies", library / "policies")
    assert failing.code == 1
    assert "FAIL  privacy/priv_001_test.rego controls.privacy.priv_001_test.test_long_retention_fails" in failing.out


def test_policies_test_flags_missing_builtin(cli, library):  # type: ignore[no-untyped-def]
    policy = library / "policies/privacy/priv_001.rego"
    policy.write_text(policy.read_text() + '\nfingerprint(x) := crypto.sha256(x)\n')
    result = cli("policies", "test", "--controls", library / "controls", "--policies", library / "policies")
    assert result.code == 1
    assert "priv_001.rego:14: builtin crypto.sha256() is not available in the regorus engine" in result.err


def test_help_is_fast_and_light() -> None:
    """`auditor --help` must not import heavy modules (boto3, reportlab, git, regorus)."""
    code = (
        "import sys, time; t=time.perf_counter();"
        "from auditor.cli import cli; import click;"
        "sys.argv=['auditor','--help'];"
        "\ntry: cli.main(standalone_mode=False)\nexcept SystemExit: pass\n"
        "heavy=[m for m in ('boto3','reportlab','git','regorus','rich','cryptography') if m in sys.modules];"
        "print(heavy, time.perf_counter()-t, file=sys.stderr)"
    )
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ}, check=True)
    elapsed = time.perf_counter() - start
    assert proc.stderr.startswith("[]"), proc.stderr
    assert elapsed < 2.0, f"auditor --help took {elapsed:.2f}s"


def test_ctrl_c_is_exit_130_and_leaves_the_old_results(cli, library, evidence, fixtures, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    # click turns KeyboardInterrupt into Abort, which was reported as "Aborted." with exit 3 (engine error).
    import auditor.evaluate

    out = tmp_path / "out" / "results.json"
    out.parent.mkdir()
    out.write_text("old")

    def interrupted(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(auditor.evaluate, "evaluate", interrupted)
    result = cli("evaluate", "--evidence", evidence, *lib_args(library, fixtures), "--out", out, "-q")
    assert result.code == 130
    assert result.err.strip() == "Interrupted."
    assert out.read_text() == "old"
    assert sorted(p.name for p in out.parent.iterdir()) == ["results.json"]
