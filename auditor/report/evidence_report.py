"""The evidence report: the PDF an external auditor reads, built from results.json.

Cover (who, when, what ran, the pack and how to verify it), table of contents,
summary (status counts overall, per family and per framework), one section per
service (its controls with their populations, incidents, SLOs and changes, from the
evidence documents the run read), one section per control (objective, impact, owner,
severity, status and reason, mapped clauses, parameters, violations, evidence
documents with their sha256, waivers), and appendices (the
mapping matrix, the evidence inventory, collection errors, waivers).

Usage::

    from auditor.report.evidence_report import write_evidence_report
    write_evidence_report(results, Path("out/evidence-report.pdf"), org="Example Ltd")
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from reportlab.platypus import CondPageBreak, Flowable, PageBreak, Spacer

from auditor.files import write_atomic
from auditor.model import Status
from auditor.organisation import UNNAMED, UNNAMED_NOTE
from auditor.report.figures import STATUSES, FrameworkFigure, framework_figures, percent, status_counts
from auditor.report.pdf_common import (
    CONTENT_WIDTH,
    STATUS_LABELS,
    esc,
    heading,
    key_value_table,
    markup,
    para,
    render_pdf,
    status_text,
    subheading,
    table,
    table_of_contents,
)
from auditor.results_model import ControlOutcome, EvidenceEntry, Results

if TYPE_CHECKING:
    from auditor.mappings import MappingSet
    from auditor.report.pack_info import PackInfo
    from auditor.report.period import ReportPeriod
    from auditor.report.service_facts import ReportEvidence

#: violations listed per control; the total is always given.
VIOLATIONS_SHOWN = 50
DEFAULT_ORG = UNNAMED


def _date(value: str | None) -> str:
    return (value or "").replace("T", " ").replace("Z", " UTC").strip() or "unknown"


def _audit_period(results: Results) -> str:
    times = sorted(e.collected_at for e in results.evidence if e.collected_at)
    as_of = _date(results.as_of)
    if not times:
        return f"evidence as of {as_of}"
    return f"evidence collected {_date(times[0])} to {_date(times[-1])}; evaluated as of {as_of}"


def _json_value(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _verify_statement(pack: PackInfo | None, packed_into: str | None = None) -> str:
    if pack is None and packed_into:
        name = esc(packed_into)
        return (f"This report was written to go inside the signed audit pack <b>{name}</b> of this run: the "
                "pack's manifest lists this PDF's sha256 and the signed attestation covers the manifest. Run "
                f"<b>auditor verify {name} --key PUBLISHER.pub.pem</b> with the public key obtained independently "
                "from the organisation; it exits 0 only when the signature and every member, this report "
                "included, match.")
    if pack is None:
        return ("Not packed: this report was produced from results.json alone, so the results it shows are not "
                "signed. Ask for the signed audit pack of this run and verify it with <b>auditor verify "
                "pack.zip --key PUBLISHER.pub.pem</b>.")
    name = esc(pack.path.name)
    text = (f"Check that the pack you hold is this one: <b>sha256sum {name}</b> must print the pack digest above. "
            f"Then run <b>auditor verify {name} --key PUBLISHER.pub.pem</b> with the public key obtained "
            "independently from the organisation: it checks the signature, the sha256 of every member against "
            "the manifest and the signed attestation, and that no member was added or removed. It exits 0 only "
            "when everything matches. With <b>--replay</b> it also evaluates the pack's own controls over its own "
            "evidence and exits 0 only when every result in this report follows from that evidence.")
    if not pack.signed:
        text += " <b>This pack carries no signature that Auditor could read: treat it as unsigned.</b>"
    elif pack.development:
        text += " <b>The pack was signed with a development key: it is not evidence for an audit.</b>"
    return text


class EvidenceReport:
    """Builds the story for one results document; :meth:`render` returns the PDF bytes."""

    def __init__(self, given: Results | dict[str, Any], *, org: str = DEFAULT_ORG, pack: PackInfo | None = None,
                 catalogs: MappingSet | None = None, packed_into: str | None = None,
                 evidence: ReportEvidence | None = None, period: ReportPeriod | None = None) -> None:
        from auditor.report.period import report_period
        from auditor.report.service_facts import needed_documents, service_facts

        results = Results.coerce(given)
        self.results = results
        self.period = period or report_period(results)
        kinds = {e.kind for e in needed_documents(results)}
        self.services = (service_facts(results, evidence, self.period) if evidence is not None
                         and evidence.root is not None and "services" in kinds else None)
        self.packed_into = packed_into
        self.org = org
        self.pack = pack
        self.catalogs = catalogs
        self.controls: list[ControlOutcome] = sorted(results.controls, key=lambda c: c.id)
        self.evidence: dict[str, EvidenceEntry] = {e.path: e for e in results.evidence}
        self.figures = framework_figures(results, catalogs)
        self.run_id = results.run_id

    # -- sections -------------------------------------------------------------------

    def cover(self) -> list[Flowable]:
        r = self.results
        engine = r.engine
        pack = self.pack
        pairs: list[tuple[str, Any]] = [
            ("Organisation", f"{self.org}: {UNNAMED_NOTE}" if self.org == UNNAMED else self.org),
            ("Audit period", _audit_period(r)),
            ("Service period", f"{self.period.sentence()}: the per-service incidents and change failure rates "
                               "count only these"),
            ("Run id", self.run_id),
            ("Run time", f"{_date(r.started_at)} to {_date(r.finished_at)}"),
            ("Engine", f"{engine.get('name', 'unknown')} {engine.get('version', '')}".strip()),
            ("Auditor version", engine.get("auditor", "unknown")),
            ("Failure threshold", f"controls of severity {r.fail_on} or higher fail the run"),
            ("Controls evaluated", str(len(self.controls))),
            ("Evidence documents", str(len(self.evidence))),
        ]
        if pack is None and self.packed_into:
            pairs.append(("Audit pack", f"this report is a member of {self.packed_into}, signed with this run"))
        elif pack is None:
            pairs.append(("Audit pack", "not packed: results are unsigned"))
        else:
            pairs += [
                ("Audit pack", f"{pack.path.name} ({pack.members} members)"),
                ("Pack sha256", markup(esc(pack.sha256), "mono")),
                ("Signer key id", (f"{pack.key_id} (masked; from {pack.attestation})" if pack.signed
                                   else "unsigned: no signature found in the pack")),
            ]
        return [
            Spacer(1, 30),
            heading("Evidence report", 0, "cover", in_toc=False),
            para(self.org, "subtitle"),
            key_value_table(pairs),
            Spacer(1, 14),
            markup("<b>How to verify this evidence</b>", "h3"),
            markup(_verify_statement(pack, self.packed_into)),
            Spacer(1, 8),
            para("Statuses: pass (the control's policy found no violation); fail (violations found); waived "
                 "(every violation covered by an approved waiver); error (the control could not be evaluated); "
                 "insufficient evidence (required evidence missing, unusable, older than its kind allows, or "
                 "nothing in scope). Each control shows its population: how many evidence items it judged and how many "
                 "passed. Only pass is a pass.", "small"),
            PageBreak(),
        ]

    def contents(self) -> list[Flowable]:
        return [heading("Contents", 0, "contents", in_toc=False), table_of_contents(), PageBreak()]

    def summary(self) -> list[Flowable]:
        counts = status_counts(self.controls)
        total = len(self.controls) or 1
        story: list[Flowable] = [heading("Summary", 0, "summary")]
        story.append(para(
            f"{counts[Status.PASS]} of {len(self.controls)} controls pass; {counts[Status.FAIL]} fail, "
            f"{counts[Status.WAIVED]} are waived, {counts[Status.ERROR]} could not be evaluated and "
            f"{counts[Status.INSUFFICIENT_EVIDENCE]} lack sufficient evidence."))
        story.append(markup("<b>Overall</b>", "h3"))
        story.append(table(["Status", "Controls", "Share"],
                           [[STATUS_LABELS[s], str(counts[s]), f"{counts[s] * 100 / total:.0f}%"] for s in STATUSES],
                           [0.4, 0.3, 0.3], width=CONTENT_WIDTH * 0.6))
        disabled = self.results.disabled
        if disabled:
            story.append(markup("<b>Disabled controls</b>", "h3"))
            story.append(para(
                f"{len(disabled)} control{'s were' if len(disabled) != 1 else ' was'} disabled by an organisation "
                "library layer: not evaluated and not counted as passing."))
            story.append(table(["Control", "Severity", "Disabled by", "Reason"],
                               [[f"{d.id} {d.title}", d.severity, f"{d.disabled_by} ({d.layer})",
                                 d.reason] for d in disabled], [0.3, 0.1, 0.25, 0.35]))
        story.append(markup("<b>By family</b>", "h3"))
        families: dict[str, list[ControlOutcome]] = {}
        for control in self.controls:
            families.setdefault(control.family, []).append(control)
        rows = []
        for family, members in sorted(families.items()):
            c = status_counts(members)
            rows.append([family, str(len(members)), *[str(c[s]) for s in STATUSES]])
        story.append(table(["Family", "Controls", *[STATUS_LABELS[s] for s in STATUSES]], rows,
                           [0.25, 0.11, 0.11, 0.11, 0.11, 0.11, 0.2]))
        story.append(markup("<b>By framework</b>", "h3"))
        if not self.figures:
            story.append(para("No framework catalogs or mappings were available for this run, so no clause "
                               "coverage can be reported."))
        else:
            if all(f.counts is not None for f in self.figures):
                # clauses are counted against the applicable ones below; here the controls mapped to each
                story.append(para("Controls mapped to each framework, by status (each control counted once per "
                                  "framework)."))
                story.append(table(["Framework", "Controls", *[STATUS_LABELS[s] for s in STATUSES]],
                                   [[f.name, str(f.controls), *[str(f.by_status.get(s, 0)) for s in STATUSES]]
                                    for f in self.figures], [0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2]))
            else:
                story.append(para(
                    "A clause is covered when at least one control maps to it fully or partially; a covered clause "
                    "passes when all of those controls pass. Controls are counted once per framework."))
                rows = []
                for f in self.figures:
                    total_clauses = "unknown" if f.total_clauses is None else str(f.total_clauses)
                    rows.append([f.name, str(f.controls), *[str(f.by_status.get(s, 0)) for s in STATUSES],
                                 f"{f.covered} of {total_clauses} ({percent(f.coverage)})",
                                 f"{f.passing} of {f.covered} ({percent(f.pass_rate)})"])
                story.append(table(
                    ["Framework", "Controls", *[STATUS_LABELS[s] for s in STATUSES], "Clauses covered",
                     "Covered clauses passing"], rows,
                    [0.2, 0.08, 0.065, 0.065, 0.075, 0.065, 0.11, 0.16, 0.16]))
            story += self.applicability_tables()
        story.append(PageBreak())
        return story

    def applicability_tables(self) -> list[Flowable]:
        """Clauses counted against the applicable ones (results.json ``coverage``, the SoA's figures), and every
        excluded clause with its justification."""
        counted = [f for f in self.figures if f.counts is not None]
        story: list[Flowable] = [markup("<b>Against applicable clauses</b>", "h3")]
        if not counted:
            story.append(para("This results.json records no applicability (written before coverage was recorded): "
                              "clauses are counted against every clause of each catalog above."))
            return story
        story.append(para(
            "Excluded clauses are declared not applicable (mappings/applicability/) and count in no denominator. Of "
            "the applicable: automated (a full or partial control decides the clause; passing when all of them "
            "pass), attested (a valid attestation at as_of, never an automated pass) and uncovered (neither)."))
        rows = []
        for f in counted:
            c = f.counts
            assert c is not None
            rows.append([f.name, str(c.clauses), str(c.excluded), str(c.applicable),
                         f"{c.automated} ({f.share(c.automated)})", str(c.automated_pass), str(c.automated_fail),
                         f"{c.attested} ({f.share(c.attested)})", f"{c.uncovered} ({f.share(c.uncovered)})"])
        story.append(table(["Framework", "Clauses", "Excluded", "Applicable", "Automated", "passing", "failing",
                            "Attested", "Uncovered"], rows,
                           [0.22, 0.08, 0.09, 0.1, 0.1, 0.08, 0.08, 0.1, 0.15]))
        excluded = [[f.name, e["id"], e["title"], e["justification"]] for f in counted for e in f.excluded]
        story.append(markup("<b>Excluded clauses</b>", "h3"))
        if excluded:
            story.append(table(["Framework", "Clause", "Title", "Justification"], excluded, [0.2, 0.08, 0.27, 0.45]))
        else:
            story.append(para("No clause is declared not applicable."))
        return story

    def services_section(self) -> list[Flowable]:
        """One section per catalogued service: its controls (with populations), SLOs, incidents and changes."""
        from auditor.report.service_facts import pct

        story: list[Flowable] = [heading("Services", 0, "services")]
        if self.services is None:
            story += [para("The run read no service catalogue (services evidence), so there is no per-service "
                           "view."), PageBreak()]
            return story
        story.append(para(
            "One section per service in the catalogue. A service's controls are those that read the service "
            "catalogue, changes, incidents or SLO reports, and any other control with a finding on the service's "
            "own resources (its SLO reports, incidents, change requests, deployments and models). results.json "
            "counts each control's population but does not list its items, so 'no finding here' means no finding "
            "names this service; the population shown is the control's whole population. "
            f"{self.period.sentence()}: incidents detected and changes completed outside it are not counted."))
        by_id = {c.id: c for c in self.controls}
        for f in self.services:
            story += [CondPageBreak(160), heading(f"{f.name} ({f.id})", 1, f"service-{f.id}")]
            story.append(key_value_table([
                ("Outcome", f.outcome), ("Owner", f.owner),
                ("Tier and environment", f"{'tier ' + str(f.tier) if f.tier is not None else 'no tier'}, "
                                         f"{f.environment}"),
                ("Reliability", f"{f.slo_sentence()}; error budget {f.budget_sentence()}"),
                ("Change failure rate in the period", f.change_sentence()),
                ("Incidents in the period", f.incident_sentence()),
            ]))
            story += subheading(f"Controls ({len(f.controls)})")
            if f.controls:
                story.append(table(["Control", "Here", "Control status", "Population"],
                                   [[f"{cid} {title}", here, STATUS_LABELS[by_id[cid].status],
                                     by_id[cid].population_text()] for cid, title, here in f.controls],
                                   [0.5, 0.14, 0.16, 0.2]))
            else:
                story.append(para("No control judged this service.", "small"))
            story += subheading(f"SLOs ({len(f.slos)} reported of {f.declared_slos} defined)")
            if f.slos:
                story.append(table(["SLO", "Window", "Target", "Attainment", "Error budget left"],
                                   [[x.slo, x.window, pct(x.target, 2), pct(x.attainment, 3), pct(x.budget_left)]
                                    for x in f.slos], [0.3, 0.14, 0.16, 0.2, 0.2]))
            else:
                story.append(para("No SLO report for this service.", "small"))
            outside = f"; {f.incidents_outside} outside the period not counted" if f.incidents_outside else ""
            story += subheading(f"Incidents in the period ({len(f.incidents)}{outside})")
            if f.incidents:
                story.append(table(["Incident", "Priority", "Major", "Resolved", "Title"],
                                   [[i.id, i.priority, "yes" if i.major else "no", "yes" if i.resolved else "no",
                                     i.title] for i in f.incidents], [0.16, 0.1, 0.1, 0.1, 0.54]))
            else:
                story.append(para("None recorded.", "small"))
            story.append(Spacer(1, 8))
        story.append(PageBreak())
        return story

    def control_section(self, control: ControlOutcome) -> list[Flowable]:
        cid = control.id
        status = control.status
        story: list[Flowable] = [CondPageBreak(120), heading(f"{cid}  {control.title}", 1,
                                                             f"control-{cid}")]
        params = control.parameters
        pairs: list[tuple[str, Any]] = [
            ("Objective", control.objective),
            ("Impact if it fails", control.impact or "not stated"),
            ("Owner", control.owner),
            ("Severity", control.severity),
            ("Family", control.family),
            ("Status", markup(f"{status_text(status)}: {esc(control.reason)}", "cell")),
            ("Population", control.population_text()),
            ("Policy", control.policy),
            ("Parameters in force", "; ".join(f"{k} = {_json_value(v)}" for k, v in sorted(params.items()))
             or "none"),
        ]
        if control.remediation and not control.passing:
            pairs.append(("Remediation", control.remediation))
        story.append(key_value_table(pairs))
        mappings = control.mappings
        story += subheading("Mapped clauses")
        if mappings:
            names = {f.framework: f.name for f in self.figures}
            story.append(table(
                ["Framework", "Clause", "Strength", "Rationale"],
                [[names.get(m.framework, m.framework), m.clause, m.strength, m.rationale] for m in mappings],
                [0.2, 0.1, 0.1, 0.6]))
        else:
            story.append(para("Not mapped to any framework clause.", "small"))
        violations = control.violations
        count = control.violation_count
        story += subheading(f"Violations ({count})")
        if violations:
            shown = violations[:VIOLATIONS_SHOWN]
            story.append(table(["Resource", "Message"], [[v.resource, v.message] for v in shown],
                               [0.3, 0.7]))
            if count > len(shown):
                story.append(para(f"Showing the first {len(shown)} of {count} violations; the full list is in "
                                  "results.json in the pack.", "small"))
        else:
            story.append(para("None.", "small"))
        waived = control.waived_violations
        if waived:
            story += subheading(f"Waived findings ({len(waived)})")
            rows = []
            for w in waived[:VIOLATIONS_SHOWN]:
                ref = w.waiver
                rows.append([w.resource, w.message, ref.id, ref.approver, ref.expires, ref.ticket, ref.reason])
            story.append(table(["Resource", "Message", "Waiver", "Approver", "Expires", "Ticket", "Reason"],
                               rows, [0.14, 0.22, 0.1, 0.12, 0.1, 0.1, 0.22]))
            if len(waived) > VIOLATIONS_SHOWN:
                story.append(para(f"Showing the first {VIOLATIONS_SHOWN} of {len(waived)} waived findings.",
                                  "small"))
        used = control.evidence
        story += subheading("Evidence used")
        if used:
            rows = []
            for path in used:
                doc = self.evidence.get(path)
                rows.append([path, doc.source, _date(doc.collected_at), doc.sha256] if doc is not None
                            else [path, "unknown", _date(None), "unknown"])
            story.append(table(["Document", "Source", "Collected", "sha256"], rows, [0.24, 0.22, 0.2, 0.34],
                               mono=[3]))
        else:
            kinds = ", ".join(control.evidence_kinds) or "none declared"
            story.append(para(f"No evidence document was used (kinds required: {kinds}).", "small"))
        story.append(Spacer(1, 10))
        return story

    def controls_section(self) -> list[Flowable]:
        story: list[Flowable] = [heading("Controls", 0, "controls")]
        for control in self.controls:
            story.extend(self.control_section(control))
        story.append(PageBreak())
        return story

    def _matrix(self, figure: FrameworkFigure) -> list[Flowable]:
        rows = []
        for clause_id, (title, mapped) in figure.clauses.items():
            controls = ", ".join(f"{cid} ({strength}, {STATUS_LABELS.get(status, status)})"
                                 for cid, strength, status in mapped) or "not covered"
            rows.append([clause_id, title, controls])
        return [CondPageBreak(150), markup(esc(figure.name), "h2"),
                para(f"{figure.covered} of {figure.total_clauses if figure.total_clauses is not None else 'unknown'}"
                     f" clauses covered ({percent(figure.coverage)}); {figure.passing} covered clauses passing.",
                     "small"),
                table(["Clause", "Title", "Controls (strength, status)"], rows, [0.12, 0.38, 0.5])]

    def appendix(self) -> list[Flowable]:
        story: list[Flowable] = [heading("Appendix A: Mapping matrix", 0, "appendix-mappings")]
        if self.figures:
            for figure in self.figures:
                story.extend(self._matrix(figure))
        else:
            story.append(para("No framework catalogs or mappings were available for this run."))
        story += [PageBreak(), heading("Appendix B: Evidence inventory", 0, "appendix-evidence")]
        docs = [self.evidence[k] for k in sorted(self.evidence)]
        if docs:
            story.append(table(
                ["Document", "Kind", "Source", "Collected", "Items", "Bytes", "sha256"],
                [[d.path, d.kind, d.source, _date(d.collected_at), str(d.items), str(d.size), d.sha256]
                 for d in docs],
                [0.17, 0.1, 0.14, 0.12, 0.07, 0.09, 0.31], mono=[6]))
        else:
            story.append(para("No evidence documents were loaded."))
        story += [Spacer(1, 8), heading("Appendix C: Collection errors", 0, "appendix-errors")]
        errors = [(d.path, e) for d in docs for e in d.errors]
        if errors:
            story.append(table(["Document", "Scope", "Code", "Message"],
                               [[path, e.get("scope"), e.get("code"), e.get("message")] for path, e in errors],
                               [0.22, 0.18, 0.15, 0.45]))
        else:
            story.append(para("The collectors reported no errors."))
        waivers = self.results.waivers
        if waivers is not None:
            story += [Spacer(1, 8), heading("Appendix D: Waivers", 0, "appendix-waivers")]
            if waivers:
                # the judgement's own words: why it is not applied, or until when it is in force
                story.append(table(
                    ["Waiver", "Control", "Expires", "Status", "Why (as judged at as_of)"],
                    [[e.id, e.control, e.expires, e.status, e.judgement]
                     for e in sorted(waivers, key=lambda e: (e.control, e.id))],
                    [0.2, 0.14, 0.14, 0.12, 0.4]))
            else:
                story.append(para("No waivers were declared."))
        return story

    def story(self) -> list[Flowable]:
        return [*self.cover(), *self.contents(), *self.summary(), *self.services_section(), *self.controls_section(),
                *self.appendix()]

    def render(self) -> bytes:
        builder: Callable[[], list[Flowable]] = self.story
        return render_pdf(
            builder, title=f"Evidence report: {self.org}, run {self.run_id}", author=f"Auditor for {self.org}",
            subject="Compliance evidence report: controls, evidence, framework mappings",
            run_id=self.run_id, footer_label=f"Evidence report: {self.org}",
            keywords=["compliance", "audit", "evidence", self.run_id],
        )


def write_evidence_report(results: Results | dict[str, Any], out: Path, *, org: str = DEFAULT_ORG,
                          pack: PackInfo | None = None, catalogs: MappingSet | None = None,
                          packed_into: str | None = None, evidence: ReportEvidence | None = None,
                          period: ReportPeriod | None = None) -> Path:
    report = EvidenceReport(results, org=org, pack=pack, catalogs=catalogs, packed_into=packed_into,
                            evidence=evidence, period=period)
    write_atomic(out, report.render())
    return out
