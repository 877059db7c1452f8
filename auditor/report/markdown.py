"""A compact Markdown summary for ``$GITHUB_STEP_SUMMARY`` and merge-request comments.

Usage: ``auditor evaluate --evidence DIR --format markdown=out/auditor.md``; when
``$GITHUB_STEP_SUMMARY`` is set, evaluate and run append it there too.

A headline with counts and the exit code, warnings, one table row per control
that did not pass (status, control, severity, framework clauses, violations,
population "N of M in scope passed", title), then the violations and waived
violations in collapsed sections, the waivers, and the passing controls with
their populations.
"""

from __future__ import annotations

from typing import Any

from auditor.model import Status
from auditor.report import FORMATS, Format
from auditor.report.disabled import tally as disabled_tally
from auditor.results_model import SEVERITY_ORDER, STATUS_ORDER, ControlOutcome, Results

ICONS = {Status.PASS: "✅", Status.FAIL: "❌", Status.WAIVED: "⚪", Status.ERROR: "💥",
         Status.INSUFFICIENT_EVIDENCE: "❓"}
MAX_LISTED = 20  # violations listed per control; the rest are counted


def cell(text: Any) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _violation_count(control: ControlOutcome, baseline: bool) -> str:
    n = len(control.violations)
    text = str(n) if n else ""
    if baseline and n:
        text += f" ({sum(v.counts_as_new for v in control.violations)} new)"
    if control.waived_violations:
        text += f"{' + ' if text else ''}{len(control.waived_violations)} waived"
    if control.explained:
        text = control.reason
    return cell(text)


def _worst_first(controls: list[ControlOutcome]) -> list[ControlOutcome]:
    return sorted(controls, key=lambda c: (STATUS_ORDER.index(c.status), SEVERITY_ORDER.index(c.severity), c.id))


def _clauses(control: ControlOutcome) -> str:
    groups: dict[str, list[str]] = {}
    for m in control.mappings:
        groups.setdefault(m.framework, []).append(m.clause)
    return " / ".join(f"{framework}: {', '.join(ids)}" for framework, ids in groups.items())


@FORMATS.register("markdown")
class MarkdownFormat(Format):
    """Markdown summary (GitHub step summary, merge-request comments).

    Example: ``auditor evaluate --evidence evidence/ --format markdown=out/auditor.md``
    """

    default_filename = "auditor.md"

    def render(self, results: Results | dict[str, Any]) -> bytes:
        doc = Results.coerce(results)
        controls = doc.controls
        baseline = doc.baseline is not None
        total = doc.counts()
        verdict = "passed" if doc.exit_code == 0 else "failed"
        tally = ", ".join(f"{n} {s.value.replace('_', ' ')}" for s in STATUS_ORDER if (n := total[s]))
        out = [f"## Auditor: {verdict} ({len(controls)} controls: {tally or 'none evaluated'})", ""]
        disabled = doc.disabled
        meta = (f"Evidence as of `{doc.as_of}` · fail-on `{doc.fail_on}` · "
                f"exit code {doc.exit_code} · run `{doc.run_id}`")
        meta += disabled_tally(doc)
        if doc.baseline is not None:
            b = doc.baseline
            meta += f" · baseline: {b['new']} new, {b['known']} known violations"
        out += [meta, ""]
        warnings = doc.warnings or []
        for warning in warnings:
            out.append(f"> ⚠️ **Warning:** {cell(warning)}")
        if warnings:
            out.append("")
        not_passing = [c for c in _worst_first(controls) if c.status is not Status.PASS]
        if not_passing:
            out += ["| Status | Control | Severity | Clauses | Violations | Population | Title |",
                    "|---|---|---|---|---|---|---|"]
            for c in not_passing:
                clauses = _clauses(c) or "-"
                out.append(f"| {ICONS[c.status]} {c.status.value} | `{c.id}` | {c.severity} | "
                           f"{cell(clauses)} | {_violation_count(c, baseline)} | {c.population_text()} | "
                           f"{cell(c.title)} |")
            out.append("")
        for c in not_passing:
            violations, waived = c.violations, c.waived_violations
            if not violations and not waived:
                continue
            out += [f"<details><summary><code>{c.id}</code> {cell(c.title)}: {cell(c.reason)}</summary>", ""]
            for v in violations[:MAX_LISTED]:
                mark = ("**new** " if v.counts_as_new else "known ") if baseline else ""
                out.append(f"- {mark}`{cell(v.resource)}`: {cell(v.message)}")
            if len(violations) > MAX_LISTED:
                out.append(f"- ... and {len(violations) - MAX_LISTED} more (see results.json)")
            for w in waived[:MAX_LISTED]:
                ref = w.waiver
                out.append(f"- waived `{cell(w.resource)}`: {cell(w.message)} (waiver `{ref.id}`, "
                           f"approved by {cell(ref.approver)}, expires {ref.expires}, {cell(ref.ticket)})")
            if len(waived) > MAX_LISTED:
                out.append(f"- ... and {len(waived) - MAX_LISTED} more waived (see results.json)")
            if c.remediation:
                out.append(f"\n_Remediation:_ {cell(c.remediation)}")
            out += ["", "</details>", ""]
        waivers = doc.waivers or []
        if waivers:
            out += ["| Waiver | Control | Resource | Status | Expires | Detail |", "|---|---|---|---|---|---|"]
            for e in waivers:
                out.append(f"| `{cell(e.id)}` | `{e.control}` | `{cell(e.resource)}` | {e.status} | "
                           f"{e.expires} | {cell(e.judgement)} |")
            out.append("")
        if disabled:
            out += ["| Disabled (not evaluated) | Severity | Disabled by | Reason | Title |", "|---|---|---|---|---|"]
            for d in disabled:
                out.append(f"| ⏸️ `{d.id}` | {d.severity} | `{cell(d.disabled_by)}` ({cell(d.layer)}) | "
                           f"{cell(d.reason)} | {cell(d.title)} |")
            out.append("")
        passing = sorted((c for c in controls if c.status is Status.PASS), key=lambda c: c.id)
        if passing:
            out += ["Passing: " + ", ".join(f"`{c.id}` ({c.population_text()})" for c in passing), ""]
        return "\n".join(out).encode("utf-8")
