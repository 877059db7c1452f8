from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from auditor.report.figures import load_catalogs
from auditor.results import read_results
from tests.conftest import FIXTURES, REPO
from tests.report.synthetic import synthetic_results

BASIC_RESULTS = FIXTURES / "report" / "basic-results.json"


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def outline_titles(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    titles: list[str] = []

    def walk(items: Any) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


@pytest.fixture
def basic_results() -> dict[str, Any]:
    """Results of the small test library on the basic evidence (regenerate: see tests/fixtures/report/README)."""
    return read_results(BASIC_RESULTS)


@pytest.fixture(scope="session")
def catalogs() -> Any:
    found = load_catalogs(REPO / "mappings")
    assert found is not None, "the repository's framework catalogs are missing"
    return found


@pytest.fixture(scope="session")
def big_results(catalogs: Any) -> dict[str, Any]:
    return synthetic_results(catalog_clauses={fw: list(c.clauses) for fw, c in catalogs.catalogs.items()})


@pytest.fixture
def pages() -> Any:
    return pdf_pages


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
