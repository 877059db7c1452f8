"""``--changed-only``: the controls a change touches, for pre-merge checks on control repositories.

A control is selected when, between ``--base`` and the working tree (committed,
staged, unstaged and untracked changes), any of these changed: its control
YAML, its policy or policy test file, or the evidence schema of a kind it reads.
A changed shared Rego file (a package that is no control's policy) or the
evidence envelope schema selects every control. The repository is the one
holding the controls folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.errors import InputError

if TYPE_CHECKING:
    from auditor.controls import ControlLibrary
    from auditor.policies import PolicySet

DEFAULT_BASES = ("origin/main", "HEAD~1")


@dataclass
class Selection:
    base: str
    changed: list[str]  # repository-relative paths
    reasons: dict[str, list[str]]  # control id -> the changed paths that selected it

    @property
    def ids(self) -> list[str]:
        return sorted(self.reasons)


def changed_files(folder: Path, base: str | None = None) -> tuple[str, Path, list[str]]:
    """``(base, repo root, changed paths)`` between ``base`` and the working tree of ``folder``'s repository."""
    import git

    try:
        repo = git.Repo(folder, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise InputError(f"--changed-only: {folder} is not inside a git repository") from None
    candidates = (base,) if base else DEFAULT_BASES
    chosen = None
    for rev in candidates:
        try:
            repo.rev_parse(rev)
            chosen = rev
            break
        except (git.BadName, ValueError, git.GitCommandError):
            continue
    if chosen is None:
        tried = ", ".join(candidates)
        raise InputError(f"--base: found no revision {tried} in {repo.working_tree_dir}; "
                         "expected an existing commit to compare against")
    diff = repo.git.diff("--name-only", "--no-renames", "-z", chosen, "--")
    paths = {p for p in diff.split("\0") if p}
    paths.update(repo.untracked_files)
    return chosen, Path(str(repo.working_tree_dir)).resolve(), sorted(paths)


def select_changed(
    library: ControlLibrary, policies: PolicySet, schema_dirs: list[Path], base: str | None = None
) -> Selection:
    chosen, root, changed = changed_files(library.root, base)
    absolute = {(root / p).resolve(): p for p in changed}
    packages = policies.by_package()
    control_packages = {c.policy for c in library}
    everything: list[str] = []
    for source in policies.runtime:
        if source.package not in control_packages and source.path.resolve() in absolute:
            everything.append(absolute[source.path.resolve()])
    schema_files = {}
    for folder in schema_dirs:
        for path in Path(folder).glob("*.schema.json"):
            if path.resolve() in absolute:
                schema_files[path.name.removesuffix(".schema.json")] = absolute[path.resolve()]
    if "envelope" in schema_files:
        everything.append(schema_files["envelope"])
    reasons: dict[str, list[str]] = {}
    for control in library:
        hits = list(everything)
        candidates = [control.path]
        policy = packages.get(control.policy)
        if policy is not None:
            candidates += [policy.path, policy.path.with_name(policy.path.stem + "_test.rego")]
        hits += [absolute[p.resolve()] for p in candidates if p.resolve() in absolute]
        hits += [schema_files[k] for k in control.evidence if k in schema_files]
        if hits:
            reasons[control.id] = sorted(set(hits))
    return Selection(chosen, changed, reasons)
