"""``auditor mappings diff``: mapping entries added, removed or changed between two git revisions.

The mapping files are read straight from git's tree objects at each revision (no
checkout, the working tree is untouched). Entries are compared by (framework,
control, clause) on strength and rationale, and file metadata (owner, last review
date) likewise. Each change is attributed to the commit(s) in ``REV..REV2`` that
made it: a commit made a change when the entry differs between the commit and
its parent (for a merge, between the merge and every parent).
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

EntryKey = tuple[str, str, str]  # framework, control, clause
EntryValue = tuple[str, str]  # strength, rationale
MetaKey = tuple[str, str]  # framework, field


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
    kind: str  # added | removed | changed
    framework: str
    control: str  # for metadata changes: "(file)"
    clause: str  # for metadata changes: the field name (owner, last_reviewed)
    before: dict[str, str] | None
    after: dict[str, str] | None
    commits: list[CommitInfo] = field(default_factory=list)

    @property
    def is_metadata(self) -> bool:
        return self.control == "(file)"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "framework": self.framework, "control": self.control, "clause": self.clause,
                "before": self.before, "after": self.after, "commits": [c.to_dict() for c in self.commits]}


@dataclass
class MappingDiff:
    old: CommitInfo
    new: CommitInfo
    path: str
    changes: list[Change]

    def counts(self) -> dict[str, int]:
        out = {"added": 0, "removed": 0, "changed": 0}
        for change in self.changes:
            out[change.kind] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.old.to_dict(), "to": self.new.to_dict(), "path": self.path, "counts": self.counts(),
                "changes": [c.to_dict() for c in self.changes]}


@dataclass
class _State:
    entries: dict[EntryKey, EntryValue]
    meta: dict[MetaKey, str]


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
            return _State({}, {})
        if tree.hexsha in self._cache:
            return self._cache[tree.hexsha]
        entries: dict[EntryKey, EntryValue] = {}
        meta: dict[MetaKey, str] = {}
        for blob in sorted(tree.blobs, key=lambda b: b.name):
            if not blob.name.endswith((".yaml", ".yml")):
                continue
            label = f"{commit.hexsha[:12]}:{blob.path}"
            document = parse_mapping(parse_yaml_lines(blob.data_stream.read(), label), label, None, None,
                                     stem=Path(blob.name).stem)
            framework = document.meta.framework
            meta[(framework, "owner")] = document.meta.owner
            meta[(framework, "last_reviewed")] = document.meta.last_reviewed.isoformat()
            for m in document.entries:
                entries[(m.framework, m.control, m.clause)] = (m.strength, m.rationale)
        state = _State(entries, meta)
        self._cache[tree.hexsha] = state
        return state


def _entry_dict(value: EntryValue | None) -> dict[str, str] | None:
    return None if value is None else {"strength": value[0], "rationale": value[1]}


def _kind(before: object, after: object) -> str:
    return "added" if before is None else "removed" if after is None else "changed"


def diff_mappings(mappings_dir: Path, old_rev: str, new_rev: str = "HEAD") -> MappingDiff:
    """Compare the mapping files under ``mappings_dir`` between two revisions of its git repository."""
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
        old, new = history.resolve(old_rev), history.resolve(new_rev)
        before, after = history.state(old), history.state(new)
        changes: list[Change] = []
        for key in sorted(set(before.entries) | set(after.entries)):
            b, a = before.entries.get(key), after.entries.get(key)
            if b != a:
                changes.append(Change(_kind(b, a), *key, _entry_dict(b), _entry_dict(a)))
        for mkey in sorted(set(before.meta) | set(after.meta)):
            mb, ma = before.meta.get(mkey), after.meta.get(mkey)
            if mb != ma:
                changes.append(Change(_kind(mb, ma), mkey[0], "(file)", mkey[1],
                                      None if mb is None else {"value": mb},
                                      None if ma is None else {"value": ma}))
        if changes:
            _attribute(history, old, new, changes)
        return MappingDiff(_commit_info(old), _commit_info(new), rel or ".", changes)


def _attribute(history: _History, old: git.Commit, new: git.Commit, changes: list[Change]) -> None:
    """Attach to each change the commits in old..new that changed that entry, oldest first."""
    kwargs: dict[str, Any] = {"paths": history.rel} if history.rel else {}
    commits = list(history.repo.iter_commits(f"{old.hexsha}..{new.hexsha}", **kwargs))
    commits.reverse()
    for commit in commits:
        state = history.state(commit)
        parents = [history.state(p) for p in commit.parents] or [_State({}, {})]
        info = _commit_info(commit)
        for change in changes:
            if change.is_metadata:
                mkey = (change.framework, change.clause)
                touched = all(state.meta.get(mkey) != p.meta.get(mkey) for p in parents)
            else:
                key = (change.framework, change.control, change.clause)
                touched = all(state.entries.get(key) != p.entries.get(key) for p in parents)
            if touched:
                change.commits.append(info)
