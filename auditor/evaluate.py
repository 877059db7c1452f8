"""Controls x evidence -> results, through one engine loaded once.

Load every policy once, set the input once, query each control's
``violations``. Each control ends as exactly one status; only ``pass`` passes.

On an engine that can be forked (regorus), each control is evaluated in a
worker process forked after the input is set (``auditor.workers``), ``jobs`` at
a time, longest first, each bounded by ``limits``: a control that exceeds them
ends as ``error`` and the others go on. Results do not depend on ``jobs``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from auditor import __version__
from auditor.controls import ControlLibrary
from auditor.engine import Engine
from auditor.errors import EngineError, ExitCode, InputError
from auditor.evidence import EvidenceSet
from auditor.evidence.freshness import Freshness, default_limits
from auditor.evidence.load import format_time, parse_time
from auditor.evidence.projection import NONE, Projection, projection_for
from auditor.evidence.schemas import SchemaSet
from auditor.model import DEFAULT_FAIL_ON, Control, ControlResult, Population, Status, Violation, severity_rank
from auditor.policies import PolicySet, lint
from auditor.workers import Failed, Limits, available_cores, can_fork, run_forked

if TYPE_CHECKING:
    from auditor.baseline import Baseline
    from auditor.mappings import MappingSet
    from auditor.waivers import WaiverSet

_VIOLATIONS_RULE = re.compile(r"^violations\s+(contains\b|:=|=|\[)", re.MULTILINE)
_IN_SCOPE_RULE = re.compile(r"^in_scope\s+(contains\b|:=|=)", re.MULTILINE)


def check_policies(library: ControlLibrary, policies: PolicySet) -> None:
    """Cross-check controls against policies before anything is evaluated (exit 2 on a mismatch)."""
    packages = policies.by_package()
    for control in library:
        source = packages.get(control.policy)
        if source is None:
            raise InputError(
                f"{control.path}: policy: package {control.policy!r} not found in {policies.root}"
            )
        expected = f"{control.family.slug}/{control.id.lower().replace('-', '_')}.rego"
        if source.relpath != expected:
            raise InputError(f"{source.path}: package {control.policy} must live in {policies.root / expected}")
        if not _VIOLATIONS_RULE.search(source.text):
            raise InputError(f"{source.path}: package {control.policy} defines no 'violations' rule")
        if not _IN_SCOPE_RULE.search(source.text):
            raise InputError(
                f"{source.path}: package {control.policy} defines no 'in_scope' rule; expected a set of the "
                f"resource ids the control judged ({control.population}), so a control with nothing in scope "
                "cannot pass"
            )
        # A kind the control does not declare is never checked for presence: reading it (or a
        # misspelt kind) is undefined, no violation can fire and the control would pass.
        # Optional kinds (uses) may be read too; the policy must cope with their absence.
        for kind, line in sorted(source.input_reads().items(), key=lambda item: item[1]):
            if kind not in control.reads:
                raise InputError(
                    f"{source.path}:{line}: input.{kind}: found a read of kind {kind!r}, expected one of the "
                    f"control's evidence kinds ({', '.join(control.reads)}); declare it in {control.path} "
                    "(evidence: required, uses: optional) or read it optionally with object.get(input, ...)"
                )
    problems = [p for s in policies.runtime for p in lint(s)]
    if problems:
        raise InputError("non-portable or non-deterministic policy:\n  " + "\n  ".join(problems))


@dataclass
class Run:
    """Everything one evaluation produced."""

    run_id: str
    started_at: str
    finished_at: str
    as_of: str
    engine: dict[str, str]
    library: ControlLibrary
    evidence: EvidenceSet
    results: list[ControlResult]
    fail_on: str
    timings: dict[str, float] = field(default_factory=dict)
    mappings: MappingSet | None = None
    #: judged waivers (``auditor.waivers``; results.json's ``exceptions``) and warnings shown in every output
    waivers: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: (control id, resource) pairs already known; set by ``--baseline``
    baseline: set[tuple[str, str]] | None = None
    #: attestations in the evidence (``auditor.mappings.attestations``), judged at ``as_of`` for coverage
    attestations: list[Any] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Status}
        for r in self.results:
            counts[r.status.value] += 1
        return counts

    def exit_code(self) -> ExitCode:
        return exit_code_for(self.results, self.fail_on, self.baseline)


def exit_code_for(
    results: list[ControlResult], fail_on: str, baseline: set[tuple[str, str]] | None = None
) -> ExitCode:
    """Exit code for ``results``. Waived violations never fail; with a ``baseline``, only new violations do."""
    if any(r.status is Status.ERROR for r in results):
        return ExitCode.INTERNAL
    threshold = severity_rank(fail_on)
    for r in results:
        if severity_rank(r.control.severity) < threshold:
            continue
        if r.status is Status.INSUFFICIENT_EVIDENCE:
            return ExitCode.FAILED
        if r.status is Status.FAIL and (
            baseline is None or any((r.control.id, v.resource) not in baseline for v in r.violations)
        ):
            return ExitCode.FAILED
    return ExitCode.OK


def _violations(control: Control, value: Any) -> list[Violation]:
    if not isinstance(value, list):
        raise EngineError(f"{control.policy}.violations must be a set of objects, got {type(value).__name__}")
    found = set()
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), str) or not isinstance(
            entry.get("message"), str
        ):
            raise EngineError(
                f"{control.policy}.violations: each violation needs string 'resource' and 'message', got {entry!r}"
            )
        found.add(Violation(entry["resource"], entry["message"]))
    return sorted(found)


def _in_scope(control: Control, value: Any) -> set[str]:
    if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
        raise EngineError(
            f"{control.policy}.in_scope must be a set of resource ids (strings), got {value!r:.200}"
        )
    return set(value)


def evaluate_control(
    engine: Engine,
    control: Control,
    evidence: EvidenceSet,
    params: dict[str, Any],
    stale: Mapping[str, str] | None = None,
) -> ControlResult:
    """One control's result. ``stale`` maps a document's relpath to why it is not evidence at as_of."""
    start = time.perf_counter()
    kinds = evidence.kinds()
    used = [d.relpath for d in evidence.documents if d.kind in control.reads]

    def result(
        status: Status, reason: str, violations: list[Violation] | None = None, population: Population | None = None
    ) -> ControlResult:
        return ControlResult(
            control=control,
            status=status,
            reason=reason,
            violations=violations or [],
            duration_ms=round((time.perf_counter() - start) * 1000, 3),
            parameters=params,
            evidence=used,
            population=population,
        )

    absent = [k for k in control.evidence if kinds.get(k, 0) == 0]  # only required kinds; uses are optional
    if absent:
        what = ", ".join(absent)
        return result(Status.INSUFFICIENT_EVIDENCE, f"no evidence items of kind: {what}")
    read = control.reads
    outdated = [reason for d in evidence.documents if d.kind in read and (reason := (stale or {}).get(d.relpath))]
    if outdated:
        return result(Status.INSUFFICIENT_EVIDENCE, "evidence not current: " + "; ".join(outdated))
    try:
        # One query for both rules: the helper rules they share are evaluated once.
        values = engine.query_rules(control.policy, ("violations", "in_scope"))
        for rule in ("violations", "in_scope"):
            if values.get(rule) is None:
                raise EngineError(f"{control.policy}.{rule} is undefined")
        violations = _violations(control, values["violations"])
        in_scope = _in_scope(control, values["in_scope"])
    except EngineError as exc:
        return result(Status.ERROR, exc.message)
    failing = {v.resource for v in violations}
    judged = in_scope | failing
    population = Population(in_scope=len(judged), passed=len(judged - failing))
    if violations:
        n = len(violations)
        return result(Status.FAIL, f"{n} violation{'s' if n != 1 else ''}", violations, population)
    if not judged:
        return result(Status.INSUFFICIENT_EVIDENCE, f"no {control.population} in the evidence", population=population)
    incomplete = sorted(
        {f"{d.relpath} ({len(d.errors)} collection error{'s' if len(d.errors) != 1 else ''})"
         for d in evidence.documents if d.kind in read and d.errors}
    )
    if incomplete:
        reason = "evidence incomplete: " + "; ".join(incomplete)
        return result(Status.INSUFFICIENT_EVIDENCE, reason, population=population)
    return result(Status.PASS, "no violations", population=population)


def engine_failed(control: Control, evidence: EvidenceSet, params: dict[str, Any], message: str) -> ControlResult:
    """The result of a control the engine could not evaluate at all."""
    return ControlResult(
        control=control,
        status=Status.ERROR,
        reason=f"engine failed: {message}",
        violations=[],
        duration_ms=0.0,
        parameters=params,
        evidence=[d.relpath for d in evidence.documents if d.kind in control.reads],
    )


def evaluate(
    library: ControlLibrary,
    policies: PolicySet,
    evidence: EvidenceSet,
    engine: Engine,
    *,
    fail_on: str = DEFAULT_FAIL_ON,
    as_of: str | None = None,
    on_control: Callable[[ControlResult], None] | None = None,
    mappings: MappingSet | None = None,
    waivers: WaiverSet | None = None,
    freshness: Freshness | None = None,
    jobs: int | None = None,
    limits: Limits | None = None,
    durations: Mapping[str, float] | None = None,
    baseline: Baseline | None = None,
    consume: bool = False,
    projection: bool = True,
) -> Run:
    """Evaluate every control of ``library``.

    ``waivers`` and ``baseline`` are both inputs: matching violations become ``waived``,
    and with a baseline only violations absent from it fail the exit code (a baseline taken from
    other evidence or another profile is refused, exit 2). ``consume``: the caller hands ``evidence``
    over (as :func:`auditor.pipeline.evaluate_evidence` does with the set it loaded), so its
    serialised items are dropped once the engine holds them, to keep peak memory down; by default
    the caller's set is left whole and can be evaluated again.

    ``freshness``: maximum evidence ages (default: those the bundled schemas declare); ``jobs``:
    worker processes (default: one per available core); ``limits``: each control's time and memory
    (default: :class:`auditor.workers.Limits`); ``durations``: control id -> milliseconds from an
    earlier run (:func:`durations_from`), to start the longest first. Workers and limits only apply to
    an engine that can be forked; others evaluate in this process. ``projection``: give the engine only
    the fields the policies may read (:mod:`auditor.evidence.projection`; results do not change).
    """
    started = datetime.now(UTC)
    check_policies(library, policies)
    if as_of is not None:
        try:
            as_of = format_time(parse_time(as_of))
        except ValueError:
            raise InputError(f"--as-of: found {as_of!r}, expected an RFC 3339 date-time") from None
    as_of = as_of or evidence.as_of()
    timings: dict[str, float] = {}
    stale = (freshness or default_limits(SchemaSet())).judge(evidence.documents, as_of)

    # An engine that cannot load the policies or take the input (a remote server down, a
    # compiler rejecting a policy) fails every control: nothing can be claimed, exit code 3.
    engine_failure: str | None = None
    t0 = time.perf_counter()
    try:
        engine.load(policies.runtime, {"params": library.params_document(), "audit": {"as_of": as_of}})
    except EngineError as exc:
        engine_failure = exc.message
    timings["load_policies"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    # Waivers compare requester and approver as persons: index identities before the copies go.
    people = None
    if waivers is not None:
        from auditor.waivers import people_for

        people = people_for(waivers, evidence)
    # attestations cover clauses no control decides (results.json ``coverage``); read before the copies go
    attestations: list[Any] = []
    if mappings is not None:
        from auditor.mappings.attestations import attestations_in

        attestations = attestations_in(evidence, mappings.catalogs)
    if engine_failure is None:
        engine_failure = _set_input(engine, library, policies, evidence, projection, consume, timings)
    if consume:
        evidence.release()  # the per-document copies are no longer needed once the engine holds the input
    timings["set_input"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    results = []
    if engine_failure is None and engine.forkable and can_fork():
        results = _evaluate_forked(
            engine, library, evidence, jobs or available_cores(), limits or Limits(), durations or {}, on_control, stale
        )
    else:
        for control in library:
            if engine_failure is None:
                outcome = evaluate_control(engine, control, evidence, library.params(control.id), stale)
            else:
                outcome = engine_failed(control, evidence, library.params(control.id), engine_failure)
            results.append(outcome)
            if on_control:
                on_control(outcome)
    timings["query"] = time.perf_counter() - t0

    judged: list[dict[str, Any]] = []
    warnings: list[str] = []
    if waivers is not None:
        from auditor.waivers import apply_waivers

        judged, warnings = apply_waivers(results, waivers, as_of, people)

    run = Run(
        run_id=f"{started.strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:8]}",
        started_at=format_time(started),
        finished_at=format_time(datetime.now(UTC)),
        as_of=as_of,
        engine={**engine.describe(), "auditor": __version__},
        library=library,
        evidence=evidence,
        results=results,
        fail_on=fail_on,
        timings=timings,
        mappings=mappings,
        waivers=judged,
        warnings=warnings,
        attestations=attestations,
    )
    if baseline is not None:
        from auditor.results import profile_section

        baseline.check_origin(profile_section(run).get("profile"), [(d.kind, d.source) for d in evidence.documents])
        run.baseline = set(baseline.pairs)
    return run


def release_free_memory() -> None:
    """Hand memory the process has freed back to the system (glibc's ``malloc_trim``; elsewhere nothing).

    Loading leaves freed blocks inside the C heap (15-20 MB measured at 170k items); returning them
    before the engine parses the input lowers the run's peak by as much.
    """
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        trim = getattr(libc, "malloc_trim", None)
    except OSError:
        return
    if trim is not None:
        trim(0)


def projection_of(library: ControlLibrary, policies: PolicySet) -> Projection:
    """The projection :func:`evaluate` gives the engine for ``library``'s controls; pass it to
    :func:`auditor.evidence.load_evidence` to hold only those fields from the start.

    Remembered by what it is derived from (the policies' texts, the kinds each reads, the parameters), so
    loading and evaluating one run scan the policies once (0.2 s and more)."""
    reads = {control.policy: control.reads for control in library}
    params = library.params_document()
    sources = policies.runtime
    key = hashlib.sha256(orjson.dumps(
        [[(s.relpath, s.package, s.text) for s in sources], sorted((k, list(v)) for k, v in reads.items()), params],
        default=str, option=orjson.OPT_SORT_KEYS)).hexdigest()
    known = _PROJECTIONS.get(key)
    if known is None:
        known = _PROJECTIONS[key] = projection_for(sources, reads, params)
        while len(_PROJECTIONS) > 8:
            del _PROJECTIONS[next(iter(_PROJECTIONS))]
    return known


#: projections computed in this process, by the digest of what they are derived from (a few libraries at most)
_PROJECTIONS: dict[str, Projection] = {}


def _set_input(
    engine: Engine,
    library: ControlLibrary,
    policies: PolicySet,
    evidence: EvidenceSet,
    projection: bool,
    consume: bool,
    timings: dict[str, float],
) -> str | None:
    """Give the engine the evidence (projected), through a private temporary file; the failure, or None.

    The payload is written one document at a time (with ``consume``, each document's serialised items
    released as it is written), and the engine parses the file itself: the payload is never held in memory beside
    the documents' copies or the engine's parse of it.
    """
    t0 = time.perf_counter()
    chosen = projection_of(library, policies) if projection else NONE
    if evidence.projection.active and not evidence.projection.covers(chosen):
        raise ValueError("the evidence was loaded projected without fields these policies may read")
    with tempfile.NamedTemporaryFile(prefix="auditor-input-", suffix=".json") as handle:
        timings["input_bytes"] = float(evidence.write_input(handle, chosen, release=consume))
        handle.flush()
        timings["write_input"] = time.perf_counter() - t0
        release_free_memory()  # what loading and the released items freed, before the engine's parse
        try:
            engine.set_input_file(Path(handle.name))
        except EngineError as exc:
            return exc.message
    return None


def schedule(library: ControlLibrary, evidence: EvidenceSet, durations: Mapping[str, float]) -> list[Control]:
    """The controls, longest first: by an earlier run's duration, else by the items of the kinds they read.

    A control without a recorded duration (new, or no earlier run) goes before those with one,
    ordered by its static estimate: the number of evidence items of its kinds (``evidence`` and
    ``uses``), which is what each control's work grows with. Ties keep the library's order.
    """
    counts = evidence.kinds()
    controls = list(library)

    def estimate(control: Control) -> tuple[int, float]:
        if control.id in durations:
            return (0, durations[control.id])
        kinds = {*control.evidence, *getattr(control, "uses", ())}
        return (1, float(sum(counts.get(k, 0) for k in kinds)))

    return sorted(controls, key=estimate, reverse=True)  # stable: ties keep the library's order


def _evaluate_forked(
    engine: Engine,
    library: ControlLibrary,
    evidence: EvidenceSet,
    jobs: int,
    limits: Limits,
    durations: Mapping[str, float],
    on_control: Callable[[ControlResult], None] | None,
    stale: Mapping[str, str],
) -> list[ControlResult]:
    """Each control in a worker forked from this process (the engine already holds the input)."""
    order = schedule(library, evidence, durations)
    started: dict[int, float] = {}

    def work(control: Control) -> ControlResult:
        return evaluate_control(engine, control, evidence, library.params(control.id), stale)

    def settle(index: int, outcome: ControlResult | Failed) -> ControlResult:
        control = order[index]
        if isinstance(outcome, Failed):
            failed = engine_failed(control, evidence, library.params(control.id), outcome.reason)
            elapsed = round((time.perf_counter() - started.get(index, time.perf_counter())) * 1000, 3)
            return dataclasses.replace(failed, reason=outcome.reason, duration_ms=elapsed)
        return dataclasses.replace(outcome, control=control)  # this process's Control, not the child's copy

    settled: dict[str, ControlResult] = {}

    def done(index: int, outcome: ControlResult | Failed) -> None:
        result = settle(index, outcome)
        settled[result.control.id] = result
        if on_control:
            on_control(result)

    def start(index: int) -> None:
        started[index] = time.perf_counter()

    run_forked(work, order, jobs=jobs, limits=limits, on_start=start, on_done=done)
    return [settled[control.id] for control in library]


def durations_from(path: Path) -> dict[str, float]:
    """Control id -> ``duration_ms`` from an earlier results.json (the schedule's estimates), read and
    checked like every results.json a command starts from (exit 2 naming the field)."""
    from auditor.results_model import Results

    return {control.id: float(control.duration_ms) for control in Results.read(path).controls}
