"""The CI templates are valid for their platforms and wire the step the way ci/README.md says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
ACTION = REPO_ROOT / "ci" / "github" / "action.yml"
GITLAB = REPO_ROOT / "ci" / "gitlab" / "auditor.gitlab-ci.yml"
STEP = REPO_ROOT / "ci" / "scripts" / "auditor-step.sh"
CHECK = Path(sys.executable).parent / "check-jsonschema"


@pytest.mark.parametrize(("path", "schema"), [(ACTION, "vendor.github-actions"), (GITLAB, "vendor.gitlab-ci")])
def test_templates_validate_against_the_platform_schemas(path: Path, schema: str) -> None:
    # SchemaStore's schemas as vendored by check-jsonschema (offline): e.g. a composite run step without shell fails
    done = subprocess.run([str(CHECK), "--builtin-schema", schema, str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def action() -> dict[str, Any]:
    return yaml.safe_load(ACTION.read_text())


def test_composite_action_steps_secrets_and_expressions() -> None:
    doc = action()
    steps = doc["runs"]["steps"]
    assert doc["runs"]["using"] == "composite"
    inputs, ids = set(doc["inputs"]), {s["id"] for s in steps if "id" in s}
    text = ACTION.read_text()
    for name in re.findall(r"inputs\.([A-Za-z0-9_-]+)", text.split("runs:", 1)[1] + str(doc["outputs"])):
        assert name in inputs, name
    for name in re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs", text):
        assert name in ids, name
    for s in steps:
        if "run" in s:
            assert s.get("shell") == "bash", s
            # inputs (the signing key above all) reach scripts through env, never spliced into the script
            assert "${{" not in s["run"], s["run"]
    key_users = [s for s in steps if "inputs.signing-key" in str(s)]
    assert len(key_users) == 1 and key_users[0]["env"]["AUDITOR_SIGNING_KEY"] == "${{ inputs.signing-key }}"


def test_the_job_fails_by_the_exit_code_only_after_the_outputs_are_uploaded() -> None:
    steps = action()["runs"]["steps"]
    names = [s.get("uses", s.get("id", s.get("name", ""))).split("@")[0] for s in steps]
    auditor, upload = names.index("auditor"), names.index("actions/upload-artifact")
    assert "exit 0" in steps[auditor]["run"] and "AUDITOR_EXIT_CODE" in steps[auditor]["run"]
    assert auditor < upload < len(steps) - 1
    assert steps[upload]["if"].startswith("always()") and steps[upload]["with"]["path"] == "${{ runner.temp }}/auditor-out"
    assert steps[auditor]["env"]["AUDITOR_OUT"] == steps[upload]["with"]["path"]
    sarif = names.index("github/codeql-action/upload-sarif")
    assert steps[sarif]["if"].startswith("always()")
    last = steps[-1]
    assert 'exit "$code"' in last["run"] and "AUDITOR_EXIT_CODE:-3" in last["run"]  # no code recorded: not a pass
    # the outputs the action declares are ones the step script writes to $GITHUB_OUTPUT
    emitted = set(re.findall(r"emit ([a-z-]+) ", STEP.read_text())) | {"junit", "sarif", "markdown"}
    for output in action()["outputs"].values():
        (name,) = re.findall(r"steps\.auditor\.outputs\.([a-z-]+)", output["value"])
        assert name in emitted, name


def test_gitlab_job_keeps_artifacts_and_junit_on_failure_and_fetches_full_history() -> None:
    doc = yaml.safe_load(GITLAB.read_text())
    job = doc[".auditor"]
    assert doc["auditor"]["extends"] == ".auditor"
    assert job["variables"]["GIT_DEPTH"] == "0"  # a shallow clone is a collection error for the git evidence
    artifacts = job["artifacts"]
    assert artifacts["when"] == "always"
    assert artifacts["reports"]["junit"] == "$AUDITOR_OUT/auditor.junit.xml"
    assert "$AUDITOR_OUT/" in artifacts["paths"]
    assert '[junit]="$out/auditor.junit.xml"' in STEP.read_text()
    assert any("auditor-step.sh" in line for line in job["script"])


def test_both_templates_default_to_the_ci_profile() -> None:


    action = yaml.safe_load((REPO_ROOT / "ci" / "github" / "action.yml").read_text())
    assert action["inputs"]["profile"]["default"] == "ci"
    assert "AUDITOR_PROFILE: ${{ inputs.profile }}" in (REPO_ROOT / "ci" / "github" / "action.yml").read_text()
    gitlab = yaml.safe_load((REPO_ROOT / "ci" / "gitlab" / "auditor.gitlab-ci.yml").read_text())
    assert gitlab["variables"]["AUDITOR_PROFILE"] == "ci"
