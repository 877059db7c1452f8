from __future__ import annotations

from pathlib import Path

import pytest

from tests.collect.gitrepo import GitRepo, sample_repo


@pytest.fixture
def git_repo(tmp_path: Path) -> GitRepo:
    return sample_repo(tmp_path)
