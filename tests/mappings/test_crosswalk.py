"""Crosswalk between two frameworks through shared controls."""

from __future__ import annotations

from pathlib import Path

from auditor.mappings import load_mappings
from auditor.mappings.crosswalk import crosswalk
from tests.mappings.conftest import add_acme


def test_crosswalk_links_strength_and_unlinked(root: Path, controls) -> None:  # type: ignore[no-untyped-def]
    add_acme(root)
    cw = crosswalk(load_mappings(root, controls), "widget-std-1", "acme-internal-2025")
    links = {(link.source.id, link.target.id): (link.strength, [v.control for v in link.via]) for link in cw.links}
    assert links == {
        ("W1.1", "ICS-SEC-02"): ("supporting", ["SOD-001"]),  # full on W1.1, supporting on ICS -> supporting
        ("W1.2", "ICS-SEC-01"): ("partial", ["SEC-002"]),  # full / partial -> partial
        ("W2.1", "ICS-SEC-02"): ("supporting", ["SOD-001"]),
        ("W2.2", "ICS-SEC-01"): ("partial", ["SEC-002"]),
        ("W2.2", "ICS-PRIV-01"): ("partial", ["PRIV-001"]),  # partial / full -> partial
    }
    assert [c.id for c in cw.unlinked] == ["W2.3"]  # AI-001 is not mapped to ACME
    assert [c.id for c in cw.unmapped] == ["W1.3", "W2.4"]
    # links follow the source order, then the target's order
    assert [(link.source.id, link.target.id) for link in cw.links][-2:] == [("W2.2", "ICS-SEC-01"),
                                                                            ("W2.2", "ICS-PRIV-01")]


def test_crosswalk_reverse_direction(root: Path, controls) -> None:  # type: ignore[no-untyped-def]
    add_acme(root)
    cw = crosswalk(load_mappings(root, controls), "acme-internal-2025", "widget-std-1")
    pairs = [(link.source.id, link.target.id, link.strength) for link in cw.links]
    assert pairs == [("ICS-SEC-01", "W1.2", "partial"), ("ICS-SEC-01", "W2.2", "partial"),
                     ("ICS-SEC-02", "W1.1", "supporting"), ("ICS-SEC-02", "W2.1", "supporting"),
                     ("ICS-PRIV-01", "W2.2", "partial")]
    assert cw.unlinked == [] and cw.unmapped == []
