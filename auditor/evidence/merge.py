"""One change per commit: a commit collected by the git collector and by a forge collector is merged.

A CI job collects the repository's history (``auditor collect git``) and the forge's reviews and pipelines
(``auditor collect github|gitlab``) into one evidence folder; both write a ``changes`` item for every
merged commit, under the same id (the commit SHA). Item ids are otherwise unique within a kind, so the
loader merges exactly this pair (one item from a ``git`` document, one from a forge document) into the
git document's item and drops it from the forge document:

- kept from git: the commit as the repository has it (author, committer, parents, ``sequence``,
  ``merged_commits``, trailer approvals, ``identity``), and its signature when git could judge it;
- from the forge: its approvals (added to the trailers', each approval once), ``reviewed``, ``tests_passed``
  (git alone cannot know it), ``pull_request``, the forge's signature verdict when git could not judge it
  (``verified: null``), ``merged_commits`` when git has none, and its attributes under
  ``attributes.forge`` (with the collector and the document they came from).

Any other repeated id (two git documents, two forges, another kind) is still refused.

Example::

    documents = merge_changes(documents, {"4f1c..."})
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import orjson

from auditor.model import EvidenceDocument

GIT = "git"
FORGES = frozenset({"github", "gitlab"})


def mergeable(kind: str, first: str | None, second: str | None) -> bool:
    """Whether a repeated ``kind`` id, first from a document of collector ``first`` (``git+github`` once
    merged), then from one of ``second``, is one change to merge: exactly one git and one forge document."""
    return kind == "changes" and any({first, second} == {GIT, forge} for forge in FORGES)


def collector_name(document: EvidenceDocument) -> str | None:
    return (document.collector or {}).get("name")


def merge_changes(documents: list[EvidenceDocument], ids: Iterable[str]) -> list[EvidenceDocument]:
    """``documents`` with each change in ``ids`` merged into the git document's item (see the module)."""
    wanted = set(ids)
    if not wanted:
        return documents
    items: dict[int, list[dict[str, Any]]] = {}
    git_at: dict[str, tuple[int, int]] = {}
    forge_at: dict[str, list[tuple[int, int]]] = {}
    for n, doc in enumerate(documents):
        name = collector_name(doc)
        if doc.kind != "changes" or (name != GIT and name not in FORGES):
            continue
        items[n] = orjson.loads(doc.items_json)
        for k, item in enumerate(items[n]):
            if item.get("id") in wanted:
                if name == GIT:
                    git_at[item["id"]] = (n, k)
                else:
                    forge_at.setdefault(item["id"], []).append((n, k))
    dropped: dict[int, set[int]] = {}
    touched: set[int] = set()
    for sha in sorted(wanted):
        n, k = git_at[sha]
        for fn, fk in forge_at.get(sha, []):
            forge_doc = documents[fn]
            items[n][k] = merged(items[n][k], items[fn][fk], collector_name(forge_doc) or "", forge_doc.relpath)
            dropped.setdefault(fn, set()).add(fk)
            touched |= {n, fn}
    out = list(documents)
    for n in sorted(touched):
        rows = items[n]
        kept = [row for k, row in enumerate(rows) if k not in dropped.get(n, set())]
        out[n] = replace(documents[n], items_json=orjson.dumps(kept), item_count=len(kept))
    return out


def merged(git: dict[str, Any], forge: dict[str, Any], collector: str, document: str) -> dict[str, Any]:
    """The git change enriched with what the forge knows of the same commit."""
    result = dict(git)
    seen = {_approval_key(a) for a in git.get("approvals") or []}
    approvals = list(git.get("approvals") or [])
    for approval in forge.get("approvals") or []:
        if _approval_key(approval) not in seen:
            seen.add(_approval_key(approval))
            approvals.append(approval)
    result["approvals"] = approvals
    result["reviewed"] = bool(git.get("reviewed") or forge.get("reviewed") or approvals)
    if forge.get("tests_passed") is not None:
        result["tests_passed"] = forge["tests_passed"]
    if git.get("pull_request") is None and forge.get("pull_request") is not None:
        result["pull_request"] = forge["pull_request"]
    if (git.get("signature") or {}).get("verified") is None and (forge.get("signature") or {}).get("verified") \
            is not None:
        result["signature"] = forge["signature"]
    if not git.get("merged_commits") and forge.get("merged_commits"):
        result["merged_commits"] = forge["merged_commits"]
    attributes = dict(git.get("attributes") or {})
    attributes["forge"] = {"collector": collector, "document": document, "repository": forge.get("repository"),
                           **(forge.get("attributes") or {})}
    result["attributes"] = attributes
    return result


def _approval_key(approval: dict[str, Any]) -> tuple[str, str, str]:
    return (str(approval.get("source") or ""), str(approval.get("email") or "").strip().lower(),
            str(approval.get("login") or "").strip().lower())
