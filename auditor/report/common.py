"""Small helpers the machine formats share: clause labels, ordering, counts."""

from __future__ import annotations

from typing import Any

from auditor.results_model import STATUS_ORDER


def clause_ids(control: dict[str, Any]) -> list[str]:
    """Bare clause ids, e.g. ``["A.8.32", "GOVERN 1.4"]``, in the mapping order."""
    return [str(m["clause"]) for m in control.get("mappings", [])]


def clause_tags(control: dict[str, Any]) -> list[str]:
    """Framework-qualified clause ids, e.g. ``["iso27001-2022:A.8.32"]``."""
    return [f"{m['framework']}:{m['clause']}" for m in control.get("mappings", [])]


def counts(document: dict[str, Any]) -> dict[str, int]:
    found: dict[str, int] = {s.value: 0 for s in STATUS_ORDER}
    for control in document.get("controls", []):
        found[control["status"]] = found.get(control["status"], 0) + 1
    return found


def is_new(violation: dict[str, Any]) -> bool:
    """Without a baseline every violation counts as new."""
    return bool(violation.get("new", True))


def population_text(control: dict[str, Any]) -> str:
    """"3 of 4 in scope passed", or why there is no count (results.json ``population``)."""
    population = control.get("population")
    if not isinstance(population, dict):
        return "not evaluated"
    return f"{int(population['passed']):,} of {int(population['in_scope']):,} in scope passed"
