"""``--changed-only``: the controls a change touches, for pre-merge checks on control repositories.

A control is selected when, between ``--base`` and the working tree (committed,
staged, unstaged and untracked changes), any of these changed: its control
YAML, its policy or policy test file, or the evidence schema of a kind it reads.
A changed shared Rego file (a library package that is no control's policy)
selects every control whose policy refers to it (``import data.lib.x`` or a
``data.lib.x`` reference, directly or through another library); one that no
control refers to, or the evidence envelope schema, selects every control. The repository is the one
holding the controls folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.errors import InputError

if TYPE_CHECKING:
    from auditor.controls import ControlLibrary
    from auditor.policies import PolicySet

DEFAULT_BASES = ("origin/main", "HEAD~1")

_DATA_REF = re.compile(r"(?<![\w.])data\.([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)")


def package_refs(policies: PolicySet) -> dict[str, set[str]]:
    """Package -> every package it refers to (``data.<pkg>...``), transitively."""
    from auditor.policies import _code_only

    names = {s.package for s in policies.runtime}
    direct: dict[str, set[str]] = {}
    for source in policies.runtime:
        found = set()
        for ref in _DATA_REF.findall(_code_only(source.text)):
            parts = ref.split(".")
            for end in range(len(parts), 0, -1):
                candidate = ".".join(parts[:end])
                if candidate in names and candidate != source.package:
                    found.add(candidate)
                    break
        direct.setdefault(source.package, set()).update(found)
    closed: dict[str, set[str]] = {}
    for package in direct:
        seen: set[str] = set()
        stack = list(direct[package])
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(direct.get(current, ()))
        closed[package] = seen
    return closed


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
    shared: dict[str, str] = {}  # changed library package -> its changed path
    refs = package_refs(policies)
    for source in policies.runtime:
        if source.package not in control_packages and source.path.resolve() in absolute:
            shared[source.package] = absolute[source.path.resolve()]
    referred = {p for c in library for p in refs.get(c.policy, ())}
    everything += [path for package, path in shared.items() if package not in referred]
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
        hits += [path for package, path in shared.items() if package in refs.get(control.policy, ())]
        hits += [schema_files[k] for k in control.reads if k in schema_files]
        if hits:
            reasons[control.id] = sorted(set(hits))
    return Selection(chosen, changed, reasons)
