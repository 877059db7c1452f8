from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import git
import pytest

from auditor.changed import select_changed
from auditor.controls import load_library
from auditor.errors import InputError
from auditor.policies import load_policies
from tests.ci_helpers import CI, FIXTURES


@pytest.fixture
def repo(library: Path) -> git.Repo:
    """The test library as a control repository with two commits."""
    shutil.copytree(FIXTURES / "schemas", library / "schemas")
    r = git.Repo.init(library, initial_branch="main")
    with r.config_writer() as config:
        config.set_value("user", "name", "Test").set_value("user", "email", "t@example.com")
    (library / "README.md").write_text("controls\n")
    r.index.add(["README.md"])
    r.index.commit("first")
    r.git.add("-A")
    r.index.commit("library")
    return r


def select(library: Path, base: str | None = None) -> dict[str, list[str]]:
    lib = load_library(library / "controls")
    return select_changed(lib, load_policies(library / "policies"), [library / "schemas"], base).reasons


def test_default_base_is_head_1_without_origin_main(repo: git.Repo, library: Path) -> None:
    # HEAD~1 is the first commit: the whole library was added since.
    assert sorted(select(library)) == ["PRIV-001", "SEC-001", "SEC-002"]


def test_nothing_changed_against_head(repo: git.Repo, library: Path) -> None:
    assert select(library, "HEAD") == {}


@pytest.mark.parametrize(("path", "edit", "expected"), [
    ("policies/security/sec_001.rego", lambda t: t + "\n# touched\n", ["SEC-001"]),
    ("policies/privacy/priv_001_test.rego", lambda t: t + "\n# touched\n", ["PRIV-001"]),
    ("controls/security/SEC-002.yaml", lambda t: t.replace("severity: medium", "severity: high"), ["SEC-002"]),
    ("schemas/gadgets.schema.json", lambda t: t + "\n", ["SEC-001", "SEC-002"]),
])
def test_a_change_selects_the_controls_it_touches(
    repo: git.Repo, library: Path, path: str, edit: Callable[[str], str], expected: list[str]
) -> None:
    target = library / path
    target.write_text(edit(target.read_text()))
    reasons = select(library, "HEAD")
    assert sorted(reasons) == expected
    assert all(reasons[c] == [path] for c in expected)


def test_staged_committed_and_untracked_changes_count(repo: git.Repo, library: Path) -> None:
    base = repo.head.commit.hexsha
    p = library / "policies" / "security" / "sec_002.rego"
    p.write_text(p.read_text() + "\n# committed\n")
    repo.git.add("-A")
    repo.index.commit("change sec_002")
    shared = library / "policies" / "lib" / "helpers.rego"
    shared.parent.mkdir()
    shared.write_text("package lib.helpers\n\nimport rego.v1\n\nyes := true\n")  # untracked shared policy
    reasons = select(library, base)
    assert sorted(reasons) == ["PRIV-001", "SEC-001", "SEC-002"]  # a shared policy selects everything
    assert reasons["PRIV-001"] == ["policies/lib/helpers.rego"]
    assert reasons["SEC-002"] == ["policies/lib/helpers.rego", "policies/security/sec_002.rego"]


def test_origin_main_is_preferred(repo: git.Repo, library: Path) -> None:
    repo.create_head("elsewhere", "HEAD")
    repo.git.update_ref("refs/remotes/origin/main", "HEAD")
    p = library / "policies" / "security" / "sec_001.rego"
    p.write_text(p.read_text() + "\n# x\n")
    assert sorted(select(library)) == ["SEC-001"]  # against origin/main (HEAD), not HEAD~1


def test_not_a_repository_or_bad_base(library: Path, repo: git.Repo, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"--base: found no revision nope"):
        select(library, "nope")
    plain = tmp_path / "plain"
    shutil.copytree(FIXTURES / "library", plain)
    with pytest.raises(InputError, match="is not inside a git repository"):
        select(plain)


def test_cli_nothing_changed_exits_0_with_empty_results(
    repo: git.Repo, library: Path, evidence: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out" / "results.json"
    result = cli("evaluate", "--evidence", evidence, "--controls", library / "controls",
                 "--policies", library / "policies", "--schemas", library / "schemas", "--mappings", CI / "mappings",
                 "--changed-only", "--base", "HEAD", "--out", out, "-q", "--format", "junit")
    assert result.code == 0, result.err
    assert "changed-only: no control changed since HEAD; nothing to evaluate" in result.err
    assert json.loads(out.read_text())["controls"] == []
    assert (out.parent / "auditor.junit.xml").exists()


def test_cli_changed_only_evaluates_the_selection(
    repo: git.Repo, library: Path, evidence: Path, tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    p = library / "policies" / "security" / "sec_002.rego"
    p.write_text(p.read_text() + "\n# x\n")
    out = tmp_path / "results.json"
    result = cli("evaluate", "--evidence", evidence, "--controls", library / "controls",
                 "--policies", library / "policies", "--schemas", library / "schemas", "--mappings", CI / "mappings",
                 "--changed-only", "--base", "HEAD", "--out", out, "-q")
    assert "1 of 3 controls changed since HEAD: SEC-002" in result.err
    assert [c["id"] for c in json.loads(out.read_text())["controls"]] == ["SEC-002"]
    assert result.code == 0  # SEC-002 is medium, below the default --fail-on high


def test_a_library_change_selects_the_controls_that_import_it(repo: git.Repo, library: Path) -> None:
    base_lib = library / "policies" / "lib" / "names" / "names.rego"
    base_lib.parent.mkdir(parents=True)
    base_lib.write_text("package lib.names\n\nimport rego.v1\n\nnorm(s) := lower(s)\n")
    outer = library / "policies" / "lib" / "people" / "people.rego"
    outer.parent.mkdir(parents=True)
    outer.write_text("package lib.people\n\nimport rego.v1\n\nimport data.lib.names\n\nkey(s) := names.norm(s)\n")
    p = library / "policies" / "security" / "sec_001.rego"
    p.write_text(p.read_text().replace("import rego.v1\n", "import rego.v1\n\nimport data.lib.people\n", 1))
    repo.git.add("-A")
    repo.index.commit("lib imported by SEC-001")
    base = repo.head.commit.hexsha
    # a change to the inner library reaches SEC-001 through lib.people, and nothing else
    base_lib.write_text(base_lib.read_text() + "\n# changed\n")
    assert select(library, base) == {"SEC-001": ["policies/lib/names/names.rego"]}
