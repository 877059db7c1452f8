"""``auditor mappings diff``: what changed in the mappings folder between two git revisions.

Three things are compared, each keyed by (framework, what, clause):

- mapping entries (``what`` = the control id) on strength and rationale, and each mapping
  file's owner and last review date (``what`` = ``(file)``);
- framework catalogs (``what`` = ``(catalog)``): clauses added, removed, ``retitled`` (title
  changed) or changed (moved to another group);
- applicability decisions (``what`` = ``(applicability)``): a clause's applicable flag,
  justification, owner or review date.

The files are read straight from git's tree objects at each revision (no checkout, the
working tree is untouched), or, with ``worktree=True``, the newer side is the working
tree as it is on disk (uncommitted edits included). Each change is attributed to the
commit(s) in ``REV..REV2`` that made it: a commit made a change when the entry differs
between the commit and its parent (for a merge, between the merge and every parent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.errors import InputError
from auditor.files import parse_yaml_lines
from auditor.mappings.load import parse_mapping

if TYPE_CHECKING:
    import git

EntryKey = tuple[str, str, str]  # framework, control (or a marker below), clause (or a file field)
EntryValue = dict[str, str]
FILE, CATALOG, APPLICABILITY = "(file)", "(catalog)", "(applicability)"
WORKTREE = "working tree"
KINDS = ("added", "removed", "changed", "retitled")


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    author: str
    email: str
    date: str
    summary: str

    @property
    def short(self) -> str:
        return self.sha[:12]

    def to_dict(self) -> dict[str, str]:
        return {"sha": self.sha, "author": self.author, "email": self.email, "date": self.date,
                "summary": self.summary}


@dataclass
class Change:
    kind: str  # added | removed | changed | retitled (catalog clauses only)
    framework: str
    control: str  # a control id, or "(file)", "(catalog)", "(applicability)"
    clause: str  # for "(file)" changes: the field name (owner, last_reviewed)
    before: dict[str, str] | None
    after: dict[str, str] | None
    commits: list[CommitInfo] = field(default_factory=list)

    @property
    def is_metadata(self) -> bool:
        return self.control == FILE

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "framework": self.framework, "control": self.control, "clause": self.clause,
                "before": self.before, "after": self.after, "commits": [c.to_dict() for c in self.commits]}


@dataclass
class MappingDiff:
    old: CommitInfo
    new: CommitInfo
    path: str
    changes: list[Change]
    #: files under the mappings folder differ from the newer revision (uncommitted edits, untracked files)
    uncommitted: bool = False
    worktree: bool = False  # the newer side is the working tree

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(KINDS, 0)
        for change in self.changes:
            out[change.kind] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.old.to_dict(), "to": self.new.to_dict(), "path": self.path, "counts": self.counts(),
                "uncommitted": self.uncommitted, "worktree": self.worktree,
                "changes": [c.to_dict() for c in self.changes]}


@dataclass
class _State:
    entries: dict[EntryKey, EntryValue]


#: a folder's YAML files as (name, bytes, label); the same reader over git trees and the working tree
Files = list[tuple[str, bytes, str]]


def _state_of(top: Files, frameworks: Files, applicability: Files) -> _State:
    from auditor.mappings.applicability import parse_applicability
    from auditor.mappings.load import load_catalog_document

    entries: dict[EntryKey, EntryValue] = {}
    for name, data, label in top:
        document = parse_mapping(parse_yaml_lines(data, label), label, None, None, stem=Path(name).stem)
        framework = document.meta.framework
        entries[(framework, FILE, "owner")] = {"value": document.meta.owner}
        entries[(framework, FILE, "last_reviewed")] = {"value": document.meta.last_reviewed.isoformat()}
        for m in document.entries:
            entries[(m.framework, m.control, m.clause)] = {"strength": m.strength, "rationale": m.rationale}
    for name, data, label in frameworks:
        catalog = load_catalog_document(parse_yaml_lines(data, label), label, stem=Path(name).stem)
        for clause in catalog.clauses.values():
            entries[(catalog.framework, CATALOG, clause.id)] = {"title": clause.title, "group": clause.group}
    for name, data, label in applicability:
        decided = parse_applicability(parse_yaml_lines(data, label), label, None, stem=Path(name).stem)
        for d in decided.decisions.values():
            entries[(decided.framework, APPLICABILITY, d.clause)] = {
                "applicable": "yes" if d.applicable else "no", "justification": d.justification or "",
                "owner": d.owner, "review_date": d.review_date.isoformat()}
    return _State(entries)


def _yaml(name: str) -> bool:
    return name.endswith((".yaml", ".yml"))


def _disk_files(folder: Path) -> Files:
    if not folder.is_dir():
        return []
    return [(p.name, p.read_bytes(), str(p)) for p in sorted(folder.iterdir()) if p.is_file() and _yaml(p.name)]


def _commit_info(commit: git.Commit) -> CommitInfo:
    return CommitInfo(
        commit.hexsha,
        str(commit.author.name),
        str(commit.author.email),
        commit.authored_datetime.isoformat(),
        str(commit.summary),
    )


class _History:
    def __init__(self, repo: git.Repo, rel: str) -> None:
        self.repo = repo
        self.rel = rel
        self._cache: dict[str, _State] = {}

    def resolve(self, rev: str) -> git.Commit:
        import git

        try:
            return self.repo.commit(rev)
        except (git.BadName, git.BadObject, ValueError, git.GitCommandError):
            raise InputError(f"{rev}: unknown revision in {self.repo.working_tree_dir}") from None

    def state(self, commit: git.Commit) -> _State:
        try:
            tree = commit.tree / self.rel if self.rel else commit.tree
        except KeyError:
            return _State({})
        if tree.hexsha in self._cache:
            return self._cache[tree.hexsha]

        def blobs(sub: Any) -> Files:
            return [(b.name, b.data_stream.read(), f"{commit.hexsha[:12]}:{b.path}")
                    for b in sorted(sub.blobs, key=lambda b: b.name) if _yaml(b.name)]

        def subtree(name: str) -> Files:
            try:
                return blobs(tree / name)
            except KeyError:
                return []

        state = _state_of(blobs(tree), subtree("frameworks"), subtree("applicability"))
        self._cache[tree.hexsha] = state
        return state


def _kind(before: EntryValue | None, after: EntryValue | None, control: str) -> str:
    if before is None:
        return "added"
    if after is None:
        return "removed"
    if control == CATALOG and before.get("title") != after.get("title"):
        return "retitled"
    return "changed"


def diff_mappings(mappings_dir: Path, old_rev: str, new_rev: str = "HEAD", worktree: bool = False) -> MappingDiff:
    """Compare the mappings folder between two revisions of its git repository.

    ``worktree=True`` compares ``old_rev`` with the working tree instead of ``new_rev``.
    """
    import git

    mappings_dir = Path(mappings_dir).resolve()
    try:
        repo = git.Repo(mappings_dir, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise InputError(f"{mappings_dir}: not inside a git repository; diff needs the mappings' history") from None
    with repo:
        top = Path(str(repo.working_tree_dir)).resolve()
        rel = mappings_dir.relative_to(top).as_posix()
        rel = "" if rel == "." else rel
        history = _History(repo, rel)
        old = history.resolve(old_rev)
        new = history.resolve("HEAD" if worktree else new_rev)
        before = history.state(old)
        if worktree:
            after = _state_of(_disk_files(mappings_dir), _disk_files(mappings_dir / "frameworks"),
                              _disk_files(mappings_dir / "applicability"))
        else:
            after = history.state(new)
        changes: list[Change] = []
        for key in sorted(set(before.entries) | set(after.entries)):
            b, a = before.entries.get(key), after.entries.get(key)
            if b != a:
                changes.append(Change(_kind(b, a, key[1]), *key, b, a))
        if changes:
            _attribute(history, old, new, changes)
        uncommitted = _dirty(repo, rel, new)
        new_info = _commit_info(new)
        if worktree:
            new_info = CommitInfo(WORKTREE, "", "", "uncommitted", "the working tree")
        return MappingDiff(_commit_info(old), new_info, rel or ".", changes, uncommitted, worktree)


def _dirty(repo: git.Repo, rel: str, new: git.Commit) -> bool:
    """Whether the working tree's mappings folder differs from ``new`` (edits, staged or untracked files)."""
    path = rel or "."
    if repo.git.diff(new.hexsha, "--name-only", "--", path):
        return True
    return bool(repo.git.ls_files("--others", "--exclude-standard", "--", path))


def _attribute(history: _History, old: git.Commit, new: git.Commit, changes: list[Change]) -> None:
    """Attach to each change the commits in old..new that changed that entry, oldest first."""
    kwargs: dict[str, Any] = {"paths": history.rel} if history.rel else {}
    commits = list(history.repo.iter_commits(f"{old.hexsha}..{new.hexsha}", **kwargs))
    commits.reverse()
    for commit in commits:
        state = history.state(commit)
        parents = [history.state(p) for p in commit.parents] or [_State({})]
        info = _commit_info(commit)
        for change in changes:
            key = (change.framework, change.control, change.clause)
            if all(state.entries.get(key) != p.entries.get(key) for p in parents):
                change.commits.append(info)
