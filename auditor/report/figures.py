"""Figures both reports show: status counts and per-framework clause coverage.

Coverage here is the simple roll-up from ``results.json`` mappings and the
framework catalogs (``auditor.mappings``):

* a clause is *covered* when at least one control maps to it with strength
  ``full`` or ``partial`` (``supporting`` mappings do not cover a clause);
* a covered clause is *passing* when every full/partial control mapped to it passed.

Without catalogs, the total number of clauses is unknown and only the mapped
clauses are counted.

When results.json has a ``coverage`` section (written by every run that had mappings), each figure
also carries its :class:`~auditor.mappings.coverage.CoverageCounts` (``counts``): clauses counted
against the applicable ones, split automated / attested / uncovered, and the excluded clauses with
their justification. The reports show those, the same numbers as ``auditor mappings coverage`` and
the Statement of Applicability.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.model import Status
from auditor.results_model import ControlOutcome, Results

if TYPE_CHECKING:
    from auditor.mappings import MappingSet
    from auditor.mappings.coverage import CoverageCounts

#: the statuses in the order the reports' tables show them (the vocabulary's own order)
STATUSES = tuple(Status)
COVERING = ("full", "partial")


@dataclass
class FrameworkFigure:
    framework: str
    name: str
    total_clauses: int | None
    covered: int = 0
    passing: int = 0
    controls: int = 0
    by_status: dict[Status, int] = field(default_factory=lambda: {s: 0 for s in STATUSES})
    # clause id -> (title, [(control id, strength, status)]) in catalog order
    clauses: dict[str, tuple[str, list[tuple[str, str, Status]]]] = field(default_factory=dict)
    #: results.json ``coverage`` of this framework (None in results written before it existed)
    counts: CoverageCounts | None = None
    #: clauses declared not applicable: {id, title, justification}
    excluded: list[dict[str, str]] = field(default_factory=list)

    def share(self, n: int) -> str:
        """``n`` as a percentage of the applicable clauses."""
        return percent(n / self.counts.applicable if self.counts and self.counts.applicable else None)

    @property
    def coverage(self) -> float | None:
        return self.covered / self.total_clauses if self.total_clauses else None

    @property
    def met(self) -> float | None:
        """The share of all the framework's clauses that are covered and whose controls all pass."""
        return self.passing / self.total_clauses if self.total_clauses else None

    @property
    def pass_rate(self) -> float | None:
        return self.passing / self.covered if self.covered else None


def status_counts(controls: list[ControlOutcome]) -> dict[Status, int]:
    counts = {s: 0 for s in STATUSES}
    for control in controls:
        counts[control.status] += 1
    return counts


def load_catalogs(root: Path | None) -> MappingSet | None:
    """The framework catalogs under ``root``, or ``None`` when there are none to read."""
    from auditor.mappings import load_mappings

    if root is None or not Path(root).is_dir() or not (Path(root) / "frameworks").is_dir():
        return None
    mapping_set = load_mappings(Path(root))
    return mapping_set if mapping_set.catalogs else None


def framework_figures(given: Results | dict[str, Any], catalogs: MappingSet | None) -> list[FrameworkFigure]:
    """One figure per framework known from the catalogs or named in the results' mappings."""
    results = Results.coerce(given)
    figures: dict[str, FrameworkFigure] = {}
    if catalogs is not None:
        for fw, catalog in sorted(catalogs.catalogs.items()):
            figure = FrameworkFigure(fw, catalog.name, len(catalog.clauses))
            figure.clauses = {cid: (clause.title, []) for cid, clause in catalog.clauses.items()}
            figures[fw] = figure
    for control in results.controls:
        seen: set[str] = set()
        for mapping in control.mappings:
            fw = mapping.framework
            figure = figures.setdefault(fw, FrameworkFigure(fw, fw, None))
            entry = figure.clauses.setdefault(mapping.clause, ("", []))
            entry[1].append((control.id, str(mapping.strength), control.status))
            if fw not in seen:
                seen.add(fw)
                figure.controls += 1
                figure.by_status[control.status] += 1
    for figure in figures.values():
        for _title, mapped in figure.clauses.values():
            covering = [m for m in mapped if m[1] in COVERING]
            if covering:
                figure.covered += 1
                if all(m[2] is Status.PASS for m in covering):
                    figure.passing += 1
    _attach_coverage(figures, results)
    return list(figures.values())


def _attach_coverage(figures: dict[str, FrameworkFigure], results: Results) -> None:
    from auditor.mappings.coverage import CoverageCounts

    fields = CoverageCounts.__dataclass_fields__
    for fw, entry in sorted((results.coverage or {}).items()):
        figure = figures.setdefault(fw, FrameworkFigure(fw, fw, entry.clauses))
        figure.counts = CoverageCounts(**{k: getattr(entry, k) for k in fields})
        figure.excluded = [{"id": e.id, "title": e.title, "justification": e.justification}
                           for e in entry.excluded_list()]


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"
