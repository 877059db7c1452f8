from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from auditor.controls import ControlLibrary, load_library

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "mappings"


@pytest.fixture
def fix() -> Path:
    return FIX


@pytest.fixture
def controls() -> ControlLibrary:
    return load_library(FIX / "controls")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A writable copy of the fixture mappings folder (one framework: widget-std-1)."""
    target = tmp_path / "mappings"
    shutil.copytree(FIX / "root", target)
    return target


def add_acme(root: Path) -> None:
    """Drop in the made-up ACME framework: one catalog file, one mapping file. No code."""
    shutil.copy(FIX / "acme" / "frameworks" / "acme-internal-2025.yaml", root / "frameworks")
    shutil.copy(FIX / "acme" / "acme-internal-2025.yaml", root)
