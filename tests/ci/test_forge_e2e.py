"""End to end: the GitHub Action's steps and the GitLab template's job script, as written in their YAML, in a
throwaway repository with the forge's recorded answers served on loopback: collection (deployment, git,
forge), `auditor run`, the signed pack verified; green for reviewed, tested history, red with the reason
when one merged change is self-approved or untested."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.pack import keys
from tests.ci.forge_scenario import SCENARIOS, Scenario, build, identities
from tests.collect.gitrepo import init_repo
from tests.forge_double import ForgeDouble

REPO_ROOT = Path(__file__).resolve().parents[2]
ACTION = REPO_ROOT / "ci" / "github" / "action.yml"
GITLAB = REPO_ROOT / "ci" / "gitlab" / "auditor.gitlab-ci.yml"
BIN = Path(sys.executable).parent
AS_OF = "2026-11-20T12:00:00Z"  # SOURCE_DATE_EPOCH of the suite: every collection is dated by it
TOKEN = "gh-" + "job" * 8  # built at run time; a stand-in for the job token
#: what each red run must print: the control, and why
REASONS = {"self-approved": ("SOD-001", "approved only by its author"),
           "untested": ("SEC-004", "whose required CI checks failed")}


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUDITOR_", "GITHUB_", "CI_", "GITLAB_"))}
    env.update({"PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}", "RUST_BACKTRACE": "0", **extra})
    return env


def signing_key(tmp_path: Path) -> Path:
    keys.generate(tmp_path / "keys")
    return tmp_path / "keys" / "signing-key.pem"


def verify(pack: Path, key: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "auditor"), "verify", str(pack), "--key", str(key.with_name(keys.PUBLIC_NAME))],
                          capture_output=True, text=True, env=base_env())


# --- GitHub: the composite action's steps ----------------------------------------------------------

class Runner:
    """Runs a composite action's `run` steps the way the runner does: expressions in `env:` resolved,
    `if:` on inputs honoured, `bash --noprofile --norc -eo pipefail`, $GITHUB_ENV carried to later steps.
    `uses:` steps (setup-python, cache, upload-artifact, upload-sarif) are the platform's own; recorded."""

    def __init__(self, action: dict[str, Any], with_: dict[str, str], context: dict[str, str], env: dict[str, str],
                 cwd: Path) -> None:
        self.action, self.with_, self.context, self.env, self.cwd = action, with_, context, env, cwd
        self.used: list[str] = []
        self.logs: list[subprocess.CompletedProcess[str]] = []

    def value(self, text: str) -> str:
        def one(match: re.Match[str]) -> str:
            expr = match.group(1).strip()
            if expr.startswith("inputs."):
                return self.input(expr.removeprefix("inputs."))
            if expr in self.context:
                return self.context[expr]
            if expr.startswith("steps."):
                return ""  # outputs of the platform's own steps (e.g. the pip cache key) are not used here
            raise AssertionError(f"unknown expression {expr!r}")
        return re.sub(r"\$\{\{(.*?)\}\}", one, text)

    def input(self, name: str) -> str:
        spec = self.action["inputs"][name]
        return self.with_[name] if name in self.with_ else self.value(str(spec.get("default", "")))

    def condition(self, text: str | None) -> bool:
        if not text:
            return True
        if text.startswith("always()"):
            rest = text.removeprefix("always()").strip()
            return self.condition(rest.removeprefix("&&").strip()) if rest else True
        parts = [p.strip() for p in text.split("&&")]
        if len(parts) > 1:
            return all(self.condition(p) for p in parts)
        match = re.fullmatch(r"inputs\.([\w-]+) (==|!=) '([^']*)'", text)
        if match:
            equal = self.input(match[1]) == match[3]
            return equal if match[2] == "==" else not equal
        if re.fullmatch(r"steps\.[\w-]+\.outputs\.\w+ != ''", text):
            return True
        raise AssertionError(f"unknown condition {text!r}")

    def run(self) -> int:
        github_env = Path(self.env["GITHUB_ENV"])
        code = 0
        for step in self.action["runs"]["steps"]:
            if not self.condition(step.get("if")):
                continue
            if "uses" in step:
                self.used.append(step["uses"].split("@")[0])
                continue
            carried = dict(line.split("=", 1) for line in github_env.read_text().splitlines() if "=" in line)
            env = {**self.env, **carried, **{k: self.value(str(v)) for k, v in (step.get("env") or {}).items()}}
            done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                                  cwd=self.cwd, env=env, capture_output=True, text=True, timeout=300)
            self.logs.append(done)
            code = done.returncode
            if code != 0:
                return code
        return code

    def output(self) -> str:
        return "".join(d.stdout + d.stderr for d in self.logs)


def github_job(tmp_path: Path, scenario: Scenario, case: str, key: Path) -> tuple[int, Runner, ForgeDouble]:
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    extra = tmp_path / "org-evidence"
    extra.mkdir()
    (extra / "identities.json").write_text(json.dumps(identities(AS_OF)))
    files = {name: tmp_path / name for name in ("github-env", "github-output", "summary.md")}
    for path in files.values():
        path.write_text("")
    forge = ForgeDouble(scenario.routes("github", case))
    forge.__enter__()
    env = base_env(
        GITHUB_ACTIONS="true", GITHUB_REPOSITORY="acme/app", GITHUB_SHA=scenario.shas["M2"], GITHUB_REF="refs/heads/main",
        GITHUB_REF_NAME="main", GITHUB_RUN_ID="4242", GITHUB_RUN_ATTEMPT="1", GITHUB_ACTOR="erin",
        GITHUB_API_URL=forge.url, GITHUB_ACTION_PATH=str(ACTION.parent), GITHUB_ENV=str(files["github-env"]),
        GITHUB_OUTPUT=str(files["github-output"]), GITHUB_STEP_SUMMARY=str(files["summary.md"]),
        RUNNER_TEMP=str(runner_temp), RUNNER_OS="Linux")
    with_ = {"signing-key": key.read_text(), "version": "none", "environment": "production", "evidence": str(extra),
             "github-token": TOKEN}
    context = {"runner.temp": str(runner_temp), "github.action_path": str(ACTION.parent), "github.token": "unused",
               "github.action_ref": "v0.1.0", "github.event.repository.default_branch": "main"}
    runner = Runner(yaml.safe_load(ACTION.read_text()), with_, context, env, scenario.repo.path)
    try:
        code = runner.run()
    finally:
        forge.__exit__()
    return code, runner, forge


@pytest.mark.parametrize("case", SCENARIOS)
def test_github_action_steps_collect_evaluate_and_pack(tmp_path: Path, case: str) -> None:
    scenario = build(tmp_path / "app")
    key = signing_key(tmp_path)
    code, runner, forge = github_job(tmp_path, scenario, case, key)
    out = tmp_path / "runner-temp" / "auditor-out"
    log = runner.output()
    assert runner.used == ["actions/setup-python", "actions/upload-artifact"]  # version none: no install, no cache
    # the forge was read with the job token, and nothing wrote it down
    assert {h.get("authorization") for _, h in forge.requests} == {f"Bearer {TOKEN}"}
    assert any("/repos/acme/app/pulls/2/reviews" in p for p in forge.paths())
    assert TOKEN not in log and not any(TOKEN.encode() in p.read_bytes() for p in out.rglob("*") if p.is_file())
    results = json.loads((out / "results.json").read_text())
    status = {c["id"]: c["status"] for c in results["controls"]}
    assert results["profile"] == "ci" and {d["kind"] for d in results["evidence"]} >= {"changes", "deployments"}
    if case == "clean":
        assert code == 0, log
        assert "Auditor: passed" in log
        assert status["SOD-001"] == status["SEC-004"] == status["SOD-008"] == status["SOD-002"] == "pass", status
    else:
        control, reason = REASONS[case]
        assert code == 1, log
        assert status[control] == "fail", status
        assert control in log and reason in log, log  # the reason is printed in the job log
        assert "::error title=Auditor::controls failing" in log
    assert (tmp_path / "github-env").read_text() == f"AUDITOR_EXIT_CODE={code}\n"
    done = verify(out / "auditor-pack.zip", key)
    assert done.returncode == 0, done.stdout + done.stderr


def test_github_pip_cache_key_is_the_pinned_ref_and_the_pinned_dependencies(tmp_path: Path) -> None:
    action = yaml.safe_load(ACTION.read_text())
    steps = action["runs"]["steps"]
    key_step = next(s for s in steps if s.get("id") == "pip-cache-key")
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    install = next(s for s in steps if s.get("id") == "install")
    assert cache["with"]["key"] == "${{ steps.pip-cache-key.outputs.key }}" and key_step["if"] == cache["if"]
    assert install["env"]["AUDITOR_SOURCE_DIR"] == "${{ github.action_path }}/../.."
    assert steps.index(key_step) < steps.index(cache) < steps.index(install)
    assert "signing-key" not in str(install)  # pip's build code never sees the key
    output = tmp_path / "out"
    output.write_text("")
    env = base_env(GITHUB_ACTION_PATH=str(ACTION.parent), GITHUB_OUTPUT=str(output), RUNNER_OS="Linux",
                   AUDITOR_ACTION_REF="v0.1.0", AUDITOR_PYTHON_VERSION="3.11")
    done = subprocess.run(["bash", "-eo", "pipefail", "-c", key_step["run"]], env=env, capture_output=True, text=True,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    got = dict(line.split("=", 1) for line in output.read_text().splitlines())
    import hashlib

    lock = hashlib.sha256((REPO_ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    assert got["key"] == f"auditor-pip-Linux-py3.11-v0.1.0-{lock}" and got["dir"]


# --- GitLab: the template's job ---------------------------------------------------------------------

def auditor_mirror(tmp_path: Path, ref: str) -> Path:
    """Auditor's project as the instance holds it: this checkout's step script, tagged at the pinned ref."""
    mirror = init_repo(tmp_path / "auditor-project")
    script = mirror.path / "ci" / "scripts" / "auditor-step.sh"
    script.parent.mkdir(parents=True)
    script.write_bytes((REPO_ROOT / "ci" / "scripts" / "auditor-step.sh").read_bytes())
    mirror.git("add", "-A")
    mirror.git("commit", "-q", "-m", "Auditor")
    mirror.git("tag", ref)
    return mirror.path


def gitlab_job(tmp_path: Path, scenario: Scenario, case: str, key: Path) -> tuple[subprocess.CompletedProcess[str],
                                                                                   ForgeDouble, dict[str, Any]]:
    doc = yaml.safe_load(GITLAB.read_text())
    job = {**doc[".auditor"], **{k: v for k, v in doc["auditor"].items() if k != "extends"}}
    variables = {**doc["variables"], **job["variables"]}
    mirror = auditor_mirror(tmp_path, variables["AUDITOR_REF"])
    token = TOKEN[::-1]
    predefined = {
        "CI": "true", "GITLAB_CI": "true", "CI_JOB_TOKEN": token, "CI_SERVER_HOST": "gitlab.example",
        "CI_PROJECT_ID": "42", "CI_PROJECT_PATH": "acme/app", "CI_PROJECT_DIR": str(scenario.repo.path),
        "CI_DEFAULT_BRANCH": "main", "CI_COMMIT_SHA": scenario.shas["M2"], "CI_COMMIT_REF_NAME": "main",
        "CI_COMMIT_BRANCH": "main", "CI_ENVIRONMENT_NAME": "production", "CI_PIPELINE_ID": "777",
        "CI_JOB_STARTED_AT": "2026-11-20T11:50:00Z", "CI_PIPELINE_URL": "https://gitlab.example/acme/app/-/pipelines/777",
        "GITLAB_USER_LOGIN": "erin", "GITLAB_USER_EMAIL": "erin@acme.example", "GITLAB_USER_NAME": "Erin Ops",
    }
    # the adopter's project variables: the key as a File variable, Auditor already in the image
    project = {"AUDITOR_SIGNING_KEY": str(key), "AUDITOR_INSTALL": "none", "AUDITOR_CLONE": str(tmp_path / "clone")}
    forge = ForgeDouble(scenario.routes("gitlab", case), prefix="/api/v4")
    forge.__enter__()
    env = base_env(**predefined, CI_API_V4_URL=f"{forge.url}/api/v4")
    for name, value in {**variables, **project}.items():  # GitLab expands variables in variables
        env[name] = os.path.expandvars(str(value)) if "$" in str(value) else str(value)
        env[name] = re.sub(r"\$(\w+)", lambda m: env.get(m[1], ""), env[name])
    # the instance's git URL, with the job token, leads to the Auditor project above (git's own URL rewrite)
    env.update({"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": f"url.{mirror.as_uri()}.insteadOf",
                "GIT_CONFIG_VALUE_0": f"https://gitlab-ci-token:{token}@gitlab.example/platform/auditor.git"})
    script = "\n".join(["set -eo pipefail", *job["before_script"], *job["script"]])  # one shell, stop on failure
    try:
        done = subprocess.run(["bash", "-c", script], cwd=scenario.repo.path, env=env, capture_output=True, text=True,
                              timeout=300)
    finally:
        forge.__exit__()
    return done, forge, {"token": token, "clone": tmp_path / "clone", "job": job, "out": env["AUDITOR_OUT"]}


@pytest.mark.parametrize("case", SCENARIOS)
def test_gitlab_template_job_collects_evaluates_and_packs(tmp_path: Path, case: str) -> None:
    scenario = build(tmp_path / "app")
    key = signing_key(tmp_path)
    done, forge, job = gitlab_job(tmp_path, scenario, case, key)
    log = done.stdout + done.stderr
    out = scenario.repo.path / job["out"]
    # cloned with the job token at the pinned ref; the token left no trace in the clone or the output
    clone = subprocess.run(["git", "-C", str(job["clone"]), "remote", "get-url", "origin"], capture_output=True,
                           text=True, env=base_env())
    assert clone.stdout.strip() == "https://gitlab.example/platform/auditor.git"
    assert job["token"] not in (job["clone"] / ".git" / "config").read_text()
    assert {h.get("job-token") for _, h in forge.requests} == {job["token"]}  # collect gitlab used CI_JOB_TOKEN
    assert job["token"] not in log and not any(job["token"].encode() in p.read_bytes()
                                               for p in out.rglob("*") if p.is_file())
    results = json.loads((out / "results.json").read_text())
    status = {c["id"]: c["status"] for c in results["controls"]}
    assert results["profile"] == "ci"
    assert any(e["path"].endswith("gitlab-changes.json") for e in results["evidence"])
    if case == "clean":
        assert done.returncode == 0, log
        assert status["SOD-001"] == status["SEC-004"] == status["SOD-008"] == status["SOD-002"] == "pass", status
    else:
        control, reason = REASONS[case]
        assert done.returncode == 1, log
        assert status[control] == "fail", status
        assert control in log and reason in log, log
    assert (out / "auditor.junit.xml").exists() and job["job"]["artifacts"]["reports"]["junit"].endswith(
        "auditor.junit.xml")
    verified = verify(out / "auditor-pack.zip", key)
    assert verified.returncode == 0, verified.stdout + verified.stderr
