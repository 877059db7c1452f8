from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from auditor.content import bundled
from auditor.controls import load_library
from auditor.engine import create
from auditor.engine.regorus_engine import RegorusEngine
from auditor.errors import EngineError, ExitCode, InputError
from auditor.evaluate import Run, durations_from, evaluate
from auditor.evidence import SchemaSet, load_evidence
from auditor.model import Status
from auditor.policies import load_policies
from auditor.results import results_document, write_results
from auditor.workers import WALL_FACTOR, Limits
from tests.conftest import CliResult


def run_library(library: Path, evidence: Path, fixtures: Path, **kwargs: object) -> Run:
    return evaluate(
        load_library(library / "controls", kwargs.pop("params", None)),  # type: ignore[arg-type]
        load_policies(library / "policies"),
        load_evidence(evidence, SchemaSet(fixtures / "schemas")),
        create("regorus"),
        **kwargs,  # type: ignore[arg-type]
    )


def by_id(run: Run) -> dict[str, object]:
    return {r.control.id: r for r in run.results}


def test_statuses_and_violations(library: Path, evidence: Path, fixtures: Path) -> None:
    run = run_library(library, evidence, fixtures)
    results = by_id(run)
    sec1 = results["SEC-001"]
    assert sec1.status is Status.FAIL  # type: ignore[attr-defined]
    assert [v.resource for v in sec1.violations] == ["g-2", "g-3"]  # type: ignore[attr-defined]
    assert sec1.violations[0].message == "Gadget g-2 is not encrypted at rest."  # type: ignore[attr-defined]
    # as_of defaults to the latest collected_at (2026-11-20); g-3 was created 2026-01-01.
    assert run.as_of == "2026-11-20T12:00:00Z"
    assert [v.resource for v in results["SEC-002"].violations] == ["g-3"]  # type: ignore[attr-defined]
    assert results["PRIV-001"].status is Status.PASS  # type: ignore[attr-defined]
    assert run.exit_code() is ExitCode.FAILED


def test_params_override_changes_the_outcome(library: Path, evidence: Path, fixtures: Path, tmp_path: Path) -> None:
    params = tmp_path / "org.yaml"
    params.write_text("PRIV-001:\n  max_retention_days: 100\nSEC-001:\n  exempt_owners: [bob, carol]\n")
    results = by_id(run_library(library, evidence, fixtures, params=params))
    assert [v.resource for v in results["PRIV-001"].violations] == ["ledger-b"]  # type: ignore[attr-defined]
    assert results["SEC-001"].status is Status.PASS  # type: ignore[attr-defined]


def test_as_of_moves_the_clock(library: Path, evidence: Path, fixtures: Path) -> None:
    results = by_id(run_library(library, evidence, fixtures, as_of="2026-02-01T00:00:00Z"))
    assert results["SEC-002"].status is Status.PASS  # type: ignore[attr-defined]


def test_missing_kind_is_insufficient_evidence_not_pass(library: Path, evidence: Path, fixtures: Path) -> None:
    (evidence / "ledgers.yaml").unlink()
    run = run_library(library, evidence, fixtures, fail_on="critical")
    result = by_id(run)["PRIV-001"]
    assert result.status is Status.INSUFFICIENT_EVIDENCE  # type: ignore[attr-defined]
    assert "ledgers" in result.reason  # type: ignore[attr-defined]
    # PRIV-001 is critical: not passing it fails the run even at --fail-on critical.
    assert run.exit_code() is ExitCode.FAILED


def test_empty_kind_is_insufficient_evidence(library: Path, evidence: Path, fixtures: Path) -> None:
    (evidence / "ledgers.yaml").write_text(
        "kind: ledgers\nsource: s\ncollected_at: '2026-11-19T08:00:00Z'\nitems: []\n"
    )
    assert by_id(run_library(library, evidence, fixtures))["PRIV-001"].status is Status.INSUFFICIENT_EVIDENCE  # type: ignore[attr-defined]


def test_collection_errors_prevent_a_pass(library: Path, evidence: Path, fixtures: Path) -> None:
    (evidence / "ledgers.yaml").write_text(
        "kind: ledgers\nsource: s\ncollected_at: '2026-11-19T08:00:00Z'\n"
        "errors: [{scope: 'eu-west-2', code: AccessDenied, message: denied}]\n"
        "items: [{id: l1, retention_days: 1}]\n"
    )
    result = by_id(run_library(library, evidence, fixtures))["PRIV-001"]
    assert result.status is Status.INSUFFICIENT_EVIDENCE  # type: ignore[attr-defined]
    assert "collection error" in result.reason  # type: ignore[attr-defined]


def test_engine_error_is_error_status_and_run_goes_on(library: Path, evidence: Path, fixtures: Path) -> None:
    # A builtin error at evaluation time (bad timestamp) errors this control only.
    policy = library / "policies/security/sec_002.rego"
    policy.write_text(policy.read_text().replace("g.created_at", '"not-a-time"'))
    run = run_library(library, evidence, fixtures)
    results = by_id(run)
    assert results["SEC-002"].status is Status.ERROR  # type: ignore[attr-defined]
    assert results["SEC-002"].reason  # type: ignore[attr-defined]
    assert "Stack backtrace" not in results["SEC-002"].reason  # type: ignore[attr-defined]
    assert results["SEC-001"].status is Status.FAIL  # type: ignore[attr-defined]
    assert run.exit_code() is ExitCode.INTERNAL


def test_panic_is_caught_at_the_engine_boundary(library: Path, evidence: Path, fixtures: Path) -> None:
    policy = library / "policies/security/sec_002.rego"
    policy.write_text(
        "package controls.security.sec_002\nimport rego.v1\n"
        'violations contains {"resource": "x", "message": "m"} if { strings.count("abc", "") > 0 }\n'
    )
    result = by_id(run_library(library, evidence, fixtures))["SEC-002"]
    assert result.status is Status.ERROR  # type: ignore[attr-defined]


def test_malformed_violation_is_an_error(library: Path, evidence: Path, fixtures: Path) -> None:
    policy = library / "policies/security/sec_002.rego"
    policy.write_text(
        "package controls.security.sec_002\nimport rego.v1\n"
        'violations contains {"id": g.id} if { some g in input.gadgets }\n'
    )
    result = by_id(run_library(library, evidence, fixtures))["SEC-002"]
    assert result.status is Status.ERROR  # type: ignore[attr-defined]
    assert "resource" in result.reason  # type: ignore[attr-defined]


def test_missing_policy_package(library: Path, evidence: Path, fixtures: Path) -> None:
    (library / "policies/security/sec_002.rego").unlink()
    with pytest.raises(InputError, match=r"SEC-002.yaml: policy: package 'controls.security.sec_002' not found"):
        run_library(library, evidence, fixtures)


def test_policy_syntax_error_names_file_and_line(library: Path, evidence: Path, fixtures: Path) -> None:
    policy = library / "policies/privacy/priv_001.rego"
    policy.write_text(policy.read_text() + "\noops if { x := := 1 }\n")
    with pytest.raises(InputError, match=r"priv_001.rego:12:16: expecting expression"):
        run_library(library, evidence, fixtures)


def test_time_now_is_rejected(library: Path, evidence: Path, fixtures: Path) -> None:
    policy = library / "policies/security/sec_002.rego"
    policy.write_text(policy.read_text().replace("time.parse_rfc3339_ns(data.audit.as_of)", "time.now_ns()"))
    with pytest.raises(InputError, match=r"sec_002.rego:7: time.now_ns\(\) is not allowed"):
        run_library(library, evidence, fixtures)


def test_policy_reading_an_undeclared_kind_is_rejected_not_passed(
    library: Path, evidence: Path, fixtures: Path
) -> None:
    # input.gadgetz is undefined, so no violation could ever fire: SEC-001 used to pass.
    policy = library / "policies/security/sec_001.rego"
    policy.write_text(policy.read_text().replace("input.gadgets", "input.gadgetz"))
    with pytest.raises(
        InputError,
        match=r"sec_001.rego:8: input.gadgetz: found a read of kind 'gadgetz', expected one of the "
              r"control's evidence kinds \(gadgets\)",
    ):
        run_library(library, evidence, fixtures)


def test_optional_reads_and_mentions_in_comments_or_strings_are_allowed(
    library: Path, evidence: Path, fixtures: Path
) -> None:
    policy = library / "policies/security/sec_001.rego"
    policy.write_text(policy.read_text() + (
        '\n# input.ledgers is not read here\nnote := "see input.ledgers"\n'
        'extra := object.get(input, "ledgers", [])\n'
    ))
    assert by_id(run_library(library, evidence, fixtures))["SEC-001"].status is Status.FAIL  # type: ignore[attr-defined]


def test_bad_as_of(library: Path, evidence: Path, fixtures: Path) -> None:
    with pytest.raises(InputError, match="--as-of: found 'yesterday'"):
        run_library(library, evidence, fixtures, as_of="yesterday")


def test_results_are_deterministic(library: Path, evidence: Path, fixtures: Path) -> None:
    volatile = {"run_id", "started_at", "finished_at"}

    def stable() -> dict[str, object]:
        doc = results_document(run_library(library, evidence, fixtures))
        for control in doc["controls"]:
            control.pop("duration_ms")
        return {k: v for k, v in doc.items() if k not in volatile}

    first, second = stable(), stable()
    assert first == second
    assert [d["path"] for d in first["evidence"]] == ["gadgets.json", "ledgers.yaml"]  # type: ignore[index]
    assert first["summary"]["by_status"]["fail"] == 2  # type: ignore[index]


def test_engine_query_of_unknown_rule_raises_engine_error() -> None:
    engine = create("regorus")
    engine.load([], {})
    engine.set_input(b"{}")
    with pytest.raises(EngineError):
        engine.query("data.nothing.here")


# -- Workers and per-control limits -------------------------------------------------------------

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
        f"package controls.security.sec_002\n\nimport rego.v1\n\n{HOSTILE[which]}\n"
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
    path.write_text('{"controls": [{"id": "SEC-001", "duration_ms": "fast"}]}')
    with pytest.raises(InputError, match=r"results.json: controls\[0\]: expected a string 'id' and a number"):
        durations_from(path)
    path.write_text('{"controls": ')
    with pytest.raises(InputError, match=r"results.json:1: malformed JSON"):
        durations_from(path)


def test_a_policys_print_output_reaches_stderr_not_stdout(
    library: Path, evidence: Path, fixtures: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    policy = library / "policies/security/sec_002.rego"
    policy.write_text(policy.read_text().replace("some g in input.gadgets", 'some g in input.gadgets\n\tprint("saw", g.id)'))
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
    assert "old.json: controls: not found, expected an Auditor results.json" in result.err
    assert not out.exists()
