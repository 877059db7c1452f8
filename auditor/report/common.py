"""Small helpers the machine formats share: clause labels, ordering, counts."""

from __future__ import annotations

from typing import Any

#: Worst first: the order outputs list controls in.
STATUS_ORDER = ("error", "insufficient_evidence", "fail", "waived", "pass")


def clause_ids(control: dict[str, Any]) -> list[str]:
    """Bare clause ids, e.g. ``["A.8.32", "GOVERN 1.4"]``, in the mapping order."""
    return [str(m["clause"]) for m in control.get("mappings", [])]


def clause_label(control: dict[str, Any]) -> str:
    """Clauses grouped by framework, e.g. ``iso27001-2022: A.8.32 / nist-ai-rmf-1.0: GOVERN 1.4``.

    Bare ids are ambiguous across frameworks (ISO clause ``9`` vs GDS point ``9``), so each group is named.
    """
    groups: dict[str, list[str]] = {}
    for m in control.get("mappings", []):
        groups.setdefault(str(m["framework"]), []).append(str(m["clause"]))
    return " / ".join(f"{framework}: {', '.join(ids)}" for framework, ids in groups.items())


def clause_tags(control: dict[str, Any]) -> list[str]:
    """Framework-qualified clause ids, e.g. ``["iso27001-2022:A.8.32"]``."""
    return [f"{m['framework']}:{m['clause']}" for m in control.get("mappings", [])]


def by_severity_and_status(controls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    severity = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    return sorted(
        controls,
        key=lambda c: (STATUS_ORDER.index(c["status"]) if c["status"] in STATUS_ORDER else 0,
                       severity.get(c["severity"], 9), c["id"]),
    )


def counts(document: dict[str, Any]) -> dict[str, int]:
    found: dict[str, int] = {s: 0 for s in STATUS_ORDER}
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
