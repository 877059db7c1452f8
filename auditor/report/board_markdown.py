"""The board summary as Markdown, for pipelines (job summaries) and chat.

Renders the same :class:`auditor.report.board.BoardSummary` the PDF uses, from the same row
builders, so every number on the PDF is in ``board.md`` and the other way round.
"""

from __future__ import annotations

from auditor.organisation import UNNAMED, UNNAMED_NOTE
from auditor.report.board import (
    DECISIONS_SHOWN,
    FRAMEWORK_HEADER,
    FRAMEWORK_NOTE,
    MODEL_HEADER,
    RISK_HEADER,
    SERVICE_HEADER,
    SERVICE_NOTE,
    BoardSummary,
    cover_flag,
    excluded_sentence,
    framework_rows,
    gaps_sentences,
    model_rows,
    models_more,
    period_line,
    risk_rows,
    service_rows,
    services_more,
    verify_sentence,
)


def _cell(text: object) -> str:
    """Table-safe text: no pipes or newlines breaking the row."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return (["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            + ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows])


def render_board_markdown(summary: BoardSummary) -> str:
    s = summary
    lines = [f"# Compliance proof points: {s.org}", "",
             f"Run `{s.run_id}`, evidence as of {s.as_of[:10] or 'unknown'}.", ""]
    if s.org == UNNAMED:
        lines += [UNNAMED_NOTE, ""]
    if cover_flag(s):
        lines += [f"**{cover_flag(s)}**", ""]
    lines += [
        f"**{s.pass_share * 100:.0f}% of controls pass** ({s.passing} of {s.total}) | "
        f"**{len(s.critical_not_met)} critical controls not met** | since the last run: {s.direction_short()}",
        "", s.headline(), "", "## Services", "",
    ]
    if s.services is None:
        lines.append("The run read no service catalogue (services evidence), so no service headline can be shown.")
    elif not s.services:
        lines.append("The service catalogue lists no service.")
    else:
        lines += _table(SERVICE_HEADER, service_rows(s))
        if services_more(s):
            lines += ["", services_more(s)]
        lines += ["", f"_{period_line(s)} {SERVICE_NOTE}_"]
    lines += ["", "### Error budgets", "", s.budget_sentence(), "", "### Trend", "", s.trend_sentence(), "",
              "### How to verify", "", verify_sentence(s), "", "## Controls mapped to standards", ""]
    if s.frameworks:
        lines += _table(FRAMEWORK_HEADER, framework_rows(s))
        lines += ["", f"_{' '.join(filter(None, [FRAMEWORK_NOTE, excluded_sentence(s)]))}_"]
    else:
        lines.append("No framework catalogs or mappings were available, so clause coverage cannot be shown.")
    lines += ["", "## AI proof points", "", s.models_sentence()]
    if s.models:
        lines += ["", *_table(MODEL_HEADER, model_rows(s))]
        if models_more(s):
            lines += ["", models_more(s)]
    lines += ["", "## Top risks", ""]
    lines += _table(RISK_HEADER, risk_rows(s)) if s.top_risks else ["No control is failing."]
    lines += ["", "## Decisions asked of the board", ""]
    if s.decisions:
        lines += [f"{n}. {_cell(d.ask)}" for n, d in enumerate(s.decisions[:DECISIONS_SHOWN], 1)]
    else:
        lines.append("None: no critical control, exhausted error budget or missing AI proof point needs a decision.")
    lines += ["", "### Gaps", ""]
    for gap in gaps_sentences(s):
        lines += [_cell(gap), ""]
    return "\n".join(lines)
