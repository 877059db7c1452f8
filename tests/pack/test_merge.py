"""``auditor pack merge``: shards of the demo organisation, evaluated and signed apart, merge into one pack.

The shards are real runs (``auditor evaluate`` + ``auditor pack build`` with keys from ``auditor keys
generate``) over a split of ``evidence/examples/demo``; the merged results are checked against an
unsharded run of the same evidence, control by control.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from auditor.cli import main
from auditor.files import pretty_json
from auditor.model import Status
from auditor.pack import keys
from auditor.pack.build import build_pack
from auditor.pack.merge import Shard, merge_control
from auditor.pack.signers import LocalSigner, Verifier
from auditor.pack.verify import Verification
from auditor.results_model import Results
from tests.conftest import PINNED_EPOCH, CliResult
from tests.pack.helpers import member, resign, rewrite, statement
from tests.results_builder import control_entry, evidence_entry, results_document

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "evidence" / "examples" / "demo"
AS_OF = "2026-11-20T09:00:00Z"
#: shards by kind family that split no join (evidence/examples/demo-shards.json says why audit_trails is in two)
SHARDS: dict[str, list[str]] = orjson.loads((REPO / "evidence" / "examples" / "demo-shards.json").read_bytes())["shards"]


def test_the_demo_shard_layout_splits_no_control_and_places_every_kind() -> None:
    """The layout is data (evidence/examples/demo-shards.json): a control added or a kind read later
    must still find all its kinds in one shard, and a new demo kind must be placed in one."""
    from auditor.content import bundled
    from auditor.controls import load_library

    demo_kinds = {orjson.loads(p.read_bytes())["kind"] for p in DEMO.glob("*.json")}
    assert demo_kinds == {k for kinds in SHARDS.values() for k in kinds}
    for control in load_library(bundled("controls")).controls.values():
        reads = set(control.evidence + control.uses) & demo_kinds
        holding = [name for name, kinds in SHARDS.items() if reads & set(kinds)]
        split = [name for name in holding if not reads <= set(SHARDS[name])]
        assert not split, f"{control.id} reads {sorted(reads)}, only part of them in {split}"


def _main(*args: str | Path) -> int:
    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _folder(root: Path, name: str, kinds: list[str]) -> Path:
    folder = root / "evidence" / name
    folder.mkdir(parents=True)
    for kind in kinds:
        shutil.copy(DEMO / f"{kind}.json", folder / f"{kind}.json")
    return folder


def _shard(root: Path, name: str, kinds: list[str], key: Path, *extra: str | Path, as_of: str = AS_OF) -> Path:
    """Evaluate and pack one shard; returns the pack (``root/shards/<name>.zip``)."""
    folder = _folder(root, name, kinds)
    results = root / "results" / f"{name}.json"
    results.parent.mkdir(exist_ok=True)
    code = _main("evaluate", "--evidence", folder, "--as-of", as_of, "--out", results, "--jobs", "1", *extra)
    assert code in (0, 1), code  # the demo fails controls on purpose
    out = root / "shards" / f"{name}.zip"
    assert _main("pack", "build", "--results", results, "--evidence", folder, "--key", key, "--out", out,
                 *extra) == 0
    return out


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("org")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", PINNED_EPOCH)
        mp.delenv("GITHUB_STEP_SUMMARY", raising=False)
        assert _main("keys", "generate", "--out", root / "keys") == 0
        assert _main("keys", "generate", "--out", root / "other-keys") == 0
        key = root / "keys" / keys.PRIVATE_NAME
        shards = {name: _shard(root, name, kinds, key) for name, kinds in SHARDS.items()}
        whole = _folder(root, "all", sorted({k for kinds in SHARDS.values() for k in kinds}))
        unsharded = root / "results" / "all.json"
        assert _main("evaluate", "--evidence", whole, "--as-of", AS_OF, "--out", unsharded, "--jobs", "1") == 1
        yield {"root": root, "key": key, "pub": root / "keys" / keys.PUBLIC_NAME, "shards": shards,
               "unsharded": orjson.loads(unsharded.read_bytes()),
               "other_key": root / "other-keys" / keys.PRIVATE_NAME,
               "other_pub": root / "other-keys" / keys.PUBLIC_NAME}


def merge(cli: Callable[..., CliResult], org: dict[str, Any], out: Path, *shards: Path, pubs: tuple[Path, ...] = (),
          extra: tuple[str, ...] = ()) -> CliResult:
    args: list[str | Path] = ["pack", "merge", *shards]
    for pub in pubs or (org["pub"],):
        args += ["--pub", pub]
    return cli(*args, "--key", org["key"], "--out", out, *extra)


def test_merged_shards_equal_the_unsharded_run_control_by_control(
        org: dict[str, Any], cli: Callable[..., CliResult], tmp_path: Path) -> None:
    out, results = tmp_path / "merged.zip", tmp_path / "merged.json"
    done = merge(cli, org, out, *org["shards"].values(), extra=("--results-out", results))
    assert done.code == 0, done.err
    merged = orjson.loads(results.read_bytes())
    assert merged == orjson.loads(member(out, "results.json"))
    assert results.read_bytes() == member(out, "results.json")  # --results-out writes the bytes packed
    whole = {c["id"]: c for c in org["unsharded"]["controls"]}
    got = {c["id"]: c for c in merged["controls"]}
    assert got.keys() == whole.keys() and len(got) == 45
    for cid, control in whole.items():
        assert (got[cid]["status"], got[cid]["population"], got[cid]["violations"]) == (
            control["status"], control["population"], control["violations"]), cid
    assert merged["summary"]["by_status"] == org["unsharded"]["summary"]["by_status"]
    assert merged["summary"]["by_family"] == org["unsharded"]["summary"]["by_family"]
    assert merged["exit_code"] == org["unsharded"]["exit_code"] == 1
    # clauses counted against the applicable ones, as the unsharded run counted them
    assert merged["coverage"] == org["unsharded"]["coverage"] and "iso27001-2022" in merged["coverage"]
    # evidence is named by shard; SEC-006 read audit_trails in two shards and is counted once
    assert {d["path"] for d in merged["evidence"]} == {
        f"{name}/{kind}.json" for name, kinds in SHARDS.items() for kind in kinds}
    assert got["SEC-006"]["evidence"] == ["engineering/audit_trails.json", "privacy/audit_trails.json"]
    assert got["SOD-001"]["evidence"] == ["engineering/changes.json", "engineering/deployments.json", "engineering/identities.json"]


def test_merged_pack_verifies_names_every_shard_digest_and_is_order_independent(
        org: dict[str, Any], cli: Callable[..., CliResult], tmp_path: Path) -> None:
    shards = list(org["shards"].values())
    one, two = tmp_path / "one.zip", tmp_path / "two.zip"
    assert merge(cli, org, one, *shards).code == 0
    assert merge(cli, org, two, *reversed(shards)).code == 0
    assert one.read_bytes() == two.read_bytes()
    digests = {name: _sha(path) for name, path in org["shards"].items()}
    predicate = statement(one)["predicate"]
    assert [s["sha256"] for s in predicate["shards"]] == sorted(digests.values())
    assert {s["name"]: s["sha256"] for s in predicate["shards"]} == digests
    assert predicate["materials"] == [{"uri": f"shard:{s['name']}.zip", "digest": {"sha256": s["sha256"]}}
                                      for s in predicate["shards"]]
    assert predicate["as_of"] == AS_OF and predicate["controls"]["total"] == 45
    done = cli("verify", one, "--key", org["pub"])
    assert done.code == 0, done.out
    for name, digest in digests.items():
        assert f"shard      {name}  sha256 {digest}" in done.out
    as_json = orjson.loads(cli("verify", one, "--key", org["pub"], "--json").out)
    assert as_json["valid"] and sorted(s["name"] for s in as_json["shards"]) == sorted(SHARDS)
    # the library is packed once, as in each shard
    with zipfile.ZipFile(one) as merged, zipfile.ZipFile(shards[0]) as shard:
        assert [n for n in merged.namelist() if n.startswith("library/")] == [
            n for n in shard.namelist() if n.startswith("library/")]


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_shards_signed_by_two_trusted_keys_merge(org: dict[str, Any], cli: Callable[..., CliResult],
                                                 tmp_path: Path) -> None:
    other = _shard(tmp_path, "ai", SHARDS["ai"], org["other_key"])
    out = tmp_path / "merged.zip"
    done = merge(cli, org, out, org["shards"]["engineering"], org["shards"]["privacy"], other,
                 pubs=(org["pub"], org["other_pub"]))
    assert done.code == 0, done.err
    key_ids = {s["name"]: s["key_id"] for s in statement(out)["predicate"]["shards"]}
    assert key_ids["ai"] == Verifier.from_pem_file(org["other_pub"]).key_id != key_ids["engineering"]


def refused(done: CliResult, *words: str) -> None:
    assert done.code == 2, (done.out, done.err)
    assert "Traceback" not in done.err
    for word in words:
        assert word in done.err, done.err


def test_refuses_a_shard_signed_by_an_untrusted_key(org: dict[str, Any], cli: Callable[..., CliResult],
                                                    tmp_path: Path) -> None:
    stranger = _shard(tmp_path, "ai", SHARDS["ai"], org["other_key"])
    out = tmp_path / "merged.zip"
    refused(merge(cli, org, out, org["shards"]["engineering"], stranger), str(stranger), "signed by a different key")
    assert not out.exists()


def test_refuses_a_tampered_shard(org: dict[str, Any], cli: Callable[..., CliResult], tmp_path: Path) -> None:
    tampered = tmp_path / "ai.zip"
    models = orjson.loads(member(org["shards"]["ai"], "evidence/models.json"))
    models["items"] = models["items"][1:]  # drop a model that fails
    rewrite(org["shards"]["ai"], tampered, {"evidence/models.json": orjson.dumps(models)})
    refused(merge(cli, org, tmp_path / "m.zip", org["shards"]["engineering"], tampered),
            str(tampered), "member evidence/models.json was altered")


def test_refuses_the_same_shard_twice(org: dict[str, Any], cli: Callable[..., CliResult], tmp_path: Path) -> None:
    copy = tmp_path / "ai-again.zip"
    shutil.copy(org["shards"]["ai"], copy)
    refused(merge(cli, org, tmp_path / "m.zip", org["shards"]["ai"], copy, org["shards"]["engineering"]),
            "is the same pack as")


def test_refuses_shards_with_different_as_of(org: dict[str, Any], cli: Callable[..., CliResult],
                                             tmp_path: Path) -> None:
    late = _shard(tmp_path, "ai", SHARDS["ai"], org["key"], as_of="2026-11-21T09:00:00Z")
    refused(merge(cli, org, tmp_path / "m.zip", org["shards"]["engineering"], late),
            "has as_of 2026-11-2", "2026-11-20T09:00:00Z", "must share it")


def test_refuses_shards_with_different_libraries(org: dict[str, Any], cli: Callable[..., CliResult],
                                                 tmp_path: Path) -> None:
    params = tmp_path / "org-params.yaml"
    params.write_text("AI-001:\n  max_card_age_days: 90\n")
    tuned = _shard(tmp_path, "ai", SHARDS["ai"], org["key"], "--params", params)
    refused(merge(cli, org, tmp_path / "m.zip", org["shards"]["engineering"], tuned), "library digest")


def test_refuses_shards_of_another_auditor_version_or_schema(org: dict[str, Any], cli: Callable[..., CliResult],
                                                            tmp_path: Path) -> None:
    results = orjson.loads(member(org["shards"]["ai"], "results.json"))
    newer = tmp_path / "ai.zip"
    resign(org["shards"]["ai"], newer, {}, org["key"], versions={"auditor": "9.9.9", "results_schema": "1"})
    refused(merge(cli, org, tmp_path / "m.zip", org["shards"]["engineering"], newer), "Auditor version", "9.9.9")
    other_schema = tmp_path / "schema" / "ai.zip"
    other_schema.parent.mkdir()
    # the builder refuses results of another schema: a valid pack's results.json rewritten and signed again
    versions = {**statement(org["shards"]["ai"])["predicate"]["versions"], "results_schema": "2"}
    resign(org["shards"]["ai"], other_schema, {"results.json": orjson.dumps({**results, "schema_version": "2"})},
           org["key"], versions=versions)
    refused(merge(cli, org, tmp_path / "m.zip", org["shards"]["engineering"], other_schema), "schema_version")


def test_a_join_split_across_shards_is_refused_or_recorded_insufficient(
        org: dict[str, Any], cli: Callable[..., CliResult], tmp_path: Path) -> None:
    # deployments in one shard, the changes they deploy in another: SOD-001's join would see half the data
    deploys = _shard(tmp_path, "deploys", ["deployments", "identities", "slo_reports", "change_requests"], org["key"])
    changes = _shard(tmp_path, "changes", ["changes", "models"], org["key"])
    out = tmp_path / "m.zip"
    refused(merge(cli, org, out, deploys, changes), "SOD-001", "without changes, which shard changes had",
            "without deployments, which shard deploys had", "--split-joins insufficient")
    assert not out.exists()
    results = tmp_path / "m.json"
    done = merge(cli, org, out, deploys, changes, extra=("--split-joins", "insufficient", "--results-out", results))
    assert done.code == 0, done.err
    got = {c["id"]: c for c in orjson.loads(results.read_bytes())["controls"]}
    for cid in ("SOD-001", "SOD-002", "SEC-004"):
        assert got[cid]["status"] == "insufficient_evidence" and got[cid]["population"] is None, cid
        assert "split across shards" in got[cid]["reason"]
    # SOD-005 reads identities optionally: evaluated without them in the changes shard, which is a split too
    assert got["SOD-005"]["status"] == "insufficient_evidence"
    # a control whose kinds are all in one shard is judged as usual
    assert got["SM-008"]["status"] != "insufficient_evidence" and got["SM-008"]["population"] is not None
    assert cli("verify", out, "--key", org["pub"]).code == 0


def test_verify_rejects_a_merged_pack_whose_shard_records_disagree(
        org: dict[str, Any], cli: Callable[..., CliResult], tmp_path: Path) -> None:
    out = tmp_path / "m.zip"
    assert merge(cli, org, out, *org["shards"].values()).code == 0
    predicate = statement(out)["predicate"]
    forged = tmp_path / "forged" / "m.zip"
    forged.parent.mkdir()
    results = orjson.loads(member(out, "results.json"))
    results["shards"] = results["shards"][:2]  # a shard dropped from the results, still in the signed predicate
    work = tmp_path / "forged-work"
    with zipfile.ZipFile(out) as archive:
        for name in archive.namelist():
            if name.startswith(("evidence/", "library/")):
                target = work / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(name))
    (work / "results.json").write_bytes(orjson.dumps(results))
    from auditor.pack.build import LibrarySnapshot

    build_pack(work / "results.json", work / "evidence", forged, LocalSigner.from_options(org["key"]),
               library=LibrarySnapshot(work / "library" / "controls", work / "library" / "policies",
                                       work / "library" / "mappings"),
               extra_predicate={k: predicate[k] for k in ("merge", "shards", "materials")})
    done = cli("verify", forged, "--key", org["pub"])
    assert done.code == 1 and "results.json records other shards than the signed predicate" in done.out


def test_verify_rejects_a_merged_pack_whose_control_cites_evidence_of_no_shard(
        org: dict[str, Any], cli: Callable[..., CliResult], tmp_path: Path) -> None:
    out = tmp_path / "m.zip"
    assert merge(cli, org, out, *org["shards"].values()).code == 0
    results = orjson.loads(member(out, "results.json"))
    control = next(c for c in results["controls"] if c["evidence"])
    control["evidence"] = ["elsewhere/" + control["evidence"][0].split("/", 1)[1]]  # a shard no predicate names
    forged = tmp_path / "forged.zip"
    resign(out, forged, {"results.json": pretty_json(results)}, org["key"])
    done = cli("verify", forged, "--key", org["pub"])
    assert done.code == 1 and f"control {control['id']} cites evidence of no shard" in done.out, done.out


# --- the per-control rules, on minimal results --------------------------------------------------------

def _control(status: str, violations: list[tuple[str, str]] = (), population: tuple[int, int] | None = (1, 1),
             evidence: list[str] = ("deployments.json",)) -> dict[str, Any]:  # type: ignore[assignment]
    """A whole results.json control entry (tests.results_builder), these fields as given."""
    return control_entry("SOD-001", Status(status), evidence_kinds=["deployments"], reason=status,
                         violations=[{"resource": r, "message": m} for r, m in violations], duration_ms=1,
                         population={"in_scope": population[0], "passed": population[1]} if population else None,
                         evidence=list(evidence))


def _fake(name: str, control: dict[str, Any], kinds: dict[str, str]) -> Shard:
    """A shard whose (valid, typed) results hold ``control`` and one document per kind with the given sha256."""
    results = Results.from_dict(results_document(
        [control], [evidence_entry(f"{k}.json", k, digest) for k, digest in kinds.items()]))
    return Shard(name, Path(f"{name}.zip"), name, Verification(Path(f"{name}.zip"), True), results, "lib")


def _merged(*shards: tuple[str, dict[str, Any], dict[str, str]], uses: tuple[str, ...] = ()) -> dict[str, Any]:
    """The merged control as results.json holds it."""
    built = [_fake(*s) for s in shards]
    return merge_control(built[0].results.controls[0], uses, built, "refuse")[0].to_dict()


def test_fail_in_any_shard_fails_and_populations_and_violations_add_up() -> None:
    merged = _merged(("a", _control("pass", population=(3, 3)), {"deployments": "1"}),
                     ("b", _control("fail", [("d2", "x"), ("d1", "y")], (4, 2)), {"deployments": "2"}),
                     ("c", _control("fail", [("d1", "y")], (2, 1)), {"deployments": "3"}))
    assert merged["status"] == "fail" and merged["reason"] == "2 violations"
    assert merged["population"] == {"in_scope": 9, "passed": 6}
    assert merged["violations"] == [{"resource": "d1", "message": "y"}, {"resource": "d2", "message": "x"}]


@pytest.mark.parametrize(("statuses", "expected"), [
    (("pass", "pass"), Status.PASS),
    (("pass", "insufficient_evidence"), Status.INSUFFICIENT_EVIDENCE),
    (("fail", "insufficient_evidence"), Status.FAIL),
    (("fail", "error"), Status.ERROR),
    (("waived", "pass"), Status.WAIVED),
    (("waived", "fail"), Status.FAIL),
])
def test_the_worst_status_of_the_shards_that_took_part_wins(statuses: tuple[str, str], expected: Status) -> None:
    merged = _merged(*[(f"s{i}", _control(s), {"deployments": str(i)}) for i, s in enumerate(statuses)])
    assert merged["status"] == expected.value


def test_a_shard_without_the_kinds_abstains_and_no_shard_with_them_is_insufficient() -> None:
    merged = _merged(("a", _control("pass", population=(5, 5)), {"deployments": "1"}),
                     ("b", _control("insufficient_evidence", population=None, evidence=[]), {"models": "2"}))
    assert merged["status"] == "pass" and merged["population"] == {"in_scope": 5, "passed": 5}
    assert merged["evidence"] == ["a/deployments.json"]
    none = _merged(("a", _control("insufficient_evidence", population=None, evidence=[]), {"models": "1"}),
                   ("b", _control("insufficient_evidence", population=None, evidence=[]), {"models": "2"}))
    assert none["status"] == "insufficient_evidence" and "no shard had its evidence (deployments)" in none["reason"]


def test_identical_evidence_in_two_shards_counts_once() -> None:
    merged = _merged(("a", _control("fail", [("u1", "m")], (4, 3)), {"deployments": "same"}),
                     ("b", _control("fail", [("u1", "m")], (4, 3)), {"deployments": "same"}))
    assert merged["population"] == {"in_scope": 4, "passed": 3} and merged["violation_count"] == 1


def test_an_optional_kind_split_across_shards_is_a_split_join() -> None:
    shards = [_fake("a", _control("pass"), {"deployments": "1"}),
              _fake("b", _control("pass"), {"deployments": "2", "identities": "3"})]
    outcome, split = merge_control(shards[0].results.controls[0], ("identities",), shards, "insufficient")
    merged = outcome.to_dict()
    assert split == "SOD-001: shard a evaluated it without identities, which shard b had"
    assert merged["status"] == "insufficient_evidence" and merged["population"] is None
    assert merge_control(shards[0].results.controls[0], (), shards, "insufficient")[1] is None
