"""``diff`` over a throwaway git repository built here, with authors and dates per change."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import git
import pytest

from auditor.errors import InputError
from auditor.mappings.history import diff_mappings
from auditor.mappings.load import load_catalog
from tests.mappings.conftest import FIX

ALICE = git.Actor("Alice Risk", "alice@example.org")
BOB = git.Actor("Bob Audit", "bob@example.org")


def commit(repo: git.Repo, message: str, who: git.Actor, date: str) -> str:
    repo.git.add(A=True)
    when = dt.datetime.fromisoformat(date)
    return repo.index.commit(message, author=who, committer=who, author_date=when, commit_date=when).hexsha


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """mappings/ in a repo: base, Alice changes a strength, Bob adds + removes, Alice edits a rationale."""
    top = tmp_path / "org-controls"
    repo = git.Repo.init(top)
    shutil.copytree(FIX / "root", top / "mappings")
    (top / "README").write_text("not a mapping\n")
    shas = {"base": commit(repo, "Base mappings", ALICE, "2025-01-10T09:00:00+00:00")}
    m = top / "mappings" / "widget-std-1.yaml"
    edit(m, "id: W1.1, strength: partial", "id: W1.1, strength: full")
    shas["strength"] = commit(repo, "SEC-001 fully meets W1.1", ALICE, "2025-02-01T10:00:00+00:00")
    (top / "README").write_text("unrelated change\n")
    shas["unrelated"] = commit(repo, "Unrelated", BOB, "2025-02-02T10:00:00+00:00")
    edit(m, "      - {id: W2.3, strength: partial, rationale: \"The model card explains the model.\"}\n", "")
    edit(m, "      - {id: W2.2, strength: partial,", "      - {id: W2.4, strength: supporting, rationale: "
         "\"Retention terms are in supplier contracts.\"}\n      - {id: W2.2, strength: partial,")
    edit(m, "last_reviewed: 2025-01-31", "last_reviewed: 2025-03-01")
    shas["addremove"] = commit(repo, "Rework PRIV-001 and AI-001", BOB, "2025-03-01T11:00:00+00:00")
    edit(m, "Access logs are the records kept.", "Admin access logs are the records the clause requires.")
    shas["rationale"] = commit(repo, "Sharper rationale", ALICE, "2025-03-05T12:00:00+00:00")
    return top, shas


def test_diff_lists_changes_with_authors_and_dates(history) -> None:  # type: ignore[no-untyped-def]
    top, shas = history
    diff = diff_mappings(top / "mappings", shas["base"], shas["rationale"])
    got = {(c.kind, c.framework, c.control, c.clause): c for c in diff.changes}
    assert set(got) == {
        ("changed", "widget-std-1", "SEC-001", "W1.1"),
        ("added", "widget-std-1", "PRIV-001", "W2.4"),
        ("removed", "widget-std-1", "AI-001", "W2.3"),
        ("changed", "widget-std-1", "SEC-002", "W2.2"),
        ("changed", "widget-std-1", "(file)", "last_reviewed"),
    }
    strength = got[("changed", "widget-std-1", "SEC-001", "W1.1")]
    assert strength.before is not None and strength.after is not None
    assert (strength.before["strength"], strength.after["strength"]) == ("partial", "full")
    assert [(c.sha, c.author, c.email, c.date) for c in strength.commits] == [
        (shas["strength"], "Alice Risk", "alice@example.org", "2025-02-01T10:00:00+00:00")]
    added = got[("added", "widget-std-1", "PRIV-001", "W2.4")]
    assert added.before is None and added.after == {"strength": "supporting",
                                                    "rationale": "Retention terms are in supplier contracts."}
    assert [c.author for c in added.commits] == ["Bob Audit"]
    removed = got[("removed", "widget-std-1", "AI-001", "W2.3")]
    assert removed.after is None and [c.sha for c in removed.commits] == [shas["addremove"]]
    rationale = got[("changed", "widget-std-1", "SEC-002", "W2.2")]
    assert rationale.after and rationale.after["rationale"].startswith("Admin access logs")
    assert [c.summary for c in rationale.commits] == ["Sharper rationale"]
    meta = got[("changed", "widget-std-1", "(file)", "last_reviewed")]
    assert (meta.before, meta.after) == ({"value": "2025-01-31"}, {"value": "2025-03-01"})
    assert diff.counts() == {"added": 1, "removed": 1, "changed": 3, "retitled": 0}
    # no commit outside the range and none that did not touch the entry (the README commit)
    assert all(ci.sha != shas["unrelated"] for c in diff.changes for ci in c.commits)


def test_change_touched_twice_lists_both_commits_and_default_rev2_is_head(history) -> None:  # type: ignore[no-untyped-def]
    top, shas = history
    repo = git.Repo(top)
    m = top / "mappings" / "widget-std-1.yaml"
    edit(m, "id: W1.1, strength: full, rationale: \"Encryption", "id: W1.1, strength: partial, rationale: \"Encryption")
    edit(m, "Encryption settings changes are part of what is reviewed.", "Only encryption settings are reviewed.")
    third = commit(repo, "Back to partial, narrower", BOB, "2025-04-01T08:00:00+00:00")
    diff = diff_mappings(top / "mappings", shas["base"])  # REV2 defaults to HEAD
    change = next(c for c in diff.changes if c.control == "SEC-001" and c.clause == "W1.1")
    assert change.kind == "changed"
    assert change.before == {"strength": "partial", "rationale": "Encryption settings changes are part of what is reviewed."}
    assert change.after == {"strength": "partial", "rationale": "Only encryption settings are reviewed."}
    assert [c.sha for c in change.commits] == [shas["strength"], third]
    assert diff.new.sha == third


def test_diff_reads_git_objects_not_the_working_tree(history) -> None:  # type: ignore[no-untyped-def]
    top, shas = history
    (top / "mappings" / "widget-std-1.yaml").write_text("uncommitted: garbage\n")
    diff = diff_mappings(top / "mappings", shas["strength"], shas["unrelated"])
    assert diff.changes == []
    assert diff.uncommitted  # but it says the working tree differs
    assert (top / "mappings" / "widget-std-1.yaml").read_text() == "uncommitted: garbage\n"


def test_diff_of_a_new_framework_file_and_repo_root_mappings(tmp_path: Path) -> None:
    repo = git.Repo.init(tmp_path)
    shutil.copytree(FIX / "root", tmp_path, dirs_exist_ok=True)  # mappings at the repository root
    first = commit(repo, "Widget", ALICE, "2025-01-01T00:00:00+00:00")
    shutil.copy(FIX / "acme" / "acme-internal-2025.yaml", tmp_path)
    shutil.copy(FIX / "acme" / "frameworks" / "acme-internal-2025.yaml", tmp_path / "frameworks")
    second = commit(repo, "Add ACME", BOB, "2025-01-02T00:00:00+00:00")
    diff = diff_mappings(tmp_path, first, second)
    assert diff.path == "."
    assert {(c.kind, c.framework) for c in diff.changes} == {("added", "acme-internal-2025")}
    assert sum(1 for c in diff.changes if c.control not in ("(file)", "(catalog)")) == 3
    acme = len(load_catalog(FIX / "acme" / "frameworks" / "acme-internal-2025.yaml").clauses)
    assert acme and sum(1 for c in diff.changes if c.control == "(catalog)") == acme
    assert all([ci.author for ci in c.commits] == ["Bob Audit"] for c in diff.changes)


def test_diff_errors(history, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    top, shas = history
    with pytest.raises(InputError, match="nope: unknown revision"):
        diff_mappings(top / "mappings", "nope")
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    with pytest.raises(InputError, match="not inside a git repository"):
        diff_mappings(lonely, "HEAD")
    repo = git.Repo(top)
    (top / "mappings" / "widget-std-1.yaml").write_text("framework: widget-std-1\nowner: x\n")
    broken = commit(repo, "Broken", BOB, "2025-05-01T00:00:00+00:00")
    with pytest.raises(InputError, match=rf"{broken[:12]}:mappings/widget-std-1\.yaml.*last_reviewed: required"):
        diff_mappings(top / "mappings", shas["base"], broken)


def test_catalog_and_applicability_changes_show_in_diff(history) -> None:  # type: ignore[no-untyped-def]
    """Deleting a clause from a catalog, retitling one, and excluding one are each a change a reviewer sees."""
    top, shas = history
    repo = git.Repo(top)
    catalog = top / "mappings" / "frameworks" / "widget-std-1.yaml"
    text = catalog.read_text()
    line = next(x for x in text.splitlines() if "id: W1.3" in x)
    catalog.write_text(text.replace(line + "\n", ""))
    edit(catalog, "Changes are reviewed", "Every change is reviewed")
    applicability = top / "mappings" / "applicability"
    applicability.mkdir()
    (applicability / "widget-std-1.yaml").write_text(
        "framework: widget-std-1\nowner: Risk Team\nreview_date: 2026-01-31\nclauses:\n"
        "  - {id: W2.4, applicable: false, justification: \"We have no suppliers.\"}\n")
    edited = commit(repo, "Drop W1.3, retitle W1.1, exclude W2.4", BOB, "2025-06-01T00:00:00+00:00")
    diff = diff_mappings(top / "mappings", shas["rationale"], edited)
    got = {(c.kind, c.control, c.clause): c for c in diff.changes}
    assert set(got) == {("removed", "(catalog)", "W1.3"), ("retitled", "(catalog)", "W1.1"),
                        ("added", "(applicability)", "W2.4")}
    retitled = got[("retitled", "(catalog)", "W1.1")]
    assert retitled.before and retitled.after
    assert (retitled.before["title"], retitled.after["title"]) == ("Changes are reviewed", "Every change is reviewed")
    assert got[("added", "(applicability)", "W2.4")].after == {
        "applicable": "no", "justification": "We have no suppliers.", "owner": "Risk Team",
        "review_date": "2026-01-31"}
    assert all([ci.sha for ci in c.commits] == [edited] for c in diff.changes)
    assert diff.counts() == {"added": 1, "removed": 1, "changed": 0, "retitled": 1}
    assert not diff.uncommitted


def test_worktree_diff_sees_uncommitted_edits(history) -> None:  # type: ignore[no-untyped-def]
    top, _shas = history
    catalog = top / "mappings" / "frameworks" / "widget-std-1.yaml"
    edit(catalog, "Changes are reviewed", "Every change is reviewed")
    committed = diff_mappings(top / "mappings", "HEAD", "HEAD")
    assert committed.changes == [] and committed.uncommitted
    live = diff_mappings(top / "mappings", "HEAD", worktree=True)
    assert [(c.kind, c.control, c.clause) for c in live.changes] == [("retitled", "(catalog)", "W1.1")]
    assert live.worktree and live.new.sha == "working tree"
    assert live.changes[0].commits == []  # not committed: no commit to attribute it to


def test_diff_cli_says_uncommitted_and_worktree_shows_it(cli, history) -> None:  # type: ignore[no-untyped-def]
    top, _shas = history
    edit(top / "mappings" / "frameworks" / "widget-std-1.yaml", "Changes are reviewed", "Every change is reviewed")
    plain = cli("mappings", "diff", "HEAD", "--mappings", top / "mappings", "--format", "markdown")
    assert plain.code == 0, plain.err
    assert "has uncommitted changes that this diff does not show; pass --worktree" in plain.out
    live = cli("mappings", "diff", "--worktree", "--mappings", top / "mappings", "--format", "markdown")
    assert live.code == 0, live.err
    assert "the working tree (uncommitted)" in live.out
    assert "| retitled | widget-std-1 | (catalog) | W1.1 | Changes are reviewed (group P1) | Every change is reviewed (group P1) |" in live.out
    both = cli("mappings", "diff", "HEAD", "HEAD~1", "--worktree", "--mappings", top / "mappings")
    assert both.code == 2 and "give one revision, not two" in both.err
    none = cli("mappings", "diff", "--mappings", top / "mappings")
    assert none.code == 2 and "missing REV" in none.err
