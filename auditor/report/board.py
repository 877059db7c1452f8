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

from auditor.model import SEVERITIES, Status
from auditor.organisation import UNNAMED, UNNAMED_NOTE
from auditor.report.figures import FrameworkFigure, framework_figures, percent
from auditor.report.history import RunPoint, run_point, with_current
from auditor.report.period import ReportPeriod, report_period
from auditor.report.service_facts import (
    BIAS_LABELS,
    ModelProof,
    ReportEvidence,
    ServiceFacts,
    model_proofs,
    needed_documents,
    service_facts,
)
from auditor.results_model import WAIVER_APPLIED, ControlOutcome, DisabledEntry, Results

if TYPE_CHECKING:
    from auditor.mappings import MappingSet

DEFAULT_RUNS = 10
EXPIRY_WINDOW_DAYS = 30
TOP_RISKS = 3
LIST_LIMIT = 8
#: rows the board shows before counting the rest (two pages, whatever the organisation's size)
SERVICES_SHOWN = 5
MODELS_SHOWN = 3
DECISIONS_SHOWN = 3
#: waivers (and twice as many unproven controls) the board's gaps name; the evidence report has them all
GAPS_LISTED = 3
#: days to fix a failing control, by severity, when no waiver sets the date (docs/reports.md)
REMEDIATION_DAYS = dict(zip(SEVERITIES, (90, 60, 30, 14), strict=True))


@dataclass(frozen=True)
class Risk:
    id: str
    title: str
    severity: str
    owner: str
    status: str
    impact: str
    population: str = ""
    #: ISO date the risk must be closed by, and where that date comes from
    due: str = ""
    due_basis: str = ""


@dataclass(frozen=True)
class Expiring:
    id: str
    control: str
    expires: str
    days_left: int | None
    status: str


@dataclass(frozen=True)
class PackNote:
    """The audit pack this summary belongs to: its name, digest (when known) and how it was signed."""

    name: str
    sha256: str | None = None
    development: bool = False
    signed: bool = True

    def verify_sentence(self) -> str:
        digest = (f"Its sha256 is {self.sha256}: check it with sha256sum {self.name}. " if self.sha256 else
                  f"Its sha256 is printed when the run writes it (sha256sum {self.name}). ")
        text = (f"These figures come from the audit pack {self.name}. {digest}Then run auditor verify {self.name} "
                "--key PUBLISHER.pub.pem (the publisher's key, obtained independently): exit 0 "
                "means signature and files match; add --replay to re-evaluate the pack's evidence: exit 0 "
                "then also means every result follows from it.")
        if not self.signed:
            text += " This pack carries no signature: treat it as unsigned."
        elif self.development:
            text += " Development-signed: not evidence for an audit."
        return text


@dataclass(frozen=True)
class Decision:
    ask: str


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
    counts: dict[Status, int] = field(default_factory=dict)
    #: controls an organisation library disabled (results.json ``disabled_controls``): not evaluated
    disabled: list[DisabledEntry] = field(default_factory=list)
    #: one headline per catalogued service; None when the run read no service catalogue
    services: list[ServiceFacts] | None = None
    #: high-risk models not retired; None when the run read no model registry
    models: list[ModelProof] | None = None
    decisions: list[Decision] = field(default_factory=list)
    pack: PackNote | None = None
    #: the period incidents and changes are counted over (ends at as_of)
    period: ReportPeriod | None = None

    def disabled_sentence(self) -> str:
        """One sentence naming every disabled control and its reason; empty when there are none."""
        if not self.disabled:
            return ""
        n = len(self.disabled)
        listed = "; ".join(f"{d.id} ({d.reason})" for d in self.disabled[:LIST_LIMIT * 2])
        more = f"; and {n - LIST_LIMIT * 2} more" if n > LIST_LIMIT * 2 else ""
        return (f"{n} control{'s are' if n != 1 else ' is'} disabled by the organisation and not evaluated, "
                f"so not counted as passing: {listed}{more}.")

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

    def trend_sentence(self) -> str:
        if len(self.trend) < 2:
            return "No history yet: the trend appears once the evidence locker holds earlier runs."
        parts = ", ".join(f"{p.finished_at[:10] or p.run_id} {p.pass_share * 100:.0f}%" for p in self.trend)
        return f"Share of controls passing over the last {len(self.trend)} runs: {parts}."

    def budget_sentence(self) -> str:
        """The services' real error budgets: how many are exhausted, and the lowest."""
        if self.services is None:
            return "The run read no service catalogue, so no service's error budget can be shown."
        known = [f for f in self.services if f.lowest_budget is not None]
        if not known:
            return "No service reported an error budget."
        exhausted = [f for f in known if (f.lowest_budget and (f.lowest_budget.budget_left or 0) < 0)]
        head = (f"{len(exhausted)} of {len(known)} services with SLO reports "
                f"{'has' if len(exhausted) == 1 else 'have'} exhausted an error budget"
                + (f" ({_names([f.name for f in exhausted])})" if exhausted else ""))
        return head + "; the figure per service is the lowest of its SLOs' budgets left over the window."

    def models_sentence(self) -> str:
        if self.models is None:
            return "The run read no model registry."
        if not self.models:
            return "No high-risk model outside retirement in the registry."
        complete = sum(1 for m in self.models if m.complete)
        return (f"{complete} of {len(self.models)} high-risk models have a model card, a passed bias check and a "
                "rollback plan.")


def _impact(control: ControlOutcome) -> str:
    """The control's impact sentence (``impact:``), else one built from its objective."""
    if control.impact:
        return " ".join(control.impact.split())
    objective = (control.objective or control.title).strip().rstrip(".")
    return f"Unproven or failing: {objective}."


def _due(control: ControlOutcome, waivers: dict[str, list[str]], today: dt.date | None) -> tuple[str, str]:
    """(due date, basis): the earliest expiry of a waiver on the control, else the severity's window."""
    expiries = sorted(d for d in waivers.get(control.id, []) if _parse_date(d))
    if expiries:
        return expiries[0][:10], "waiver expires"
    days = REMEDIATION_DAYS[control.severity]
    if today is None:
        return "", f"{days} days"
    return (today + dt.timedelta(days=days)).isoformat(), f"{days}-day target"


def _risk(control: ControlOutcome, waivers: dict[str, list[str]] | None = None,
          today: dt.date | None = None) -> Risk:
    due, basis = _due(control, waivers or {}, today)
    return Risk(control.id, control.title, control.severity, control.owner, control.status.value, _impact(control),
                control.population_text(), due, basis)


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None




def _waiver_expiries(results: Results) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for entry in results.waivers or []:
        if entry.expires and entry.status == WAIVER_APPLIED:
            found.setdefault(entry.control, []).append(entry.expires)
    for control in results.controls:
        for waived in control.waived_violations:
            if waived.waiver.expires:
                found.setdefault(control.id, []).append(waived.waiver.expires)
    return found


def _expiring(results: Results, today: dt.date | None) -> list[Expiring]:
    """Waivers that expire within the window (or already expired), from both places waivers show up."""
    found: dict[str, Expiring] = {}
    for entry in results.waivers or []:
        found[entry.id] = _expiry(entry.id, entry.control, entry.expires, entry.status, today)
    for control in results.controls:
        for waived in control.waived_violations:
            ref = waived.waiver
            if ref.id not in found:
                found[ref.id] = _expiry(ref.id, control.id, ref.expires, WAIVER_APPLIED, today)
    soon = [e for e in found.values() if e.days_left is not None and e.days_left <= EXPIRY_WINDOW_DAYS]
    return sorted(soon, key=lambda e: (e.days_left or 0, e.control, e.id))


def _expiry(exc_id: Any, control: Any, expires: Any, status: str, today: dt.date | None) -> Expiring:
    date = _parse_date(expires)
    days = (date - today).days if date and today else None
    return Expiring(str(exc_id), str(control), str(expires or "unknown"), days, status)


def _names(items: list[str], limit: int = 3) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _decisions(summary: BoardSummary) -> list[Decision]:
    """What the board is asked to decide, from the figures (worst first)."""
    asks: list[Decision] = []
    if summary.pack is not None and (summary.pack.development or not summary.pack.signed):
        how = "signed with a development key" if summary.pack.signed else "unsigned"
        asks.append(Decision("Do not rely on this summary for assurance until the organisation's production "
                             f"key signs the pack: this one is {how}."))
    if summary.critical_not_met:
        ids = [r.id for r in summary.critical_not_met]
        due = min((r.due for r in summary.critical_not_met if r.due), default="")
        asks.append(Decision(f"Approve the fix of {len(ids)} critical control{'s' if len(ids) != 1 else ''} "
                             f"({_names(ids)}){f' by {due}' if due else ''}, or formally accept the risk."))
    exhausted = [f.name for f in summary.services or []
                 if f.lowest_budget and (f.lowest_budget.budget_left or 0) < 0]
    if exhausted:
        asks.append(Decision(f"Back the freeze on routine changes to {_names(exhausted)} until "
                             f"{'their error budgets recover' if len(exhausted) > 1 else 'its error budget recovers'}"
                             ", or accept more outages for new features."))
    incomplete = [m.id for m in summary.models or [] if not m.complete and m.stage == "production"]
    if incomplete:
        asks.append(Decision(f"Decide whether {len(incomplete)} high-risk model{'s' if len(incomplete) != 1 else ''}"
                             f" in production ({_names(incomplete, 2)}) may keep deciding for customers while a "
                             "proof point is missing."))
    if summary.expiring:
        asks.append(Decision(f"Renew or end {len(summary.expiring)} waiver"
                             f"{'s' if len(summary.expiring) != 1 else ''} expiring within {EXPIRY_WINDOW_DAYS} days."))
    if summary.insufficient:
        asks.append(Decision(f"Require the evidence for {len(summary.insufficient)} control"
                             f"{'s' if len(summary.insufficient) != 1 else ''} that cannot be proven today."))
    return asks


def build_board(given: Results | dict[str, Any], *, history: list[RunPoint] | None = None,
                catalogs: MappingSet | None = None, org: str = UNNAMED,
                runs: int = DEFAULT_RUNS, evidence: ReportEvidence | None = None,
                pack: PackNote | None = None, period: ReportPeriod | None = None) -> BoardSummary:
    """The board summary; ``evidence`` (:func:`auditor.report.service_facts.read_report_evidence`) gives the
    service headlines and the AI proof points, ``pack`` the verification note, ``period`` the span incidents
    and changes are counted over (default: the 90 days to ``as_of``)."""
    results = Results.coerce(given)
    period = period or report_period(results)
    controls = sorted(results.controls, key=lambda c: c.id)
    current = run_point(results)
    points = with_current(history or [], current)
    earlier = [p for p in points if p.run_id != current.run_id and (p.finished_at, p.run_id) <=
               (current.finished_at, current.run_id)]
    failing = [c for c in controls if c.status in (Status.FAIL, Status.ERROR)]
    failing.sort(key=lambda c: (-SEVERITIES.index(c.severity), -c.violation_count, c.id))
    today = _parse_date(results.as_of or results.finished_at)
    expiries = _waiver_expiries(results)
    critical = [_risk(c, expiries, today) for c in controls if c.critical and c.not_passing]
    counts: dict[Status, int] = {}
    for c in controls:
        counts[c.status] = counts.get(c.status, 0) + 1
    kinds = {e.kind for e in needed_documents(results)}
    have = evidence if evidence is not None and evidence.root is not None else None
    summary = BoardSummary(
        org=org, run_id=results.run_id, as_of=results.as_of,
        finished_at=results.finished_at, total=len(controls),
        passing=sum(1 for c in controls if c.passing), critical_not_met=critical,
        previous=earlier[-1] if earlier else None, frameworks=framework_figures(results, catalogs),
        trend=points[-max(runs, 1):], top_risks=[_risk(c, expiries, today) for c in failing[:TOP_RISKS]],
        expiring=_expiring(results, today),
        insufficient=[_risk(c, expiries, today) for c in controls if c.status is Status.INSUFFICIENT_EVIDENCE],
        counts=counts,
        disabled=results.disabled,
        services=service_facts(results, have, period) if have is not None and "services" in kinds else None,
        models=model_proofs(have) if have is not None and "models" in kinds else None,
        pack=pack, period=period,
    )
    summary.decisions = _decisions(summary)
    return summary


# -- PDF ----------------------------------------------------------------------------


def _days(e: Expiring) -> str:
    if e.days_left is None:
        return "unknown"
    if e.days_left < 0:
        return f"expired {-e.days_left} days ago"
    return "expires today" if e.days_left == 0 else f"in {e.days_left} days"


def cover_flag(s: BoardSummary) -> str:
    """The warning the cover carries about the pack, or empty."""
    if s.pack is None:
        return ""
    if not s.pack.signed:
        return "UNSIGNED PACK: these figures carry no signature and are not evidence for an audit."
    if s.pack.development:
        return "DEVELOPMENT-SIGNED PACK: signed with a development key; not evidence for an audit."
    return ""


def service_rows(s: BoardSummary) -> list[list[str]]:
    """One row per service shown (the same text in the PDF and Markdown)."""
    rows = []
    for f in (s.services or [])[:SERVICES_SHOWN]:
        tier = f"tier {f.tier}" if f.tier is not None else "no tier"
        rows.append([f"{f.name} ({tier}, {f.environment}); owner {f.owner}", f.outcome, f.slo_short(),
                     f.budget_short(), f.incident_short(), f.change_short(), f.control_sentence()])
    return rows


SERVICE_HEADER = ["Service and owner", "Outcome", "SLOs met", "Error budget", "Incidents in the period",
                  "Change failure rate in the period", "Service controls"]
SERVICE_NOTE = ("Service controls: those reading the catalogue, changes, incidents or SLO reports, and any control "
                "with a finding on the service. 'Without a finding here' means no finding names the service, not "
                "proof the control covered it (results count populations, they do not list them).")


def period_line(s: BoardSummary) -> str:
    """The period sentence, with what fell outside it (shown services), or empty without a period."""
    if s.period is None:
        return ""
    shown = (s.services or [])[:SERVICES_SHOWN]
    outside_i = sum(f.incidents_outside for f in shown)
    outside_c = sum(f.changes_outside for f in shown)
    tail = (f"; {outside_i} incidents and {outside_c} completed changes outside it are not counted"
            if outside_i or outside_c else "")
    return f"{s.period.sentence()}{tail}."


def services_more(s: BoardSummary) -> str:
    extra = len(s.services or []) - SERVICES_SHOWN
    return f"... and {extra} more services in the evidence report." if extra > 0 else ""


def framework_rows(s: BoardSummary) -> list[list[str]]:
    """Clauses counted against the applicable ones (results.json ``coverage``, the SoA's figures), then controls."""
    rows = []
    for f in s.frameworks:
        monitored = f.controls - f.by_status[Status.INSUFFICIENT_EVIDENCE] - f.by_status[Status.ERROR]
        passing = f.by_status[Status.PASS]
        controls = [f"{passing} of {f.controls} ({percent(passing / f.controls if f.controls else None)})",
                    f"{monitored} of {f.controls}"]
        c = f.counts
        if c is None:  # results written before coverage was recorded: clauses covered of all, no applicability
            total = "?" if f.total_clauses is None else str(f.total_clauses)
            rows.append([f.name, f"all {total}", f"{f.covered} ({percent(f.coverage)})",
                         f"{f.passing} ({percent(f.met)})", "n/a", "n/a", *controls])
            continue
        applicable = f"{c.applicable} of {c.clauses}" + (f" ({c.excluded} excl.)" if c.excluded else "")
        rows.append([f.name, applicable, f"{c.automated} ({f.share(c.automated)})",
                     f"{c.automated_pass} ({f.share(c.automated_pass)})",
                     f"{c.attested} ({f.share(c.attested)})", f"{c.uncovered} ({f.share(c.uncovered)})", *controls])
    return rows


FRAMEWORK_HEADER = ["Framework", "Applicable clauses", "Automated", "of which passing", "Attested", "Uncovered",
                    "Controls passing", "With evidence"]
FRAMEWORK_WIDTHS = [0.25, 0.12, 0.1, 0.09, 0.08, 0.1, 0.14, 0.12]
FRAMEWORK_NOTE = ("% of applicable clauses. Automated: decided by controls (passing: all of them pass); attested: "
                  "a valid attestation, never an automated pass; uncovered: neither. With evidence: controls that "
                  "had every kind they need.")


def excluded_sentence(s: BoardSummary) -> str:
    """The clauses declared not applicable, per framework (their justifications are in the evidence report and
    the SoA); empty when none is excluded."""
    parts = [f"{f.name} {_names([e['id'] for e in f.excluded], 6)}" for f in s.frameworks if f.excluded]
    if not parts:
        return ""
    return (f"Declared not applicable (in no denominator; justified in the evidence report and the SoA): "
            f"{'; '.join(parts)}.")


def model_rows(s: BoardSummary) -> list[list[str]]:
    def present(flag: bool) -> str:
        return "present" if flag else "MISSING"

    return [[m.id, m.stage, m.owner, present(m.model_card), BIAS_LABELS.get(m.bias_check, m.bias_check),
             present(m.rollback)] for m in shown_models(s)]


def shown_models(s: BoardSummary) -> list[ModelProof]:
    """The models the board has room for, those missing a proof point first (a board must see the gaps)."""
    return sorted(s.models or [], key=lambda m: (m.complete, m.id))[:MODELS_SHOWN]


MODEL_HEADER = ["High-risk model", "Stage", "Owner", "Model card", "Bias check", "Rollback plan"]


def models_more(s: BoardSummary) -> str:
    extra = len(s.models or []) - MODELS_SHOWN
    return f"... and {extra} more high-risk models in the evidence report." if extra > 0 else ""


def risk_rows(s: BoardSummary) -> list[list[str]]:
    return [[f"{r.id} {r.title} ({r.severity})", r.impact, r.owner,
             f"{r.due}, {r.due_basis}" if r.due else r.due_basis, r.population] for r in s.top_risks]


RISK_HEADER = ["Risk", "Impact", "Owner", "Due", "Population"]


def gaps_sentences(s: BoardSummary) -> list[str]:
    out = []
    if s.expiring:
        listed = "; ".join(f"{e.id} on {e.control} ({_days(e)})" for e in s.expiring[:GAPS_LISTED])
        more = f"; and {len(s.expiring) - GAPS_LISTED} more" if len(s.expiring) > GAPS_LISTED else ""
        out.append(f"Waivers expiring within {EXPIRY_WINDOW_DAYS} days: {listed}{more}.")
    else:
        out.append(f"No waiver expires within {EXPIRY_WINDOW_DAYS} days.")
    if s.insufficient:
        names = ", ".join(r.id for r in s.insufficient[:GAPS_LISTED * 2])
        more = f" and {len(s.insufficient) - GAPS_LISTED * 2} more" if len(s.insufficient) > GAPS_LISTED * 2 else ""
        out.append(f"{len(s.insufficient)} controls cannot be proven for lack of evidence: {names}{more}.")
    else:
        out.append("Every control had the evidence it needs.")
    if s.disabled:
        out.append(s.disabled_sentence())
    return out


def board_story(summary: BoardSummary) -> list[Any]:
    from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

    from auditor.report.pdf_common import CONTENT_WIDTH, RULE, STATUS_COLOURS, esc, heading, markup, para, table

    s = summary
    crit_colour = STATUS_COLOURS[Status.FAIL] if s.critical_not_met else STATUS_COLOURS[Status.PASS]
    share_colour = (STATUS_COLOURS[Status.PASS] if s.pass_share >= 0.9 else
                    STATUS_COLOURS[Status.WAIVED] if s.pass_share >= 0.7 else STATUS_COLOURS[Status.FAIL])
    big = [
        (f"{s.pass_share * 100:.0f}%", f"of controls pass ({s.passing} of {s.total})", share_colour),
        (str(len(s.critical_not_met)), "critical controls not met", crit_colour),
        (s.direction_short(), "pass rate since the last run", RULE.__class__(0.12, 0.16, 0.2)),
    ]
    cells = [[markup(f'<font color="#{c.hexval()[2:]}">{esc(n)}</font>', "big") for n, _, c in big],
             [para(label, "big_label") for _, label, _ in big]]
    headline = Table(cells, colWidths=[CONTENT_WIDTH / 3] * 3, style=TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.5, RULE), ("INNERGRID", (0, 0), (-1, -1), 0.5, RULE),
        ("TOPPADDING", (0, 0), (-1, 0), 4), ("BOTTOMPADDING", (0, 1), (-1, 1), 4),
    ]))
    story: list[Any] = [
        heading("Compliance proof points", 0, "board"),
        para(f"{s.org}: run {s.run_id}, evidence as of {s.as_of[:10] or 'unknown'}", "subtitle"),
    ]
    if s.org == UNNAMED:
        story.append(para(UNNAMED_NOTE, "small"))
    if s.pack is not None and s.pack.sha256:
        story.append(markup(f"Audit pack {esc(s.pack.name)}, sha256 <font name=\"Courier\" size=\"7.5\">"
                            f"{esc(s.pack.sha256)}</font>", "small"))
    flag = cover_flag(s)
    if flag:
        story.append(markup(f'<font color="#{STATUS_COLOURS[Status.FAIL].hexval()[2:]}"><b>{esc(flag)}</b></font>'))
    story += [headline, Spacer(1, 4), para(s.headline()), heading("Services", 0, "services")]
    if s.services is None:
        story.append(para("The run read no service catalogue (services evidence), so no service headline "
                          "can be shown."))
    elif not s.services:
        story.append(para("The service catalogue lists no service."))
    else:
        story.append(table(SERVICE_HEADER, service_rows(s), [0.15, 0.17, 0.13, 0.12, 0.17, 0.1, 0.16],
                           zebra=False))
        if services_more(s):
            story.append(para(services_more(s), "small"))
        story.append(para(f"{period_line(s)} {SERVICE_NOTE}", "small"))
    story.append(markup(f"<b>Error budgets.</b> {esc(s.budget_sentence())}"))
    story.append(markup(f"<b>Trend.</b> {esc(s.trend_sentence())}"))
    # page one has room whatever the organisation's size (five services at most); page two does not
    story.append(markup(f"<b>How to verify.</b> {esc(verify_sentence(s))}", "small"))
    frameworks: list[Any] = [heading("Controls mapped to standards", 0, "frameworks")]
    if s.frameworks:
        frameworks += [table(FRAMEWORK_HEADER, framework_rows(s), FRAMEWORK_WIDTHS, zebra=False),
                       para(" ".join(filter(None, [FRAMEWORK_NOTE, excluded_sentence(s)])), "small")]
    else:
        frameworks.append(para("No framework catalogs or mappings were available, so clause coverage cannot be "
                               "shown."))
    story.append(KeepTogether(frameworks))
    story.append(heading("AI proof points", 0, "ai"))
    story.append(para(s.models_sentence()))
    if s.models:
        story.append(table(MODEL_HEADER, model_rows(s), [0.26, 0.12, 0.2, 0.14, 0.14, 0.14], zebra=False))
        if models_more(s):
            story.append(para(models_more(s), "small"))
    story.append(heading("Top risks", 0, "risks"))
    if s.top_risks:
        story.append(table(RISK_HEADER, risk_rows(s), [0.25, 0.39, 0.13, 0.11, 0.12], zebra=False))
    else:
        story.append(para("No control is failing."))
    story.append(heading("Decisions asked of the board", 0, "decisions"))
    if s.decisions:
        for n, d in enumerate(s.decisions[:DECISIONS_SHOWN], 1):
            story.append(para(f"{n}. {d.ask}"))
    else:
        story.append(para("None: no critical control, exhausted error budget or missing AI proof point needs a "
                          "decision."))
    story.append(markup(f"<b>Gaps.</b> {esc(' '.join(gaps_sentences(s)))}", "small"))
    return story


def verify_sentence(s: BoardSummary) -> str:
    if s.pack is None:
        return ("Not packed: these figures come from results.json alone and are not signed. Ask for the signed "
                "audit pack of this run and verify it with auditor verify pack.zip --key PUBLISHER.pub.pem.")
    return s.pack.verify_sentence()


def render_board_pdf(summary: BoardSummary) -> bytes:
    from auditor.report.pdf_common import render_pdf

    return render_pdf(
        lambda: board_story(summary), title=f"Compliance proof points: {summary.org}, run {summary.run_id}",
        author=f"Auditor for {summary.org}", subject="Board summary of compliance controls",
        run_id=summary.run_id, footer_label=f"Board summary: {summary.org}", keywords=["compliance", "board"],
    )
