"""``Run -> results.json -> formats -> reports``: written once, everything after rendered from memory."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.pipeline.progress import SILENT, Progress

if TYPE_CHECKING:
    from auditor.evaluate import Run
    from auditor.mappings.load import MappingSet
    from auditor.report.board import BoardSummary, PackNote
    from auditor.report.outputs import FormatRequest
    from auditor.report.pack_info import PackInfo
    from auditor.report.period import ReportPeriod
    from auditor.report.service_facts import ReportEvidence
    from auditor.results import WrittenResults
    from auditor.results_model import Results


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


@dataclass(frozen=True)
class ReportInputs:
    """Everything the evidence report and the board read besides the results themselves.

    Built once by :func:`report_inputs` (for ``auditor run`` and ``auditor report ...`` alike), so both
    reports of a run name the same organisation, period, catalogs, evidence documents and pack.
    """

    results: Results
    org: str
    period: ReportPeriod
    catalogs: MappingSet | None
    evidence: ReportEvidence
    #: an existing pack to describe (its digest and signer)
    pack: PackInfo | None = None
    #: the name of the pack the reports will go into (``auditor run``), and whether it is development-signed
    packed_into: str | None = None
    development: bool = False

    @property
    def pack_note(self) -> PackNote | None:
        """The board's verification note: the pack described, or the one the reports go into."""
        from auditor.report.board import PackNote

        if self.pack is not None:
            return PackNote(self.pack.path.name, self.pack.sha256, self.pack.development, self.pack.signed)
        return PackNote(self.packed_into, development=self.development) if self.packed_into else None


def report_inputs(results: Results, where: Path, *, org: str | None = None, mappings: Path | None = None,
                  catalogs: MappingSet | None = None, pack: Path | None = None, packed_into: str | None = None,
                  evidence: Path | None = None, development: bool = False, period_days: int | None = None,
                  since: str | None = None) -> ReportInputs:
    """The report inputs of ``results`` (read from ``where``).

    ``evidence`` is the folder the run evaluated (service, SLO, incident, change and model documents);
    ``pack`` an existing pack to describe, or ``packed_into`` the name of the pack the reports will go
    into, ``development`` whether it will be development-signed; ``period_days``/``since`` the reporting
    period; ``catalogs`` the (layered) mapping set, else ``mappings``' (default: ./mappings or bundled).
    """
    from auditor.content import default_dir
    from auditor.organisation import report_organisation
    from auditor.report.figures import load_catalogs
    from auditor.report.pack_info import read_pack_info
    from auditor.report.period import report_period
    from auditor.report.service_facts import read_report_evidence

    return ReportInputs(
        results=results,
        org=report_organisation(results, org, str(where)),
        period=report_period(results, period_days, since),
        catalogs=catalogs if catalogs is not None else load_catalogs(mappings or default_dir("mappings")),
        evidence=read_report_evidence(results, evidence),
        pack=read_pack_info(pack) if pack else None,
        packed_into=packed_into,
        development=development,
    )


def evidence_report(inputs: ReportInputs, out: Path) -> Path:
    """Write the auditor's evidence report (PDF) to ``out``."""
    from auditor.report.evidence_report import write_evidence_report

    return write_evidence_report(inputs.results, out, org=inputs.org, pack=inputs.pack, catalogs=inputs.catalogs,
                                 packed_into=inputs.packed_into, evidence=inputs.evidence, period=inputs.period)


def board_summary(inputs: ReportInputs, locker: Path | None = None, runs: int | None = None) -> BoardSummary:
    """The board summary, with the trend of the last ``runs`` runs recorded in ``locker``."""
    from auditor.report.board import DEFAULT_RUNS, build_board
    from auditor.report.history import load_history

    return build_board(inputs.results, history=load_history(locker) if locker else [], catalogs=inputs.catalogs,
                       org=inputs.org, runs=runs or DEFAULT_RUNS, evidence=inputs.evidence, pack=inputs.pack_note,
                       period=inputs.period)


def write_reports(results: WrittenResults, out_dir: Path, *, org: str | None = None, mappings: Path | None = None,
                  locker: Path | None = None, pack: Path | None = None, packed_into: str | None = None,
                  evidence: Path | None = None, development: bool = False, period_days: int | None = None,
                  since: str | None = None, catalogs: MappingSet | None = None) -> list[Path]:
    """Write ``evidence-report.pdf``, ``board.pdf`` and ``board.md`` into ``out_dir``.

    ``locker`` gives the board's trend; the other options are :func:`report_inputs`'.
    """
    from auditor.files import write_atomic
    from auditor.report.board import render_board_pdf
    from auditor.report.board_markdown import render_board_markdown

    inputs = report_inputs(results.results, results.path, org=org, mappings=mappings, catalogs=catalogs, pack=pack,
                           packed_into=packed_into, evidence=evidence, development=development,
                           period_days=period_days, since=since)
    evidence_pdf = evidence_report(inputs, out_dir / "evidence-report.pdf")
    summary = board_summary(inputs, locker)
    write_atomic(out_dir / "board.pdf", render_board_pdf(summary))
    write_atomic(out_dir / "board.md", render_board_markdown(summary))
    return [evidence_pdf, out_dir / "board.pdf", out_dir / "board.md"]
