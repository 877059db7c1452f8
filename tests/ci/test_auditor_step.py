"""End to end: ci/scripts/auditor-step.sh (the GitHub/GitLab step) in a throwaway git repository."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import git
import pytest
from junitparser import JUnitXml

from tests.ci_helpers import CI, FIXTURES

REPO_ROOT = Path(__file__).resolve().parents[2]
STEP = REPO_ROOT / "ci" / "scripts" / "auditor-step.sh"
BIN = Path(sys.executable).parent



@pytest.fixture
def signing_key(tmp_path: Path) -> Path:
    """A real Ed25519 key pair, as an organisation would keep in a CI secret."""
    subprocess.run([str(BIN / "auditor"), "keys", "generate", "--out", str(tmp_path / "keys")], check=True,
                   capture_output=True)
    return tmp_path / "keys" / "signing-key.pem"

SECRET_KEY = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE\n-----END PRIVATE KEY-----"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """An organisation's controls repository checked out by the CI runner."""
    work = tmp_path / "repo"
    shutil.copytree(FIXTURES / "library", work)
    shutil.copytree(CI / "mappings", work / "mappings")
    shutil.copy(CI / "waivers.yaml", work / "waivers.yaml")
    # its controls reuse bundled ids (PRIV-001, SEC-001...): a standalone library, not a layer over ours
    (work / "auditor.yaml").write_text("base: .\n")
    repo = git.Repo.init(work, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Dev").set_value("user", "email", "dev@example.com")
    repo.git.add("-A")
    repo.index.commit("controls")
    return work


def github_env(tmp_path: Path, work: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUDITOR_", "GITHUB_"))}
    (tmp_path / "summary.md").write_text("")
    (tmp_path / "output.txt").write_text("")
    env.update({
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": "acme/controls",
        "GITHUB_SHA": git.Repo(work).head.commit.hexsha,
        "GITHUB_REF": "refs/heads/main",
        "GITHUB_RUN_ID": "4242",
        "GITHUB_ACTOR": "dev",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
        "AUDITOR_INSTALL": "none",
        "AUDITOR_EVIDENCE": str(FIXTURES / "evidence" / "basic"),
        "AUDITOR_SCHEMAS": str(FIXTURES / "schemas"),
        "AUDITOR_OUT": str(tmp_path / "auditor-out"),
        "RUST_BACKTRACE": "0",
    })
    env.update(extra)
    return env


def step(work: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(STEP)], cwd=work, env=env, capture_output=True, text=True, timeout=120)


def outputs(tmp_path: Path) -> dict[str, str]:
    lines = (tmp_path / "output.txt").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_step_end_to_end_fails_the_job_by_exit_code(workspace: Path, tmp_path: Path, signing_key: Path) -> None:
    env = github_env(tmp_path, workspace, AUDITOR_FAIL_ON="medium", AUDITOR_SIGNING_KEY=signing_key.read_text())
    result = step(workspace, env)
    assert result.returncode == 1, result.stderr  # SEC-002 (medium) fails; the controls come from ./controls
    out = tmp_path / "auditor-out"
    got = outputs(tmp_path)
    assert got["exit-code"] == "1"
    assert got["results"] == str(out / "results.json")
    assert got["junit"] == str(out / "auditor.junit.xml") and got["sarif"] == str(out / "auditor.sarif")
    doc = json.loads((out / "results.json").read_text())
    assert {c["id"]: c["status"] for c in doc["controls"]} == {"PRIV-001": "pass", "SEC-001": "fail",
                                                              "SEC-002": "fail"}
    cases = [c for s in JUnitXml.fromfile(got["junit"]) for c in s]
    # `auditor run` wrote the PDF reports and the pack carries them
    names = zipfile.ZipFile(out / "auditor-pack.zip").namelist()
    assert [n for n in names if n.endswith(".pdf")], names
    assert len(cases) == 3 and sum(not c.is_passed for c in cases) == 2
    assert json.loads(Path(got["sarif"]).read_text())["runs"][0]["results"]
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("## Auditor: failed (3 controls: 2 fail, 1 pass)")
    assert "iso27001-2022: A.8.24 / nist-ai-rmf-1.0: GOVERN 1.4" in summary
    # Collected the pipeline's deployment and the repository's git history beside the given evidence.
    kinds = {e["kind"] for e in doc["evidence"]}
    assert {"deployments", "changes", "gadgets", "ledgers"} <= kinds
    # The signed pack verifies independently against the public key.
    assert got["pack"] == str(out / "auditor-pack.zip")
    verify = subprocess.run([str(BIN / "auditor"), "verify", got["pack"], "--key",
                             str(signing_key.with_name("signing-key.pub.pem"))], capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert signing_key.read_text().strip() not in result.stdout + result.stderr


def test_step_with_waivers_passes_and_warns(workspace: Path, tmp_path: Path, signing_key: Path) -> None:
    env = github_env(tmp_path, workspace, AUDITOR_WAIVERS="waivers.yaml",
                     AUDITOR_SIGNING_KEY_FILE=str(signing_key))
    result = step(workspace, env)
    assert result.returncode == 0, result.stderr
    assert "warning: waiver EX-002" in result.stderr
    assert "| ⚪ waived | `SEC-001`" in (tmp_path / "summary.md").read_text()


def test_step_stops_at_invalid_input(workspace: Path, tmp_path: Path, signing_key: Path) -> None:
    (workspace / "exceptions.yaml").write_text("exceptions: [{id: X}]\n")
    env = github_env(tmp_path, workspace, AUDITOR_EXCEPTIONS="exceptions.yaml",
                     AUDITOR_SIGNING_KEY_FILE=str(signing_key))
    result = step(workspace, env)
    assert result.returncode == 2
    assert "exceptions.0.control: required field is missing" in result.stderr  # the old names still read
    assert outputs(tmp_path)["exit-code"] == "2"
    assert not (tmp_path / "auditor-out" / "auditor-pack.zip").exists()
    both = step(workspace, github_env(tmp_path, workspace, AUDITOR_EXCEPTIONS="exceptions.yaml",
                                      AUDITOR_WAIVERS="waivers.yaml", AUDITOR_SIGNING_KEY_FILE=str(signing_key)))
    assert both.returncode == 2 and "give AUDITOR_WAIVERS or AUDITOR_EXCEPTIONS (its old name), not both" in both.stderr


SHIM = """#!/usr/bin/env bash
# Stands in for `auditor collect` (records the call) and for the signing in `auditor run`: it records
# the --key file it was given (content and mode), then runs the real auditor without a pack.
printf '%s\\n' "$*" >> "$SHIM_LOG"
case "$1 ${2:-}" in
  "collect deployment"|"collect git") [ -n "${SHIM_NO_COLLECT:-}" ] && { echo "No such command 'collect'." >&2; exit 2; }
                                      exit 0 ;;
esac
if [ "$1" = run ]; then
  args=(); prev=""
  for a in "$@"; do
    if [ "$prev" = "--key" ]; then cp "$a" "$SHIM_KEY_COPY"; stat -c %a "$a" > "$SHIM_KEY_MODE"
    elif [ "$a" != "--key" ]; then args+=("$a"); fi
    prev="$a"
  done
  exec "$REAL_AUDITOR" "${args[@]}" --no-pack
fi
exec "$REAL_AUDITOR" "$@"
"""


def shimmed(tmp_path: Path, env: dict[str, str]) -> dict[str, str]:
    shim_dir = tmp_path / "shim"
    shim_dir.mkdir()
    shim = shim_dir / "auditor"
    shim.write_text(SHIM)
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    env.update({"PATH": f"{shim_dir}{os.pathsep}{env['PATH']}", "REAL_AUDITOR": str(BIN / "auditor"),
                "SHIM_LOG": str(tmp_path / "calls.log"), "SHIM_KEY_COPY": str(tmp_path / "key-copy"),
                "SHIM_KEY_MODE": str(tmp_path / "key-mode")})
    return env


def test_step_calls_collectors_and_pack_with_the_documented_cli(workspace: Path, tmp_path: Path) -> None:
    env = shimmed(tmp_path, github_env(tmp_path, workspace, AUDITOR_SIGNING_KEY=SECRET_KEY))
    result = step(workspace, env)
    assert result.returncode == 1, result.stderr
    out = tmp_path / "auditor-out"
    calls = (tmp_path / "calls.log").read_text().splitlines()
    assert f"collect deployment --from-env --out {out}/evidence" in calls
    assert f"collect git --repo {workspace} --out {out}/evidence" in calls
    run = next(c for c in calls if c.startswith("run --evidence"))
    assert run.startswith(f"run --evidence {out}/evidence --out-dir {out} --quiet --fail-on high")
    # The secret reached `auditor run` through a private temporary file, never the log, and was removed.
    assert (tmp_path / "key-copy").read_text().strip() == SECRET_KEY
    assert (tmp_path / "key-mode").read_text().strip() == "600"
    key_path = run.split("--key ", 1)[1].split(" ", 1)[0]
    assert not Path(key_path).exists()
    assert "FAKEFAKE" not in result.stderr + result.stdout


def test_step_fails_clearly_when_a_command_is_missing(workspace: Path, tmp_path: Path) -> None:
    env = shimmed(tmp_path, github_env(tmp_path, workspace, SHIM_NO_COLLECT="1"))
    env["AUDITOR_SIGNING_KEY"] = SECRET_KEY
    # The shim's collect fails like a missing command would: the step stops, it does not skip.
    result = step(workspace, env)
    assert result.returncode == 2
    assert "'auditor collect deployment' is not available in this Auditor version" in result.stderr
    assert not (tmp_path / "auditor-out" / "results.json").exists()


def test_step_refuses_to_build_an_unsigned_pack(workspace: Path, tmp_path: Path) -> None:
    env = shimmed(tmp_path, github_env(tmp_path, workspace))
    result = step(workspace, env)
    assert result.returncode == 2
    assert "no signing key: set AUDITOR_SIGNING_KEY" in result.stderr


def test_step_takes_a_gitlab_file_variable_as_the_signing_key(workspace: Path, tmp_path: Path) -> None:
    # GitLab cannot mask a PEM (it has spaces and lines), so the key is a File variable: GitLab then
    # sets AUDITOR_SIGNING_KEY to the path of a file holding it.
    key = tmp_path / "AUDITOR_SIGNING_KEY.var"
    key.write_text(SECRET_KEY + "\n")
    env = shimmed(tmp_path, github_env(tmp_path, workspace, AUDITOR_SIGNING_KEY=str(key)))
    result = step(workspace, env)
    assert result.returncode == 1, result.stderr
    assert (tmp_path / "key-copy").read_text().strip() == SECRET_KEY


def test_step_installs_without_the_signing_key_in_the_environment(workspace: Path, tmp_path: Path) -> None:
    # pip runs third-party build code (sdists): it must not see the secret
    python = tmp_path / "python-shim"
    python.write_text('#!/usr/bin/env bash\nprintf "%s" "${AUDITOR_SIGNING_KEY:-unset}" > "$SHIM_PIP_SAW"\n')
    python.chmod(0o755)
    env = shimmed(tmp_path, github_env(tmp_path, workspace, AUDITOR_SIGNING_KEY=SECRET_KEY,
                                       AUDITOR_INSTALL="auditor==0.1.0", AUDITOR_PYTHON=str(python),
                                       SHIM_PIP_SAW=str(tmp_path / "pip-saw")))
    result = step(workspace, env)
    assert (tmp_path / "pip-saw").read_text() == "unset"
    assert result.returncode == 1, result.stderr
    assert (tmp_path / "key-copy").read_text().strip() == SECRET_KEY  # still there for the pack


def test_step_layers_an_organisation_library_with_auditor_library(tmp_path: Path, signing_key: Path) -> None:
    """AUDITOR_LIBRARY: the bundled controls plus the organisation's, on the demo evidence; the pack carries both."""
    work = tmp_path / "repo"
    work.mkdir()
    repo = git.Repo.init(work, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Dev").set_value("user", "email", "dev@example.com")
    (work / "README.md").write_text("app\n")
    repo.git.add("-A")
    repo.index.commit("app")
    org = FIXTURES / "org-library"
    env = github_env(tmp_path, work, AUDITOR_LIBRARY=str(org), AUDITOR_STEP_SKIP_COLLECT="1",
                     AUDITOR_EVIDENCE=str(REPO_ROOT / "evidence" / "examples" / "demo"), AUDITOR_SCHEMAS="",
                     AUDITOR_SIGNING_KEY=signing_key.read_text())
    result = step(work, env)
    assert result.returncode == 1, result.stderr  # the demo fails on purpose
    assert f"--library {org}" in result.stderr
    doc = json.loads((tmp_path / "auditor-out" / "results.json").read_text())
    assert {"RES-001", "RES-002", "SOD-001"} <= {c["id"] for c in doc["controls"]}
    assert [d["id"] for d in doc["disabled_controls"]] == ["AI-005"]
    names = zipfile.ZipFile(tmp_path / "auditor-out" / "auditor-pack.zip").namelist()
    assert "library/layers/org-library/overrides.yaml" in names
    assert "library/controls/sod/SOD-001.yaml" in names
    bad = step(work, {**env, "AUDITOR_LIBRARY": str(tmp_path / "missing")})
    assert bad.returncode == 2 and "AUDITOR_LIBRARY:" in bad.stderr
