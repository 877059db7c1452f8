"""Layered libraries: tests/fixtures/org-library (a new family, two controls, an override, a disabled
control) over the bundled library, and every conflict a layer can cause."""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.content import bundled
from auditor.engine import create
from auditor.errors import InputError
from auditor.evaluate import evaluate
from auditor.evidence import SchemaSet, load_evidence
from auditor.layers import LibraryStack, resolve_stack
from auditor.model import Status
from auditor.policytest import run_policy_tests
from auditor.results import results_document
from tests.conftest import CliResult

FIXTURES = Path(__file__).parent / "fixtures"
ORG = FIXTURES / "org-library"
DEMO = bundled("evidence/examples/demo")
Cli = Callable[..., CliResult]


#: the bundled library's size, so these tests follow it as controls are added
BUNDLED_CONTROLS = len(list(bundled("controls").rglob("*-*.yaml")))
BUNDLED_POLICY_FILES = len(list(bundled("policies").rglob("*.rego")))
ORG_CONTROLS, ORG_POLICY_FILES = 2, 4  # tests/fixtures/org-library: RES-001/002 and their tests
REPO_CONTROLS, REPO_POLICY_FILES = 1, 2  # the repository library of the extend test


def org_stack(cwd: Path) -> LibraryStack:
    return resolve_stack(libraries=[ORG], cwd=cwd)


@pytest.fixture
def org(tmp_path: Path) -> Path:
    """A writable copy of the organisation library."""
    target = tmp_path / "org"
    shutil.copytree(ORG, target)
    return target


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


# --- the example ----------------------------------------------------------------------------


def test_org_library_adds_two_controls_overrides_one_and_disables_one(tmp_path: Path) -> None:
    library = org_stack(tmp_path).library()
    bundled_ids = {p.stem for p in bundled("controls").rglob("*-*.yaml")}
    assert set(library.controls) == (bundled_ids | {"RES-001", "RES-002"}) - {"AI-005"}
    assert library.origin("RES-001") == library.origin("RES-002") == "org-library"
    assert library.origin("SEC-001") == "bundled"
    assert library["RES-001"].family.id == "operational-resilience"
    sec2 = library["SEC-002"]
    assert (sec2.severity, sec2.owner) == ("critical", "Chief Information Security Officer")
    assert library.params("SEC-002") == {"max_key_age_days": 60}
    assert [c.split(" (")[0] for c in library.changed["SEC-002"]] == [
        "severity: high -> critical", "owner: Head of Cloud Infrastructure -> Chief Information Security Officer",
        "parameters.max_key_age_days: 60"]
    off = library.disabled["AI-005"]
    assert off.reason.startswith("Model ownership is attested quarterly") and off.layer == "org-library"
    assert off.where == f"{ORG / 'overrides.yaml'}:12"


@pytest.mark.parametrize("control_id", ["RES-001", "RES-002"])
def test_org_controls_pass_and_fail_on_their_fixtures(tmp_path: Path, control_id: str) -> None:
    stack = org_stack(tmp_path)
    library, policies = stack.library().select([control_id]), stack.policy_set()
    examples = ORG / "examples" / control_id
    passed = evaluate(library, policies, load_evidence(examples / "pass"), create("regorus")).results[0]
    assert passed.status is Status.PASS, (passed.reason, passed.violations)
    failed = evaluate(library, policies, load_evidence(examples / "fail"), create("regorus")).results[0]
    expected = yaml.safe_load((examples / "expected_fail.yaml").read_text())["resources"]
    assert failed.status is Status.FAIL
    assert sorted(v.resource for v in failed.violations) == sorted(expected)
    assert all(v.message.endswith(".") for v in failed.violations)


def test_org_policies_have_rego_tests_and_they_pass(tmp_path: Path) -> None:
    stack = org_stack(tmp_path)
    report = run_policy_tests(stack.policy_set(), stack.library())
    org_cases = [c for c in report.cases if c.package.startswith("controls.resilience.")]
    assert {c.package for c in org_cases} == {"controls.resilience.res_001_test", "controls.resilience.res_002_test"}
    assert len(org_cases) == 11
    assert [f"{c.name}: {c.message}" for c in report.cases if c.status != "pass"] == []
    assert report.problems == []
    for policy in ("resilience/res_001.rego", "resilience/res_002.rego"):
        assert report.coverage[policy]["percent"] >= 90, report.coverage[policy]


def test_org_policies_define_in_scope_and_controls_a_population(tmp_path: Path) -> None:
    """The POPULATION contract, ahead of the evaluator support from another branch."""
    for path in (ORG / "policies").rglob("res_00?.rego"):
        assert "\nin_scope :=" in path.read_text(), path
    for path in (ORG / "controls").rglob("RES-*.yaml"):
        assert yaml.safe_load(path.read_text())["population"], path


def _demo_run(tmp_path: Path) -> dict[str, Any]:
    stack = org_stack(tmp_path)
    library = stack.library()
    run = evaluate(library, stack.policy_set(), load_evidence(DEMO, SchemaSet()), create("regorus"),
                   mappings=stack.mapping_set(library))
    return results_document(run)


def test_results_record_disabled_controls_apart_and_never_as_a_pass(tmp_path: Path) -> None:
    doc = _demo_run(tmp_path)
    ids = [c["id"] for c in doc["controls"]]
    assert "AI-005" not in ids and {"RES-001", "RES-002"} <= set(ids)
    [off] = doc["disabled_controls"]
    assert off["id"] == "AI-005" and off["layer"] == "org-library" and off["severity"] == "medium"
    assert off["disabled_by"].endswith("overrides.yaml:12") and off["reason"].startswith("Model ownership")
    assert {m["framework"] for m in off["mappings"]} == {"iso27001-2022", "nist-ai-rmf-1.0", "iso42001-2023",
                                                         "eu-ai-act-2024"}
    assert doc["summary"]["disabled"] == 1 and doc["summary"]["total"] == BUNDLED_CONTROLS + ORG_CONTROLS - 1
    assert sum(doc["summary"]["by_status"].values()) == BUNDLED_CONTROLS + ORG_CONTROLS - 1  # the disabled control is in no status
    by_id = {c["id"]: c for c in doc["controls"]}
    assert by_id["RES-001"]["layer"] == "org-library" and "layer" not in by_id["SEC-001"]
    assert by_id["SEC-002"]["severity"] == "critical" and by_id["SEC-002"]["parameters"] == {"max_key_age_days": 60}
    assert len(by_id["SEC-002"]["overridden"]) == 3
    assert [m["clause"] for m in by_id["RES-001"]["mappings"]] == ["A.8.13"]
    assert doc["summary"]["by_family"]["operational-resilience"]["fail"] == 2


def test_org_mappings_add_to_the_bundled_ones(tmp_path: Path) -> None:
    stack = org_stack(tmp_path)
    library = stack.library()
    mappings = stack.mapping_set(library)
    assert mappings is not None
    assert [m.clause for m in mappings.clauses_for("RES-002")] == ["A.8.32"]
    assert mappings.clauses_for("SOD-001")  # bundled mappings stay
    assert mappings.clauses_for("AI-005")  # a disabled control's mappings stay valid
    assert [f.path for f in mappings.layer_files] == [ORG / "mappings" / "iso27001-2022.yaml"]


# --- the command line -------------------------------------------------------------------------


def test_controls_list_shows_each_controls_layer(cli: Cli) -> None:
    result = cli("controls", "list", "--library", ORG, "--format", "json")
    assert result.code == 0, result.err
    rows = {r["id"]: r for r in json.loads(result.out)}
    assert rows["RES-001"]["layer"] == "org-library" and rows["SOD-001"]["layer"] == "bundled"
    assert rows["AI-005"]["status"] == "disabled" and rows["AI-005"]["disabled"]["reason"].startswith("Model")
    assert rows["SEC-002"]["severity"] == "critical" and rows["SEC-002"]["overridden"]
    markdown = cli("controls", "list", "--library", ORG, "--format", "markdown").out
    assert "| id | family | severity | title | layer | status |" in markdown
    assert "| RES-002 | operational-resilience | medium |" in markdown and "| org-library | enabled |" in markdown
    table = cli("controls", "list", "--library", ORG).out
    assert "org-library" in table and f"{BUNDLED_CONTROLS + ORG_CONTROLS - 1} controls, 1 disabled, from layers: bundled, org-library" in table


def test_controls_validate_and_mappings_coverage_take_library(cli: Cli) -> None:
    result = cli("controls", "validate", "--library", ORG)
    assert result.code == 0, result.err
    assert (f"{BUNDLED_CONTROLS + ORG_CONTROLS - 1} controls, 1 disabled and "
            f"{BUNDLED_POLICY_FILES + ORG_POLICY_FILES} policy files are valid (layers: bundled, org-library)") in result.out
    coverage = cli("mappings", "coverage", "--library", ORG, "--framework", "iso27001-2022", "--format", "json")
    assert coverage.code == 0, coverage.err
    assert "RES-001" in coverage.out


def test_evaluate_with_library_shows_the_disabled_control_in_every_format(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli("evaluate", "--evidence", DEMO, "--library", ORG, "--out", out / "results.json",
                 "--format", f"junit={out}/j.xml", "--format", f"sarif={out}/s.sarif",
                 "--format", f"markdown={out}/r.md", "--format", f"oscal={out}/o.json")
    assert result.code == 1, result.err
    assert "AI-005 disabled by" in result.out
    junit = (out / "j.xml").read_text()
    assert 'skipped="1"' in junit and '<skipped message="disabled: Model ownership' in junit
    sarif = json.loads((out / "s.sarif").read_text())["runs"][0]
    rule = next(r for r in sarif["tool"]["driver"]["rules"] if r["id"] == "AI-005")
    assert rule["defaultConfiguration"]["enabled"] is False
    assert not [r for r in sarif["results"] if r["ruleId"] == "AI-005"]
    assert "| ⏸️ `AI-005` | medium |" in (out / "r.md").read_text()
    oscal = json.loads((out / "o.json").read_text())["assessment-results"]["results"][0]
    assert oscal["reviewed-controls"]["control-selections"][0]["exclude-controls"] == [{"control-id": "AI-005"}]
    assert "AI-005" not in {f["target"]["target-id"] for f in oscal["findings"]}


def test_a_disabled_control_never_fails_nor_passes_the_exit_code(cli: Cli, tmp_path: Path, org: Path) -> None:
    """Disabling every failing critical control of a family does not turn the run green by itself."""
    base = cli("evaluate", "--evidence", DEMO, "--library", org, "--out", tmp_path / "a.json", "-q",
               "--fail-on", "critical")
    doc = json.loads((tmp_path / "a.json").read_text())
    critical = sorted(c["id"] for c in doc["controls"] if c["severity"] == "critical" and c["status"] == "fail")
    assert base.code == 1 and critical
    overrides = yaml.safe_load((org / "overrides.yaml").read_text())
    overrides["disabled"].update({cid: {"reason": "accepted risk for this test"} for cid in critical})
    overrides["overrides"] = {k: v for k, v in overrides["overrides"].items() if k not in critical} or None
    (org / "overrides.yaml").write_text(yaml.safe_dump({k: v for k, v in overrides.items() if v}))
    after = cli("evaluate", "--evidence", DEMO, "--library", org, "--out", tmp_path / "b.json", "-q",
                "--fail-on", "critical")
    assert after.code == 0, after.err
    doc = json.loads((tmp_path / "b.json").read_text())  # nothing critical is evaluated and failing...
    assert doc["summary"]["by_status"]["pass"] == sum(c["status"] == "pass" for c in doc["controls"])
    assert sorted(d["id"] for d in doc["disabled_controls"]) == sorted(["AI-005", *critical])  # ...all are shown


# --- conflicts and invalid layers -----------------------------------------------------------------


def test_a_layer_redefining_a_control_is_exit_2_naming_both_files(cli: Cli, org: Path) -> None:
    (org / "controls" / "security").mkdir()
    shutil.copy(bundled("controls") / "security" / "SEC-001.yaml", org / "controls" / "security")
    result = cli("controls", "validate", "--library", org)
    assert result.code == 2
    assert f"{org}/controls/security/SEC-001.yaml: id: control SEC-001 is already defined in " in result.err
    assert f"{bundled('controls')}/security/SEC-001.yaml (layer bundled)" in result.err
    assert "overrides.yaml" in result.err and "Traceback" not in result.err


def test_two_layers_defining_one_control_is_exit_2_naming_both(cli: Cli, tmp_path: Path) -> None:
    other = tmp_path / "team"
    shutil.copytree(ORG / "controls", other / "controls")
    (other / "controls" / "families.yaml").unlink()
    result = cli("controls", "validate", "--library", ORG, "--library", other)
    assert result.code == 2
    assert f"{other}/controls/resilience/RES-001.yaml: id: control RES-001 is already defined in " \
           f"{ORG}/controls/resilience/RES-001.yaml (layer org-library)" in result.err


def test_a_layer_redefining_a_policy_package_is_exit_2(cli: Cli, org: Path) -> None:
    write(org / "policies" / "security" / "sec_001.rego", "package controls.security.sec_001\n")
    result = cli("controls", "validate", "--library", org)
    assert result.code == 2
    assert f"{org}/policies/security/sec_001.rego: package controls.security.sec_001 is already declared in " \
           f"{bundled('policies')}/security/sec_001.rego" in result.err


@pytest.mark.parametrize(("overrides", "message"), [
    ("overrides:\n  SEC-002:\n    title: Better title\n    reason: r\n",
     r"overrides.yaml:3: overrides.SEC-002.title: unknown field"),
    ("overrides:\n  SEC-002:\n    severity: urgent\n    reason: r\n",
     r"overrides.yaml:3: overrides.SEC-002.severity: found 'urgent', expected one of low, medium, high, critical"),
    ("overrides:\n  SEC-002:\n    owner: Someone\n",
     r"overrides.yaml:2: overrides.SEC-002.reason: required field is missing"),
    ("overrides:\n  SEC-999:\n    owner: Someone\n    reason: r\n",
     r"overrides.yaml:2: overrides.SEC-999: unknown control id"),
    ("overrides:\n  SEC-002:\n    parameters:\n      max_key_age_days: soon\n    reason: r\n",
     r"overrides.yaml:4: SEC-002.max_key_age_days: found 'soon', expected integer"),
    ("overrides:\n  SEC-002:\n    parameters:\n      max_age: 3\n    reason: r\n",
     r"overrides.yaml:4: SEC-002.max_age: unknown parameter; SEC-002 has: max_key_age_days"),
    ("disabled:\n  AI-005: {}\n", r"overrides.yaml:2: disabled.AI-005.reason: required field is missing"),
    ("disabled:\n  AI-005:\n    reason: '  '\n", r"overrides.yaml:3: disabled.AI-005.reason: found ' +', expected a sentence saying why"),
    ("disabled:\n  AI-005:\n    reason: r\noverrides:\n  AI-005:\n    owner: x\n    reason: r\n",
     r"overrides.yaml:5: overrides.AI-005: the control is already disabled by .*overrides.yaml:2"),
])
def test_invalid_overrides_are_exit_2_with_file_line_and_field(
    tmp_path: Path, org: Path, overrides: str, message: str
) -> None:
    (org / "overrides.yaml").write_text(overrides)
    with pytest.raises(InputError, match=message):
        resolve_stack(libraries=[org], cwd=tmp_path).library()


def test_params_for_a_disabled_control_is_exit_2(cli: Cli, tmp_path: Path) -> None:
    params = write(tmp_path / "params.yaml", "AI-005:\n  domain: example.com\n")
    result = cli("controls", "validate", "--library", ORG, "--params", params)
    assert result.code == 2
    assert f"{params}:1: AI-005: the control is disabled by {ORG}/overrides.yaml:12" in result.err


def test_a_mapping_pair_mapped_by_two_layers_is_exit_2(cli: Cli, org: Path) -> None:
    write(org / "mappings" / "iso27001-2022.yaml", """\
        framework: iso27001-2022
        owner: Risk
        last_reviewed: 2026-11-20
        mappings:
          - control: SOD-001
            clauses:
              - {id: A.8.32, strength: full, rationale: "Mapped again."}
        """)
    result = cli("controls", "validate", "--library", org)
    assert result.code == 2
    assert "SOD-001 -> iso27001-2022 A.8.32 is already mapped in " in result.err
    assert f"{bundled('mappings')}/iso27001-2022.yaml" in result.err


def test_a_folder_that_is_no_library_is_exit_2(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = cli("controls", "list", "--library", tmp_path / "empty")
    assert result.code == 2 and "not a control library: expected at least one of controls/" in result.err


# --- defaults: a repository with its own ./controls, auditor.yaml ----------------------------------


def _custom_repo(root: Path) -> Path:
    """The issue's case: a repository holding one custom control of a bundled family, no mappings."""
    write(root / "controls" / "security" / "SEC-101.yaml", (ORG / "controls/resilience/RES-002.yaml").read_text()
          .replace("RES-002", "SEC-101").replace("operational-resilience", "security")
          .replace("controls.resilience.res_002", "controls.security.sec_101"))
    write(root / "policies" / "security" / "sec_101.rego", (ORG / "policies/resilience/res_002.rego").read_text()
          .replace("controls.resilience.res_002", "controls.security.sec_101").replace("RES-002", "SEC-101"))
    write(root / "policies" / "security" / "sec_101_test.rego",
          (ORG / "policies/resilience/res_002_test.rego").read_text()
          .replace("controls.resilience.res_002", "controls.security.sec_101").replace("res_002", "sec_101")
          .replace("RES-002", "SEC-101"))
    return root


def test_a_repository_with_its_own_controls_extends_the_bundled_library(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_custom_repo(tmp_path / "repo"))
    result = cli("controls", "validate")
    assert result.code == 0, result.err  # before layers: exit 2, the bundled mappings named absent controls
    assert (f"{BUNDLED_CONTROLS + REPO_CONTROLS} controls and "
            f"{BUNDLED_POLICY_FILES + REPO_POLICY_FILES} policy files are valid (layers: bundled, repo)") in result.out
    listed = {r["id"]: r["layer"] for r in json.loads(cli("controls", "list", "--format", "json").out)}
    assert listed["SEC-101"] == "repo" and listed["SOD-001"] == "bundled"
    tests = cli("policies", "test", "--verbose-tests")
    assert tests.code == 0, tests.out + tests.err
    assert "controls.security.sec_101_test.test_branch_deployment_fails" in tests.out


def test_auditor_yaml_base_keeps_a_standalone_library(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _custom_repo(tmp_path / "repo")
    write(repo / "auditor.yaml", "base: .\n")
    monkeypatch.chdir(repo)
    result = cli("controls", "validate")
    assert result.code == 0, result.err
    assert "1 controls and 2 policy files are valid (layers: base)" in result.out


def test_auditor_yaml_lists_libraries(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    write(repo / "auditor.yaml", f"libraries:\n  - {ORG}\n")
    monkeypatch.chdir(repo)
    assert "(layers: bundled, org-library)" in cli("controls", "validate").out
    write(repo / "auditor.yaml", "libraries:\n  - missing\n")
    result = cli("controls", "validate")
    assert result.code == 2 and "auditor.yaml:1: libraries[0]: found 'missing', expected a library folder" in result.err


def test_explicit_controls_flag_still_replaces_the_bundled_library(cli: Cli, library: Path) -> None:
    result = cli("controls", "list", "--controls", library / "controls", "--format", "json")
    assert result.code == 0, result.err
    assert sorted(r["id"] for r in json.loads(result.out)) == ["PRIV-001", "SEC-001", "SEC-002"]
    assert {r["layer"] for r in json.loads(result.out)} == {"base"}


# --- --schemas ----------------------------------------------------------------------------------


def test_schemas_cannot_redefine_a_bundled_kind(cli: Cli, tmp_path: Path) -> None:
    extra = tmp_path / "schemas"
    extra.mkdir()
    shutil.copy(FIXTURES / "schemas" / "gadgets.schema.json", extra)
    (extra / "deployments.schema.json").write_text('{"type": "object"}')
    result = cli("evaluate", "--evidence", DEMO, "--schemas", extra, "--out", tmp_path / "r.json", "-q")
    assert result.code == 2
    assert f"{extra}/deployments.schema.json: kind 'deployments': found a schema for a bundled evidence kind " \
           f"already defined in {bundled('evidence/schemas')}/deployments.schema.json" in result.err
    assert not (tmp_path / "r.json").exists()


def test_schemas_still_add_new_kinds_and_two_folders_cannot_share_one() -> None:
    assert "gadgets" in SchemaSet(FIXTURES / "schemas").kinds
    with pytest.raises(InputError, match=r"kind 'gadgets': found a schema for a kind already defined in"):
        SchemaSet(FIXTURES / "schemas", FIXTURES / "schemas").kinds  # noqa: B018
