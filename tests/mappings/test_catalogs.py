"""The bundled catalogs against their sources' published numbering: counts per group and id formats."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from auditor.mappings.load import load_catalog

FRAMEWORKS = Path(__file__).resolve().parents[2] / "mappings" / "frameworks"


def test_nist_csf_2_0_has_6_functions_22_categories_106_subcategories() -> None:
    cat = load_catalog(FRAMEWORKS / "nist-csf-2.0.yaml")
    functions = [g.id for g in cat.groups if g.parent is None]
    categories = [g.id for g in cat.groups if g.parent is not None]
    assert functions == ["GV", "ID", "PR", "DE", "RS", "RC"]
    assert len(categories) == 22 and len(cat.clauses) == 106
    assert all(re.fullmatch(r"(GV|ID|PR|DE|RS|RC)\.[A-Z]{2}-\d\d", c) for c in cat.clauses)
    assert all(c.id.startswith(c.group + "-") for c in cat.clauses.values())
    per_function = Counter(c.group.split(".")[0] for c in cat.clauses.values())
    # CSWP 29 Appendix A: GV 31, ID 21, PR 22, DE 11, RS 13, RC 8
    assert per_function == {"GV": 31, "ID": 21, "PR": 22, "DE": 11, "RS": 13, "RC": 8}
    per_category = Counter(c.group for c in cat.clauses.values())
    assert (per_category["GV.SC"], per_category["ID.RA"], per_category["PR.DS"], per_category["RS.MI"]) == (10, 10, 4, 2)
    # withdrawn numbers stay withdrawn: ID.AM-06, PR.DS-03..09, DE.AE-01/05, RS.AN-01/02
    assert not {"ID.AM-06", "PR.DS-03", "PR.DS-09", "DE.AE-01", "RS.AN-01"} & set(cat.clauses)
    assert cat.clauses["PR.PS-04"].title == "Log records are generated and made available for continuous monitoring"


def test_soc2_tsc_ids_and_series() -> None:
    cat = load_catalog(FRAMEWORKS / "soc2-tsc-2017.yaml")
    ids = list(cat.clauses)
    common = [i for i in ids if i.startswith("CC")]
    assert common[0] == "CC1.1" and common[-1] == "CC9.2" and len(common) == 33
    per_series = Counter(c.group for c in cat.clauses.values())
    assert per_series == {"CC1": 5, "CC2": 3, "CC3": 4, "CC4": 2, "CC5": 3, "CC6": 8, "CC7": 5, "CC8": 1, "CC9": 2,
                          "A1": 3, "C1": 2, "PI1": 5, "P1": 1, "P2": 1, "P3": 2, "P4": 3, "P5": 2, "P6": 7, "P7": 1,
                          "P8": 1}
    assert len(ids) == 61
    assert all(re.fullmatch(r"(CC[1-9]|A1|C1|PI1|P[1-8])\.[1-9]", i) for i in ids)


def test_iso42001_annex_a_has_38_controls_in_a2_to_a10() -> None:
    cat = load_catalog(FRAMEWORKS / "iso42001-2023.yaml")
    assert len(cat.clauses) == 38
    per_objective = Counter(c.group for c in cat.clauses.values())
    assert per_objective == {"A.2": 3, "A.3": 2, "A.4": 5, "A.5": 4, "A.6": 9, "A.7": 5, "A.8": 4, "A.9": 3, "A.10": 3}
    assert all(c.id.startswith(c.group + ".") for c in cat.clauses.values())
    # the first sub-clause of each objective is the objective itself, never a control
    assert not {"A.2.1", "A.5.1", "A.6.1.1", "A.6.2.1", "A.10.1"} & set(cat.clauses)
    assert cat.soa_scope == ("A",)


def test_eu_ai_act_high_risk_articles() -> None:
    cat = load_catalog(FRAMEWORKS / "eu-ai-act-2024.yaml")
    assert list(cat.clauses) == [f"Art. {n}" for n in (9, 10, 11, 12, 13, 14, 15, 17, 26, 72, 73)]
    assert cat.clauses["Art. 14"].title == "Human oversight"
    assert cat.clauses["Art. 73"].title == "Reporting of serious incidents"


def test_every_catalog_cites_its_source() -> None:
    for path in sorted(FRAMEWORKS.glob("*.yaml")):
        cat = load_catalog(path)
        assert isinstance(cat.source, dict) and cat.source.get("url", "").startswith("http"), path
        assert "Sources consulted" in path.read_text(), path
