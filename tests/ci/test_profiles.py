"""--profile: controls outside the profile are reported as not evaluated, never as passing or failing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from auditor.cli import cli
from auditor.profiles import load_profiles
from tests.conftest import REPO

DEMO = REPO / "evidence" / "examples" / "demo"
AS_OF = "2026-11-20T12:00:00Z"
CI_PROFILE = ["SEC-004", "SEC-008", "SOD-001", "SOD-002", "SOD-005", "SOD-008"]


def evaluate(tmp_path: Path, *args: str, evidence: Path = DEMO) -> tuple[int, str, dict[str, Any]]:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["evaluate", "--evidence", str(evidence), "--out", str(out / "results.json"),
                                      "--as-of", AS_OF, "--quiet", "--jobs", "1", *args])
    document = json.loads((out / "results.json").read_text()) if (out / "results.json").exists() else {}
    return result.exit_code, result.output, document


def test_the_bundled_ci_profile_names_controls_of_the_library() -> None:
    profiles = load_profiles(REPO / "controls" / "profiles.yaml")
    assert sorted(profiles["ci"].controls) == CI_PROFILE


def test_ci_profile_evaluates_its_controls_and_lists_the_others_as_not_evaluated_in_every_format(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    code, output, doc = evaluate(tmp_path, "--profile", "ci", *[f"--format={f}" for f in
                                                                 ("junit", "sarif", "markdown", "oscal")])
    assert code == 1, output  # the demo's SOD and SEC-004 failures are in the profile
    assert doc["profile"] == "ci"
    assert sorted(c["id"] for c in doc["controls"]) == CI_PROFILE
    left_out = {d["id"]: d for d in doc["disabled_controls"]}
    assert len(left_out) == 45 - len(CI_PROFILE) and not set(left_out) & set(CI_PROFILE)
    assert left_out["SEC-001"]["layer"] == "profile:ci"
    assert left_out["SEC-001"]["reason"] == "not in the ci profile"
    assert left_out["SEC-001"]["disabled_by"].startswith("controls/profiles.yaml:")  # not an install path
    assert doc["summary"]["total"] == len(CI_PROFILE)  # never counted among results
    junit = (out / "auditor.junit.xml").read_text()
    assert junit.count('<skipped message="not evaluated: not in the ci profile">') == len(left_out)
    sarif = json.loads((out / "auditor.sarif").read_text())
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["SEC-001"]["defaultConfiguration"]["enabled"] is False
    assert not [r for r in sarif["runs"][0]["results"] if r["ruleId"] in left_out]
    assert (out / "auditor.md").read_text().count("not in the ci profile") >= len(left_out)
    oscal = json.loads((out / "assessment-results.json").read_text())
    selection = oscal["assessment-results"]["results"][0]["reviewed-controls"]["control-selections"][0]
    assert {c["control-id"] for c in selection["exclude-controls"]} == set(left_out)


def test_failures_outside_the_profile_never_fail_the_job(tmp_path: Path) -> None:
    layer = tmp_path / "org"
    (layer / "controls").mkdir(parents=True)
    (layer / "controls" / "profiles.yaml").write_text(yaml.safe_dump(
        {"profiles": {"signed": {"description": "Signed commits only.", "controls": ["SEC-008"]}}}))
    code, output, doc = evaluate(tmp_path, "--library", str(layer), "--profile", "signed")
    assert code == 0, output  # SEC-008 passes on the demo; the 33 failing or passing others are not evaluated
    assert [(c["id"], c["status"]) for c in doc["controls"]] == [("SEC-008", "pass")]
    full_code, _, _ = evaluate(tmp_path / "full")
    assert full_code == 1  # the same evidence without the profile fails


def test_an_unknown_profile_is_exit_2_naming_the_known_ones(tmp_path: Path) -> None:
    code, output, _ = evaluate(tmp_path, "--profile", "nightly")
    assert code == 2
    assert "--profile: found 'nightly', expected one of: ci" in output


def test_a_profile_naming_an_unknown_control_is_exit_2_with_file_and_line(tmp_path: Path) -> None:
    layer = tmp_path / "org"
    (layer / "controls").mkdir(parents=True)
    (layer / "controls" / "profiles.yaml").write_text(
        "profiles:\n  ci:\n    description: mine\n    controls: [SEC-004, SEC-999]\n")
    code, output, _ = evaluate(tmp_path, "--library", str(layer), "--profile", "ci")
    assert code == 2
    assert "profiles.yaml:2: profiles.ci.controls: unknown control id(s) SEC-999" in output


def test_a_malformed_profiles_file_is_exit_2(tmp_path: Path) -> None:
    layer = tmp_path / "org"
    (layer / "controls").mkdir(parents=True)
    (layer / "controls" / "profiles.yaml").write_text("profiles:\n  ci:\n    controls: [SEC-004]\n")
    code, output, _ = evaluate(tmp_path, "--library", str(layer), "--profile", "ci")
    assert code == 2 and "description" in output and "Traceback" not in output


@pytest.mark.parametrize("case", ["other-profile", "other-organisation"])
def test_a_baseline_of_other_evidence_is_refused(tmp_path: Path, case: str) -> None:
    baseline = tmp_path / "baseline.json"
    evaluate(tmp_path / "a")
    if case == "other-profile":  # taken without a profile, used with --profile ci
        CliRunner().invoke(cli, ["baseline", "--results", str(tmp_path / "a/out/results.json"), "--out", str(baseline)])
        code, output, _ = evaluate(tmp_path / "b", "--profile", "ci", "--baseline", str(baseline))
        assert code == 2 and "the baseline was taken with profile None, this run uses 'ci'" in output
        return
    # the demo organisation's baseline, used on another organisation's evidence
    CliRunner().invoke(cli, ["baseline", "--results", str(tmp_path / "a/out/results.json"), "--out", str(baseline)])
    other = tmp_path / "other-evidence"
    other.mkdir()
    for name in ("changes.json", "deployments.json"):
        document = json.loads((DEMO / name).read_text())
        document["source"] = "github:another-org"
        (other / name).write_text(json.dumps(document))
    code, output, _ = evaluate(tmp_path / "d", "--baseline", str(baseline), evidence=other)
    assert code == 2
    assert "the baseline was taken from other evidence" in output and "github:another-org" in output


def test_a_baseline_of_the_same_evidence_and_profile_is_accepted(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    evaluate(tmp_path / "a", "--profile", "ci")
    CliRunner().invoke(cli, ["baseline", "--results", str(tmp_path / "a/out/results.json"), "--out", str(baseline)])
    assert json.loads(baseline.read_text())["profile"] == "ci"
    code, output, doc = evaluate(tmp_path / "b", "--profile", "ci", "--baseline", str(baseline))
    assert code == 0, output  # every violation is known
    assert doc["baseline"]["new"] == 0 and doc["baseline"]["known"] > 0
