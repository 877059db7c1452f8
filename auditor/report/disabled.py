"""Controls a library layer disabled (``disabled_controls`` of results.json), as every output shows them.

A disabled control is never evaluated and never a pass: each format lists it apart
from the results, with who disabled it (file and line) and the recorded reason.
"""

from __future__ import annotations

from auditor.results_model import DisabledEntry, Results


def describe(entry: DisabledEntry) -> str:
    """``AI-005 (medium) Each model has ...: disabled by org/overrides.yaml:12: <reason>``; a control a
    profile left out: ``AI-005 (medium) ...: not evaluated: not in the ci profile (controls/profiles.yaml:6)``."""
    if entry.by_profile:
        return f"{entry.id} ({entry.severity}) {entry.title}: not evaluated: {entry.reason} ({entry.disabled_by})"
    return (f"{entry.id} ({entry.severity}) {entry.title}: disabled by {entry.disabled_by} "
            f"(layer {entry.layer}): {entry.reason}")


def tally(results: Results) -> str:
    """`` · 1 disabled (not evaluated)`` or the empty string."""
    entries = results.disabled
    profiled = sum(1 for e in entries if e.by_profile)
    parts = []
    if len(entries) - profiled:
        parts.append(f" · {len(entries) - profiled} disabled (not evaluated)")
    if profiled:
        parts.append(f" · {profiled} outside the {results.profile or 'selected'} profile (not evaluated)")
    return "".join(parts)
