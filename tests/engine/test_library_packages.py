"""Rego library packages (policies/lib/...) on every path a policy takes: the embedded engine with
imports across packages, the policy test runner, bundles (root ``lib``) and the OPA backend."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.bundle import build_bundle, bundle_roots
from auditor.content import bundled
from auditor.controls import load_library
from auditor.engine import create
from auditor.evaluate import Run, evaluate
from auditor.evidence import load_evidence
from auditor.policies import load_policies
from auditor.policytest import run_policy_tests
from tests.opa_double import read_bundle

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "controls" / "SOD-008" / "fail"
IDS = ["SOD-001", "SOD-005", "SOD-008", "SEC-004"]


def _run(evidence: Path, engine: str = "regorus", **options: Any) -> Run:
    library = load_library(bundled("controls")).select(IDS)
    return evaluate(library, load_policies(bundled("policies")), load_evidence(evidence), create(engine, **options))


def _table(run: Run) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    return {r.control.id: (r.status.value, [(v.resource, v.message) for v in r.violations]) for r in run.results}


def test_controls_import_library_packages_on_the_embedded_engine() -> None:
    policies = load_policies(bundled("policies"))
    imports = {s.package for s in policies.runtime if "import data.lib.identity" in s.text}
    assert {f"controls.sod.sod_00{n}" for n in range(1, 9)} <= imports
    result = _table(_run(FIXTURE))
    assert result["SOD-008"][0] == "fail" and len(result["SOD-008"][1]) == 4


def test_policy_tests_cover_library_packages() -> None:
    report = run_policy_tests(load_policies(bundled("policies")), load_library(bundled("controls")))
    lib_cases = [c for c in report.cases if c.package.startswith("lib.")]
    assert {c.package for c in lib_cases} >= {"lib.identity_test", "lib.changes_test"}
    assert lib_cases and all(c.status == "pass" for c in lib_cases)


def test_bundle_carries_the_library_under_root_lib(tmp_path: Path) -> None:
    policies = load_policies(bundled("policies"))
    assert "lib" in bundle_roots(policies)
    out = tmp_path / "bundle.tar.gz"
    build_bundle(load_library(bundled("controls")), policies, out)
    files = read_bundle(out)
    assert "lib/identity/identity.rego" in files and "lib/changes/changes.rego" in files
    assert "lib/identity/identity_test.rego" not in files


def test_opa_backend_and_preloaded_bundle_give_the_embedded_results(
    tmp_path: Path, opa_server: Any, bundle_server: Any
) -> None:
    embedded = _table(_run(FIXTURE))
    remote = _table(_run(FIXTURE, "opa", url=opa_server.url, backoff=0.01, timeout=10.0))
    assert remote == embedded
    bundle = tmp_path / "bundle.tar.gz"
    build_bundle(load_library(bundled("controls")), load_policies(bundled("policies")), bundle)
    server = bundle_server(bundle)
    preloaded = _table(_run(FIXTURE, "opa", url=server.url, preloaded=True, backoff=0.01, timeout=10.0))
    assert preloaded == embedded
