"""``auditor run`` as one function: (collect) -> evaluate -> results -> formats -> reports -> pack -> locker."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.errors import ExitCode, InputError
from auditor.pipeline.evaluation import evaluate_evidence
from auditor.pipeline.outputs import write_reports, write_results
from auditor.pipeline.packing import write_pack
from auditor.pipeline.progress import SILENT, Progress
from auditor.pipeline.settings import CheckOptions, EvaluationOptions, PackOptions, Sources

if TYPE_CHECKING:
    from auditor.evaluate import Run
    from auditor.pack.build import PackResult
    from auditor.results import WrittenResults

#: The organisation of the bundled demo evidence, named on its reports.


@dataclass
class RunSettings:
    """Everything ``auditor run`` takes. ``evidence=None``: the bundled demo organisation.

    ``collect``: collectors to run first (``git``: the history of ``repo``'s ``branch``), written with a
    copy of ``evidence`` into ``out_dir/evidence/`` and evaluated with it.
    """

    evidence: Path | None = None
    out_dir: Path = Path("out")
    sources: Sources = field(default_factory=Sources)
    evaluation: EvaluationOptions = field(default_factory=EvaluationOptions)
    checks: CheckOptions = field(default_factory=CheckOptions)
    packing: PackOptions = field(default_factory=PackOptions)
    org: str | None = None
    collect: tuple[str, ...] = ()
    repo: Path = Path()
    branch: str | None = None
    #: the reporting period incidents and changes are counted over, ending at as_of: the last
    #: ``period_days`` days (default 90), or from ``since`` (a date); never both
    period_days: int | None = None
    since: str | None = None


@dataclass
class RunOutcome:
    """What a run produced: the evaluation, results.json as written, the reports and the pack."""

    run: Run
    evidence: Path
    results: WrittenResults
    reports: list[Path]
    pack: PackResult | None

    @property
    def exit_code(self) -> ExitCode:
        return self.run.exit_code()


def describe_written(path: Path) -> list[str]:
    """What a collector wrote to ``path``: its kind, item count and first collection failures, as lines."""
    import orjson

    doc = orjson.loads(path.read_bytes())
    errors = doc.get("errors", [])
    note = f", {len(errors)} collection error{'s' if len(errors) != 1 else ''}" if errors else ""
    lines = [f"{path}: {doc['kind']}: {doc['item_count']} items{note}"]
    lines += [f"  error: {e['scope']}: {e.get('code', '')}: {e['message']}" for e in errors[:10]]
    if len(errors) > 10:
        lines.append(f"  ... and {len(errors) - 10} more (see {path})")
    return lines


def collect_alongside(evidence: Path, target: Path, repo: Path, branch: str | None = None,
                      progress: Progress = SILENT) -> Path:
    """Copy ``evidence`` into ``target`` (replacing it) and collect git history from ``repo`` into
    ``target/collected/``; returns ``target`` for evaluation."""
    import shutil

    from auditor.collect.base import Clock
    from auditor.collect.git import GitCollector

    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(evidence, target)
    for path in GitCollector(repo, branch, clock=Clock.from_env()).write(target / "collected"):
        for line in describe_written(path):
            progress.note(line)
    return target


def run(settings: RunSettings, progress: Progress = SILENT) -> RunOutcome:
    """The main job, start to end; bad input raises :class:`auditor.errors.InputError` before anything is written.

    Exit code of the run: ``outcome.exit_code`` (0 pass, 1 failing at or above fail_on, 3 engine error).
    """
    from auditor.content import demo_evidence_dir

    evidence, org = settings.evidence, settings.org
    if evidence is None:
        evidence = demo_evidence_dir()
        progress.note(f"evidence: bundled demo organisation ({evidence})")
    if settings.collect:
        unknown = sorted(set(settings.collect) - {"git"})
        if unknown:
            raise InputError(f"collect: found {', '.join(unknown)}, expected git")
        evidence = collect_alongside(evidence, settings.out_dir / "evidence", settings.repo, settings.branch, progress)
    elif settings.branch:
        raise InputError("--branch applies to --collect git")
    result = evaluate_evidence(evidence, settings.sources, settings.evaluation, settings.checks, progress)
    out_dir = settings.out_dir
    written = write_results(result, out_dir / "results.json", settings.checks.formats, out_dir, progress)
    progress.results_written(result, written)
    packing = settings.packing
    pack_path = out_dir / "pack.zip"
    locker = packing.locker if packing.locker and packing.locker.is_dir() else None
    reports = write_reports(written, out_dir, org=org, mappings=settings.sources.mappings, locker=locker,
                            packed_into=pack_path.name if packing.pack else None, evidence=evidence,
                            development=packing.development, period_days=settings.period_days,
                            since=settings.since, catalogs=result.mappings)
    progress.note(f"reports: {', '.join(str(p) for p in reports)}")
    pack = None
    if packing.pack:
        pack = write_pack(written, evidence, settings.sources, pack_path, packing,
                          reports=[p for p in reports if p.suffix == ".pdf"], allow_development=True,
                          progress=progress, schemas=settings.evaluation.schemas)
    return RunOutcome(result, evidence, written, reports, pack)
