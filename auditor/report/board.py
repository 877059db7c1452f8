"""The board's proof-point summary: one model, rendered as PDF (here) or Markdown.

:func:`build_board` computes everything once from results.json, the locker's
history and the framework catalogs; :func:`render_board_pdf` and
:func:`auditor.report.board_markdown.render_board_markdown` only lay it out.

Usage::

    summary = build_board(results, history=load_history(locker), catalogs=catalogs, org="Example Ltd")
    Path("board.pdf").write_bytes(render_board_pdf(summary))
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from auditor.model import SEVERITIES
from auditor.report.common import population_text
from auditor.report.disabled import disabled_controls
from auditor.report.figures import FrameworkFigure, framework_figures
from auditor.report.history import NOT_PASSING, RunPoint, run_point, with_current

if TYPE_CHECKING:
    from auditor.mappings import MappingSet

DEFAULT_TARGET = 0.1
DEFAULT_RUNS = 10
EXPIRY_WINDOW_DAYS = 30
TOP_RISKS = 5
LIST_LIMIT = 8
#: controls whose population the board lists by id (the evidence report lists every control's)
POPULATIONS_LISTED = 40


@dataclass(frozen=True)
class Risk:
    id: str
    title: str
    severity: str
    owner: str
    status: str
    impact: str
    population: str = ""


@dataclass(frozen=True)
class Expiring:
    id: str
    control: str
    expires: str
    days_left: int | None
    status: str


@dataclass(frozen=True)
class ErrorBudget:
    runs: int
    failed_runs: int
    target: float

    @property
    def share(self) -> float:
        return self.failed_runs / self.runs if self.runs else 0.0

    @property
    def within(self) -> bool:
        return self.share <= self.target

    def sentence(self) -> str:
        if self.runs == 1:
            head = (("A critical control failed" if self.failed_runs else "No critical control failed")
                    + f" in the only run recorded, against a target of at most {self.target * 100:.0f}% of runs")
        else:
            head = (f"A critical control failed in {self.failed_runs} of the last {self.runs} runs "
                    f"({self.share * 100:.0f}%), against a target of at most {self.target * 100:.0f}%")
        if self.within:
            return f"{head}: within budget, {(self.target - self.share) * 100:.0f} points to spare."
        return f"{head}: budget exceeded by {(self.share - self.target) * 100:.0f} points."


@dataclass
class BoardSummary:
    org: str
    run_id: str
    as_of: str
    finished_at: str
    total: int
    passing: int
    critical_not_met: list[Risk]
    previous: RunPoint | None
    frameworks: list[FrameworkFigure]
    trend: list[RunPoint]
    top_risks: list[Risk]
    expiring: list[Expiring]
    insufficient: list[Risk]
    error_budget: ErrorBudget
    counts: dict[str, int] = field(default_factory=dict)
    #: controls an organisation library disabled (results.json ``disabled_controls``): not evaluated
    disabled: list[dict[str, Any]] = field(default_factory=list)

    def disabled_sentence(self) -> str:
        """One sentence naming every disabled control and its reason; empty when there are none."""
        if not self.disabled:
            return ""
        n = len(self.disabled)
        listed = "; ".join(f"{d['id']} ({d['reason']})" for d in self.disabled[:LIST_LIMIT * 2])
        more = f"; and {n - LIST_LIMIT * 2} more" if n > LIST_LIMIT * 2 else ""
        return (f"{n} control{'s are' if n != 1 else ' is'} disabled by the organisation and not evaluated, "
                f"so not counted as passing: {listed}{more}.")
    #: (control id, "N of M in scope passed") for every control, in id order
    populations: list[tuple[str, str]] = field(default_factory=list)

    @property
    def pass_share(self) -> float:
        return self.passing / self.total if self.total else 0.0

    @property
    def direction_points(self) -> float | None:
        if self.previous is None:
            return None
        return (self.pass_share - self.previous.pass_share) * 100

    def direction(self) -> str:
        """Plain words: how the share of passing controls moved since the previous run."""
        points = self.direction_points
        if points is None or self.previous is None:
            return "not comparable yet: this is the first recorded run"
        since = f"since the last run ({self.previous.finished_at[:10] or self.previous.run_id})"
        if round(points) == 0:
            return f"unchanged {since}"
        word = "up" if points > 0 else "down"
        return f"{word} {abs(points):.0f} points {since}"

    def direction_short(self) -> str:
        points = self.direction_points
        if points is None:
            return "first run"
        return "no change" if round(points) == 0 else f"{points:+.0f} pts"

    def headline(self) -> str:
        critical = len(self.critical_not_met)
        crit = ("no critical control is failing" if critical == 0 else
                f"{critical} critical control{'s are' if critical != 1 else ' is'} not met")
        trend = ("this is the first recorded run, so there is no trend yet" if self.previous is None
                 else f"the pass rate is {self.direction()}")
        return f"{self.passing} of {self.total} controls pass ({self.pass_share * 100:.0f}%); {crit}; {trend}."


def _impact(control: dict[str, Any]) -> str:
    """One sentence of impact, in plain words."""
    if control.get("impact"):
        return " ".join(str(control["impact"]).split())
    objective = str(control.get("objective") or control.get("title") or "").strip().rstrip(".")
    status = control.get("status")
    if status == "error":
        return f"Could not be checked, so this is unproven: {objective}."
    if status == "insufficient_evidence":
        return f"Evidence is missing, out of date or covers nothing, so this is unproven: {objective}."
    count = int(control.get("violation_count", len(control.get("violations") or [])))
    things = "1 resource falls" if count == 1 else f"{count} resources fall"
    return f"{things} short of: {objective}."


def _risk(control: dict[str, Any]) -> Risk:
    return Risk(control["id"], str(control.get("title", "")), str(control.get("severity", "")),
                str(control.get("owner", "")), str(control.get("status", "")), _impact(control),
                population_text(control))


def _severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _expiring(results: dict[str, Any], today: dt.date | None) -> list[Expiring]:
    """Exceptions that expire within the window (or already expired), from both places waivers show up."""
    found: dict[str, Expiring] = {}
    for entry in results.get("exceptions") or []:
        found[str(entry.get("id"))] = _expiry(entry.get("id"), entry.get("control"), entry.get("expires"),
                                              str(entry.get("status", "applied")), today)
    for control in results.get("controls") or []:
        for waived in control.get("waived") or []:
            exc = waived.get("exception") or {}
            if exc.get("id") and str(exc["id"]) not in found:
                found[str(exc["id"])] = _expiry(exc["id"], control["id"], exc.get("expires"), "applied", today)
    soon = [e for e in found.values() if e.days_left is not None and e.days_left <= EXPIRY_WINDOW_DAYS]
    return sorted(soon, key=lambda e: (e.days_left or 0, e.control, e.id))


def _expiry(exc_id: Any, control: Any, expires: Any, status: str, today: dt.date | None) -> Expiring:
    date = _parse_date(expires)
    days = (date - today).days if date and today else None
    return Expiring(str(exc_id), str(control), str(expires or "unknown"), days, status)


def build_board(results: dict[str, Any], *, history: list[RunPoint] | None = None,
                catalogs: MappingSet | None = None, org: str = "the organisation",
                target: float = DEFAULT_TARGET, runs: int = DEFAULT_RUNS) -> BoardSummary:
    controls = sorted(results.get("controls") or [], key=lambda c: c["id"])
    current = run_point(results)
    points = with_current(history or [], current)
    earlier = [p for p in points if p.run_id != current.run_id and (p.finished_at, p.run_id) <=
               (current.finished_at, current.run_id)]
    recent = points[-max(runs, 1):]
    failing = [c for c in controls if c.get("status") in ("fail", "error")]
    failing.sort(key=lambda c: (-_severity_rank(str(c.get("severity"))), -int(c.get("violation_count", 0)), c["id"]))
    critical = [_risk(c) for c in controls if c.get("severity") == "critical" and c.get("status") in NOT_PASSING]
    today = _parse_date(results.get("as_of") or results.get("finished_at"))
    counts: dict[str, int] = {}
    for c in controls:
        counts[c.get("status", "error")] = counts.get(c.get("status", "error"), 0) + 1
    return BoardSummary(
        org=org, run_id=str(results.get("run_id", "unknown")), as_of=str(results.get("as_of") or ""),
        finished_at=str(results.get("finished_at") or ""), total=len(controls),
        passing=sum(1 for c in controls if c.get("status") == "pass"), critical_not_met=critical,
        previous=earlier[-1] if earlier else None, frameworks=framework_figures(results, catalogs),
        trend=points[-max(runs, 1):], top_risks=[_risk(c) for c in failing[:TOP_RISKS]],
        expiring=_expiring(results, today),
        insufficient=[_risk(c) for c in controls if c.get("status") == "insufficient_evidence"],
        error_budget=ErrorBudget(len(recent), sum(1 for p in recent if p.critical_failed), target),
        counts=counts,
        disabled=disabled_controls(results),
        populations=[(c["id"], population_text(c)) for c in controls],
    )


# -- PDF ----------------------------------------------------------------------------


def _days(e: Expiring) -> str:
    if e.days_left is None:
        return "unknown"
    if e.days_left < 0:
        return f"expired {-e.days_left} days ago"
    return "expires today" if e.days_left == 0 else f"in {e.days_left} days"


def board_story(summary: BoardSummary) -> list[Any]:
    from reportlab.platypus import Spacer, Table, TableStyle

    from auditor.report.charts import framework_bars, trend_line
    from auditor.report.pdf_common import CONTENT_WIDTH, RULE, STATUS_COLOURS, esc, heading, markup, para, table

    s = summary
    crit_colour = STATUS_COLOURS["fail"] if s.critical_not_met else STATUS_COLOURS["pass"]
    share_colour = (STATUS_COLOURS["pass"] if s.pass_share >= 0.9 else
                    STATUS_COLOURS["waived"] if s.pass_share >= 0.7 else STATUS_COLOURS["fail"])
    big = [
        (f"{s.pass_share * 100:.0f}%", f"of controls pass ({s.passing} of {s.total})", share_colour),
        (str(len(s.critical_not_met)), "critical controls not met", crit_colour),
        (s.direction_short(), "pass rate since the last run", RULE.__class__(0.12, 0.16, 0.2)),
    ]
    cells = [[markup(f'<font color="#{c.hexval()[2:]}">{esc(n)}</font>', "big") for n, _, c in big],
             [para(label, "big_label") for _, label, _ in big]]
    headline = Table(cells, colWidths=[CONTENT_WIDTH / 3] * 3, style=TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.5, RULE), ("INNERGRID", (0, 0), (-1, -1), 0.5, RULE),
        ("TOPPADDING", (0, 0), (-1, 0), 10), ("BOTTOMPADDING", (0, 1), (-1, 1), 8),
    ]))
    story: list[Any] = [
        heading("Compliance proof points", 0, "board"),
        para(f"{s.org}: run {s.run_id}, evidence as of {s.as_of[:10] or 'unknown'}", "subtitle"),
        headline, Spacer(1, 8), para(s.headline()),
        heading("Frameworks", 0, "frameworks"),
    ]
    known = [f for f in s.frameworks if f.total_clauses]
    if known:
        story.append(framework_bars([f.name for f in known], [(f.coverage or 0) * 100 for f in known],
                                    [(f.met or 0) * 100 for f in known], CONTENT_WIDTH))
        story.append(para("Both bars are shares of all the framework's clauses. Covered: at least one control "
                          "addresses the clause fully or partially. Met: covered, and every such control passes.",
                          "small"))
    else:
        story.append(para("No framework catalogs were available, so clause coverage cannot be shown."))
    story.append(heading("Trend", 0, "trend"))
    if len(s.trend) >= 2:
        story.append(trend_line([p.finished_at[5:10] or p.run_id[:8] for p in s.trend],
                                [p.pass_share * 100 for p in s.trend], CONTENT_WIDTH))
    else:
        story.append(para("No history yet: the trend appears once the evidence locker holds earlier runs."))
    story.append(heading("Top risks", 0, "risks"))
    if s.top_risks:
        story.append(table(["Control", "Severity", "Owner", "Impact", "Population"],
                           [[f"{r.id} {r.title}", r.severity, r.owner, r.impact, r.population]
                            for r in s.top_risks],
                           [0.25, 0.09, 0.17, 0.35, 0.14], zebra=False))
    else:
        story.append(para("No control is failing."))
    story.append(heading("Exceptions and gaps", 0, "exceptions"))
    if s.expiring:
        story.append(para(f"Exceptions expiring within {EXPIRY_WINDOW_DAYS} days:"))
        shown = s.expiring[:LIST_LIMIT]
        story.append(table(["Exception", "Control", "Expires", "When"],
                           [[e.id, e.control, e.expires, _days(e)] for e in shown], [0.25, 0.25, 0.25, 0.25],
                           zebra=False))
        if len(s.expiring) > LIST_LIMIT:
            story.append(para(f"... and {len(s.expiring) - LIST_LIMIT} more.", "small"))
    else:
        story.append(para(f"No exception expires within {EXPIRY_WINDOW_DAYS} days."))
    if s.insufficient:
        names = ", ".join(r.id for r in s.insufficient[:LIST_LIMIT * 2])
        more = f" and {len(s.insufficient) - LIST_LIMIT * 2} more" if len(s.insufficient) > LIST_LIMIT * 2 else ""
        story.append(para(f"{len(s.insufficient)} controls cannot be proven for lack of evidence: {names}{more}."))
    else:
        story.append(para("Every control had the evidence it needs."))
    if s.disabled:
        story.append(para(s.disabled_sentence()))
    story.append(heading("Error budget", 0, "budget"))
    story.append(para(s.error_budget.sentence()))
    if s.error_budget.runs < 2:
        story.append(para("With one run recorded this is a single data point; it becomes a rate as runs accumulate.",
                          "small"))
    if s.populations:
        story.append(heading("What was checked", 0, "populations"))
        story.append(para(populations_sentence(s.populations), "small"))
    return story


def populations_sentence(populations: list[tuple[str, str]]) -> str:
    """"Evidence items in scope that passed, per control: SEC-001 4 of 4; ..." (capped, the rest counted)."""
    shown = populations[:POPULATIONS_LISTED]
    parts = [f"{cid} {text.removesuffix(' in scope passed')}" for cid, text in shown]
    more = len(populations) - len(shown)
    tail = f"; and {more} more controls in the evidence report" if more > 0 else ""
    return "Evidence items in scope that passed, per control: " + "; ".join(parts) + tail + "."


def render_board_pdf(summary: BoardSummary) -> bytes:
    from auditor.report.pdf_common import render_pdf

    return render_pdf(
        lambda: board_story(summary), title=f"Compliance proof points: {summary.org}, run {summary.run_id}",
        author=f"Auditor for {summary.org}", subject="Board summary of compliance controls",
        run_id=summary.run_id, footer_label=f"Board summary: {summary.org}", keywords=["compliance", "board"],
    )
