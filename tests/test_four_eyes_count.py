"""bench/four_eyes_count.py (plain git, no Auditor code) and SOD-008 flag the same commits."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from auditor.collect.base import Clock, parse_instant
from auditor.collect.git import GitCollector
from auditor.content import bundled
from auditor.controls import load_library
from auditor.engine import create
from auditor.evaluate import evaluate
from auditor.evidence import load_evidence
from auditor.policies import load_policies
from tests.collect.gitrepo import PINNED, init_repo

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "four_eyes_count.py"


def load_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("four_eyes_count", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_script_and_control_agree_on_a_history_with_merges_and_mailmap(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    repo = init_repo(tmp_path / "repo")
    (repo.path / ".mailmap").write_text("Ann <ann@acme.example> <ann@old.example>\n")
    repo.git("add", ".mailmap")
    repo.commit("c0", author="Ann <ann@acme.example>", message="Start\n\nReviewed-by: Ben <ben@acme.example>")
    repo.commit("c1", author="Ann <ann@old.example>", message="Own old address\n\nAcked-by: Ann <ann@acme.example>")
    repo.commit("c2", author="Ben <ben@acme.example>", message="Reviewed by Ann's old address\n\nReviewed-by: Ann <ann@old.example>")
    repo.commit("c3", author="Cy <cy@acme.example>", message="No trailer\n\nSigned-off-by: Cy <cy@acme.example>")
    repo.git("checkout", "-q", "-b", "t1")
    repo.commit("t1a", author="Ben <ben@acme.example>", message="Topic\n\nReviewed-by: Cy <cy@acme.example>")
    repo.commit("t1b", author="Cy <cy@acme.example>", message="Topic 2")
    repo.git("checkout", "-q", "main")
    repo.merge("t1", "m1", "Merge t1")  # t1b unreviewed: flagged
    repo.git("checkout", "-q", "-b", "t2")
    repo.commit("t2a", author="Ben <ben@acme.example>", message="Topic 3")
    repo.git("checkout", "-q", "main")
    repo.merge("t2", "m2", "Merge t2\n\nApproved-by: Ann <ann@acme.example>")  # the merge's approval counts: passes
    evidence = tmp_path / "evidence"
    GitCollector(repo.path, clock=Clock(parse_instant(PINNED))).write(evidence)
    run = evaluate(load_library(bundled("controls")).select(["SOD-008"]), load_policies(bundled("policies")),
                   load_evidence(evidence), create("regorus"))
    flagged = {v.resource for v in run.results[0].violations}
    assert flagged == {repo.shas["c1"], repo.shas["c3"], repo.shas["m1"]}
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"controls": [{"id": "SOD-008", "violations": [{"resource": r} for r in flagged]}]}))
    listed = tmp_path / "flagged.txt"
    code = load_script().main(["--repo", str(repo.path), "--branch", "main", "--list", str(listed),
                               "--compare", str(results)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "first-parent commits judged: 6" in out
    assert "without 1 approval(s) from another person: 3 (50.0%), of which merges: 1" in out
    assert set(listed.read_text().split()) == flagged


REPLAY = Path(__file__).resolve().parent / "fixtures" / "collect" / "replay" / "golang-net-2014-2015.fi"


def test_real_history_replay_golang_net(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """131 first-parent commits of golang.org/x/net (Gerrit, Reviewed-by trailers, 2014-2015), replayed
    with tests/tools/replay_slice.py (metadata and messages, empty trees): SOD-008 and the independent
    script flag the same 19 commits, three of them Gerrit merges whose brought-in commit lacks a review."""
    import subprocess

    repo = tmp_path / "net"
    subprocess.run(["git", "init", "-q", "-b", "master", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input=REPLAY.read_bytes(), check=True)
    evidence = tmp_path / "evidence"
    GitCollector(repo, branch="master", clock=Clock(parse_instant(PINNED))).write(evidence)
    run = evaluate(load_library(bundled("controls")).select(["SOD-008"]), load_policies(bundled("policies")),
                   load_evidence(evidence), create("regorus"))
    result = run.results[0]
    flagged = {v.resource for v in result.violations}
    assert len(flagged) == 19
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"controls": [{"id": "SOD-008", "violations": [{"resource": r} for r in flagged]}]}))
    code = load_script().main(["--repo", str(repo), "--branch", "master", "--compare", str(results)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "first-parent commits judged: 131" in out
    assert "without 1 approval(s) from another person: 19 (14.5%), of which merges: 3" in out
    merges = [v for v in result.violations if "brought in commit" in v.message]
    assert merges and all("has no recorded approval" in v.message or "approved only by its author" in v.message
                          for v in merges)
