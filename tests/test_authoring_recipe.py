"""docs/authoring.md, "Adding a control to the bundled library", followed step by step in a temporary
copy of the library: the new control validates, its Rego tests run, it evaluates on its fixtures, and
the derived demo expectations document it."""

from __future__ import annotations

import json
import runpy
import shutil
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

from auditor.content import bundled
from tests.conftest import CliResult

REPO = Path(__file__).resolve().parent.parent
Cli = Callable[..., CliResult]

# Step 1, as the recipe writes it: the YAML, the policy, its Rego test, fixtures and a mapping line.
CONTROL = """\
id: SEC-019
title: Production deployment outcomes are recorded
objective: >-
  Every production deployment records whether it succeeded, failed or was
  cancelled, so an incident can be traced to the release that caused it.
family: security
severity: low
owner: Head of Platform Engineering
policy: controls.security.sec_019
evidence: [deployments]
population: production deployments
impact: >-
  Without a recorded outcome, a failed release cannot be traced when it
  causes an incident.
"""
POLICY = """\
# METADATA
# title: SEC-019 Production deployment outcomes are recorded
package controls.security.sec_019

import rego.v1

production := {d.id: d | some d in input.deployments; d.environment == "production"}

in_scope := {id | some id, _ in production}

violations contains v if {
\tsome id, d in production
\td.status == "unknown"
\tv := {"resource": id, "message": sprintf("Production deployment %s of %s has no recorded outcome.", [id, d.service])}
}
"""
POLICY_TEST = """\
package controls.security.sec_019_test

import rego.v1

import data.controls.security.sec_019

test_recorded_outcome_passes if {
\tcount(sec_019.violations) == 0 with input as {"deployments": [{"id": "d1", "environment": "production",
\t\t"service": "api", "status": "failed"}]}
}

test_unknown_outcome_fails if {
\tvs := sec_019.violations with input as {"deployments": [{"id": "d2", "environment": "production",
\t\t"service": "api", "status": "unknown"}]}
\t{v.resource | some v in vs} == {"d2"}
}
"""
MAPPING = """\
  - control: SEC-019
    clauses:
      - {id: A.8.15, strength: supporting, rationale: "Records the outcome of every production deployment."}
"""


def _deployments(path: Path, status: str) -> str:
    source = json.loads((bundled("evidence/examples/demo") / "deployments.json").read_text())
    items = [dict(d) for d in source["items"] if d["environment"] == "production"][:2]
    items[1]["status"] = status
    path.mkdir(parents=True)
    (path / "deployments.json").write_text(json.dumps({**source, "items": items}))
    return str(items[1]["id"])


def test_adding_a_control_by_the_recipe(cli: Cli, tmp_path: Path) -> None:
    lib = tmp_path / "auditor"
    for name in ("controls", "policies", "mappings"):
        shutil.copytree(bundled(name), lib / name)
    shutil.copytree(REPO / "evidence" / "examples", lib / "examples", ignore=shutil.ignore_patterns("demo"))

    # 1. write the control, its policy and test, pass/fail fixtures and a mapping line
    (lib / "controls/security/SEC-019.yaml").write_text(CONTROL)
    (lib / "policies/security/sec_019.rego").write_text(POLICY)
    (lib / "policies/security/sec_019_test.rego").write_text(POLICY_TEST)
    fixtures = lib / "fixtures" / "SEC-019"
    _deployments(fixtures / "pass", "success")
    failing = _deployments(fixtures / "fail", "unknown")
    (fixtures / "expected_fail.yaml").write_text(f"resources:\n  - {failing}\n")
    iso = lib / "mappings/iso27001-2022.yaml"
    iso.write_text(iso.read_text() + MAPPING)
    # ... and the demo expectation: one TITLES line in the generator (it passes on the demo)
    generator = lib / "examples/generate_demo_sod_security.py"
    text = generator.read_text()
    anchor = '    "SEC-005": "data stores encrypted at rest",\n'
    assert anchor in text
    generator.write_text(text.replace(anchor, anchor + '    "SEC-019": "production deployment outcomes recorded",\n'))

    # 2. check it: validate, run the Rego tests, evaluate on the fixtures
    where = ["--controls", lib / "controls", "--policies", lib / "policies", "--mappings", lib / "mappings"]
    validated = cli("controls", "validate", *where)
    assert validated.code == 0, validated.err
    assert f"{len(list((lib / 'controls').rglob('*-*.yaml')))} controls" in validated.out  # the new one counted
    tests = cli("policies", "test", *where, "--verbose-tests")
    assert tests.code == 0, tests.out
    assert "controls.security.sec_019_test.test_unknown_outcome_fails" in tests.out
    passed = cli("evaluate", *where, "--evidence", fixtures / "pass", "--out", tmp_path / "p.json", "-q")
    doc = json.loads((tmp_path / "p.json").read_text())
    assert {c["id"]: c["status"] for c in doc["controls"]}["SEC-019"] == "pass", passed.err
    cli("evaluate", *where, "--evidence", fixtures / "fail", "--out", tmp_path / "f.json", "-q")
    sec9 = next(c for c in json.loads((tmp_path / "f.json").read_text())["controls"] if c["id"] == "SEC-019")
    assert sec9["status"] == "fail" and [v["resource"] for v in sec9["violations"]] == [failing]
    assert [m["clause"] for m in sec9["mappings"]] == ["A.8.15"]

    # 3. regenerate what is derived (`make derived` = the demo generators, then the golden files)
    dry = subprocess.run(["make", "-n", "derived"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert "generate_demo_privacy_ai.py" in dry and "generate_demo_sod_security.py" in dry and "tests.golden" in dry
    demo = tmp_path / "demo"
    for name in ("generate_demo_privacy_ai.py", "generate_demo_sod_security.py"):
        runpy.run_path(str(lib / "examples" / name))["main"](["--out", str(demo)])
    violations = (demo / "VIOLATIONS-sod-security.md").read_text()
    section = violations.split("## SEC-019: production deployment outcomes recorded\n", 1)[1].split("\n## ")[0]
    assert "No deliberate violations: this control passes on the demo." in section
    on_demo = cli("evaluate", *where, "--evidence", demo, "--out", tmp_path / "d.json", "-q")
    assert on_demo.code in (0, 1), on_demo.err
    statuses = {c["id"]: c["status"] for c in json.loads((tmp_path / "d.json").read_text())["controls"]}
    assert statuses["SEC-019"] == "pass"  # as the derived expectation documents


def test_the_recipe_is_in_authoring_md() -> None:
    text = (REPO / "docs" / "authoring.md").read_text()
    recipe = text.split("## Adding a control to the bundled library", 1)[1].split("\n## ", 1)[0]
    for step in ("1. Write", "2. Check", "3. Regenerate", "make derived"):
        assert step in recipe, step
    assert textwrap.dedent(CONTROL).splitlines()[0] in text  # the example in the doc is the one tested here
