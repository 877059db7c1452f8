"""The Brightwater Financial demo organisation (evidence/examples/demo).

The demo is produced by two deterministic generators and documented by the
VIOLATIONS-*.md files they write. These tests keep the three in step:
regenerating gives the committed bytes (so nobody hand-edits the demo), and
evaluating the demo gives exactly the documented violations per control.
"""

from __future__ import annotations

import re
import runpy
from functools import cache
from pathlib import Path

import pytest

from auditor.content import bundled
from auditor.controls import load_library
from auditor.engine import create
from auditor.evaluate import evaluate
from auditor.evidence import load_evidence
from auditor.families import bundled_families
from auditor.model import Status
from auditor.policies import load_policies

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "evidence" / "examples"
DEMO = EXAMPLES / "demo"
# Order matters: the SOD/security generator reads data_stores.json for SEC-005, and the service
# generator reads deployments.json for SM-008.
GENERATORS = ["generate_demo_privacy_ai.py", "generate_demo_sod_security.py", "generate_demo_service.py",
              "generate_demo_aws.py"]
DOCS = ["VIOLATIONS-privacy-ai.md", "VIOLATIONS-sod-security.md", "VIOLATIONS-service.md", "VIOLATIONS-aws.md"]
PASSES = "No deliberate violations: this control passes on the demo."

SECTION = re.compile(r"^## ([A-Z][A-Z0-9]*-\d{3}): ", re.MULTILINE)  # any family's prefix
VIOLATION = re.compile(r"^- `([^`]+)`", re.MULTILINE)


def _generate(out: Path) -> None:
    for name in GENERATORS:
        # run_path gives each run fresh module state (the generators keep global lists and a seeded RNG)
        runpy.run_path(str(EXAMPLES / name))["main"](["--out", str(out)])


def test_regenerating_the_demo_gives_the_committed_files(tmp_path: Path) -> None:
    _generate(tmp_path)
    generated = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(p.name for p in DEMO.iterdir())
    assert generated == committed
    changed = [name for name in generated if (tmp_path / name).read_bytes() != (DEMO / name).read_bytes()]
    assert changed == [], "run `make demo` and commit the result; do not edit the demo by hand"


def documented() -> dict[str, set[str] | None]:
    """Control id -> documented violating resources, or None when documented as passing."""
    expected: dict[str, set[str] | None] = {}
    for doc in DOCS:
        text = (bundled("evidence/examples/demo") / doc).read_text(encoding="utf-8")
        # Each section runs to the next "## " heading.
        for match in SECTION.finditer(text):
            control = match.group(1)
            end = text.find("\n## ", match.end())
            body = text[match.end() : end if end >= 0 else len(text)]
            resources = set(VIOLATION.findall(body))
            assert control not in expected, f"{control} documented twice"
            if PASSES in body:
                assert resources == set(), f"{control} is documented as passing but lists violations"
                expected[control] = None
            else:
                assert resources, f"{control} documents neither violations nor a pass"
                expected[control] = resources
    return expected


@cache
def demo_results() -> dict[str, tuple[Status, set[str]]]:
    library = load_library(bundled("controls"))
    run = evaluate(
        library, load_policies(bundled("policies")), load_evidence(bundled("evidence/examples/demo")), create("regorus")
    )
    return {r.control.id: (r.status, {v.resource for v in r.violations}) for r in run.results}


def test_every_control_is_documented() -> None:
    assert set(documented()) == set(demo_results())


@pytest.mark.parametrize("control_id", sorted(documented()))
def test_demo_result_matches_the_documented_violations(control_id: str) -> None:
    status, resources = demo_results()[control_id]
    expected = documented()[control_id]
    if expected is None:
        assert (status, resources) == (Status.PASS, set())
    else:
        assert status is Status.FAIL
        assert resources == expected


def test_demo_fails_and_passes_in_every_family() -> None:
    library = load_library(bundled("controls"))
    expected = documented()
    for family in bundled_families():
        ids = {c.id for c in library if c.family == family}
        assert any(expected[i] is None for i in ids), f"no passing control in {family}"
        assert any(expected[i] is not None for i in ids), f"no failing control in {family}"


def test_demo_evaluated_eight_days_late_is_insufficient_where_documented() -> None:
    """VIOLATIONS-sod-security.md: at 2026-11-28 the 7-day kinds are stale; nothing else is."""
    text = (DEMO / "VIOLATIONS-sod-security.md").read_text(encoding="utf-8")
    assert "`--as-of 2026-11-28T09:00:00Z`" in text
    library = load_library(bundled("controls"))
    run = evaluate(library, load_policies(bundled("policies")), load_evidence(DEMO), create("regorus"),
                   as_of="2026-11-28T09:00:00Z")
    stale = {r.control.id for r in run.results if r.status is Status.INSUFFICIENT_EVIDENCE}
    documented = re.search(r"(SOD-001, [^`]*) end `insufficient_evidence`", " ".join(text.split()))
    assert documented, "VIOLATIONS-sod-security.md lists the controls stale evidence stops"
    assert stale == set(re.findall(r"[A-Z]+-\d{3}", documented.group(1)))
    assert {"SOD-001", "SOD-008", "SEC-008", "PRIV-002"} <= stale  # one per 7-day kind and reader
    reasons = {r.control.id: r.reason for r in run.results}
    assert ("changes collected 2026-11-20 (changes.json), 8 days before as_of 2026-11-28; the limit is 7 days"
            in reasons["SEC-008"])
    assert "the limit is 7 days" in reasons["PRIV-002"] and "deletion_jobs" in reasons["PRIV-002"]
    # Every other control was judged, over a population that is not empty.
    assert all(r.population is not None and r.population.in_scope > 0 for r in run.results
               if r.control.id not in stale)
