"""A compact Markdown summary for ``$GITHUB_STEP_SUMMARY`` and merge-request comments.

Usage: ``auditor evaluate --evidence DIR --format markdown=out/auditor.md``; when
``$GITHUB_STEP_SUMMARY`` is set, evaluate and run append it there too.

A headline with counts and the exit code, warnings, one table row per control
that did not pass (status, control, severity, framework clauses, violations,
population "N of M in scope passed", title), then the violations and waived
violations in collapsed sections, the exceptions, and the passing controls with
their populations.
"""

from __future__ import annotations

from typing import Any

from auditor.report import FORMATS, Format
from auditor.report.common import (
    STATUS_ORDER,
    by_severity_and_status,
    clause_label,
    counts,
    is_new,
    population_text,
)
from auditor.report.disabled import disabled_controls
from auditor.report.disabled import tally as disabled_tally

ICONS = {"pass": "✅", "fail": "❌", "waived": "⚪", "error": "💥", "insufficient_evidence": "❓"}
MAX_LISTED = 20  # violations listed per control; the rest are counted


def cell(text: Any) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _violation_count(control: dict[str, Any], baseline: bool) -> str:
    n = len(control.get("violations", []))
    text = str(n) if n else ""
    if baseline and n:
        text += f" ({sum(is_new(v) for v in control['violations'])} new)"
    if control.get("waived"):
        text += f"{' + ' if text else ''}{len(control['waived'])} waived"
    if control["status"] in ("error", "insufficient_evidence"):
        text = control["reason"]
    return cell(text)


@FORMATS.register("markdown")
class MarkdownFormat(Format):
    """Markdown summary (GitHub step summary, merge-request comments).

    Example: ``auditor evaluate --evidence evidence/ --format markdown=out/auditor.md``
    """

    default_filename = "auditor.md"

    def render(self, results_document: dict[str, Any]) -> bytes:
        doc = results_document
        controls = doc.get("controls", [])
        baseline = "baseline" in doc
        total = counts(doc)
        exit_code = doc.get("exit_code", "")
        verdict = "passed" if exit_code == 0 else "failed"
        tally = ", ".join(f"{n} {s.replace('_', ' ')}" for s in STATUS_ORDER if (n := total.get(s, 0)))
        out = [f"## Auditor: {verdict} ({len(controls)} controls: {tally or 'none evaluated'})", ""]
        disabled = disabled_controls(doc)
        meta = (f"Evidence as of `{doc.get('as_of', '')}` · fail-on `{doc.get('fail_on', '')}` · "
                f"exit code {exit_code} · run `{doc.get('run_id', '')}`")
        meta += disabled_tally(doc)
        if baseline:
            b = doc["baseline"]
            meta += f" · baseline: {b['new']} new, {b['known']} known violations"
        out += [meta, ""]
        for warning in doc.get("warnings", []):
            out.append(f"> ⚠️ **Warning:** {cell(warning)}")
        if doc.get("warnings"):
            out.append("")
        not_passing = [c for c in by_severity_and_status(controls) if c["status"] != "pass"]
        if not_passing:
            out += ["| Status | Control | Severity | Clauses | Violations | Population | Title |",
                    "|---|---|---|---|---|---|---|"]
            for c in not_passing:
                clauses = clause_label(c) or "-"
                out.append(f"| {ICONS.get(c['status'], '')} {c['status']} | `{c['id']}` | {c['severity']} | "
                           f"{cell(clauses)} | {_violation_count(c, baseline)} | {population_text(c)} | "
                           f"{cell(c['title'])} |")
            out.append("")
        for c in not_passing:
            violations, waived = c.get("violations", []), c.get("waived", [])
            if not violations and not waived:
                continue
            out += [f"<details><summary><code>{c['id']}</code> {cell(c['title'])}: {cell(c['reason'])}</summary>", ""]
            for v in violations[:MAX_LISTED]:
                mark = ("**new** " if is_new(v) else "known ") if baseline else ""
                out.append(f"- {mark}`{cell(v['resource'])}`: {cell(v['message'])}")
            if len(violations) > MAX_LISTED:
                out.append(f"- ... and {len(violations) - MAX_LISTED} more (see results.json)")
            for w in waived[:MAX_LISTED]:
                e = w["exception"]
                out.append(f"- waived `{cell(w['resource'])}`: {cell(w['message'])} (exception `{e['id']}`, "
                           f"approved by {cell(e['approver'])}, expires {e['expires']}, {cell(e['ticket'])})")
            if len(waived) > MAX_LISTED:
                out.append(f"- ... and {len(waived) - MAX_LISTED} more waived (see results.json)")
            if c.get("remediation"):
                out.append(f"\n_Remediation:_ {cell(c['remediation'])}")
            out += ["", "</details>", ""]
        exceptions = doc.get("exceptions", [])
        if exceptions:
            out += ["| Exception | Control | Resource | Status | Expires | Detail |", "|---|---|---|---|---|---|"]
            for e in exceptions:
                out.append(f"| `{cell(e['id'])}` | `{e['control']}` | `{cell(e['resource'])}` | {e['status']} | "
                           f"{e['expires']} | {cell(e['detail'])} |")
            out.append("")
        if disabled:
            out += ["| Disabled (not evaluated) | Severity | Disabled by | Reason | Title |", "|---|---|---|---|---|"]
            for d in disabled:
                out.append(f"| ⏸️ `{d['id']}` | {d['severity']} | `{cell(d['disabled_by'])}` ({cell(d['layer'])}) | "
                           f"{cell(d['reason'])} | {cell(d['title'])} |")
            out.append("")
        passing = sorted((c for c in controls if c["status"] == "pass"), key=lambda c: c["id"])
        if passing:
            out += ["Passing: " + ", ".join(f"`{c['id']}` ({population_text(c)})" for c in passing), ""]
        return "\n".join(out).encode("utf-8")
