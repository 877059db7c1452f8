"""Load everything a run needs, check it against itself, then evaluate: ``evidence folder -> Run``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.pipeline.progress import SILENT, Progress
from auditor.pipeline.settings import CheckOptions, EvaluationOptions, Sources

if TYPE_CHECKING:
    from auditor.controls import ControlLibrary
    from auditor.evaluate import Run
    from auditor.evidence import SchemaSet
    from auditor.evidence.freshness import Freshness
    from auditor.mappings.load import MappingSet
    from auditor.policies import PolicySet


def schema_places(extra: tuple[Path, ...]) -> str:
    """Where evidence schemas came from, for messages."""
    return "the bundled schemas" + "".join(f" or {d}" for d in extra)


@dataclass(frozen=True)
class CheckedLibrary:
    """The control library with everything it names found and consistent: every required evidence kind
    has a schema, every control's policy exists, the mappings name real controls, and the parameters'
    ``freshness:`` limits are valid."""

    library: ControlLibrary
    policies: PolicySet
    mappings: MappingSet | None
    schemas: SchemaSet
    freshness: Freshness


def check_library(sources: Sources, schemas: tuple[Path, ...] = ()) -> CheckedLibrary:
    """Load the library of ``sources`` and check it against itself (``auditor controls validate``, and the
    start of every run); ``schemas`` are extra evidence schema folders. Exit 2 naming the fault."""
    from auditor.controls import check_evidence_kinds
    from auditor.evaluate import check_policies
    from auditor.evidence import SchemaSet
    from auditor.evidence.freshness import load_freshness

    library = sources.library()
    schema_set = SchemaSet(*schemas)
    check_evidence_kinds(library, schema_set.kinds, schema_places(schemas))
    policies = sources.policy_set()
    check_policies(library, policies)
    mappings = sources.mapping_set(library)
    return CheckedLibrary(library, policies, mappings, schema_set, load_freshness(sources.params, schema_set))


def narrow_to_changed(library: ControlLibrary, policies: PolicySet, schema_dirs: list[Path], base: str | None,
                      progress: Progress = SILENT) -> ControlLibrary:
    """The controls a change touched since ``base`` (possibly none): ``--changed-only``."""
    from auditor.changed import select_changed

    selection = select_changed(library, policies, schema_dirs, base)
    if not selection.ids:
        progress.note(f"changed-only: no control changed since {selection.base}; nothing to evaluate")
    else:
        progress.note(f"changed-only: {len(selection.ids)} of {len(library)} controls changed since "
                      f"{selection.base}: {', '.join(selection.ids)}")
    return library.select(selection.ids)


def evaluate_evidence(
    evidence: Path,
    sources: Sources | None = None,
    evaluation: EvaluationOptions | None = None,
    checks: CheckOptions | None = None,
    progress: Progress = SILENT,
) -> Run:
    """Load and cross-check the library, waivers, baseline and evidence, then evaluate every control.

    The evidence set is loaded here and handed to :func:`auditor.evaluate.evaluate` to consume (its
    serialised items are dropped once the engine holds them); nothing of the caller's is emptied.
    Bad input raises :class:`auditor.errors.InputError` (exit 2).
    """
    from auditor.baseline import Baseline
    from auditor.engine import create
    from auditor.evaluate import evaluate, projection_of
    from auditor.evidence import load_evidence
    from auditor.evidence.secrets import REDACT, REFUSE, secrets_mode

    sources = sources or Sources()
    evaluation = evaluation or EvaluationOptions()
    checks = checks or CheckOptions()
    checked = check_library(sources, evaluation.schemas)
    library, policy_set, mappings = checked.library, checked.policies, checked.mappings
    waivers = None
    if checks.waivers is not None:
        from auditor.waivers import load_waivers

        waivers = load_waivers(checks.waivers, library)
    baseline = Baseline.read(checks.baseline) if checks.baseline is not None else None
    if checks.changed_only:
        from auditor.content import schemas_dir

        library = narrow_to_changed(library, policy_set, [schemas_dir(), *evaluation.schemas], checks.base, progress)
    # Each document is held after validation with only the fields the policies may read.
    projection = projection_of(library, policy_set)
    with secrets_mode(REDACT if evaluation.redact_secrets else REFUSE):
        evidence_set = load_evidence(evidence, checked.schemas, projection=projection)
    backend = create(evaluation.engine, **evaluation.engine_options)
    with progress.evaluating(len(library)) as advance:
        return evaluate(
            library, policy_set, evidence_set, backend,
            fail_on=evaluation.fail_on, as_of=evaluation.as_of, on_control=advance, mappings=mappings,
            waivers=waivers, baseline=baseline, freshness=checked.freshness, consume=True,
            **evaluation.worker_options(),
        )
