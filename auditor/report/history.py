"""Earlier runs from the evidence locker: ``runs/<YYYY-MM-DD>/<run-id>/results.json``.

The board summary's trend and error budget read these. No locker means no
history: callers get an empty list and say "no history yet".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from auditor.errors import InputError
from auditor.model import Status
from auditor.results_model import Results


@dataclass(frozen=True)
class RunPoint:
    run_id: str
    finished_at: str
    total: int
    by_status: dict[str, int]
    critical_failed: int  # critical controls not passing (fail, error, insufficient evidence)

    @property
    def pass_share(self) -> float:
        return self.by_status.get(Status.PASS, 0) / self.total if self.total else 0.0


def run_point(results: Results) -> RunPoint:
    """The current run's point on the trend."""
    by_status: dict[str, int] = {}
    for control in results.controls:
        by_status[control.status] = by_status.get(control.status, 0) + 1
    critical = sum(1 for c in results.controls if c.critical and c.not_passing)
    return RunPoint(results.run_id, results.finished_at, len(results.controls), by_status, critical)


def load_history(locker: Path) -> list[RunPoint]:
    """Every run recorded in the locker, oldest first (by finished_at, then run id).

    Each run's results.json is checked and typed like every results.json read from a file: a damaged
    one is exit 2 naming the run's folder in the locker and the field (never skipped, never a guess).
    """
    locker = Path(locker)
    if not locker.is_dir():
        raise InputError(f"{locker}: locker folder not found")
    from auditor.pack.locker import committed_results

    committed = committed_results(locker)  # a git locker: its committed runs only, never a killed run's leftovers
    runs = committed if committed is not None else [
        Results.read(path) for path in sorted(locker.glob("runs/*/*/results.json"))
    ]
    points = [run_point(results) for results in runs]
    return sorted(points, key=lambda p: (p.finished_at, p.run_id))


def with_current(history: list[RunPoint], current: RunPoint) -> list[RunPoint]:
    """History plus the current run (replacing its own locker copy, if already recorded), oldest first."""
    points = [p for p in history if p.run_id != current.run_id]
    points.append(current)
    return sorted(points, key=lambda p: (p.finished_at, p.run_id))
