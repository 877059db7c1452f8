"""Catalogs (the three bundled ones and fixtures) and mapping files: structure and cross-checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.mappings import load_mappings
from auditor.mappings.load import load_catalog, load_catalogs
from tests.conftest import REPO

CATALOGS = REPO / "mappings"


@pytest.fixture(scope="module")
def real() -> dict:  # type: ignore[type-arg]
    return load_catalogs(CATALOGS)


def test_iso27001_counts_ids_and_themes(real) -> None:  # type: ignore[no-untyped-def]
    iso = real["iso27001-2022"]
    ids = list(iso.clauses)
    requirements = [i for i in ids if not i.startswith("A.")]
    annex = [i for i in ids if i.startswith("A.")]
    assert requirements[0] == "4.1" and requirements[-1] == "10.2"
    assert len(requirements) == 23
    assert "6.3" in requirements  # new in the 2022 edition
    assert len(annex) == 93
    assert all(re.fullmatch(r"A\.[5-8]\.\d{1,2}", i) for i in annex)
    per_theme = {t: sum(1 for c in iso.clauses.values() if c.group == t) for t in ("A.5", "A.6", "A.7", "A.8")}
    assert per_theme == {"A.5": 37, "A.6": 8, "A.7": 14, "A.8": 34}
    # each theme numbered 1..n without holes, in the standard's order
    for theme, count in per_theme.items():
        assert [i for i in annex if i.startswith(theme + ".")] == [f"{theme}.{n}" for n in range(1, count + 1)]
    themes = {g.id: g.title for g in iso.groups if g.parent == "A"}
    assert themes == {"A.5": "Organizational controls", "A.6": "People controls", "A.7": "Physical controls",
                      "A.8": "Technological controls"}
    assert iso.clauses["A.5.3"].title == "Segregation of duties"
    assert iso.clauses["A.8.32"].title == "Change management"
    assert iso.clauses["10.1"].title == "Continual improvement"  # 2022 swapped 10.1 and 10.2
    assert iso.lineage("A.8") == ["A.8", "A"]


def test_nist_ai_rmf_counts_ids_and_functions(real) -> None:  # type: ignore[no-untyped-def]
    nist = real["nist-ai-rmf-1.0"]
    ids = list(nist.clauses)
    assert len(ids) == 72
    assert ids[0] == "GOVERN 1.1" and ids[-1] == "MANAGE 4.3"
    per_function: dict[str, int] = {}
    for clause in nist.clauses.values():
        function = nist.lineage(clause.group)[-1]
        assert clause.id.startswith(function + " ")
        assert clause.group == clause.id.split(".")[0]  # category "GOVERN 1" holds "GOVERN 1.x"
        assert clause.attributes["function"] == function
        per_function[function] = per_function.get(function, 0) + 1
    assert per_function == {"GOVERN": 19, "MAP": 18, "MEASURE": 22, "MANAGE": 13}
    categories = [g for g in nist.groups if g.parent]
    assert len(categories) == 19
    assert "MEASURE 2.13" in nist.clauses and "MEASURE 2.14" not in nist.clauses


def test_gds_service_standard_has_14_points(real) -> None:  # type: ignore[no-untyped-def]
    gds = real["gds-service-standard"]
    assert list(gds.clauses) == [str(n) for n in range(1, 15)]
    assert gds.clauses["9"].title == "Create a secure service which protects users' privacy"
    assert gds.clauses["14"].title == "Operate a reliable service"


def test_every_catalog_cites_a_source(real) -> None:  # type: ignore[no-untyped-def]
    for catalog in real.values():
        assert catalog.source["url"].startswith("https://"), catalog.framework
        assert catalog.source["citation"]


def test_fixture_mappings_load_and_clauses_for(fix: Path, controls) -> None:  # type: ignore[no-untyped-def]
    ms = load_mappings(fix / "root", controls)
    assert ms.frameworks() == ["widget-std-1"]
    assert ms.files["widget-std-1"].owner == "Fixture Risk Team"
    assert [m.clause for m in ms.clauses_for("SEC-001")] == ["W1.1", "W1.2"]
    assert ms.clauses_for("SEC-001")[0].to_dict() == {
        "framework": "widget-std-1", "clause": "W1.1", "strength": "partial",
        "rationale": "Encryption settings changes are part of what is reviewed."}
    assert ms.unmapped_controls("widget-std-1", ["SOD-001", "SEC-003"]) == ["SEC-003"]
    with pytest.raises(InputError, match="unknown framework 'nope'; expected one of: widget-std-1"):
        ms.for_framework("nope")


ENTRY = "  - control: SEC-002\n    clauses:\n      - {id: W1.2, strength: full, rationale: \"Checks encryption of every data store.\"}\n"

BAD_MAPPINGS = [
    ("unknown clause", ("id: W1.2, strength: full", "id: W9.9, strength: full"),
     r"widget-std-1\.yaml:15: mappings\[2\] \(SEC-002\) clauses\[0\] \(W9\.9\)\.id: unknown widget-std-1 clause 'W9\.9'"),
    ("unknown control", ("control: PRIV-001", "control: PRIV-009"),
     r"widget-std-1\.yaml:\d+: mappings\[3\] \(PRIV-009\)\.control: unknown control id 'PRIV-009'"),
    ("duplicate mapping", ("id: W2.2, strength: full", "id: W1.2, strength: full"),
     r"mappings\[2\] \(SEC-002\) clauses\[1\] \(W1\.2\): duplicate mapping SEC-002 -> W1\.2; first at line 15"),
    ("duplicate entry", ("  - control: PRIV-001\n", ENTRY + "  - control: PRIV-001\n"),
     r"mappings\[3\] \(SEC-002\): duplicate entry for SEC-002; first at line 13"),
    ("missing rationale", (', rationale: "Checks encryption of every data store."', ""),
     r"invalid mapping file: .*widget-std-1\.yaml:15: mappings\[2\] \(SEC-002\) clauses\[0\] \(W1\.2\)\.rationale: "
     r"required field is missing"),
    ("blank rationale", ('rationale: "Checks encryption of every data store."', 'rationale: "   "'),
     r"clauses\[0\] \(W1\.2\)\.rationale: found only whitespace"),
    ("bad strength", ("id: W1.2, strength: full", "id: W1.2, strength: strong"),
     r"mappings\[2\] \(SEC-002\) clauses\[0\] \(W1\.2\)\.strength: found 'strong', expected one of full, partial, "
     r"supporting"),
    ("malformed control id", ("control: AI-001", "control: ai-1"), r"mappings\[4\]( \(ai-1\))?\.control: found 'ai-1'"),
    ("float clause id", ("id: W1.2, strength: full", "id: 10.10, strength: full"),
     r"clauses\[0\]\.id: found the number 10\.1, expected a quoted string"),
    ("missing owner", ("owner: Fixture Risk Team\n", ""), r"owner: required field is missing"),
    ("framework not the file name", ("framework: widget-std-1", "framework: widget-std-2"),
     r"framework: found 'widget-std-2', expected a catalog"),
    ("missing clauses", ("      - {id: W2.2, strength: partial, rationale: \"Retention limits apply to the records kept.\"}\n",
                         ""), r"mappings\[3\] \(PRIV-001\)\.clauses: is empty, expected a value"),
]


@pytest.mark.parametrize(("case", "edit", "message"), BAD_MAPPINGS, ids=[c[0] for c in BAD_MAPPINGS])
def test_bad_mapping_files_name_file_and_entry(root: Path, controls, case: str, edit: tuple[str, str],  # type: ignore[no-untyped-def]
                                               message: str) -> None:
    path = root / "widget-std-1.yaml"
    text = path.read_text()
    assert edit[0] in text, case
    path.write_text(text.replace(edit[0], edit[1], 1))
    with pytest.raises(InputError, match=message) as info:
        load_mappings(root, controls)
    assert str(path) in str(info.value)
    assert info.value.exit_code == 2


BAD_CATALOGS = [
    ("duplicate clause", ("  - {id: W1.3, title: Offices are locked, group: P1}",
                          "  - {id: W1.2, title: Offices are locked, group: P1}"),
     r"clauses\[2\]\.id: duplicate clause id 'W1\.2'"),
    ("unknown group", ("{id: W1.3, title: Offices are locked, group: P1}", "{id: W1.3, title: Offices are locked, group: P9}"),
     r"clauses\[2\] \(W1\.3\)\.group: found 'P9', expected one of the groups"),
    ("id pattern", ("{id: W2.4,", "{id: X2.4,"), r"clauses\[6\]\.id: found 'X2\.4', expected the catalog's id_pattern"),
    ("unknown parent", ("{id: P2, title: Part two, parent: W}", "{id: P2, title: Part two, parent: Q}"),
     r"groups\[2\] \(P2\)\.parent: found 'Q', expected the id of another group"),
    ("parent cycle", ("{id: W, title: Widget Standard}", "{id: W, title: Widget Standard, parent: P1}"),
     r"groups\[0\] \(W\)\.parent: groups form a cycle"),
    ("missing title", ("{id: W2.1, title: Models are owned, group: P2}", "{id: W2.1, group: P2}"),
     r"clauses\.3\.title: required field is missing"),
    ("missing source", ("source: {", "sauce: {"), r"source: required field is missing"),
]


@pytest.mark.parametrize(("case", "edit", "message"), BAD_CATALOGS, ids=[c[0] for c in BAD_CATALOGS])
def test_bad_catalogs(root: Path, case: str, edit: tuple[str, str], message: str) -> None:
    path = root / "frameworks" / "widget-std-1.yaml"
    text = path.read_text()
    assert edit[0] in text, case
    path.write_text(text.replace(edit[0], edit[1], 1))
    with pytest.raises(InputError, match=message):
        load_catalog(path)


def test_mapping_without_catalog_and_two_files_for_one_framework(root: Path) -> None:
    (root / "frameworks" / "widget-std-1.yaml").unlink()
    with pytest.raises(InputError, match=r"framework: found 'widget-std-1', expected a catalog in mappings/frameworks/"):
        load_mappings(root)


def test_integer_clause_ids_are_accepted_for_numbered_points(tmp_path: Path) -> None:
    (tmp_path / "frameworks").mkdir()
    (tmp_path / "frameworks" / "pts.yaml").write_text(
        "framework: pts\nname: Points\nversion: '1'\nsource: x\ngroups: [{id: g, title: G}]\n"
        "clauses: [{id: '9', title: Nine, group: g}]\n")
    (tmp_path / "pts.yaml").write_text(
        "framework: pts\nowner: me\nlast_reviewed: 2025-01-01\n"
        "mappings: [{control: SEC-001, clauses: [{id: 9, strength: full, rationale: ok}]}]\n")
    assert [m.clause for m in load_mappings(tmp_path).mappings] == ["9"]
