"""The AWS collector against moto: a realistic account of hundreds of users and buckets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import orjson
import pytest
from botocore.exceptions import ClientError

from auditor.collect.aws import AwsCollector, iam
from auditor.collect.base import Clock, parse_instant
from auditor.controls import load_library
from auditor.engine import create
from auditor.evaluate import evaluate
from auditor.evidence import load_evidence
from auditor.model import Status
from auditor.policies import load_policies
from tests.collect.gitrepo import PINNED
from tests.conftest import FIXTURES

moto = pytest.importorskip("moto")

REGION = "eu-west-2"
USERS = 240
BUCKETS = 150
CLOCK = Clock(parse_instant(PINNED))
ADMIN_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
READ_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
ROOT_ROW = {
    "user": "<root_account>", "arn": "arn:aws:iam::123456789012:root", "user_creation_time": "2020-01-01T00:00:00+00:00",
    "password_enabled": "not_supported", "password_last_used": "2026-11-01T00:00:00+00:00", "mfa_active": "false",
    "access_key_1_active": "true", "access_key_1_last_rotated": "2021-05-01T00:00:00+00:00",
    "access_key_1_last_used_date": "N/A", "access_key_2_active": "false", "access_key_2_last_rotated": "N/A",
}


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    # moto's credential report has no <root_account> row; real AWS always has one.
    original = iam.credential_report
    monkeypatch.setattr(iam, "credential_report", lambda ctx, client, **kw: (
        None if (rows := original(ctx, client, wait=0.01)) is None else [*rows, ROOT_ROW]))


def build_account(users: int = USERS, buckets: int = BUCKETS) -> dict[str, Any]:
    """Users (a third without MFA, some admins directly, through a group or inline), access keys,
    roles, buckets with tags, lifecycle, Object Lock, encryption and public access blocks."""
    client = boto3.client("iam", region_name=REGION)
    secrets: list[str] = []
    key_ids: list[str] = []
    custom = client.create_policy(PolicyName="everything", PolicyDocument=json.dumps(ADMIN_DOC))["Policy"]["Arn"]
    readonly = client.create_policy(PolicyName="read", PolicyDocument=json.dumps(READ_DOC))["Policy"]["Arn"]
    client.create_group(GroupName="admins")
    client.attach_group_policy(GroupName="admins", PolicyArn=custom)
    client.create_group(GroupName="readers")
    client.attach_group_policy(GroupName="readers", PolicyArn=readonly)
    for n in range(users):
        name = f"user{n:04d}"
        client.create_user(UserName=name, Tags=[{"Key": "email", "Value": f"User{n:04d}@Example.com"}])
        if n % 2 == 0:  # humans with console passwords
            password = f"Pw-{n:04d}-Secret!x"
            secrets.append(password)
            client.create_login_profile(UserName=name, Password=password)
            if n % 6 != 0:  # every third console user has no MFA
                serial = client.create_virtual_mfa_device(VirtualMFADeviceName=f"mfa{n}")["VirtualMFADevice"]
                client.enable_mfa_device(UserName=name, SerialNumber=serial["SerialNumber"],
                                         AuthenticationCode1="123456", AuthenticationCode2="654321")
        else:  # service users with keys
            key = client.create_access_key(UserName=name)["AccessKey"]
            secrets.append(key["SecretAccessKey"])
            key_ids.append(key["AccessKeyId"])
        client.add_user_to_group(GroupName="readers", UserName=name)
        if n % 50 == 1:
            client.add_user_to_group(GroupName="admins", UserName=name)
        if n % 50 == 3:
            client.attach_user_policy(UserName=name, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
        if n % 50 == 5:
            client.put_user_policy(UserName=name, PolicyName="inline-admin", PolicyDocument=json.dumps(ADMIN_DOC))
    for n in range(10):
        client.create_role(RoleName=f"role{n}", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                           "Action": "sts:AssumeRole"}]}))
    client.attach_role_policy(RoleName="role0", PolicyArn=custom)

    s3 = boto3.client("s3", region_name=REGION)
    kms = boto3.client("kms", region_name=REGION)
    rotated = kms.create_key(Description="rotated")["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=rotated)
    for n in range(buckets):
        name = f"acme-data-{n:04d}"
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION},
                         ObjectLockEnabledForBucket=n % 10 == 0)
        tags = [{"Key": "owner", "Value": f"team{n % 7}@example.com"},
                {"Key": "data-classification", "Value": ("Confidential", "internal", "restricted")[n % 3]}]
        if n % 4 == 0:
            tags.append({"Key": "contains-personal-data", "Value": "false"})
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tags})
        if n % 3 == 0:
            s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [
                {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 90 + n}}]})
        if n % 2 == 0:
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": rotated}}]})
        if n % 5 == 0:
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
                "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True})
        if n % 10 == 0:
            s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 7}}})
    rds = boto3.client("rds", region_name=REGION)
    db_password = "Db-Master-Password-42"
    secrets.append(db_password)
    rds.create_db_instance(DBInstanceIdentifier="ledger", DBInstanceClass="db.t3.micro", Engine="postgres",
                           MasterUsername="admin", MasterUserPassword=db_password, StorageEncrypted=True,
                           KmsKeyId=rotated, BackupRetentionPeriod=14,
                           Tags=[{"Key": "data-classification", "Value": "restricted"}])
    ddb = boto3.client("dynamodb", region_name=REGION)
    for name, ttl in (("sessions", True), ("orders", False)):
        ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        if ttl:
            ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    trail = boto3.client("cloudtrail", region_name=REGION)
    trail.create_trail(Name="org-trail", S3BucketName="acme-data-0003", IsMultiRegionTrail=True,
                       EnableLogFileValidation=True)
    trail.start_logging(Name="org-trail")
    trail.create_trail(Name="stopped", S3BucketName="acme-data-0004")
    return {"secrets": secrets, "key_ids": key_ids, "kms": rotated}


@pytest.fixture
def account() -> Iterator[dict[str, Any]]:
    with moto.mock_aws():
        yield build_account()


def collect(out: Path, session: Any = None, regions: tuple[str, ...] = (REGION,)) -> dict[str, dict[str, Any]]:
    paths = AwsCollector(regions=regions, session=session, clock=CLOCK).write(out)
    return {orjson.loads(p.read_bytes())["kind"]: orjson.loads(p.read_bytes()) for p in paths}


def test_realistic_account(account: dict[str, Any], tmp_path: Path) -> None:
    docs = collect(tmp_path / "one")
    # grants: every user's readers group policy, the admins group for n % 50 == 1, one direct and one
    # inline admin policy for n % 50 in (3, 5), and role0's policy
    grants = USERS + 3 * (USERS // 50 + (USERS % 50 > 1)) + 1
    counts = {"identities": USERS + 10 + 1, "access_grants": grants, "access_policies": 2 + USERS // 50 + 1,
              "data_stores": BUCKETS + 1 + 2, "encryption_keys": 1, "audit_trails": 2, "cloud_accounts": 1}
    assert {k: (d["item_count"], d["errors"]) for k, d in docs.items()} == {k: (n, []) for k, n in counts.items()}
    assert load_evidence(tmp_path / "one").kinds() == counts
    people = {i["username"]: i for i in docs["identities"]["items"]}
    human = people["user0002"]
    assert human["type"] == "human" and human["console_access"] is True and human["mfa_enabled"] is True
    assert human["person"] == "user0002@example.com" and human["roles"] == ["readers"]
    assert people["user0006"]["mfa_enabled"] is False
    service = people["user0001"]
    assert service["type"] == "service" and service["console_access"] is False
    (key,) = service["access_keys"]
    assert key["status"] == "active" and key["id"] == "****" + account["key_ids"][0][-4:]
    admins = sorted(n for n, i in people.items() if i["attributes"].get("admin") and i["type"] != "root")
    assert admins == sorted([f"user{n:04d}" for n in range(USERS) if n % 50 in (1, 3, 5)] + ["role0"])
    assert people["user0001"]["attributes"]["admin_policies"] == ["everything"]  # through the admins group
    root = next(i for i in docs["identities"]["items"] if i["type"] == "root")
    assert root["mfa_enabled"] is False and root["access_keys"][0]["status"] == "active"
    assert root["id"] == "arn:aws:iam::123456789012:root"

    stores = {s["name"]: s for s in docs["data_stores"]["items"]}
    first = stores["acme-data-0000"]
    assert first["classification"] == "confidential" and first["owner"] == "team0@example.com"
    assert first["contains_personal_data"] is False and first["retention_days"] == 90
    assert first["encrypted_at_rest"] is True and first["kms_key"] == account["kms"]
    assert first["attributes"]["object_lock"] == {"enabled": True, "mode": "COMPLIANCE", "retention_days": 2555}
    assert first["attributes"]["public_access_block"]["BlockPublicAcls"] is True
    assert first["attributes"]["kms_key_rotation"] is True
    other = stores["acme-data-0001"]
    assert other["contains_personal_data"] is True and "contains_personal_data" in other["attributes"]["unknown"]
    assert other["retention_days"] is None and other["encrypted_at_rest"] is False
    assert stores["ledger"]["attributes"]["backup_retention_days"] == 14 and stores["ledger"]["encrypted_at_rest"]
    assert stores["sessions"]["deletion_mechanism"] == "ttl" and stores["orders"]["deletion_mechanism"] is None

    trails = {t["name"]: t for t in docs["audit_trails"]["items"]}
    assert trails["org-trail"]["logging_enabled"] and trails["org-trail"]["multi_region"]
    assert trails["org-trail"]["retention_days"] == 93  # the destination bucket's lifecycle expiration
    assert trails["stopped"]["logging_enabled"] is False and trails["stopped"]["retention_days"] is None

    # no secret values, no full key ids, anywhere
    text = b"".join(p.read_bytes() for p in (tmp_path / "one").iterdir()).decode()
    for secret in account["secrets"] + account["key_ids"]:
        assert secret not in text

    # re-collecting the unchanged account gives identical bytes
    collect(tmp_path / "two")
    for path in sorted((tmp_path / "one").iterdir()):
        assert path.read_bytes() == (tmp_path / "two" / path.name).read_bytes(), path.name


def deny(session: Any, event: str, code: str = "AccessDenied") -> None:
    def handler(**_kwargs: Any) -> None:
        raise ClientError({"Error": {"Code": code, "Message": "User is not authorized to perform this action"}},
                          event.rsplit(".", 1)[-1])

    session.events.register(f"before-call.{event}", handler)


def evaluate_mfa(evidence: Path) -> Any:
    library = FIXTURES / "collect" / "library"
    run = evaluate(load_library(library / "controls"), load_policies(library / "policies"), load_evidence(evidence),
                   create("regorus"))
    return run.results[0]


def test_access_denied_is_recorded_and_the_control_cannot_pass(tmp_path: Path) -> None:
    with moto.mock_aws():
        client = boto3.client("iam", region_name=REGION)
        for n in range(3):
            client.create_user(UserName=f"svc{n}")
        # One person with a console login and MFA: something in scope, so the clean run can pass.
        client.create_user(UserName="ana")
        client.create_login_profile(UserName="ana", Password="Not-a-real-password-1")
        serial = client.create_virtual_mfa_device(VirtualMFADeviceName="ana")["VirtualMFADevice"]["SerialNumber"]
        client.enable_mfa_device(UserName="ana", SerialNumber=serial, AuthenticationCode1="123456",
                                 AuthenticationCode2="654321")
        collect(tmp_path / "clean")
        result = evaluate_mfa(tmp_path / "clean")
        assert result.status is Status.PASS, result.reason

        session = boto3.Session(region_name=REGION)
        deny(session, "iam.ListAccessKeys")
        docs = collect(tmp_path / "denied", session=session)
        errors = docs["identities"]["errors"]
        assert len(errors) == 4
        assert errors[1] == {"scope": "iam:user:svc0:ListAccessKeys", "code": "AccessDenied",
                             "message": "User is not authorized to perform this action"}
        assert docs["data_stores"]["errors"] == []
        result = evaluate_mfa(tmp_path / "denied")
        assert result.status is Status.INSUFFICIENT_EVIDENCE
        assert "collection error" in result.reason


def test_disabled_region_is_recorded_per_service(tmp_path: Path) -> None:
    with moto.mock_aws():
        session = boto3.Session(region_name=REGION)

        # every call to ap-east-1 fails as a region that is not enabled for the account does
        def region_handler(model: Any, context: Any, **_kwargs: Any) -> None:
            if context.get("client_region") == "ap-east-1":
                raise ClientError({"Error": {"Code": "UnrecognizedClientException",
                                             "Message": "The security token included in the request is invalid."}},
                                  model.name)

        session.events.register("before-call", region_handler)
        docs = collect(tmp_path, session=session, regions=(REGION, "ap-east-1"))
        scopes = sorted(e["scope"] for e in docs["data_stores"]["errors"])
        assert scopes == ["dynamodb:ap-east-1:ListTables", "kms:ap-east-1:ListKeys",
                          "rds:ap-east-1:DescribeDBInstances"]
        assert [e["scope"] for e in docs["audit_trails"]["errors"]] == ["cloudtrail:ap-east-1:DescribeTrails"]
        assert docs["identities"]["errors"] == []


def test_endpoint_url_is_honoured_against_a_moto_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket="served-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
        boto3.client("iam", region_name=REGION).create_user(UserName="served-user")
        docs = collect(tmp_path)
        assert [s["name"] for s in docs["data_stores"]["items"]] == ["served-bucket"]
        assert "served-user" in {i["username"] for i in docs["identities"]["items"]}
    finally:
        server.stop()


def test_root_row_parsing_without_a_report_row_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(iam, "credential_report", lambda ctx, client, **kw: [])
    with moto.mock_aws():
        docs = collect(tmp_path)
    assert [e["code"] for e in docs["identities"]["errors"]] == ["RootAccountMissing"]
    assert not [i for i in docs["identities"]["items"] if i["type"] == "root"]


def test_admin_document_detection() -> None:
    assert iam.is_admin_document(ADMIN_DOC)
    assert iam.is_admin_document({"Statement": {"Effect": "Allow", "Action": ["s3:*", "*:*"], "Resource": ["*"]}})
    assert not iam.is_admin_document(READ_DOC)
    assert not iam.is_admin_document({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]})
    assert not iam.is_admin_document({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:x"}]})
    assert iam.is_admin_document("%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22"
                                 "%2C%22Resource%22%3A%22%2A%22%7D%5D%7D")
