"""Every output format matches its golden file (regenerate with `make golden`, then review the diff)."""

from __future__ import annotations

import pytest

from tests.golden import GOLDEN, render_all

RENDERED = render_all()


def test_golden_set_is_complete() -> None:
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(RENDERED)


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_output_matches_golden(name: str) -> None:
    expected = (GOLDEN / name).read_bytes()
    assert RENDERED[name] == expected, f"{name} changed: run `make golden` and review git diff tests/fixtures/golden"
