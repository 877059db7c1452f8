"""The pipeline as a library: evidence -> results -> formats -> reports -> signed pack -> locker.

Example: the whole of ``auditor run`` from Python, then its pack verified::

    from pathlib import Path

    from auditor import pipeline
    from auditor.pack.verify import verify_pack

    settings = pipeline.RunSettings(
        evidence=Path("evidence"),
        out_dir=Path("out"),
        checks=pipeline.CheckOptions(waivers=Path("waivers.yaml")),
        packing=pipeline.PackOptions(key=Path("keys/auditor.pem")),
    )
    outcome = pipeline.run(settings)
    print(outcome.results.results.counts(), int(outcome.exit_code))
    assert verify_pack(outcome.pack.path).valid

Or stage by stage (each a plain function over the typed settings of :mod:`auditor.pipeline.settings`)::

    run = pipeline.evaluate_evidence(Path("evidence"), pipeline.Sources(), pipeline.EvaluationOptions())
    written = pipeline.write_results(run, Path("out/results.json"))       # written once
    reports = pipeline.write_reports(written, Path("out"), evidence=Path("evidence"))
    pack = pipeline.write_pack(written, Path("evidence"), pipeline.Sources(), Path("out/pack.zip"),
                               pipeline.PackOptions(key=Path("keys/auditor.pem")), reports=reports[:2])

Progress and messages go to a :class:`Progress` (silent by default); errors a user can cause raise
:class:`auditor.errors.InputError` (exit 2 on the CLI). Nothing here imports click: the CLI
(``auditor.cli``) only turns options into these settings and prints. See docs/api.md and
docs/architecture.md.
"""

from __future__ import annotations

from auditor.pipeline.evaluation import evaluate_evidence
from auditor.pipeline.outputs import write_reports, write_results
from auditor.pipeline.packing import write_pack
from auditor.pipeline.progress import Progress, Recorder
from auditor.pipeline.run import RunOutcome, RunSettings, collect_alongside, run
from auditor.pipeline.settings import CheckOptions, EvaluationOptions, PackOptions, Sources

__all__ = [
    "CheckOptions",
    "EvaluationOptions",
    "PackOptions",
    "Progress",
    "Recorder",
    "RunOutcome",
    "RunSettings",
    "Sources",
    "collect_alongside",
    "evaluate_evidence",
    "run",
    "write_pack",
    "write_reports",
    "write_results",
]
