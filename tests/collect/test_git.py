from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from auditor.collect.base import Clock, parse_instant
from auditor.collect.git import GitCollector, brought_in, first_parent_chain, parse_trailers
from auditor.errors import InputError
from auditor.evidence import load_evidence
from tests.collect.gitrepo import PINNED, GitRepo, init_repo


def collect(repo: GitRepo, out: Path, **kwargs: Any) -> dict[str, dict[str, Any]]:
    collector = GitCollector(repo.path, clock=Clock(parse_instant(PINNED)), **kwargs)
    paths = collector.write(out)
    return {orjson.loads(p.read_bytes())["kind"]: orjson.loads(p.read_bytes()) for p in paths}


def by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in doc["items"]}


def test_first_parent_history_with_identities_approvals_and_merges(git_repo: GitRepo, tmp_path: Path) -> None:
    docs = collect(git_repo, tmp_path / "out")
    changes = docs["changes"]
    shas = git_repo.shas
    items = by_id(changes)
    # first-parent only: the feature commits are not changes of main, the merge is
    assert set(items) == {shas[k] for k in ("base", "reviewed", "hotfix", "merge", "signed")}
    assert changes["item_count"] == 5 and changes["collected_at"] == PINNED
    assert changes["collector"] == {"name": "git", "version": GitCollector.version}
    assert [i["id"] for i in changes["items"]] == sorted(items)

    reviewed = items[shas["reviewed"]]
    # Bob's old address resolves through .mailmap; Signed-off-by is not an approval
    assert reviewed["approvals"] == [
        {"email": "bob@example.com", "name": "Bob Builder", "source": "trailer"},
        {"email": "erin@example.com", "name": "Erin Ops", "source": "trailer"},
    ]
    assert reviewed["reviewed"] is True
    raw = reviewed["attributes"]["trailer_approvals"]
    assert {"trailer": "Reviewed-by", "name": "Bob Builder", "email": "bob@old-laptop.local",
            "person": "email:bob@example.com"} in raw

    hotfix = items[shas["hotfix"]]
    assert hotfix["author"] == {"name": "Alice Example", "email": "ALICE@Personal.example"}  # raw kept
    assert hotfix["identity"]["author_person"] == "email:alice@example.com"  # resolved, canonical key
    # the self-approval is recorded as given; judging it is the policy's job
    assert hotfix["approvals"] == [{"email": "alice@example.com", "name": "Alice Example", "source": "trailer"}]

    merge = items[shas["merge"]]
    assert merge["is_merge"] is True and merge["parents"][0] == shas["hotfix"]
    assert merge["merged_commits"] == sorted([
        {"id": shas["f1"], "author": {"name": "Bob Builder", "email": "bob@old-laptop.local"},
         "person": "email:bob@example.com", "approvals": []},
        {"id": shas["f2"], "author": {"name": "Dave Dev", "email": "dave@example.com"},
         "person": "email:dave@example.com", "approvals": []},
    ], key=lambda m: m["id"])
    assert merge["attributes"]["merged_authors"] == ["email:bob@example.com", "email:dave@example.com"]
    # first-parent positions: base 0, reviewed 1, hotfix 2, merge 3, signed 4
    assert [items[shas[k]]["sequence"] for k in ("base", "reviewed", "hotfix", "merge", "signed")] == [0, 1, 2, 3, 4]
    assert items[shas["base"]]["is_merge"] is False and "merged_commits" not in items[shas["base"]]


def test_signatures_present_and_verified_only_with_a_trusted_key(git_repo: GitRepo, tmp_path: Path) -> None:
    items = by_id(collect(git_repo, tmp_path / "a")["changes"])
    signed = items[git_repo.shas["signed"]]
    assert signed["signature"]["present"] is True
    assert signed["signature"]["verified"] is None  # no allowed-signers file: cannot be verified here
    assert signed["attributes"]["signature_type"] == "ssh"
    assert items[git_repo.shas["base"]]["signature"] == {"present": False, "verified": False, "key_id": None,
                                                        "signer": None}

    git_repo.git("config", "gpg.ssh.allowedSignersFile", str(git_repo.allowed_signers))  # type: ignore[attr-defined]
    signed = by_id(collect(git_repo, tmp_path / "b")["changes"])[git_repo.shas["signed"]]
    assert signed["signature"]["verified"] is True
    assert signed["signature"]["signer"] == "alice@example.com"
    assert signed["signature"]["key_id"].startswith("SHA256:")


def test_release_tags_become_deployment_candidates(git_repo: GitRepo, tmp_path: Path) -> None:
    deployments = collect(git_repo, tmp_path / "out")["deployments"]
    assert [d["ref"] for d in deployments["items"]] == ["v1.0.0"]  # not-a-release does not match v*
    tag = deployments["items"][0]
    assert tag["commit"] == git_repo.shas["merge"]
    assert tag["started_at"] == "2026-02-01T10:00:00Z"
    assert tag["actor"] == {"name": "Rel Eng", "email": "releng@example.com", "login": None}
    assert tag["source"] == "git-tag" and tag["environment"] == "unknown" and tag["approver"] is None


def test_output_validates_against_the_schemas_and_is_byte_identical(git_repo: GitRepo, tmp_path: Path) -> None:
    collect(git_repo, tmp_path / "one")
    collect(git_repo, tmp_path / "two")
    evidence = load_evidence(tmp_path / "one")
    assert evidence.kinds() == {"changes": 5, "deployments": 1}
    for name in ("git-changes.json", "git-deployments.json"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_since_and_branch(git_repo: GitRepo, tmp_path: Path) -> None:
    items = by_id(collect(git_repo, tmp_path / "a", since="2026-01-01T06:00:00Z")["changes"])
    assert git_repo.shas["base"] not in items and git_repo.shas["signed"] in items
    feature = by_id(collect(git_repo, tmp_path / "b", branch="feature")["changes"])
    assert set(feature) == {git_repo.shas[k] for k in ("base", "reviewed", "f1", "f2")}
    with pytest.raises(InputError, match="--branch: found 'nope', expected an existing branch"):
        collect(git_repo, tmp_path / "c", branch="nope")


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a git repository"):
        GitCollector(tmp_path).collect()


def test_secrets_in_commit_messages_and_remotes_do_not_reach_evidence(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4"
    aws_key = "AKIAIOSFODNN7EXAMPLE"
    repo.commit("leak", message=f"Rotate {aws_key} and {token}\n\nReviewed-by: Bob <bob@example.com>")
    repo.git("remote", "add", "origin", f"https://x-access-token:{token}@github.com/acme/payments.git")
    docs = collect(repo, tmp_path / "out")
    text = b"".join(p.read_bytes() for p in (tmp_path / "out").iterdir())
    assert token.encode() not in text and aws_key.encode() not in text
    change = docs["changes"]["items"][0]
    assert change["message_summary"] == "Rotate ****MPLE and [REDACTED]"
    assert change["repository"] == "https://github.com/acme/payments.git"


def test_graph_helpers() -> None:
    parents = {"a": (), "b": ("a",), "x": ("a",), "y": ("x",), "m": ("b", "y"), "z": ("y",), "n": ("m", "z")}
    chain = first_parent_chain("n", parents)
    assert chain == ["n", "m", "b", "a"]
    merged = brought_in(list(reversed(chain)), parents)
    # y was already brought in by m, so n brings in only z
    assert merged == {"m": ["y", "x"], "n": ["z"]}
    assert parse_trailers("Reviewed-by: A <a@x.io>\nAcked-by:  B B <b@x.io>\nSigned-off-by: C <c@x.io>\n"
                          "Approved-by: no email") == [("Reviewed-by", "A", "a@x.io"), ("Acked-by", "B B", "b@x.io")]


def shallow_clone(source: GitRepo, path: Path, depth: int) -> GitRepo:
    clone = GitRepo(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    GitRepo(path.parent).git("clone", "-q", f"--depth={depth}", f"file://{source.path}", str(path))
    return clone


def test_a_shallow_clone_is_a_collection_error_not_silently_fewer_changes(git_repo: GitRepo, tmp_path: Path) -> None:
    # CI checkouts are often depth 1: the merge then looks like a plain commit and the history ends
    clone = shallow_clone(git_repo, tmp_path / "depth1", 1)
    docs = collect(clone, tmp_path / "out1")
    (error,) = docs["changes"]["errors"]
    assert error["code"] == "ShallowClone" and "fetch-depth: 0" in error["message"]
    assert git_repo.shas["signed"] in error["message"]
    # evaluation cannot pass on it: the document carries the error
    assert load_evidence(tmp_path / "out1").for_kind("changes")[0].errors

    # a window (--since) that lies wholly inside the fetched history is complete: no error
    deep = shallow_clone(git_repo, tmp_path / "depth4", 4)
    docs = collect(deep, tmp_path / "out2", since="2026-01-01T07:00:00Z")
    assert docs["changes"]["errors"] == [] and docs["changes"]["item_count"] == 1
    # a merge in the window whose brought-in history reaches the boundary is reported
    docs = collect(deep, tmp_path / "out3", since="2026-01-01T06:00:00Z")
    assert [e["code"] for e in docs["changes"]["errors"]] == ["ShallowClone"]
    # a full clone has no such error
    assert collect(git_repo, tmp_path / "out4")["changes"]["errors"] == []


def test_trailers_that_look_like_options_are_not_passed_to_git_as_options(tmp_path: Path) -> None:
    # anyone who can push a commit message must not be able to break collection (or steer git)
    repo = init_repo(tmp_path / "repo")
    repo.commit("odd", message="Odd trailers\n\nReviewed-by: -bot <bot@example.com>\nAcked-by: --stdin <ci@example.com>")
    (change,) = collect(repo, tmp_path / "out")["changes"]["items"]
    assert [a["email"] for a in change["approvals"]] == ["bot@example.com", "ci@example.com"]
