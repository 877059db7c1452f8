"""Families as data: controls/families.yaml, its validation, and the id pattern it implies."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from auditor.content import bundled
from auditor.controls import load_control, load_library
from auditor.errors import InputError
from auditor.families import FamilySet, base_families, bundled_families, layer_families, load_families

ORG = Path(__file__).parent / "fixtures" / "org-library"


def test_bundled_families_with_their_slugs_and_prefixes() -> None:
    families = bundled_families()
    assert [(f.id, f.slug, f.prefix) for f in families] == [
        ("segregation-of-duties", "sod", "SOD"), ("security", "security", "SEC"),
        ("privacy", "privacy", "PRIV"), ("ai-governance", "ai", "AI"), ("service-management", "sm", "SM"),
    ]
    assert all(f.title and f.description for f in families)
    # the pattern follows from the prefixes: PREFIX-NNN of a bundled family, nothing else
    for candidate in ("SOD-001", "SEC-123", "PRIV-005", "AI-999", "SM-008"):
        assert re.match(families.id_pattern, candidate), candidate
    for candidate in ("RES-001", "SOD-01", "sec-001", "SECX-001", "SM-0001", "XSOD-001"):
        assert not re.match(families.id_pattern, candidate), candidate


def test_every_bundled_control_belongs_to_a_bundled_family() -> None:
    library = load_library(bundled("controls"))
    assert {c.family.id for c in library} == set(bundled_families().ids())
    assert library["SOD-001"].family.slug == "sod" and library["SOD-001"].family.prefix == "SOD"


def test_an_organisation_adds_a_family_with_data_only() -> None:
    families = layer_families(ORG / "controls", bundled_families())
    assert families.ids()[-1] == "operational-resilience"
    assert families["operational-resilience"].prefix == "RES"
    assert re.match(families.id_pattern, "RES-001") and not re.match(bundled_families().id_pattern, "RES-001")
    control = load_control(ORG / "controls" / "resilience" / "RES-001.yaml", families)
    assert control.family.title == "Operational resilience"


def test_a_control_of_an_unknown_family_names_file_line_and_the_families(tmp_path: Path) -> None:
    shutil.copytree(ORG / "controls", tmp_path / "controls")
    with pytest.raises(InputError, match=r"RES-001.yaml:7: family: found 'operational-resilience', expected one "
                                         r"of: segregation-of-duties, security, privacy, ai-governance"):
        load_control(tmp_path / "controls" / "resilience" / "RES-001.yaml", bundled_families())


@pytest.mark.parametrize(("text", "message"), [
    ("families:\n  - id: ops\n    slug: ops\n    prefix: ops\n    title: Ops\n    description: x\n",
     r"families.yaml:4: families.0.prefix: found 'ops', expected .*A-Z"),
    ("families:\n  - id: ops\n    slug: ops\n    prefix: OPS\n    title: Ops\n",
     r"families.yaml:2: families.0.description: required field is missing"),
    ("families: []\n", r"families.yaml:1: families: .*min length"),
    ("families:\n  - id: ops\n    slug: ops\n    prefix: OPS\n    title: Ops\n    description: x\n    colour: red\n",
     r"families.yaml:7: families.0.colour: unknown field"),
])
def test_invalid_families_file_is_exit_2_with_file_line_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "families.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as info:
        load_families(path)
    assert info.value.exit_code == 2


@pytest.mark.parametrize(("field", "value", "other"), [
    ("id", "security", "security"), ("slug", "sod", "segregation-of-duties"), ("prefix", "PRIV", "privacy"),
])
def test_a_layer_cannot_redefine_a_family(tmp_path: Path, field: str, value: str, other: str) -> None:
    entry = {"id": "ops", "slug": "ops", "prefix": "OPS"} | {field: value}
    path = tmp_path / "families.yaml"
    path.write_text(f"families:\n  - id: {entry['id']}\n    slug: {entry['slug']}\n    prefix: {entry['prefix']}\n"
                    "    title: Ops\n    description: Operations.\n")
    with pytest.raises(InputError, match=rf"{path}:2 families\[0\]: {field}: family {field} '{value}' is already "
                                         rf"defined by family '{other}' in .*controls/families.yaml"):
        load_families(path, bundled_families())


def test_a_controls_folder_without_a_families_file_keeps_the_bundled_families(tmp_path: Path) -> None:
    assert base_families(tmp_path).ids() == bundled_families().ids()
    (tmp_path / "families.yaml").write_text(
        "families:\n  - {id: ops, slug: ops, prefix: OPS, title: Ops, description: Operations.}\n")
    assert base_families(tmp_path).ids() == ["ops"]
    assert isinstance(base_families(tmp_path), FamilySet)
