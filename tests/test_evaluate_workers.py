"""Evaluation in forked workers: hostile policies bounded by the per-control limits, results that do
not depend on --jobs, the longest-first schedule, and the CLI options."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from auditor.content import bundled
from auditor.controls import load_library
from auditor.engine import create
from auditor.engine.regorus_engine import RegorusEngine
from auditor.errors import ExitCode, InputError
from auditor.evaluate import Run, durations_from, evaluate
from auditor.evidence import load_evidence
from auditor.model import Status
from auditor.policies import load_policies
from auditor.results import results_document, write_results
from auditor.workers import WALL_FACTOR, Limits
from tests.conftest import CliResult
from tests.test_evaluate import by_id, run_library

#: Small limits keep the suite fast; the defaults (60 s, 2 GiB) are documented in docs/scaling.md.
SMALL = Limits(timeout_s=2, memory_mib=256)

HOSTILE = {
    # numbers.range materialises its array: 10^9 numbers
    "range": 'violations contains {"resource": "x", "message": "m"} if { count(numbers.range(1, 1e9)) > 0 }',
    # a 20,000 x 20,000 comprehension
    "square": (
        'violations contains {"resource": "x", "message": "m"} if {\n'
        "  pairs := [[i, j] | some i in numbers.range(1, 20000); some j in numbers.range(1, 20000)]\n"
        "  count(pairs) > 0\n}"
    ),
    # exponential time in little memory (regorus does not memoise functions)
    "loop": (
        "fib(n) := n if n < 2\nfib(n) := fib(n - 1) + fib(n - 2) if n >= 2\n"
        'violations contains {"resource": "x", "message": "m"} if { fib(45) > 0 }'
    ),
    # unbounded recursion
    "recursion": 'deep(n) := deep(n + 1) + 1\nviolations contains {"resource": "x", "message": "m"} if { deep(0) > 0 }',
}


def make_hostile(library: Path, which: str) -> None:
    (library / "policies/security/sec_002.rego").write_text(
        f"package controls.security.sec_002\n\nimport rego.v1\n\nin_scope contains \"x\"\n\n{HOSTILE[which]}\n"
    )


#: for the policies that exhaust memory: a time limit they never come near, even on a busy machine
MEMORY_ONLY = Limits(timeout_s=20, memory_mib=256)


@pytest.mark.parametrize(
    ("which", "limits", "reason"),
    [
        ("range", MEMORY_ONLY, "exceeded the 256 MiB memory limit"),
        ("square", MEMORY_ONLY, "exceeded the 256 MiB memory limit"),
        ("loop", SMALL, "exceeded the 2 s time limit"),
        ("recursion", SMALL, "worker ended by signal SIGSEGV (a crash; usually recursion too deep for the stack)"),
    ],
)
def test_a_hostile_policy_errors_its_control_and_the_run_goes_on(
    library: Path, evidence: Path, fixtures: Path, which: str, limits: Limits, reason: str
) -> None:
    make_hostile(library, which)
    run = run_library(library, evidence, fixtures, jobs=2, limits=limits)
    results = by_id(run)
    assert results["SEC-002"].status is Status.ERROR  # type: ignore[attr-defined]
    # on a machine too busy to give the worker its CPU seconds, the wall-clock deadline ends it, and says so
    assert results["SEC-002"].reason.startswith(reason)  # type: ignore[attr-defined]
    # never longer than the wall-clock deadline (3x the time limit) and a poll
    assert results["SEC-002"].duration_ms < WALL_FACTOR * limits.timeout_s * 1000 + 500  # type: ignore[attr-defined]
    assert results["SEC-002"].evidence == ["gadgets.json"]  # type: ignore[attr-defined]
    # the other controls' results are kept, exactly as without the hostile policy
    assert [v.resource for v in results["SEC-001"].violations] == ["g-2", "g-3"]  # type: ignore[attr-defined]
    assert results["PRIV-001"].status is Status.PASS  # type: ignore[attr-defined]
    assert run.exit_code() is ExitCode.INTERNAL


def stable_results(run: Run) -> dict[str, object]:
    """results.json without what differs between two runs on the same inputs (ids, times, durations)."""
    doc = results_document(run)
    for control in doc["controls"]:
        control.pop("duration_ms")
    return {k: v for k, v in doc.items() if k not in {"run_id", "started_at", "finished_at"}}


def demo_run(**kwargs: object) -> Run:
    return evaluate(
        load_library(bundled("controls")), load_policies(bundled("policies")),
        load_evidence(bundled("evidence/examples/demo")), kwargs.pop("engine", None) or create("regorus"),
        **kwargs,  # type: ignore[arg-type]
    )


class InProcessRegorus(RegorusEngine):
    """regorus evaluated in this process, control after control, as before workers existed."""

    forkable = False


def test_demo_results_do_not_depend_on_jobs() -> None:
    one, two = stable_results(demo_run(jobs=1)), stable_results(demo_run(jobs=2))
    assert one == two
    assert one == stable_results(demo_run(engine=InProcessRegorus()))
    assert sum(c["violation_count"] for c in one["controls"]) > 50  # type: ignore[attr-defined,misc]


def test_longest_first_by_an_earlier_runs_durations(library: Path, evidence: Path, fixtures: Path) -> None:
    order: list[str] = []
    durations = {"SEC-001": 5.0, "SEC-002": 700.0}  # PRIV-001 has none: it goes first
    run_library(library, evidence, fixtures, jobs=1, durations=durations, on_control=lambda r: order.append(r.control.id))
    assert order == ["PRIV-001", "SEC-002", "SEC-001"]


def test_longest_first_by_items_read_without_durations(library: Path, evidence: Path, fixtures: Path) -> None:
    # gadgets has 4 items, ledgers 2: the gadget controls go first, in library order between them
    order: list[str] = []
    run = run_library(library, evidence, fixtures, jobs=1, on_control=lambda r: order.append(r.control.id))
    assert order == ["SEC-001", "SEC-002", "PRIV-001"]
    assert [r.control.id for r in run.results] == ["PRIV-001", "SEC-001", "SEC-002"]  # the library's order


def test_durations_from_an_earlier_results_file(library: Path, evidence: Path, fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    write_results(run_library(library, evidence, fixtures), path)
    assert set(durations_from(path)) == {"PRIV-001", "SEC-001", "SEC-002"}
    # checked like every results.json a command starts from: the damaged field is named
    document = json.loads(path.read_text())
    document["controls"][1]["duration_ms"] = "fast"
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match=r"results.json: controls\[1\]\.duration_ms: found 'fast', expected number$"):
        durations_from(path)
    path.write_text('{"controls": ')
    with pytest.raises(InputError, match=r"results.json:1: malformed JSON"):
        durations_from(path)


def test_a_policys_print_output_reaches_stderr_not_stdout(
    library: Path, evidence: Path, fixtures: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    policy = library / "policies/security/sec_002.rego"
    policy.write_text(policy.read_text().replace("some g in input.gadgets", 'some g in input.gadgets\n\tprint("saw", g.id)', 1))
    capfd.readouterr()
    run_library(library, evidence, fixtures, jobs=2)
    captured = capfd.readouterr()
    assert "saw g-1" in captured.err
    assert "saw" not in captured.out


def cli_args(library: Path, evidence: Path, fixtures: Path, out: Path) -> list[str | Path]:
    return [
        "evaluate", "--evidence", evidence, "--controls", library / "controls", "--policies", library / "policies",
        "--schemas", fixtures / "schemas", "--mappings", fixtures / "mappings-empty", "--out", out, "-q",
    ]


def test_cli_limits_end_a_hostile_control_as_error_with_every_other_result_written(
    cli: Callable[..., CliResult], library: Path, evidence: Path, fixtures: Path, tmp_path: Path
) -> None:
    make_hostile(library, "range")
    out = tmp_path / "results.json"
    result = cli(*cli_args(library, evidence, fixtures, out), "--jobs", "2", "--control-timeout", "2",
                 "--control-memory", "256")
    assert result.code == ExitCode.INTERNAL  # an error is never a pass
    doc = json.loads(out.read_text())
    statuses = {c["id"]: (c["status"], c["reason"]) for c in doc["controls"]}
    assert statuses == {
        "PRIV-001": ("pass", "no violations"),
        "SEC-001": ("fail", "2 violations"),
        "SEC-002": ("error", "exceeded the 256 MiB memory limit"),
    }
    # the schedule can come from that run's durations
    again = cli(*cli_args(library, evidence, fixtures, tmp_path / "again.json"), "--schedule-from", out,
                "--control-memory", "256", "--jobs", "1")
    assert again.code == ExitCode.INTERNAL
    redone = json.loads((tmp_path / "again.json").read_text())["controls"]
    assert {c["id"]: (c["status"], c["reason"]) for c in redone} == statuses


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--jobs", "0", "Invalid value for '--jobs'"),
        ("--control-timeout", "0", "Invalid value for '--control-timeout'"),
        ("--control-memory", "-1", "Invalid value for '--control-memory'"),
    ],
)
def test_cli_worker_options_are_checked(
    cli: Callable[..., CliResult], library: Path, evidence: Path, fixtures: Path, tmp_path: Path,
    option: str, value: str, message: str,
) -> None:
    result = cli(*cli_args(library, evidence, fixtures, tmp_path / "r.json"), option, value)
    assert result.code == 2
    assert message in result.err


def test_cli_schedule_from_a_file_that_is_not_results_is_exit_2(
    cli: Callable[..., CliResult], library: Path, evidence: Path, fixtures: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "old.json"
    bad.write_text('{"controls": {}}')
    out = tmp_path / "r.json"
    result = cli(*cli_args(library, evidence, fixtures, out), "--schedule-from", bad)
    assert result.code == 2
    assert "old.json: not an Auditor results file (expected 'run_id' and 'controls')" in result.err
    assert not out.exists()
    write_results(run_library(library, evidence, fixtures), bad)
    document = json.loads(bad.read_text())
    document["controls"] = {}
    bad.write_text(json.dumps(document))
    result = cli(*cli_args(library, evidence, fixtures, out), "--schedule-from", bad)
    assert result.code == 2
    assert f"{bad}: controls: found {{}}, expected array" in result.err
    assert not out.exists()
