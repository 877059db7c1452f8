"""``auditor verify --replay``: a pack's own library over its own evidence must give the results it carries.

The packs are real (``auditor evaluate`` + ``auditor pack build`` over the demo's models); the
dishonest ones are what a signer who edits results.json before signing would produce: they verify,
and only the replay shows the results do not follow from the evidence.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from auditor.errors import InputError
from auditor.files import pretty_json
from auditor.pack import keys
from auditor.pack.replay import _evaluate
from auditor.results_model import Results
from tests.conftest import CliResult

DEMO = Path(__file__).resolve().parents[2] / "evidence" / "examples" / "demo"
AS_OF = "2026-11-20T09:00:00Z"


@pytest.fixture
def work(tmp_path: Path, cli: Callable[..., CliResult]) -> dict[str, Path]:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    shutil.copy(DEMO / "models.json", evidence / "models.json")
    assert cli("keys", "generate", "--out", tmp_path / "keys").code == 0
    return {"root": tmp_path, "evidence": evidence, "key": tmp_path / "keys" / keys.PRIVATE_NAME,
            "pub": tmp_path / "keys" / keys.PUBLIC_NAME}


def _evaluated(cli: Callable[..., CliResult], work: dict[str, Path], name: str, *extra: str | Path) -> Path:
    results = work["root"] / f"{name}.json"
    done = cli("evaluate", "--evidence", work["evidence"], "--as-of", AS_OF, "--out", results, "--jobs", "1", *extra)
    assert done.code in (0, 1), done.err  # the demo's models fail AI controls on purpose
    return results


def _packed(cli: Callable[..., CliResult], work: dict[str, Path], results: Path, name: str,
            *extra: str | Path) -> Path:
    out = work["root"] / f"{name}.zip"
    done = cli("pack", "build", "--results", results, "--evidence", work["evidence"], "--key", work["key"],
               "--out", out, *extra)
    assert done.code == 0, done.err
    return out


def _edited(results: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """results.json as a dishonest signer would rewrite it before signing."""
    doc = orjson.loads(results.read_bytes())
    change(doc)
    out = results.with_name(f"edited-{results.name}")
    out.write_bytes(pretty_json(doc))
    return out


def _control(doc: dict[str, Any], status: str) -> dict[str, Any]:
    return next(c for c in doc["controls"] if c["status"] == status and c["violations"])


def test_an_honest_pack_is_backed_control_by_control(cli: Callable[..., CliResult], work: dict[str, Path]) -> None:
    results = _evaluated(cli, work, "results")
    pack = _packed(cli, work, results, "pack")
    done = cli("verify", pack, "--key", work["pub"], "--replay", "--jobs", "1")
    total = len(orjson.loads(results.read_bytes())["controls"])
    assert done.code == 0, done.out
    assert f"replay     backed: all {total} results follow from the pack's library and evidence" in done.out
    as_json = orjson.loads(cli("verify", pack, "--key", work["pub"], "--replay", "--jobs", "1", "--json").out)
    assert as_json["valid"] and as_json["replay"]["agrees"] and as_json["replay"]["controls"] == total
    assert as_json["replay"]["disagreements"] == [] and as_json["replay"]["unjudged"] == []


def test_a_failing_control_signed_as_passing_verifies_but_is_not_backed(
        cli: Callable[..., CliResult], work: dict[str, Path]) -> None:
    results = _evaluated(cli, work, "results")
    flipped: dict[str, Any] = {}

    def whitewash(doc: dict[str, Any]) -> None:
        control = _control(doc, "fail")
        flipped.update(control)
        control.update(status="pass", reason="", violations=[], violation_count=0)
        control["population"]["passed"] = control["population"]["in_scope"]
        doc["summary"]["by_status"]["fail"] -= 1
        doc["summary"]["by_status"]["pass"] = doc["summary"]["by_status"].get("pass", 0) + 1

    pack = _packed(cli, work, _edited(results, whitewash), "whitewashed")
    assert cli("verify", pack, "--key", work["pub"]).code == 0  # the signature alone cannot tell
    done = cli("verify", pack, "--key", work["pub"], "--replay", "--jobs", "1")
    assert done.code == 1
    assert "NOT BACKED: 1 of" in done.out
    line = next(s for s in done.out.splitlines() if s.strip().startswith(f"{flipped['id']}:"))
    assert "recorded pass, replayed fail" in line
    assert f"{len(flipped['violations'])} violation(s) found that the pack does not record" in line
    assert f"population recorded {flipped['population']['in_scope']:,} of" in line


def test_a_dropped_or_invented_violation_is_not_backed(cli: Callable[..., CliResult], work: dict[str, Path]) -> None:
    results = _evaluated(cli, work, "results")
    chosen: dict[str, Any] = {}

    def swap(doc: dict[str, Any]) -> None:
        control = _control(doc, "fail")
        dropped = control["violations"][0]
        chosen.update(id=control["id"], resource=dropped["resource"])
        control["violations"][0] = {"resource": "model-that-does-not-exist:1", "message": dropped["message"]}

    pack = _packed(cli, work, _edited(results, swap), "swapped")
    done = cli("verify", pack, "--key", work["pub"], "--replay", "--jobs", "1", "--json")
    assert done.code == 1
    [disagreement] = orjson.loads(done.out)["replay"]["disagreements"]
    assert disagreement["id"] == chosen["id"] and disagreement["recorded"] == disagreement["replayed"] == "fail"
    assert "1 recorded violation(s) not found, e.g. model-that-does-not-exist:1" in disagreement["detail"]
    assert f"1 violation(s) found that the pack does not record, e.g. {chosen['resource']}" in \
        disagreement["detail"]


def test_waived_violations_are_backed_when_the_replay_finds_them(
        cli: Callable[..., CliResult], work: dict[str, Path]) -> None:
    first = orjson.loads(_evaluated(cli, work, "plain").read_bytes())
    control = next(c for c in first["controls"] if c["status"] == "fail" and len(c["violations"]) >= 2)
    waivers = work["root"] / "waivers.yaml"
    waivers.write_text(
        "exceptions:\n"
        f"  - id: EX-1\n    control: {control['id']}\n    resource: \"{control['violations'][0]['resource']}\"\n"
        "    reason: Retired next quarter; compensating review in place.\n"
        "    requester: alice@example.com\n    approver: bob@example.com\n"
        "    created: 2026-11-01\n    expires: 2027-01-31\n    ticket: RISK-1\n")
    results = _evaluated(cli, work, "waived", "--waivers", waivers)
    entry = next(c for c in orjson.loads(results.read_bytes())["controls"] if c["id"] == control["id"])
    assert len(entry["waived"]) == 1 and entry["status"] == "fail"  # one waived, the others still fail
    done = cli("verify", _packed(cli, work, results, "waived"), "--key", work["pub"], "--replay", "--jobs", "1")
    assert done.code == 0, done.out


def test_a_layered_library_is_replayed_in_its_recorded_order(
        cli: Callable[..., CliResult], work: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(work["root"])  # no ./auditor.yaml or ./controls here: only the flags choose layers
    for name, days in (("strict", 1), ("lenient", 100000)):
        (work["root"] / name).mkdir()
        (work["root"] / name / "params.yaml").write_text(f"AI-001:\n  max_card_age_days: {days}\n")
    verdicts = {}
    for order in (("strict", "lenient"), ("lenient", "strict")):
        flags = [a for name in order for a in ("--library", work["root"] / name)]
        results = _evaluated(cli, work, "-".join(order), *flags)
        verdicts[order] = next(c for c in orjson.loads(results.read_bytes())["controls"] if c["id"] == "AI-001")
        pack = _packed(cli, work, results, "-".join(order), *flags)
        done = cli("verify", pack, "--key", work["pub"], "--replay", "--jobs", "1")
        assert done.code == 0, done.out
    # the order decides the verdict, so a replay that ignored it would disagree with one of the two
    assert verdicts["strict", "lenient"]["violations"] != verdicts["lenient", "strict"]["violations"]


def test_layers_without_their_order_cannot_be_replayed(tmp_path: Path) -> None:
    for name in ("one", "two"):
        (tmp_path / "library" / "layers" / name).mkdir(parents=True)
        (tmp_path / "library" / "layers" / name / "params.yaml").write_text("{}\n")
    recorded = Results.from_dict(orjson.loads((Path(__file__).resolve().parents[1] / "fixtures" / "golden" /
                                               "results.json").read_bytes()))
    with pytest.raises(InputError, match="holds 2 library layers but not their order"):
        _evaluate(tmp_path, recorded, 1)


def test_a_merged_pack_is_refused_with_what_to_do(cli: Callable[..., CliResult], work: dict[str, Path]) -> None:
    shards = [_packed(cli, work, _evaluated(cli, work, "models"), "models")]
    work["evidence"] = work["root"] / "trails"
    work["evidence"].mkdir()
    shutil.copy(DEMO / "audit_trails.json", work["evidence"] / "audit_trails.json")
    shards.append(_packed(cli, work, _evaluated(cli, work, "trails"), "trails"))
    merged = work["root"] / "merged.zip"
    done = cli("pack", "merge", *shards, "--pub", work["pub"], "--key", work["key"], "--out", merged)
    assert done.code == 0, done.err
    done = cli("verify", merged, "--key", work["pub"], "--replay")
    assert done.code == 2
    assert "a merged pack (shards" in done.err and "replay each shard's pack" in done.err
    assert "Traceback" not in done.err


def test_evidence_of_an_organisation_kind_is_replayed_with_the_packed_schemas(
        cli: Callable[..., CliResult], work: dict[str, Path]) -> None:
    from tests.pack.helpers import FIXTURES, copy_evidence

    work["evidence"] = copy_evidence(work["root"])  # gadgets and ledgers: kinds only tests/fixtures/schemas know
    library = ("--controls", FIXTURES / "library" / "controls", "--policies", FIXTURES / "library" / "policies",
               "--mappings", FIXTURES / "mappings-empty")
    schemas = ("--schemas", FIXTURES / "schemas")
    results = _evaluated(cli, work, "org", *library, *schemas)
    packed = _packed(cli, work, results, "org", *library, *schemas)
    done = cli("verify", packed, "--key", work["pub"], "--replay", "--jobs", "1")
    assert done.code == 0, done.out + done.err
    assert "replay     backed: all 3 results" in done.out
    # packed without them, the evidence cannot be read back: said, not a traceback
    bare = _packed(cli, work, results, "bare", *library)
    done = cli("verify", bare, "--key", work["pub"], "--replay", "--jobs", "1")
    assert done.code == 2 and "Traceback" not in done.err and "auditor-replay-" not in done.err
    assert f"cannot replay {bare}: {bare}:library/controls/" in done.err and "pack build --schemas" in done.err
