"""Issue 18: the AWS collector and the controls over it, against a moto account that seeds every
condition beside a clean counterpart. Each control is evaluated with the bundled library's real
policies on the collected evidence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import orjson
import pytest

from auditor.collect.aws import AwsCollector
from auditor.controls import load_library
from auditor.engine import create
from auditor.evaluate import evaluate
from auditor.evidence import load_evidence
from auditor.model import ControlResult, Status
from auditor.policies import load_policies
from tests.collect import aws_parity_account as seeded
from tests.collect.test_aws import CLOCK, REGION, aws_env, deny  # noqa: F401  (aws_env: autouse fixture)

moto = pytest.importorskip("moto")

ROOT = Path(__file__).resolve().parents[2]
NEW = tuple(seeded.expected({"stale": ""}))
SOD = ("SOD-003", "SOD-004", "SOD-007")


@pytest.fixture(autouse=True)
def delivered(monkeypatch: pytest.MonkeyPatch) -> None:
    seeded.cloudwatch_delivery(monkeypatch)


def collect(out: Path, session: Any = None, workers: int = 8) -> dict[str, dict[str, Any]]:
    paths = AwsCollector(regions=(REGION,), session=session, clock=CLOCK, workers=workers).write(out)
    return {orjson.loads(p.read_bytes())["kind"]: orjson.loads(p.read_bytes()) for p in paths}


def judge(evidence: Path, ids: tuple[str, ...] = NEW) -> dict[str, ControlResult]:
    library = load_library(ROOT / "controls").select(list(ids))
    run = evaluate(library, load_policies(ROOT / "policies"), load_evidence(evidence), create("regorus"), jobs=1)
    return {r.control.id: r for r in run.results}


def items(evidence: Path, kind: str) -> list[dict[str, Any]]:
    (doc,) = [d for d in (orjson.loads(p.read_bytes()) for p in evidence.glob("*.json")) if d["kind"] == kind]
    return list(doc["items"])


def failing(result: ControlResult) -> set[str]:
    return {v.resource for v in result.violations}


@pytest.fixture
def faulty(tmp_path: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    with moto.mock_aws():
        made = seeded.build(faults=True)
        collect(tmp_path)
        yield made, tmp_path


def test_every_seeded_condition_is_detected_and_nothing_else(faulty: tuple[dict[str, Any], Path]) -> None:
    made, evidence = faulty
    results = judge(evidence)
    want = seeded.expected(made)
    assert {cid: (r.status, failing(r)) for cid, r in results.items()} == {
        cid: (Status.FAIL, resources) for cid, resources in want.items()
    }
    # the clean counterparts are in scope and pass: each population is larger than its failures
    # (SEC-016 judges the one account: its clean counterpart is the clean account below)
    for cid, result in results.items():
        assert result.population is not None, cid
        assert result.population.in_scope > len(want[cid]) or cid == "SEC-016", cid


def test_the_clean_account_passes_every_new_control(tmp_path: Path) -> None:
    with moto.mock_aws():
        seeded.build(faults=False)
        collect(tmp_path)
    results = judge(tmp_path)
    assert {cid: (r.status, failing(r)) for cid, r in results.items()} == {cid: (Status.PASS, set()) for cid in NEW}


def test_concurrent_collection_writes_the_same_documents_as_a_serial_one(tmp_path: Path) -> None:
    with moto.mock_aws():
        seeded.build(faults=True)
        session = boto3.Session(region_name=REGION)
        deny(session, "s3.GetBucketAcl")  # errors from the pool too, one per bucket
        written = {workers: collect(tmp_path / str(workers), session=session, workers=workers) for workers in (1, 8)}
    assert written[1]["data_stores"]["errors"] and len(written[1]["data_stores"]["errors"]) > 3
    for kind in written[1]:
        assert (tmp_path / "1" / f"aws-{kind}.json").read_bytes() == (tmp_path / "8" / f"aws-{kind}.json").read_bytes()


def test_a_bucket_region_named_by_the_list_call_saves_the_location_call(tmp_path: Path) -> None:
    """AWS's paginated ListBuckets names each bucket's region (moto does not): then no GetBucketLocation."""
    located: list[str] = []
    with moto.mock_aws():
        seeded.build(faults=False)
        session = boto3.Session(region_name=REGION)

        def named(parsed: dict[str, Any], **_kwargs: Any) -> None:
            for bucket in parsed.get("Buckets", []):
                bucket["BucketRegion"] = "eu-west-1" if bucket["Name"] == "acme-trail" else REGION

        session.events.register("after-call.s3.ListBuckets", named)
        session.events.register("before-call.s3.GetBucketLocation", lambda **kw: located.append("called"))
        docs = collect(tmp_path, session=session)
    stores = {s["name"]: s for s in docs["data_stores"]["items"] if s["type"] == "s3"}
    assert len(stores) == 3 and located == []
    assert {s["region"] for n, s in stores.items() if n != "acme-trail"} == {REGION}
    assert stores["acme-trail"]["region"] == "eu-west-1"


def test_collected_shapes(faulty: tuple[dict[str, Any], Path]) -> None:
    made, evidence = faulty
    docs = {p.name: orjson.loads(p.read_bytes()) for p in evidence.iterdir()}
    kinds = {d["kind"]: d for d in docs.values()}
    assert all(d["errors"] == [] for d in kinds.values())
    grants = {g["id"]: g for g in kinds["access_grants"]["items"]}
    via_group = grants[f"{seeded.user_arn('ana')}|group:admins|{seeded.ADMIN}"]
    assert via_group["privileged"] is True and via_group["via"] == "group:admins"
    assert via_group["person"] == "ana@example.com" and via_group["role"] == "AdministratorAccess"
    assert via_group["granted_at"] is None and via_group["granted_by"] is None
    assert via_group["attributes"]["unknown"] == ["granted_at", "granted_by"]
    assert grants[f"{seeded.user_arn('bob')}|direct|{seeded.ADMIN}"]["via"] is None
    (account,) = kinds["cloud_accounts"]["items"]
    assert account["password_policy"]["minimum_length"] == 8 and account["public_access_block"] is None
    stores = {s["name"]: s for s in kinds["data_stores"]["items"]}
    assert stores["acme-open-acl"]["attributes"]["public_acl_grants"] == ["AllUsers:READ"]
    assert stores["acme-open-policy"]["attributes"]["public_policy_statements"] == ["PublicList"]
    assert stores["acme-vpc-only"]["attributes"]["public_policy_statements"] == []
    assert stores["acme-unversioned"]["attributes"]["versioning"] == "Disabled"
    assert stores["orders"]["attributes"]["point_in_time_recovery"] is True
    assert stores["no-pitr"]["attributes"]["point_in_time_recovery"] is False
    assert stores["fragile"]["attributes"]["deletion_protection"] is False
    keys = {k["id"]: k for k in kinds["encryption_keys"]["items"]}
    assert keys[made["rotated"]]["rotation_enabled"] is True and keys[made["stale"]]["rotation_enabled"] is False
    assert sorted(k["rotatable"] for k in keys.values()) == [False, True, True]
    trails = {t["name"]: t for t in kinds["audit_trails"]["items"]}
    assert trails["secure"]["kms_key"] == made["rotated"]
    assert trails["secure"]["attributes"]["cloudwatch_logs_group"] == made["log_group"]
    assert trails["plain"]["kms_key"] is None and trails["plain"]["attributes"]["cloudwatch_logs_group"] is None


BUCKETS = {"SEC-013", "SEC-014", "SEC-015", "PRIV-006"}

#: Each new call; the documents its AccessDenied lands in; the controls that are then
#: insufficient_evidence, and those that fail because the setting they judge could not be read (the
#: collector assumes the worst, as it does for MFA and console access: a public ACL, no delivery).
DENIALS = [
    ("iam.GetAccountAuthorizationDetails", {"identities", "access_grants", "access_policies"},
     {"SEC-009", "SEC-010", "SEC-011", "SEC-017"}, set()),
    ("iam.GetAccountPasswordPolicy", {"cloud_accounts"}, {"SEC-013"}, {"SEC-016"}),
    ("s3-control.GetPublicAccessBlock", {"cloud_accounts"}, {"SEC-016"}, {"SEC-013"}),
    ("s3.GetBucketVersioning", {"data_stores"}, BUCKETS - {"SEC-015"}, {"SEC-015"}),
    ("s3.GetBucketAcl", {"data_stores"}, {"SEC-013", "SEC-015"}, {"SEC-014", "PRIV-006"}),
    ("s3.GetBucketPolicy", {"data_stores"}, {"SEC-013", "SEC-015"}, {"SEC-014", "PRIV-006"}),
    ("dynamodb.DescribeContinuousBackups", {"data_stores"}, BUCKETS - {"SEC-015"}, {"SEC-015"}),
    ("kms.GetKeyRotationStatus", {"data_stores", "encryption_keys"}, BUCKETS, {"SEC-012"}),
    ("cloudtrail.GetTrailStatus", {"audit_trails"}, set(), {"SEC-018"}),
]


@pytest.mark.parametrize(("event", "kinds", "insufficient", "failed"), DENIALS, ids=[d[0] for d in DENIALS])
def test_access_denied_makes_dependent_controls_insufficient(
    tmp_path: Path, event: str, kinds: set[str], insufficient: set[str], failed: set[str]
) -> None:
    with moto.mock_aws():
        seeded.build(faults=False)
        session = boto3.Session(region_name=REGION)
        deny(session, event)
        docs = collect(tmp_path, session=session)
    operation = event.split(".", 1)[1]
    with_errors = {k for k, d in docs.items() if d["errors"]}
    assert with_errors == kinds
    for kind in kinds:
        assert all(e["code"] == "AccessDenied" and e["scope"].endswith(operation) for e in docs[kind]["errors"])
    results = judge(tmp_path)
    statuses = {cid: r.status for cid, r in results.items()}
    assert {cid for cid, s in statuses.items() if s is Status.INSUFFICIENT_EVIDENCE} == insufficient
    assert {cid for cid, s in statuses.items() if s is Status.FAIL} == failed
    assert {cid for cid, s in statuses.items() if s is Status.PASS} == set(NEW) - insufficient - failed
    for cid in insufficient:
        assert "collection error" in results[cid].reason or "no evidence items" in results[cid].reason, cid
    if event == "iam.GetAccountPasswordPolicy":  # an unread policy is not reported as a missing one
        (violation,) = results["SEC-016"].violations
        assert "could not be read" in violation.message


def test_sod_003_judges_the_aws_administrators(faulty: tuple[dict[str, Any], Path]) -> None:
    _made, evidence = faulty
    result = judge(evidence, ("SOD-003",))["SOD-003"]
    # every IAM user and role holding a grant is one person in scope; no AWS policy is an approver role
    assert result.population is not None and result.population.in_scope == 5  # ana, bob, cy, svc-ok, deployer
    assert result.status is Status.PASS, result.reason


def _reviews(evidence: Path, *reviews: dict[str, Any]) -> None:
    """Access reviews from elsewhere (an IGA tool): the AWS collector does not write them."""
    (evidence / "access_reviews.json").write_bytes(orjson.dumps({
        "kind": "access_reviews", "collected_at": "2026-11-20T12:00:00Z", "source": "iga:certifications",
        "collector": {"name": "access-reviews", "version": "0.1.0"}, "errors": [], "items": list(reviews),
    }))


def test_sod_004_judges_undated_grants_as_due(faulty: tuple[dict[str, Any], Path]) -> None:
    _made, evidence = faulty
    grants = items(evidence, "access_grants")
    roles = {f"{g['system']}:{g['role']}" for g in grants if g["privileged"]}
    assert roles and all(g["granted_at"] is None for g in grants)
    # a review long ago: were an undated grant taken as new, its role would not be due and would pass
    old = {"id": "uar-0", "scope": "aws", "reviewer": "ciso@example.com", "completed_at": "2026-01-10T09:00:00Z",
           "privileged": True, "findings_open": 0}
    _reviews(evidence, old)
    result = judge(evidence, ("SOD-004",))["SOD-004"]
    assert result.status is Status.FAIL, result.reason
    assert failing(result) == roles
    assert all("beyond the 90-day review cycle" in v.message for v in result.violations)
    _reviews(evidence, old, {**old, "id": "uar-1", "completed_at": "2026-11-10T09:00:00Z"})
    assert judge(evidence, ("SOD-004",))["SOD-004"].status is Status.PASS


def test_sod_007_fails_every_privileged_grant_whose_grantor_is_unknown(faulty: tuple[dict[str, Any], Path]) -> None:
    _made, evidence = faulty
    result = judge(evidence, ("SOD-007",))["SOD-007"]
    grants = items(evidence, "access_grants")
    privileged = {g["id"] for g in grants if g["privileged"]}
    assert privileged and all(g["granted_by"] is None for g in grants)
    assert result.status is Status.FAIL, result.reason
    assert failing(result) == privileged  # every one, none passed as independent
    assert all("who granted it is not recorded" in v.message for v in result.violations)
