"""Rendering coverage, crosswalks and diffs as table (rich), csv, markdown or json.

Each view is turned into :class:`Section` objects (a title, headers, rows); the
formats only differ in how they print sections. CSV carries the first section
(one row per clause, link or change) so it loads straight into a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from auditor.files import pretty_json
from auditor.mappings.coverage import CLAUSE_STATUSES, Coverage
from auditor.mappings.crosswalk import Crosswalk
from auditor.mappings.history import MappingDiff

FORMATS = ("table", "csv", "markdown", "json")

STATUS_STYLE = {"pass": "green", "fail": "bold red", "not_evaluated": "yellow", "supported": "cyan",
                "gap": "bold magenta", "covered": "green", "added": "green", "removed": "red", "changed": "yellow"}


@dataclass
class Section:
    title: str
    headers: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)
    styled: tuple[str, ...] = ()  # columns whose values get a status colour in the table format


@dataclass
class View:
    heading: str
    preamble: list[str]
    sections: list[Section]
    data: dict[str, Any]


def coverage_view(cov: Coverage) -> View:
    cat = cov.catalog
    statuses = [s for s in CLAUSE_STATUSES if s in ("pass", "fail", "not_evaluated")] if cov.results_given else []

    def controls_cell(item: Any) -> str:
        parts = []
        for link in item.controls:
            parts.append(f"{link.control} ({link.strength}, {link.status})" if cov.results_given
                         else f"{link.control} ({link.strength})")
        return "; ".join(parts)

    clauses = Section(
        "Clauses",
        ["clause", "title", "group", "coverage", "status", "controls", "applicable", "implementation",
         "attestations"],
        [[c.clause.id, c.clause.title, c.clause.group, c.coverage, c.status, controls_cell(c),
          "yes" if c.applicable else "no", c.implementation, attestations_cell(c)] for c in cov.clauses],
        styled=("coverage", "status"),
    )
    excluded = Section("Excluded (declared not applicable)", ["clause", "title", "justification", "owner",
                                                                "review date"],
                       [[c.clause.id, c.clause.title, c.decision.justification or "" if c.decision else "",
                         c.decision.owner if c.decision else "",
                         c.decision.review_date.isoformat() if c.decision else ""] for c in cov.excluded])
    if not excluded.rows:
        excluded.notes.append("None: every clause is applicable.")
    uncovered = Section("Uncovered applicable clauses (no deciding control, no valid attestation)",
                        ["clause", "title", "group", "why"],
                        [[c.clause.id, c.clause.title, c.clause.group, uncovered_reason(c)] for c in cov.uncovered])
    gaps = Section("Gaps (clauses no control is mapped to)", ["clause", "title", "group"],
                   [[c.clause.id, c.clause.title, c.clause.group] for c in cov.gaps])
    if not gaps.rows:
        gaps.notes.append("None: every clause has at least one mapped control.")
    totals = Section(
        "Totals by group",
        ["group", "title", "parent", "clauses", "covered", "supported", "gap", *statuses],
        [[g.id, g.title, g.parent or "", str(g.totals.clauses), str(g.totals.covered), str(g.totals.supported),
          str(g.totals.gap), *(str(g.totals.by_status[s]) for s in statuses)] for g in cov.groups]
        + [["all", cat.name, "", str(cov.totals.clauses), str(cov.totals.covered), str(cov.totals.supported),
            str(cov.totals.gap), *(str(cov.totals.by_status[s]) for s in statuses)]],
    )
    counts = cov.counts()
    preamble = [
        f"Framework: {cat.name} (version {cat.version}, id {cat.framework})",
        f"Applicable {counts.applicable} of {counts.clauses} clauses ({counts.excluded} excluded); of the "
        f"applicable: automated {counts.automated}, attested {counts.attested}, uncovered {counts.uncovered}",
        f"Mapping owner: {cov.owner or 'none (no mapping file)'}; last reviewed: {cov.last_reviewed or 'never'}",
        f"Covered {cov.totals.covered} of {cov.totals.clauses} clauses, supported only {cov.totals.supported}, "
        f"gaps {cov.totals.gap}"
        + (f"; passing {cov.totals.by_status['pass']}, failing {cov.totals.by_status['fail']}, "
           f"not evaluated {cov.totals.by_status['not_evaluated']}" if cov.results_given
           else " (no results given: statuses are not_evaluated)"),
    ]
    return View(f"Coverage: {cat.name}", preamble, [clauses, excluded, uncovered, gaps, totals], cov.to_dict())


def attestations_cell(item: Any) -> str:
    return "; ".join(f"{a.id} ({state}, expires {a.expires_at:%Y-%m-%d})" for a, state in item.attestations)


def uncovered_reason(item: Any) -> str:
    reasons = []
    if item.coverage == "supported":
        reasons.append("supporting controls only")
    for att, state in item.attestations:
        reasons.append(f"attestation {att.id} {state}")
    return "; ".join(reasons) or "no control, no attestation"


def crosswalk_view(cw: Crosswalk, source_name: str, target_name: str,
                   published: list[tuple[Any, list[tuple[Any, Any]]]] | None = None) -> View:
    """The derived crosswalk (through shared controls) and, beside it, each published crosswalk (with its
    (source clause, target clause) pairs), labelled."""
    links = Section(
        "Links",
        [f"{cw.source} clause", "title", f"{cw.target} clause", "title", "strength", "via controls"],
        [[link.source.id, link.source.title, link.target.id, link.target.title, link.strength,
          "; ".join(f"{v.control} ({v.from_strength}/{v.to_strength})" for v in link.via)] for link in cw.links],
        styled=(),
    )
    in_published = {a.id for _pub, pairs in published or [] for a, _b in pairs}

    def reason(clause: Any, why: str) -> str:
        return why + ("; a published crosswalk below links it" if clause.id in in_published else "")

    unlinked = Section(
        f"{cw.source} clauses with no derived counterpart in {cw.target}", ["clause", "title", "reason"],
        [[c.id, c.title, reason(c, "its controls are not mapped to the target")] for c in cw.unlinked]
        + [[c.id, c.title, reason(c, "no control is mapped to it")] for c in cw.unmapped],
    )
    linked = len({link.source.id for link in cw.links})
    preamble = [f"From {source_name} ({cw.source}) to {target_name} ({cw.target}) through shared controls.",
                f"{len(cw.links)} links; {linked} source clauses linked, {len(cw.unlinked)} mapped but unlinked, "
                f"{len(cw.unmapped)} unmapped.",
                "Strength of a link: the weaker of a control's two mappings, the strongest over shared controls."]
    sections = [links, unlinked]
    data = cw.to_dict()
    data["derived"] = "through shared controls (Auditor's mappings)"
    data["published"] = []
    for pub, pairs in published or []:
        rows = [[a.id, a.title, b.id, b.title, "published"] for a, b in pairs]
        section = Section(f"Published crosswalk: {pub.publisher} ({pub.path.name})",
                          [f"{cw.source} clause", "title", f"{cw.target} clause", "title", "kind"], rows)
        section.notes.append(f"Source: {pub.citation} <{pub.url}>. Published by {pub.publisher}; it does not "
                             "go through Auditor's controls.")
        sections.append(section)
        data["published"].append({"publisher": pub.publisher, "citation": pub.citation, "url": pub.url,
                                  "file": pub.path.name, "links": [{"from": a.id, "to": b.id} for a, b in pairs]})
    kinds = (f"Published crosswalks: {len(data['published'])} (shown after the derived links, each with its source)."
             if data["published"] else f"No published crosswalk between {cw.source} and {cw.target} is bundled.")
    preamble.append("Derived links go through Auditor's controls (a clause of each framework mapped to the same "
                    "control). " + kinds)
    return View(f"Crosswalk: {cw.source} -> {cw.target}", preamble, sections, data)


def _value_cell(value: dict[str, str] | None) -> str:
    if value is None:
        return ""
    if "value" in value:
        return value["value"]
    if "title" in value:  # a catalog clause
        return f"{value['title']} (group {value['group']})"
    if "applicable" in value:
        text = f"applicable: {value['applicable']}"
        if value.get("justification"):
            text += f"; {value['justification']}"
        return text + f"; owner {value['owner']}; review {value['review_date']}"
    return f"{value['strength']}: {value['rationale']}"


def diff_view(diff: MappingDiff) -> View:
    rows = []
    for c in diff.changes:
        who = "; ".join(f"{ci.short} {ci.author} <{ci.email}> {ci.date} {ci.summary}" for ci in c.commits)
        rows.append([c.kind, c.framework, c.control, c.clause, _value_cell(c.before), _value_cell(c.after), who])
    changes = Section("Changes", ["change", "framework", "control", "clause", "before", "after", "commits"], rows,
                      styled=("change",))
    if not rows:
        changes.notes.append("No mapping, catalog or applicability changes between these revisions.")
    counts = diff.counts()
    new = "the working tree (uncommitted)" if diff.worktree else f"{diff.new.short} ({diff.new.date})"
    preamble = [
        f"Mappings in {diff.path}: {diff.old.short} ({diff.old.date}) .. {new}",
        f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed, "
        f"{counts['retitled']} retitled (mappings, catalog clauses, applicability decisions)",
    ]
    if diff.uncommitted and not diff.worktree:
        preamble.append(f"Note: {diff.path} has uncommitted changes that this diff does not show; "
                        "pass --worktree to compare with the working tree.")
    return View("Mapping changes", preamble, [changes], diff.to_dict())


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(view: View) -> str:
    lines = [f"# {view.heading}", ""]
    lines += [f"{line}  " for line in view.preamble]
    for section in view.sections:
        lines += ["", f"## {section.title}", ""]
        if section.rows:
            lines.append("| " + " | ".join(section.headers) + " |")
            lines.append("|" + "---|" * len(section.headers))
            lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in section.rows]
        lines += section.notes
    return "\n".join(lines) + "\n"


def to_csv(view: View) -> str:
    section = view.sections[0]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(section.headers)
    writer.writerows(section.rows)
    return buffer.getvalue()


def to_table(view: View, width: int | None = None, color: bool = True) -> str:
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, width=width or 200, force_terminal=color, no_color=not color,
                      highlight=False, soft_wrap=False)
    console.print(f"[bold]{view.heading}[/]")
    for line in view.preamble:
        console.print(line, markup=False)
    for section in view.sections:
        table = Table(title=section.title, title_justify="left")
        for header in section.headers:
            table.add_column(header, overflow="fold", no_wrap=header in ("clause", "status", "coverage", "change"))
        styled = {section.headers.index(h) for h in section.styled if h in section.headers}
        for row in section.rows:
            cells = []
            for index, cell in enumerate(row):
                from rich.text import Text

                style = STATUS_STYLE.get(cell, "") if index in styled else ""
                cells.append(Text(cell, style=style))
            table.add_row(*cells)
        if section.rows:
            console.print(table)
        for note in section.notes:
            console.print(f"{section.title}: {note}", markup=False)
    return buffer.getvalue()


def render(view: View, fmt: str, width: int | None = None, color: bool = False) -> str:
    if fmt == "json":
        return pretty_json(view.data).decode()
    if fmt == "csv":
        return to_csv(view)
    if fmt == "markdown":
        return to_markdown(view)
    if fmt == "table":
        return to_table(view, width, color)
    raise ValueError(f"unknown format {fmt!r}")
