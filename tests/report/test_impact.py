"""Every control states its impact (``impact:``), and results.json carries it to the reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from auditor.content import bundled
from auditor.controls import load_library
from auditor.errors import InputError
from tests.conftest import FIXTURES
from tests.golden import golden_results


def test_every_bundled_control_has_a_one_sentence_impact() -> None:
    controls = list(load_library(bundled("controls")).controls.values())
    assert len(controls) >= 34
    for control in controls:
        impact = control.impact
        assert impact and impact.endswith(".") and impact.count(". ") == 0, control.id
        assert impact != control.objective, control.id


def test_impact_is_a_required_control_field(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "library" / "controls", tmp_path / "controls")
    path = tmp_path / "controls" / "privacy" / "PRIV-001.yaml"
    doc = yaml.safe_load(path.read_text())
    del doc["impact"]
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError, match=r"PRIV-001.yaml.*impact.*required"):
        load_library(tmp_path / "controls")
    doc["impact"] = ""
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError, match=r"PRIV-001.yaml.*impact"):
        load_library(tmp_path / "controls")


def test_results_carry_each_controls_impact() -> None:
    results = golden_results()
    impacts = {c["id"]: c["impact"] for c in results["controls"]}
    assert impacts["SM-008"].startswith("Shipping routine changes to a service that has used up its error budget")
    assert all(impacts.values())
