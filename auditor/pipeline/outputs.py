"""``Run -> results.json -> formats -> reports``: written once, everything after rendered from memory."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.pipeline.progress import SILENT, Progress

if TYPE_CHECKING:
    from auditor.evaluate import Run
    from auditor.mappings.load import MappingSet
    from auditor.report.outputs import FormatRequest
    from auditor.results import WrittenResults


def canonical(value: Any) -> Any:
    """``value`` as results.json holds it once written: mappings with sorted keys, sequences as lists.

    So a report rendered from the run in memory sees exactly what it would read from the file.
    """
    if isinstance(value, dict):
        return {key: canonical(value[key]) for key in sorted(value)}
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    return value


def write_results(run: Run, path: Path, formats: Iterable[FormatRequest] = (), default_dir: Path | None = None,
                  progress: Progress = SILENT) -> WrittenResults:
    """Write results.json (atomically) and every requested format; append the step summary on GitHub.

    Returns the results as written, which the reports, the pack and the locker take from here on.
    """
    from auditor.files import pretty_json, write_atomic
    from auditor.report.outputs import append_step_summary, write_outputs
    from auditor.results import WrittenResults, results_document

    document = canonical(results_document(run))
    raw = pretty_json(document)
    write_atomic(path, raw)
    written = WrittenResults(Path(path), raw, document)
    for output in write_outputs(written.results, list(formats), default_dir or Path(path).parent):
        progress.note(f"output: {output}")
    summary = append_step_summary(written.results)
    if summary is not None:
        progress.note(f"step summary: appended to {summary}")
    for warning in run.warnings:
        progress.warning(warning)
    baseline = written.results.baseline
    if baseline is not None:
        progress.note(f"baseline: {baseline['new']} new, {baseline['known']} known violations")
    return written


def write_reports(results: WrittenResults, out_dir: Path, *, org: str | None = None, mappings: Path | None = None,
                  locker: Path | None = None, pack: Path | None = None, packed_into: str | None = None,
                  evidence: Path | None = None, development: bool = False, period_days: int | None = None,
                  since: str | None = None, catalogs: MappingSet | None = None) -> list[Path]:
    """Write ``evidence-report.pdf``, ``board.pdf`` and ``board.md`` into ``out_dir``.

    ``evidence`` is the folder the run evaluated (service, SLO, incident, change and model documents);
    ``locker`` gives the board's trend; ``pack`` an existing pack to describe, or ``packed_into`` the name
    of the pack the reports will go into, ``development`` whether it will be development-signed;
    ``period_days``/``since`` the reporting period; ``catalogs`` the (layered) mapping set, else ``mappings``'.
    """
    from auditor.content import default_dir
    from auditor.files import write_atomic
    from auditor.organisation import report_organisation
    from auditor.report.board import PackNote, build_board, render_board_pdf
    from auditor.report.board_markdown import render_board_markdown
    from auditor.report.evidence_report import write_evidence_report
    from auditor.report.figures import load_catalogs
    from auditor.report.history import load_history
    from auditor.report.pack_info import read_pack_info
    from auditor.report.period import report_period
    from auditor.report.service_facts import read_report_evidence

    typed = results.results
    name = report_organisation(typed, org, str(results.path))
    period = report_period(typed, period_days, since)
    if catalogs is None:
        catalogs = load_catalogs(mappings or default_dir("mappings"))
    pack_info = read_pack_info(pack) if pack else None
    history = load_history(locker) if locker else []
    documents = read_report_evidence(typed, evidence)
    if pack_info is not None:
        note: PackNote | None = PackNote(pack_info.path.name, pack_info.sha256, pack_info.development,
                                         pack_info.signed)
    else:
        note = PackNote(packed_into, development=development) if packed_into else None
    evidence_pdf = write_evidence_report(typed, out_dir / "evidence-report.pdf", org=name, pack=pack_info,
                                         catalogs=catalogs, packed_into=packed_into, evidence=documents,
                                         period=period)
    summary = build_board(typed, history=history, catalogs=catalogs, org=name, evidence=documents, pack=note,
                          period=period)
    write_atomic(out_dir / "board.pdf", render_board_pdf(summary))
    write_atomic(out_dir / "board.md", render_board_markdown(summary))
    return [evidence_pdf, out_dir / "board.pdf", out_dir / "board.md"]
