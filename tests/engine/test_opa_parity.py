"""Parity: the OPA backend gives the embedded engine's results, control by control, violation by violation.

Runs the whole bundled control library against the demo organisation and every control's
pass/fail fixture folder, on regorus and on OPA (real OPA when ``OPA_BIN``/``opa`` is present,
otherwise the loopback test double, which itself evaluates with regorus: against the double
this checks the backend's transport, batching, ``with`` data and result mapping, not OPA's
Rego semantics; see docs/opa.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.content import bundled
from auditor.controls import load_library
from auditor.engine import create
from auditor.evaluate import Run, evaluate
from auditor.evidence import SchemaSet, load_evidence
from auditor.policies import load_policies
from tests.engine.conftest import running_opa

TESTS = Path(__file__).resolve().parent.parent
FIXTURES = TESTS / "fixtures"


def _cases() -> list[tuple[Path, Path, Path, SchemaSet]]:
    """(controls, policies, evidence, schemas): the bundled library on the demo organisation and on
    every control's fixtures; the small test library until that content exists."""
    controls, policies = bundled("controls"), bundled("policies")
    sets = []
    demo = bundled("evidence/examples/demo")
    if demo.is_dir():
        sets.append(demo)
    per_control = FIXTURES / "controls"
    if per_control.is_dir():
        sets += sorted(p for p in per_control.glob("*/*") if p.is_dir() and p.name in ("pass", "fail"))
    if sets and any(controls.rglob("*.yaml")):
        return [(controls, policies, e, SchemaSet()) for e in sets]
    library = FIXTURES / "library"
    return [(library / "controls", library / "policies", FIXTURES / "evidence/basic", SchemaSet(FIXTURES / "schemas"))]


@pytest.fixture(scope="module")
def shared_opa() -> Iterator[Any]:
    with running_opa() as server:
        yield server


def _run(case: tuple[Path, Path, Path, SchemaSet], engine: str, **options: Any) -> Run:
    controls, policies, evidence, schemas = case
    return evaluate(load_library(controls), load_policies(policies), load_evidence(evidence, schemas),
                    create(engine, **options))


def _table(run: Run) -> dict[str, tuple[str, str, list[tuple[str, str]]]]:
    return {
        r.control.id: (r.status.value, r.reason if r.status.value != "error" else "error",
                       [(v.resource, v.message) for v in r.violations])
        for r in run.results
    }


@pytest.mark.parametrize("case", _cases(), ids=lambda c: "/".join(c[2].parts[-2:]))
def test_opa_matches_embedded(case: tuple[Path, Path, Path, SchemaSet], shared_opa: Any) -> None:
    embedded = _table(_run(case, "regorus"))
    remote = _table(_run(case, "opa", url=shared_opa.url, backoff=0.01))
    assert {status for status, _, _ in embedded.values()} != {"error"}
    assert list(remote) == list(embedded)
    for control_id in embedded:
        assert remote[control_id] == embedded[control_id], control_id
