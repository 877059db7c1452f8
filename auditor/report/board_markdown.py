"""The board summary as Markdown, for pipelines (job summaries) and chat.

Renders the same :class:`auditor.report.board.BoardSummary` the PDF uses.
"""

from __future__ import annotations

from auditor.report.board import EXPIRY_WINDOW_DAYS, LIST_LIMIT, BoardSummary, _days
from auditor.report.figures import percent


def _cell(text: object) -> str:
    """Table-safe text: no pipes or newlines breaking the row."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _bar(share: float | None, width: int = 20) -> str:
    filled = round((share or 0) * width)
    return "#" * filled + "." * (width - filled)


def render_board_markdown(summary: BoardSummary) -> str:
    s = summary
    lines = [
        f"# Compliance proof points: {s.org}",
        "",
        f"Run `{s.run_id}`, evidence as of {s.as_of[:10] or 'unknown'}.",
        "",
        f"**{s.pass_share * 100:.0f}% of controls pass** ({s.passing} of {s.total}) | "
        f"**{len(s.critical_not_met)} critical controls not met** | since the last run: {s.direction_short()}",
        "",
        s.headline(),
        "",
        "## Frameworks",
        "",
    ]
    if s.frameworks:
        lines += ["| Framework | Clauses covered | Covered clauses passing |", "|---|---|---|"]
        for f in s.frameworks:
            total = "?" if f.total_clauses is None else str(f.total_clauses)
            lines.append(f"| {_cell(f.name)} | {f.covered} of {total} ({percent(f.coverage)}) | "
                         f"{f.passing} of {f.covered} ({percent(f.pass_rate)}) |")
    else:
        lines.append("No framework catalogs or mappings were available.")
    lines += ["", "## Trend", ""]
    if len(s.trend) >= 2:
        lines += ["```"] + [f"{(p.finished_at[:10] or p.run_id):<10}  {_bar(p.pass_share)}  "
                            f"{p.pass_share * 100:3.0f}%" for p in s.trend] + ["```"]
    else:
        lines.append("No history yet: the trend appears once the evidence locker holds earlier runs.")
    lines += ["", "## Top risks", ""]
    if s.top_risks:
        lines += ["| Control | Severity | Owner | Impact | Population |", "|---|---|---|---|---|"]
        lines += [f"| {_cell(r.id)} {_cell(r.title)} | {r.severity} | {_cell(r.owner)} | {_cell(r.impact)} | "
                  f"{_cell(r.population)} |" for r in s.top_risks]
    else:
        lines.append("No control is failing.")
    lines += ["", "## Exceptions and gaps", ""]
    if s.expiring:
        lines.append(f"Exceptions expiring within {EXPIRY_WINDOW_DAYS} days:")
        lines.append("")
        lines += [f"- {_cell(e.id)} ({_cell(e.control)}): {e.expires}, {_days(e)}" for e in s.expiring[:LIST_LIMIT]]
        if len(s.expiring) > LIST_LIMIT:
            lines.append(f"- ... and {len(s.expiring) - LIST_LIMIT} more")
    else:
        lines.append(f"No exception expires within {EXPIRY_WINDOW_DAYS} days.")
    lines.append("")
    if s.insufficient:
        names = ", ".join(r.id for r in s.insufficient[:LIST_LIMIT * 2])
        more = f" and {len(s.insufficient) - LIST_LIMIT * 2} more" if len(s.insufficient) > LIST_LIMIT * 2 else ""
        lines.append(f"{len(s.insufficient)} controls cannot be proven for lack of evidence: {names}{more}.")
    else:
        lines.append("Every control had the evidence it needs.")
    if s.disabled:
        lines += ["", _cell(s.disabled_sentence())]
    lines += ["", "## Error budget", "", s.error_budget.sentence(), ""]
    if s.populations:
        lines += ["## Populations", "", "| Control | Population |", "|---|---|"]
        lines += [f"| {_cell(cid)} | {_cell(text)} |" for cid, text in s.populations]
        lines.append("")
    return "\n".join(lines)
