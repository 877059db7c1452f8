from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditor.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent


@dataclass
class CliResult:
    code: int
    out: str
    err: str


#: The instant every test runs at: the fixture evidence's as_of. Nothing in the suite reads the wall
#: clock; ``make test-clock-ahead`` runs the suite with the clock five years ahead to prove it.
PINNED_EPOCH = "1795176000"  # 2026-11-20T12:00:00Z
PINNED_GIT_DATE = "1795089600 +0000"  # 2026-11-19T12:00:00Z, in the form git and GitPython both read


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin time for the tests and every process they start: collectors date evidence from
    ``SOURCE_DATE_EPOCH`` and git dates commits from ``GIT_*_DATE``, never from the wall clock."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", PINNED_EPOCH)
    monkeypatch.setenv("GIT_AUTHOR_DATE", PINNED_GIT_DATE)
    monkeypatch.setenv("GIT_COMMITTER_DATE", PINNED_GIT_DATE)


@pytest.fixture(autouse=True)
def _no_step_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never append to a real GitHub step summary when the suite itself runs in Actions."""
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A writable copy of the small test library (controls/, policies/)."""
    target = tmp_path / "library"
    shutil.copytree(FIXTURES / "library", target)
    return target


@pytest.fixture
def evidence(tmp_path: Path) -> Path:
    target = tmp_path / "evidence"
    shutil.copytree(FIXTURES / "evidence" / "basic", target)
    return target


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run the real entry point in-process; returns exit code and captured output."""

    def invoke(*args: str | Path) -> CliResult:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(int(exit_info.value.code or 0), captured.out, captured.err)

    return invoke
