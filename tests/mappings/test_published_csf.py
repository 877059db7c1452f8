"""The bundled published crosswalk: NIST CSF 2.0 informative references to ISO/IEC 27001:2022 (NIST CPRT export),
checked against both bundled catalogs and shown by ``auditor mappings crosswalk`` as published, not derived."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from auditor.controls import load_library
from auditor.mappings.load import load_layered_mappings

REPO = Path(__file__).resolve().parents[2]
FILE = REPO / "mappings" / "crosswalks" / "nist-csf-2.0--iso27001-2022.yaml"


def _published():  # type: ignore[no-untyped-def]
    ms = load_layered_mappings([REPO / "mappings"], load_library(REPO / "controls"))
    [pub] = [p for p in ms.published if p.path == FILE]
    return ms, pub


def test_every_id_is_in_the_catalogs_and_the_counts_are_the_exports() -> None:
    ms, pub = _published()
    csf, iso = ms.catalogs["nist-csf-2.0"], ms.catalogs["iso27001-2022"]
    assert (pub.source_framework, pub.target_framework, pub.publisher) == ("nist-csf-2.0", "iso27001-2022", "NIST")
    sources = [a for a, _ in pub.links]
    assert len(sources) == len(set(sources)) == 105  # every subcategory but GV.RM-07 (its only ISO line is "6.11")
    assert set(csf.clauses) - set(sources) == {"GV.RM-07"}
    pairs = pub.oriented("nist-csf-2.0", "iso27001-2022")
    assert len(pairs) == len(set(pairs)) == 314
    assert all(a in csf.clauses and b in iso.clauses for a, b in pairs)
    kinds = Counter("Annex A" if b.startswith("A.") else "clauses 4-10" for _, b in pairs)
    assert kinds == {"Annex A": 244, "clauses 4-10": 70}
    # spot checks against the export's rows
    links = dict(pub.links)
    assert links["GV.OC-01"] == ("4.1", "6.1", "8.1", "8.2", "8.3")
    assert links["PR.DS-11"] == ("A.8.13",)
    assert links["RS.MA-01"] == ("A.5.26", "A.5.27", "A.5.28")
    assert links["PR.AA-06"] == ("A.7.1", "A.7.2", "A.7.3", "A.7.4", "A.7.12")
    assert links["ID.RA-06"] == ("A.5.7",)  # its "Mandatory Clause: 6.13" names no clause and is left out


def test_the_file_cites_its_source() -> None:
    text = FILE.read_text()
    assert "https://csrc.nist.gov/projects/cprt/" in text
    assert 'export_generated: "2025-07-28"' in text
    assert "export_sha256: \"bfa0693d25528d718e75a9533cd2fb766f66448c3aa7457ee4b4ed288a54557e\"" in text
    assert "GV.RM-07 'Mandatory Clause: 6.11'" in text  # what was left out is said


def test_crosswalk_command_shows_it_as_published_in_both_directions(cli) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(cli("mappings", "crosswalk", "--from", "nist-csf-2.0", "--to", "iso27001-2022",
                         "--format", "json").out)
    [pub] = doc["published"]
    assert pub["publisher"] == "NIST" and pub["file"] == FILE.name and len(pub["links"]) == 314
    assert doc["derived"].startswith("through shared controls")
    # GV.OC-01 has no control of ours, so no derived link: only NIST's reference links it to 4.1
    assert all(link["from"] != "GV.OC-01" for link in doc["links"])
    assert {"from": "GV.OC-01", "to": "4.1"} in pub["links"]
    back = json.loads(cli("mappings", "crosswalk", "--from", "iso27001-2022", "--to", "nist-csf-2.0",
                          "--format", "json").out)
    assert {"from": "A.8.13", "to": "PR.DS-11"} in back["published"][0]["links"]
    md = cli("mappings", "crosswalk", "--from", "nist-csf-2.0", "--to", "iso27001-2022", "--format", "markdown").out
    assert "## Published crosswalk: NIST (nist-csf-2.0--iso27001-2022.yaml)" in md
    assert "| PR.DS-11 | Backups of data are created, protected, maintained, and tested | A.8.13 | Information backup |" \
        " published |" in md


def test_clauses_without_a_derived_link_say_when_the_published_one_links_them(cli) -> None:  # type: ignore[no-untyped-def]
    md = cli("mappings", "crosswalk", "--from", "nist-csf-2.0", "--to", "iso27001-2022", "--format", "markdown").out
    assert "## nist-csf-2.0 clauses with no derived counterpart in iso27001-2022" in md
    assert ("| GV.OC-01 | The organizational mission is understood and informs cybersecurity risk management | "
            "no control is mapped to it; a published crosswalk below links it |") in md
    assert ("| GV.RM-07 | Strategic opportunities (i.e., positive risks) are characterized and are included in "
            "organizational cybersecurity risk discussions | no control is mapped to it |") in md
