"""Shared helpers for the CI-step tests: evaluate the fixture library with mappings and exceptions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.baseline import load_baseline
from auditor.controls import load_library
from auditor.engine import create
from auditor.evaluate import Run, evaluate
from auditor.evidence import SchemaSet, load_evidence
from auditor.mappings import load_mappings
from auditor.policies import load_policies
from auditor.results import results_document
from auditor.waivers import load_waivers

FIXTURES = Path(__file__).parent / "fixtures"
CI = FIXTURES / "ci"


def ci_run(library: Path, evidence: Path, *, exceptions: Path | None = CI / "waivers.yaml",
           baseline: Path | None = None, **kwargs: Any) -> Run:
    lib = load_library(library / "controls")
    run = evaluate(
        lib,
        load_policies(library / "policies"),
        load_evidence(evidence, SchemaSet(FIXTURES / "schemas")),
        create("regorus"),
        mappings=load_mappings(CI / "mappings", lib),
        waivers=load_waivers(exceptions, lib) if exceptions else None,
        **kwargs,
    )
    if baseline is not None:
        run.baseline = load_baseline(baseline)
    return run


def ci_document(library: Path, evidence: Path, **kwargs: Any) -> dict[str, Any]:
    return results_document(ci_run(library, evidence, **kwargs))
