"""Throwaway git repositories for the git collector's tests (also used by tests/cli)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

PINNED = "2026-11-20T09:00:00Z"


@dataclass
class GitRepo:
    path: Path
    shas: dict[str, str] = field(default_factory=dict)
    _tick: int = 0

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        full_env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", **(env or {})}
        done = subprocess.run(["git", *args], cwd=self.path, env=full_env, check=True, capture_output=True, text=True)
        return done.stdout.strip()

    def commit(self, label: str, author: str = "Alice Example <alice@example.com>", message: str = "",
               committer: str | None = None, sign: bool = False) -> str:
        """Commit a change to ``<label>.txt`` at a fixed, increasing time; returns the sha."""
        self._tick += 1
        when = f"2026-01-{self._tick // 24 + 1:02d}T{self._tick % 24:02d}:00:00Z"
        (self.path / f"{label}.txt").write_text(label + "\n")
        self.git("add", f"{label}.txt")
        name, email = author.rsplit(" <", 1)
        cname, cemail = (committer or author).rsplit(" <", 1)
        env = {
            "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email.rstrip(">"), "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_NAME": cname, "GIT_COMMITTER_EMAIL": cemail.rstrip(">"), "GIT_COMMITTER_DATE": when,
        }
        args = ["commit", "-q", "-m", message or f"Add {label}"]
        if sign:
            args.insert(1, "-S")
        self.git(*args, env=env)
        sha = self.git("rev-parse", "HEAD")
        self.shas[label] = sha
        return sha

    def merge(self, branch: str, label: str, message: str,
              committer: str = "Carol Merger <carol@example.com>") -> str:
        self._tick += 1
        when = f"2026-01-{self._tick // 24 + 1:02d}T{self._tick % 24:02d}:00:00Z"
        name, email = committer.rsplit(" <", 1)
        env = {
            "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email.rstrip(">"), "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email.rstrip(">"), "GIT_COMMITTER_DATE": when,
        }
        self.git("merge", "-q", "--no-ff", "-m", message, branch, env=env)
        sha = self.git("rev-parse", "HEAD")
        self.shas[label] = sha
        return sha


def init_repo(path: Path) -> GitRepo:
    path.mkdir(parents=True)
    repo = GitRepo(path)
    repo.git("init", "-q", "-b", "main")
    repo.git("config", "user.name", "Test")
    repo.git("config", "user.email", "test@example.com")
    repo.git("config", "commit.gpgsign", "false")
    repo.git("config", "tag.gpgsign", "false")
    return repo


def sample_repo(tmp_path: Path) -> GitRepo:
    """A small history: .mailmap, trailers, a merge of a two-author branch, tags, an SSH-signed commit.

    main:  base - reviewed - (merge feature) - signed - self-approved
    feature (from reviewed): f1 by Bob (old email), f2 by Dave
    """
    repo = init_repo(tmp_path / "repo")
    (repo.path / ".mailmap").write_text(
        "Bob Builder <bob@example.com> <bob@old-laptop.local>\n"
        "Alice Example <alice@example.com> <ALICE@Personal.example>\n"
    )
    repo.git("add", ".mailmap")
    repo.commit("base", message="Initial commit")
    repo.commit("reviewed", message=(
        "Add reviewed feature\n\nLonger body.\n\n"
        "Reviewed-by: Bob Builder <bob@old-laptop.local>\n"
        "Acked-by: Erin Ops <erin@example.com>\n"
        "Signed-off-by: Alice Example <alice@example.com>"
    ))
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("f1", author="Bob Builder <bob@old-laptop.local>")
    repo.commit("f2", author="Dave Dev <dave@example.com>")
    repo.git("checkout", "-q", "main")
    repo.commit("hotfix", author="Alice Example <ALICE@Personal.example>",
                message="Hotfix\n\nApproved-by: Alice Example <alice@example.com>")
    repo.merge("feature", "merge", "Merge feature\n\nApproved-by: Erin Ops <erin@example.com>")
    repo.git("tag", "-a", "v1.0.0", "-m", "Release 1.0.0", env={
        "GIT_COMMITTER_NAME": "Rel Eng", "GIT_COMMITTER_EMAIL": "releng@example.com",
        "GIT_COMMITTER_DATE": "2026-02-01T10:00:00Z"})
    repo.git("tag", "not-a-release")
    key = tmp_path / "signing_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice", "-f", str(key)], check=True)
    repo.git("config", "gpg.format", "ssh")
    repo.git("config", "user.signingkey", str(key) + ".pub")
    repo.commit("signed", sign=True, message="Signed change\n\nReviewed-by: Bob Builder <bob@example.com>")
    (tmp_path / "allowed_signers").write_text(f"alice@example.com {(key.with_suffix('.pub')).read_text()}")
    repo.allowed_signers = tmp_path / "allowed_signers"  # type: ignore[attr-defined]
    return repo
