"""Controls a library layer disabled (``disabled_controls`` of results.json), as every output shows them.

A disabled control is never evaluated and never a pass: each format lists it apart
from the results, with who disabled it (file and line) and the recorded reason.
"""

from __future__ import annotations

from typing import Any


def disabled_controls(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(doc.get("disabled_controls") or [], key=lambda d: d["id"])


def describe(entry: dict[str, Any]) -> str:
    """``AI-005 (medium) Each model has ...: disabled by org/overrides.yaml:12: <reason>``; a control a
    profile left out: ``AI-005 (medium) ...: not evaluated: not in the ci profile (controls/profiles.yaml:6)``."""
    if str(entry.get("layer", "")).startswith("profile:"):
        return f"{entry['id']} ({entry['severity']}) {entry['title']}: not evaluated: {entry['reason']} " \
               f"({entry['disabled_by']})"
    return (f"{entry['id']} ({entry['severity']}) {entry['title']}: disabled by {entry['disabled_by']} "
            f"(layer {entry['layer']}): {entry['reason']}")


def tally(doc: dict[str, Any]) -> str:
    """`` · 1 disabled (not evaluated)`` or the empty string."""
    entries = disabled_controls(doc)
    profiled = sum(1 for e in entries if str(e.get("layer", "")).startswith("profile:"))
    parts = []
    if len(entries) - profiled:
        parts.append(f" · {len(entries) - profiled} disabled (not evaluated)")
    if profiled:
        parts.append(f" · {profiled} outside the {doc.get('profile', 'selected')} profile (not evaluated)")
    return "".join(parts)
