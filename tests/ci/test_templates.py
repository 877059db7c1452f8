"""The CI templates are valid for their platforms and wire the step the way ci/README.md says."""

from __future__ import annotations

import json
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


# --- sharded evaluation: the matrix examples -------------------------------------------------------

GITHUB_MATRIX = REPO_ROOT / "ci" / "github" / "matrix-example.yml"
GITLAB_MATRIX = REPO_ROOT / "ci" / "gitlab" / "matrix-example.gitlab-ci.yml"
DEMO = REPO_ROOT / "evidence" / "examples" / "demo"
#: the demo organisation by kind family (one file, shared with bench/merge.py and tests/pack/test_merge.py)
DEMO_SHARDS: dict[str, list[str]] = json.loads((REPO_ROOT / "evidence" / "examples" / "demo-shards.json").read_text())["shards"]
AS_OF = "2026-11-20T09:00:00Z"


@pytest.mark.parametrize(("path", "schema"), [(GITHUB_MATRIX, "vendor.github-workflows"),
                                              (GITLAB_MATRIX, "vendor.gitlab-ci")])
def test_matrix_examples_validate_against_the_platform_schemas(path: Path, schema: str) -> None:
    done = subprocess.run([str(CHECK), "--builtin-schema", schema, str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _workspace(root: Path) -> Path:
    """A checkout as the examples expect: evidence/<shard>/ per matrix entry, the public key committed."""
    from auditor.pack import keys

    for shard, kinds in DEMO_SHARDS.items():
        folder = root / "evidence" / shard
        folder.mkdir(parents=True)
        for kind in kinds:
            (folder / f"{kind}.json").write_bytes((DEMO / f"{kind}.json").read_bytes())
    keys.generate(root / "keys")
    (root / "auditor").mkdir()
    (root / "auditor" / "signing-key.pub.pem").write_bytes((root / "keys" / keys.PUBLIC_NAME).read_bytes())
    return root


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    import os

    path = f"{Path(sys.executable).parent}:{os.environ['PATH']}"
    full = {**{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "AUDITOR_"))}, "PATH": path, **env}
    return subprocess.run(["bash", "-c", script], cwd=cwd, env=full, capture_output=True, text=True)


def _verify(pack: Path, pub: Path) -> list[str]:
    from auditor.pack.signers import Verifier
    from auditor.pack.verify import verify_pack

    result = verify_pack(pack, Verifier.from_pem_file(pub))
    assert result.valid, result.reason
    return sorted(s["name"] for s in result.predicate["shards"])


def test_github_matrix_example_runs_each_shard_then_merges(tmp_path: Path) -> None:
    doc = yaml.safe_load(GITHUB_MATRIX.read_text())
    jobs = doc["jobs"]
    assert jobs["shard"]["strategy"]["matrix"]["shard"] == list(DEMO_SHARDS)
    assert jobs["shard"]["needs"] == "as-of" and jobs["merge"]["needs"] == "shard"
    shard_steps, merge_steps = jobs["shard"]["steps"], jobs["merge"]["steps"]
    upload = next(s for s in shard_steps if s.get("uses", "").startswith("actions/upload-artifact"))
    download = next(s for s in merge_steps if s.get("uses", "").startswith("actions/download-artifact"))
    assert upload["with"]["name"] == "auditor-shard-${{ matrix.shard }}"
    assert download["with"]["pattern"] == "auditor-shard-*" and download["with"]["merge-multiple"] is True
    for step in shard_steps + merge_steps:
        if "run" in step:
            assert "${{" not in step["run"], step["run"]  # inputs reach scripts through env only
    shard = next(s for s in shard_steps if s.get("id") == "shard")
    assert shard["env"]["AS_OF"] == "${{ needs.as-of.outputs.as-of }}"
    assert shard["env"]["AUDITOR_SIGNING_KEY"] == "${{ secrets.AUDITOR_SIGNING_KEY }}"
    merge = next(s for s in merge_steps if "auditor pack merge" in s.get("run", ""))

    # run the scripts as the runner would, on the demo organisation split in three
    work = _workspace(tmp_path / "checkout")
    pem = (work / "keys" / "signing-key.pem").read_text()
    merged_ws = tmp_path / "merge"
    (merged_ws / "auditor-shards").mkdir(parents=True)
    (merged_ws / "auditor").mkdir()
    (merged_ws / "auditor" / "signing-key.pub.pem").write_bytes((work / "auditor" / "signing-key.pub.pem").read_bytes())
    for name in DEMO_SHARDS:  # the matrix: one job per shard
        (tmp_path / f"runner-{name}").mkdir()
        done = _bash(shard["run"], work, {"SHARD": name, "AS_OF": AS_OF, "AUDITOR_SIGNING_KEY": pem,
                                          "RUNNER_TEMP": str(tmp_path / f"runner-{name}")})
        assert done.returncode == 0, done.stderr
        assert not (tmp_path / f"runner-{name}" / "signing-key.pem").exists()  # the key does not outlive the step
        pack = work / "auditor-shards" / f"{name}.zip"  # upload-artifact's path, then download-artifact
        (merged_ws / "auditor-shards" / pack.name).write_bytes(pack.read_bytes())
    github_env = tmp_path / "github-env"
    (tmp_path / "runner-merge").mkdir()
    done = _bash(merge["run"], merged_ws, {**doc["env"], "AUDITOR_SIGNING_KEY": pem, "GITHUB_ENV": str(github_env),
                                           "RUNNER_TEMP": str(tmp_path / "runner-merge")})
    assert done.returncode == 0, done.stderr
    assert _verify(merged_ws / "auditor-out" / "pack.zip", merged_ws / "auditor" / "signing-key.pub.pem") == sorted(
        DEMO_SHARDS)
    assert "valid: auditor-out/pack.zip" in done.stdout
    assert github_env.read_text() == "AUDITOR_EXIT_CODE=1\n"  # the demo fails high-severity controls on purpose
    assert not (tmp_path / "runner-merge" / "signing-key.pem").exists()
    assert jobs["merge"]["steps"][-1]["run"] == 'exit "${AUDITOR_EXIT_CODE:-0}"'


def test_gitlab_parallel_matrix_example_runs_each_shard_then_merges(tmp_path: Path) -> None:
    doc = yaml.safe_load(GITLAB_MATRIX.read_text())
    shard, merge = doc["auditor-shard"], doc["auditor-merge"]
    assert shard["parallel"]["matrix"] == [{"SHARD": list(DEMO_SHARDS)}]
    assert shard["variables"]["AS_OF"] == "$CI_PIPELINE_CREATED_AT"
    assert merge["needs"] == [{"job": "auditor-shard", "artifacts": True}]
    assert doc["stages"] == ["shard", "merge"] and shard["stage"] == "shard" and merge["stage"] == "merge"
    assert merge["artifacts"]["when"] == "always"

    work = _workspace(tmp_path / "checkout")
    key = str(work / "keys" / "signing-key.pem")  # a File variable: the path of the PEM
    env = {**doc["variables"], "AUDITOR_SIGNING_KEY": key}
    merged_ws = tmp_path / "merge"
    (merged_ws / "auditor-shards").mkdir(parents=True)
    (merged_ws / "auditor").mkdir()
    (merged_ws / "auditor" / "signing-key.pub.pem").write_bytes((work / "auditor" / "signing-key.pub.pem").read_bytes())
    for name in DEMO_SHARDS:
        # GitLab stops the job at the first failing line: `set -e` over the lines in one shell
        done = _bash("set -e\n" + "\n".join(shard["script"]), work, {**env, "SHARD": name, "AS_OF": AS_OF})
        assert done.returncode == 0, done.stderr
        for artifact in (work / "auditor-shards").iterdir():  # artifacts: paths, then needs: artifacts
            if artifact.is_file():
                (merged_ws / "auditor-shards" / artifact.name).write_bytes(artifact.read_bytes())
    assert sorted(p.name for p in (merged_ws / "auditor-shards").iterdir()) == sorted(f"{n}.zip" for n in DEMO_SHARDS)
    done = _bash("set -e\n" + "\n".join(merge["script"]), merged_ws, env)
    assert done.returncode == 1, done.stderr  # the merged verdict: the demo fails high-severity controls
    assert _verify(merged_ws / "auditor-out" / "pack.zip", merged_ws / "auditor" / "signing-key.pub.pem") == sorted(
        DEMO_SHARDS)
