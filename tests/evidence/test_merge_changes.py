"""The same commit collected by `auditor collect git` and by a forge collector is one change when loaded."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest

from auditor.collect.base import Clock, parse_instant
from auditor.collect.forge import ForgeClient, retry_policy
from auditor.collect.git import GitCollector
from auditor.collect.github import HEADERS, GitHubCollector
from auditor.collect.gitlab import GitLabCollector
from auditor.errors import InputError
from auditor.evidence import load_evidence
from tests.ci.forge_scenario import Scenario, build
from tests.forge_double import ForgeDouble

CLOCK = Clock(parse_instant("2026-11-20T09:00:00Z"))


def collect(scenario: Scenario, forge: str, out: Path) -> None:
    GitCollector(scenario.repo.path, "main", clock=CLOCK).write(out)
    with ForgeDouble(scenario.routes(forge, "clean"), prefix="/api/v4" if forge == "gitlab" else "") as server:
        if forge == "github":
            client = ForgeClient(server.url, "t", headers=HEADERS, retries=retry_policy(total=2, backoff=0.01))
            GitHubCollector("acme/app", "main", client=client, clock=CLOCK).write(out)
        else:
            client = ForgeClient(f"{server.url}/api/v4", "t", auth_header="PRIVATE-TOKEN", auth_prefix="",
                                 retries=retry_policy(total=2, backoff=0.01))
            GitLabCollector("42", "main", api=f"{server.url}/api/v4", client=client, clock=CLOCK).write(out)


def changes(out: Path) -> dict[str, dict[str, Any]]:
    evidence = load_evidence(out)
    items = [item for doc in evidence.for_kind("changes") for item in orjson.loads(doc.items_json)]
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)), "one change per commit"
    return {item["id"]: item for item in items}


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_one_change_per_commit_with_git_history_and_forge_reviews(tmp_path: Path, forge: str) -> None:
    scenario = build(tmp_path / "repo")
    out = tmp_path / "ev"
    collect(scenario, forge, out)
    forge_items = json.loads((out / f"{forge}-changes.json").read_text())["items"]
    git_items = json.loads((out / "git-changes.json").read_text())["items"]
    s = scenario.shas
    assert {i["id"] for i in forge_items} == {s["M1"], s["M2"]}  # the same SHAs as git's merge commits
    assert {i["id"] for i in git_items} == {s["ROOT"], s["M1"], s["M2"]}
    by_id = changes(out)
    assert sorted(by_id) == sorted([s["ROOT"], s["M1"], s["M2"]])
    m2 = by_id[s["M2"]]
    # from git: the position on the branch and the commit the merge brought in, with its author
    assert m2["sequence"] == 2 and [m["id"] for m in m2["merged_commits"]] == [s["F2"]]
    assert m2["merged_commits"][0]["person"] == "email:dave@acme.example"
    # from the forge: bob's approval, the tests on the merged head, the request
    assert [(a["login"], a["source"]) for a in m2["approvals"]] == [("bob", forge)]
    assert m2["reviewed"] is True and m2["tests_passed"] is True
    assert m2["pull_request"] == ("#2" if forge == "github" else "!2")
    assert m2["attributes"]["forge"]["collector"] == forge
    assert m2["attributes"]["forge"]["document"] == f"{forge}-changes.json"
    root = by_id[s["ROOT"]]  # only git knows it: its trailer approval, tests unknown
    assert [a["source"] for a in root["approvals"]] == ["trailer"] and root["tests_passed"] is None
    evidence = load_evidence(out)
    counts = {d.relpath: d.item_count for d in evidence.documents}
    assert counts[f"{forge}-changes.json"] == 0 and counts["git-changes.json"] == 3
    assert evidence.kinds()["changes"] == 3


def test_the_merged_input_is_what_the_engine_sees(tmp_path: Path) -> None:
    scenario = build(tmp_path / "repo")
    out = tmp_path / "ev"
    collect(scenario, "gitlab", out)
    engine_input = orjson.loads(load_evidence(out).input_json())
    assert sorted(c["id"] for c in engine_input["changes"]) == sorted(scenario.shas[k] for k in ("ROOT", "M1", "M2"))


def test_other_repeated_ids_are_still_refused(tmp_path: Path) -> None:
    scenario = build(tmp_path / "repo")
    out = tmp_path / "ev"
    collect(scenario, "github", out)
    shutil.copy(out / "git-changes.json", out / "git-changes-again.json")  # git twice: not one change
    with pytest.raises(InputError, match=r"git-changes.json items\[\d\]: id: duplicate changes id"):
        load_evidence(out)
    (out / "git-changes-again.json").unlink()
    doc = json.loads((out / "github-changes.json").read_text())
    doc["collector"]["name"] = "gitlab"  # two forges report one commit: refused, not guessed
    (out / "other-forge.json").write_text(json.dumps(doc))
    with pytest.raises(InputError, match="duplicate changes id"):
        load_evidence(out)


def test_merge_keeps_a_signature_git_could_judge_and_adds_each_approval_once() -> None:
    from auditor.evidence.merge import merged

    approval = {"name": "Bob", "email": "bob@acme.example", "login": "bob", "source": "gitlab", "at": None}
    git = {"id": "a" * 40, "approvals": [approval], "reviewed": True, "tests_passed": None, "pull_request": None,
           "signature": {"present": True, "verified": True, "key_id": "K", "signer": None}}
    forge = {"id": "a" * 40, "approvals": [dict(approval, email="Bob@Acme.example")], "reviewed": True,
             "tests_passed": False, "pull_request": "!7",
             "signature": {"present": False, "verified": False, "key_id": None, "signer": None}}
    result = merged(git, forge, "gitlab", "gitlab-changes.json")
    assert result["approvals"] == [approval] and result["tests_passed"] is False and result["pull_request"] == "!7"
    assert result["signature"]["verified"] is True  # git verified it here; the forge's verdict is not needed
    unknown = merged({**git, "signature": {"present": True, "verified": None, "key_id": None, "signer": None}},
                     {**forge, "signature": {"present": True, "verified": True, "key_id": "F", "signer": None}},
                     "github", "x.json")
    assert unknown["signature"]["key_id"] == "F"  # git could not judge: the forge's verification is taken
