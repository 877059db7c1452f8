"""Git history as ``changes`` evidence, and release tags as ``deployments`` candidates.

One ``git log`` over the branch's whole graph (NUL-separated records, unit-separated
fields, mailmap-resolved and raw identities side by side, signature status from
``%G?``) is parsed in Python; the first-parent chain and the commits each merge
brought in are derived from the parent links, so 50,000 commits cost one process.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from auditor.collect.base import COLLECTORS, Clock, Collector, CollectorError, Document, Option, Progress
from auditor.collect.base import format_time as _utc
from auditor.identity import EMPTY as _NO_DIRECTORY
from auditor.model import CollectionFailure

#: Trailers that record an approval of the change.
APPROVAL_TRAILERS = ("reviewed-by", "approved-by", "acked-by")

_FIELDS = (
    "sha", "parents",
    "author_name", "author_email", "author_mapped_name", "author_mapped_email", "authored_at",
    "committer_name", "committer_email", "committer_mapped_name", "committer_mapped_email", "committed_at",
    "sig_status", "sig_key", "sig_signer", "subject", "trailers",
)
# Dates are printed in UTC by git itself (--date=format-local with TZ=UTC): see LOG_ARGS.
_INDEX = {name: i for i, name in enumerate(_FIELDS)}
LOG_FORMAT = "%x1f".join(
    ("%H", "%P", "%an", "%ae", "%aN", "%aE", "%ad", "%cn", "%ce", "%cN", "%cE", "%cd", "%G?", "%GK", "%GS", "%s",
     "%(trailers:only,unfold)")
)

LOG_ARGS = ("-z", f"--format={LOG_FORMAT}", "--date=format-local:%Y-%m-%dT%H:%M:%SZ", "--topo-order")
LOG_ENV = {"TZ": "UTC"}

# %G? -> verified: G good signature by a trusted key; B bad, X expired signature, Y expired key,
# R revoked key: does not verify; U good signature by an untrusted key (for SSH: not in the allowed
# signers) and E key not available: cannot be verified here (None).
_VERIFIED = {"G": True, "B": False, "X": False, "Y": False, "R": False, "U": None, "E": None}
_PERSON = re.compile(r"^\s*(?P<name>.*?)\s*<(?P<email>[^<>]*)>\s*$")
_USERINFO = re.compile(r"^([a-z][a-z0-9+.-]*://)[^/@]*@", re.IGNORECASE)


@dataclass(frozen=True)
class Raw:
    """One parsed ``git log`` record."""

    sha: str
    parents: tuple[str, ...]
    fields: tuple[str, ...]

    def get(self, name: str) -> str:
        return self.fields[_INDEX[name]]


def person_id(email: str) -> str | None:
    """The person key of a (mailmap-resolved) address: ``email:<address>`` (auditor.identity)."""
    return _NO_DIRECTORY.key(email=email)


def parse_log(output: str) -> list[Raw]:
    """Parse ``git log -z --format=LOG_FORMAT`` output."""
    records = []
    n = len(_FIELDS)
    for record in output.split("\0"):
        record = record.lstrip("\n")
        if not record:
            continue
        fields = record.split("\x1f")
        if len(fields) != n:
            raise CollectorError(f"git log: unexpected record with {len(fields)} fields (expected {n})")
        records.append(Raw(fields[0], tuple(fields[1].split()), tuple(fields)))
    return records


def parse_trailers(text: str) -> list[tuple[str, str, str]]:
    """``(trailer, name, email)`` for every approval trailer with an email address."""
    found = []
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep or key.strip().lower() not in APPROVAL_TRAILERS:
            continue
        match = _PERSON.match(value)
        if match and match["email"].strip():
            found.append((key.strip(), match["name"], match["email"].strip()))
    return found


def first_parent_chain(tip: str, parents: dict[str, tuple[str, ...]]) -> list[str]:
    """The first-parent history from ``tip``, newest first."""
    chain = []
    sha: str | None = tip
    while sha is not None and sha in parents:
        chain.append(sha)
        ps = parents[sha]
        sha = ps[0] if ps else None
    return chain


def brought_in(chain_oldest_first: list[str], parents: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """For each merge on the chain, the commits it brought in (ancestors of its other parents
    not already reachable from its first parent). Linear in the size of the graph."""
    seen: set[str] = set()
    result: dict[str, list[str]] = {}
    for sha in chain_oldest_first:
        seen.add(sha)
        ps = parents.get(sha, ())
        if len(ps) < 2:
            continue
        merged: list[str] = []
        stack = list(ps[1:])
        while stack:
            current = stack.pop()
            if current in seen or current not in parents:
                continue
            seen.add(current)
            merged.append(current)
            stack.extend(parents[current])
        result[sha] = merged
    return result


def signature_type(status: str, key: str) -> str | None:
    """``ssh`` (key fingerprints are ``SHA256:...``), ``gpg``, or None when unsigned."""
    if status in ("N", ""):
        return None
    return "ssh" if key.startswith("SHA256:") else "gpg"


def strip_userinfo(url: str) -> str:
    """A remote URL without credentials (``https://token@host/x`` -> ``https://host/x``)."""
    return _USERINFO.sub(r"\1", url.strip())


@COLLECTORS.register("git")
class GitCollector(Collector):
    """Commits on a branch's first-parent history as ``changes``; release tags as ``deployments``.

    Identities are resolved through the repository's ``.mailmap`` (the raw name and
    email are kept beside the resolved person), approvals come from ``Reviewed-by:``,
    ``Approved-by:`` and ``Acked-by:`` trailers, signatures from ``git log %G?``
    (verified where git can check the key: a GPG keyring or ``gpg.ssh.allowedSignersFile``).

    Example::

        auditor collect git --repo . --branch main --since 2026-01-01 --out evidence/
    """

    version: ClassVar[str] = "0.1.0"
    kinds: ClassVar[tuple[str, ...]] = ("changes", "deployments")
    permissions: ClassVar[tuple[str, ...]] = (
        "read access to a local clone with the branch's full history (no credentials are used)",
    )
    help: ClassVar[str] = "Commits (changes) and release tags (deployments) from a git repository."
    options: ClassVar[tuple[Option, ...]] = (
        Option("repo", "Git repository to read.", type="dir", default=Path()),
        Option("branch", "Branch whose first-parent history is collected (default: main, else HEAD)."),
        Option("since", "Only commits committed at or after this date (RFC 3339 or YYYY-MM-DD)."),
        Option("release_tags", "Tags (glob) recorded as deployment candidates.", default="v*"),
    )

    def __init__(
        self,
        repo: Path,
        branch: str | None = None,
        since: str | None = None,
        release_tags: str = "v*",
        clock: Clock | None = None,
        progress: Progress | None = None,
    ) -> None:
        super().__init__(clock, progress)
        self.repo_path = Path(repo)
        self.branch = branch
        self.since = since
        self.release_tags = release_tags
        self.repository = ""
        self.service = ""

    # -- git access --------------------------------------------------------------

    def _open(self) -> Any:
        import git

        try:
            return git.Repo(self.repo_path, search_parent_directories=False)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise CollectorError(f"{self.repo_path}: not a git repository") from None

    def _resolve_branch(self, repo: Any) -> tuple[str, str]:
        """(branch name, tip sha). Default: ``main`` if it exists, else the checked-out HEAD."""
        import git

        candidates = [self.branch] if self.branch else ["main", "HEAD"]
        for name in candidates:
            try:
                sha = repo.git.rev_parse("--verify", "--quiet", f"{name}^{{commit}}")
            except git.GitCommandError:
                continue
            if name == "HEAD":
                try:
                    name = repo.git.symbolic_ref("--short", "-q", "HEAD")
                except git.GitCommandError:
                    name = "HEAD"
            return name, sha.strip()
        if self.branch:
            raise CollectorError(f"{self.repo_path}: --branch: found {self.branch!r}, expected an existing branch")
        raise CollectorError(f"{self.repo_path}: the repository has no commits")

    def source(self, repo: Any, branch: str) -> str:
        try:
            url = repo.remotes.origin.url if "origin" in [r.name for r in repo.remotes] else ""
        except (AttributeError, ValueError):
            url = ""
        where = strip_userinfo(url) if url else Path(repo.working_tree_dir or self.repo_path).resolve().name
        self.repository = where
        self.service = where.rstrip("/").removesuffix(".git").rsplit("/", 1)[-1].rsplit(":", 1)[-1] or where
        return f"git:{where}#{branch}"

    def log(self, repo: Any, tip: str) -> list[Raw]:
        import os

        import git

        cmd = repo.git
        try:
            signers = repo.git.config("--get", "gpg.ssh.allowedSignersFile").strip()
        except git.GitCommandError:
            signers = ""
        if not signers or not Path(signers).expanduser().is_file():
            # Without an allowed-signers file git reports SSH-signed commits as unsigned (N);
            # an empty one makes them "U" (present, signer not trusted), which is the truth.
            cmd = repo.git(c=f"gpg.ssh.allowedSignersFile={os.devnull}")
        # Read the (large) output in one go rather than through a select loop.
        process = cmd.log(tip, *LOG_ARGS, as_process=True, env=LOG_ENV)
        raw = process.stdout.read()
        process.wait()
        return parse_log(raw.decode("utf-8", "replace"))

    def check_mailmap(self, repo: Any, people: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
        """Resolve ``(name, email)`` pairs through the mailmap in a few git calls."""
        pairs = sorted(set(people))
        resolved: dict[tuple[str, str], tuple[str, str]] = {}
        for start in range(0, len(pairs), 200):
            chunk = pairs[start:start + 200]
            out = repo.git.check_mailmap("--", *[f"{n} <{e}>" for n, e in chunk])
            for pair, line in zip(chunk, out.splitlines(), strict=True):
                match = _PERSON.match(line)
                resolved[pair] = (match["name"], match["email"]) if match else pair
        return resolved

    # -- collection --------------------------------------------------------------

    def collect(self) -> list[Document]:
        repo = self._open()
        try:
            branch, tip = self._resolve_branch(repo)
            source = self.source(repo, branch)
            with self.progress.task("git log", None) as advance:
                records = self.log(repo, tip)
                advance(len(records))
            changes = self.changes(repo, records, tip, branch)
            errors = self.shallow_errors(repo, changes, branch)
            deployments = self.tags(repo)
        finally:
            repo.close()
        return [Document("changes", source, changes, errors), Document("deployments", source, deployments)]

    def shallow_errors(self, repo: Any, changes: list[dict[str, Any]], branch: str) -> list[CollectionFailure]:
        """A shallow clone (CI checkouts are often depth 1) cuts the history at its boundary
        commits, whose parents look absent: the first-parent chain ends early and a merge looks
        like a plain commit. When a collected change, or a commit one of them brought in, is a
        boundary commit, the history in scope is incomplete: a collection error, never silently
        fewer changes. (A ``--since`` window wholly inside the fetched history is complete.)"""
        if repo.git.rev_parse("--is-shallow-repository").strip() != "true":
            return []
        shallow = Path(repo.common_dir) / "shallow"
        try:
            boundary = set(shallow.read_text().split())
        except OSError:
            boundary = set()
        reached = {c["id"] for c in changes} | {m["id"] for c in changes for m in c.get("merged_commits", ())}
        cut = sorted(reached & boundary) if boundary else []
        if not cut and boundary:
            return []
        where = f"at {', '.join(cut[:5])}{' ...' if len(cut) > 5 else ''}" if cut else "(boundary unknown)"
        return [CollectionFailure(
            scope=f"git:{self.repository}#{branch}", code="ShallowClone",
            message=(f"the clone is shallow and the history in scope is cut off {where}: earlier commits, "
                     "merge parents and the commits merges brought in are missing; fetch the full history "
                     "(actions/checkout fetch-depth: 0, GitLab GIT_DEPTH: 0, or git fetch --unshallow)"),
        )]

    def changes(self, repo: Any, records: list[Raw], tip: str, branch: str) -> list[dict[str, Any]]:
        by_sha = {r.sha: r for r in records}
        parents = {r.sha: r.parents for r in records}
        chain = first_parent_chain(tip, parents)
        merges = brought_in(list(reversed(chain)), parents)
        since = None
        if self.since:
            from auditor.collect.base import parse_instant

            since = parse_instant(self.since, "--since")
        selected = [by_sha[s] for s in chain]
        if since is not None:
            cutoff = _utc(since)  # both UTC, same format: strings compare as instants
            selected = [r for r in selected if r.get("committed_at") >= cutoff]
        trailers = {r.sha: parse_trailers(r.get("trailers")) for r in selected}
        sequence = {sha: len(chain) - 1 - i for i, sha in enumerate(chain)}
        merged_shas = {m for sha in (r.sha for r in selected) for m in merges.get(sha, ())}
        for m in merged_shas:
            trailers.setdefault(m, parse_trailers(by_sha[m].get("trailers")))
        approvers = self.check_mailmap(repo, [(n, e) for found in trailers.values() for _k, n, e in found])
        items = [self.change(r, branch, trailers[r.sha], approvers, merges, by_sha, trailers) for r in selected]
        for item in items:
            item["sequence"] = sequence[item["id"]]
        return items

    def change(
        self,
        r: Raw,
        branch: str,
        trailers: list[tuple[str, str, str]],
        approvers: dict[tuple[str, str], tuple[str, str]],
        merges: dict[str, list[str]],
        by_sha: dict[str, Raw],
        all_trailers: dict[str, list[tuple[str, str, str]]] | None = None,
    ) -> dict[str, Any]:
        (sha, _parents, an, ae, amn, ame, authored, cn, ce, cmn, cme, committed,
         status, sig_key, sig_signer, subject, _trailers) = r.fields
        signed = status not in ("N", "")
        verified = _VERIFIED.get(status, False) if signed else False
        approvals, raw_approvals = self.approvals(trailers, approvers)
        attributes: dict[str, Any] = {"signature_status": status}
        if signed:
            attributes["signature_type"] = signature_type(status, sig_key)
        if raw_approvals:
            attributes["trailer_approvals"] = raw_approvals
        if amn != an or ame != ae:
            attributes["author_mapped"] = {"name": amn, "email": ame}
        if cmn != cn or cme != ce:
            attributes["committer_mapped"] = {"name": cmn, "email": cme}
        item: dict[str, Any] = {
            "id": sha,
            "repository": self.repository,
            "branch": branch,
            "message_summary": subject,
            "author": {"name": an or None, "email": ae or None},
            "committer": {"name": cn or None, "email": ce or None},
            "identity": {"author_person": person_id(ame) or None, "committer_person": person_id(cme) or None},
            "authored_at": authored,
            "committed_at": committed,
            "parents": list(r.parents),
            "is_merge": len(r.parents) > 1,
            "signature": {
                "present": signed,
                "verified": verified,
                "key_id": sig_key or None,
                "signer": (sig_signer or None) if verified else None,
            },
            "approvals": [approvals[k] for k in sorted(approvals)],
            "reviewed": bool(approvals),
            "tests_passed": None,
            "pull_request": None,
            "attributes": attributes,
        }
        if r.sha in merges:
            merged = [by_sha[s] for s in merges[r.sha]]
            found = all_trailers or {}
            item["merged_commits"] = sorted(
                (
                    {"id": m.sha,
                     "author": {"name": m.get("author_name") or None, "email": m.get("author_email") or None},
                     "person": person_id(m.get("author_mapped_email")),
                     "approvals": self.approval_list(found.get(m.sha, []), approvers)}
                    for m in merged
                ),
                key=lambda m: m["id"],
            )
            attributes["merged_authors"] = sorted({p for m in merged if (p := person_id(m.get("author_mapped_email")))})
        return item

    @staticmethod
    def approvals(
        trailers: list[tuple[str, str, str]], approvers: dict[tuple[str, str], tuple[str, str]]
    ) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
        """Approvals by person key (mailmap-resolved, one per person), and the raw trailers."""
        approvals: dict[str, dict[str, Any]] = {}
        raw_approvals: list[dict[str, Any]] = []
        for key, name, email in trailers:
            mapped_name, mapped_email = approvers.get((name, email), (name, email))
            if "@" not in mapped_email:
                continue
            person = person_id(mapped_email) or ""
            raw_approvals.append({"trailer": key, "name": name, "email": email, "person": person})
            approvals.setdefault(person, {"email": mapped_email.strip().lower(), "name": mapped_name or None,
                                          "source": "trailer"})
        if len(raw_approvals) > 1:
            raw_approvals.sort(key=lambda a: (a["person"], a["trailer"], a["email"]))
        return approvals, raw_approvals

    def approval_list(
        self, trailers: list[tuple[str, str, str]], approvers: dict[tuple[str, str], tuple[str, str]]
    ) -> list[dict[str, Any]]:
        """The approvals of a commit, one per person, sorted by person key."""
        approvals, _raw = self.approvals(trailers, approvers)
        return [approvals[k] for k in sorted(approvals)]

    def tags(self, repo: Any) -> list[dict[str, Any]]:
        """Tags matching ``release_tags`` as deployment candidates (the repository marks releases)."""
        fmt = "%1f".join((  # for-each-ref spells hex escapes %xx
            "%(refname:short)", "%(objecttype)", "%(objectname)", "%(*objectname)",
            "%(taggername)", "%(taggeremail:trim)", "%(taggerdate:iso-strict)", "%(creatordate:iso-strict)",
        ))
        out = repo.git.for_each_ref(f"refs/tags/{self.release_tags}", f"--format={fmt}")
        items = []
        for line in out.splitlines():
            if not line.strip():
                continue
            name, otype, obj, peeled, tagger, tagger_email, tagged, created = line.split("\x1f")
            commit = peeled if otype == "tag" else obj
            when = tagged or created
            if not when:
                continue
            items.append({
                "id": f"{self.repository}@{name}",
                "environment": "unknown",
                "service": self.service,
                "commit": commit,
                "ref": name,
                "actor": {"name": tagger or None, "email": tagger_email or None, "login": None},
                "approver": None,
                "started_at": _utc(datetime.fromisoformat(when)),
                "finished_at": None,
                "status": "unknown",
                "pipeline": {"platform": "unknown", "run_id": None, "url": None},
                "source": "git-tag",
                "attributes": {"candidate": True, "annotated": otype == "tag",
                               "unknown": ["approver", "environment", "status"]},
            })
        return items

