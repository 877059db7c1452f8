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


def _add_published(root: Path, text: str | None = None) -> Path:
    from tests.mappings.conftest import FIX

    folder = root / "crosswalks"
    folder.mkdir(exist_ok=True)
    path = folder / "acme-internal-2025--widget-std-1.yaml"
    path.write_text(text or (FIX / "published" / path.name).read_text())
    return path


def test_published_crosswalk_is_shown_beside_the_derived_one(cli, root: Path) -> None:  # type: ignore[no-untyped-def]
    import json

    from tests.mappings.conftest import FIX

    add_acme(root)
    _add_published(root)
    args = ["--controls", FIX / "controls", "--mappings", root]
    doc = json.loads(cli("mappings", "crosswalk", "--from", "widget-std-1", "--to", "acme-internal-2025", *args,
                         "--format", "json").out)
    # read in the other direction from the file's: widget -> acme
    [pub] = doc["published"]
    assert pub["publisher"] == "Widget Standards Board" and pub["url"] == "https://example.org/widget/acme-crosswalk"
    assert pub["links"] == [{"from": "W1.2", "to": "ICS-SEC-01"}, {"from": "W1.1", "to": "ICS-SEC-02"},
                            {"from": "W1.3", "to": "ICS-SEC-02"}]
    assert doc["derived"].startswith("through shared controls")
    # W1.3 has no control, so no derived link reaches it: only the published crosswalk links it
    assert all(link["from"] != "W1.3" for link in doc["links"])
    md = cli("mappings", "crosswalk", "--from", "acme-internal-2025", "--to", "widget-std-1", *args,
             "--format", "markdown").out
    assert "## Published crosswalk: Widget Standards Board (acme-internal-2025--widget-std-1.yaml)" in md
    assert "| ICS-SEC-02 | Production changes are independently approved | W1.3 | Offices are locked | published |" in md
    assert "Derived links go through Auditor's controls" in md
    other = json.loads(cli("mappings", "crosswalk", "--from", "widget-std-1", "--to", "widget-std-1", *args,
                           "--format", "json").out)
    assert other["published"] == []


def test_published_crosswalk_with_unknown_clause_exits_2(cli, root: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.mappings.conftest import FIX

    add_acme(root)
    path = _add_published(root, (FIX / "published" / "acme-internal-2025--widget-std-1.yaml").read_text()
                          .replace("to: [W1.1, W1.3]", "to: [W1.1, W9.9]"))
    result = cli("mappings", "validate", "--controls", FIX / "controls", "--mappings", root)
    assert result.code == 2
    assert f"{path}:10: links[1] (ICS-SEC-02).to[1]: unknown widget-std-1 clause 'W9.9'" in result.err
