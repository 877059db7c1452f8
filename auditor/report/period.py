"""The reporting period: which incidents and changes the board and the evidence report count.

A period ends at the run's ``as_of`` (the evidence's own instant, never the wall clock) and starts
``--period-days`` days earlier (default :data:`DEFAULT_DAYS`) or at ``--since DATE``. An incident
belongs to the period when it was detected inside it; a change when it was completed inside it
(``actual_end``, else ``actual_start``; a change with neither has no date and is not counted).
Items after ``as_of`` are outside it: the verdicts were reached at ``as_of``.

Usage::

    period = report_period(results, days=30)
    period.contains("2026-11-07T09:52:00Z")   # True when inside
    period.label()                            # "2026-10-21 to 2026-11-20"
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from auditor.errors import InputError
from auditor.results_model import Results

DEFAULT_DAYS = 90


def _instant(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ReportPeriod:
    start: datetime
    end: datetime
    #: how the start was chosen, in words ("the 90 days to", "since --since")
    basis: str

    @property
    def days(self) -> int:
        return max((self.end - self.start).days, 0)

    def contains(self, when: Any) -> bool:
        instant = _instant(when)
        return instant is not None and self.start <= instant <= self.end

    def label(self) -> str:
        return f"{self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}"

    def sentence(self) -> str:
        """"Incidents and changes from 2026-08-22 to 2026-11-20 (the 90 days to the evidence's as-of)"."""
        return (f"Incidents and changes from {self.label()} ({self.basis} the evidence's as-of, "
                f"{self.end:%Y-%m-%d %H:%M}Z)")


def change_time(change: dict[str, Any]) -> Any:
    """When a change was completed: ``actual_end``, else ``actual_start`` (None: undated)."""
    return change.get("actual_end") or change.get("actual_start")


def parse_since(since: str) -> datetime:
    start = _instant(since)
    if start is None:
        raise InputError(f"--since: found {since!r}, expected a date (YYYY-MM-DD) or an RFC 3339 date-time")
    return start


def report_period(results: Results, days: int | None = None, since: str | None = None) -> ReportPeriod:
    """The period ending at the results' ``as_of``: ``days`` long, or from ``since`` (not both)."""
    end = _instant(results.as_of) or _instant(results.finished_at)
    if end is None:
        raise InputError("results.json: as_of: missing or not an RFC 3339 date-time; the reporting period ends "
                         "at the run's as_of")
    if days is not None and since is not None:
        raise InputError("--period-days and --since both set the start of the reporting period: give one")
    if since is not None:
        start = parse_since(since)
        if start > end:
            raise InputError(f"--since: found {since}, after the run's as_of {end:%Y-%m-%dT%H:%M:%SZ}; expected "
                             "the start of a period that ends at as_of")
        return ReportPeriod(start, end, f"since {start:%Y-%m-%d}, to")
    if days is not None and days < 1:
        raise InputError(f"--period-days: found {days}, expected a whole number of days of at least 1")
    n = DEFAULT_DAYS if days is None else days
    return ReportPeriod(end - timedelta(days=n), end, f"the {n} days to")
