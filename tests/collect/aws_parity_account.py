"""A moto account seeding each condition of issue 18's controls beside a clean counterpart.

``build(faults=True)`` seeds every fault; ``build(faults=False)`` the same account with only the
clean counterparts and good account-wide settings. Used by tests/collect/test_aws_parity.py and
bench/aws_account.py (which scales the users and buckets).
"""

from __future__ import annotations

import json
from typing import Any

import boto3

REGION = "eu-west-2"
ACCOUNT = "123456789012"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
FULL_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
SCOPED_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
BLOCK = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
GOOD_PASSWORDS = {"MinimumPasswordLength": 14, "RequireSymbols": True, "RequireNumbers": True,
                  "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True,
                  "PasswordReusePrevention": 24}
WEAK_PASSWORDS = {"MinimumPasswordLength": 8, "RequireSymbols": False, "RequireNumbers": True,
                  "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True}


def user_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


def _mfa(iam: Any, name: str) -> None:
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1="123456",
                          AuthenticationCode2="654321")


def _console_user(iam: Any, name: str, mfa: bool) -> None:
    iam.create_user(UserName=name, Tags=[{"Key": "email", "Value": f"{name}@example.com"}])
    iam.create_login_profile(UserName=name, Password=f"Pw-{name}-not-real-1!")
    if mfa:
        _mfa(iam, name)


def cloudwatch_delivery(monkeypatch: Any) -> None:
    """moto's trail status has no LatestCloudWatchLogsDeliveryTime; AWS reports one once a trail with a
    log group has delivered. Add it, so the clean trail is the one real AWS would show."""
    from moto.cloudtrail import models

    original = models.CloudTrailBackend.get_trail_status

    def status(self: Any, name: str) -> Any:
        answer = original(self, name)
        trail = next((t for t in self.trails.values() if name in (t.trail_name, t.arn)), None)
        if trail is not None and trail.cw_log_group_arn and not hasattr(answer, "_auditor_patched"):
            describe = answer.description

            def description() -> dict[str, Any]:
                return {**describe(), "LatestCloudWatchLogsDeliveryTime": 1700000000}

            answer.description = description
            answer._auditor_patched = True
        return answer

    monkeypatch.setattr(models.CloudTrailBackend, "get_trail_status", status)


def build(faults: bool = True, users: int = 0, buckets: int = 0) -> dict[str, Any]:
    """Seed the account; ``users``/``buckets`` add that many clean extras (for the benchmark)."""
    iam = boto3.client("iam", region_name=REGION)
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(GroupName="admins", PolicyArn=ADMIN)
    _console_user(iam, "ana", mfa=True)  # administrator through a group, with MFA: clean
    iam.add_user_to_group(GroupName="admins", UserName="ana")
    scoped = iam.create_policy(PolicyName="read-objects", PolicyDocument=json.dumps(SCOPED_DOC))["Policy"]["Arn"]
    iam.create_user(UserName="svc-ok")  # one active key, one inactive: clean
    for status in ("Active", "Inactive"):
        key = iam.create_access_key(UserName="svc-ok")["AccessKey"]["AccessKeyId"]
        iam.update_access_key(UserName="svc-ok", AccessKeyId=key, Status=status)
    iam.attach_user_policy(UserName="svc-ok", PolicyArn=scoped)
    iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.attach_role_policy(RoleName="deployer", PolicyArn=ADMIN)  # administrator role: clean
    for n in range(users):
        name = f"user{n:04d}"
        _console_user(iam, name, mfa=True)
        iam.attach_user_policy(UserName=name, PolicyArn=scoped)
    iam.update_account_password_policy(**(WEAK_PASSWORDS if faults else GOOD_PASSWORDS))

    kms = boto3.client("kms", region_name=REGION)
    rotated = kms.create_key(Description="rotated")["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=rotated)
    kms.create_key(Description="signing", KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")  # cannot rotate: out of scope

    s3 = boto3.client("s3", region_name=REGION)
    where = {"LocationConstraint": REGION}
    if not faults:
        boto3.client("s3control", region_name=REGION).put_public_access_block(
            AccountId=ACCOUNT, PublicAccessBlockConfiguration=BLOCK)

    def bucket(name: str, personal: bool, block: bool = True, versioned: bool = True) -> None:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration=where)
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [
            {"Key": "contains-personal-data", "Value": "true" if personal else "false"}]})
        if versioned:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if block:
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=BLOCK)

    bucket("acme-customers", personal=True)  # private, versioned, blocked: clean
    bucket("acme-vpc-only", personal=False)  # a Principal * policy confined to a VPC endpoint: clean
    s3.put_bucket_policy(Bucket="acme-vpc-only", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "VpceRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::acme-vpc-only/*", "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}]}))
    for n in range(buckets):
        bucket(f"acme-extra-{n:04d}", personal=n % 2 == 0)

    ddb = boto3.client("dynamodb", region_name=REGION)
    rds = boto3.client("rds", region_name=REGION)

    def table(name: str, pitr: bool) -> None:
        ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        if pitr:
            ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
                "PointInTimeRecoveryEnabled": True})

    def database(name: str, protected: bool, days: int) -> None:
        rds.create_db_instance(DBInstanceIdentifier=name, DBInstanceClass="db.t3.micro", Engine="postgres",
                               MasterUsername="admin", MasterUserPassword="Not-a-real-password-42",
                               StorageEncrypted=True, KmsKeyId=rotated, BackupRetentionPeriod=days,
                               DeletionProtection=protected)

    table("orders", pitr=True)
    database("ledger", protected=True, days=14)

    logs = boto3.client("logs", region_name=REGION)
    logs.create_log_group(logGroupName="trail")
    group = logs.describe_log_groups()["logGroups"][0]["arn"]
    role = iam.create_role(RoleName="trail-to-logs", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    trails = boto3.client("cloudtrail", region_name=REGION)
    bucket("acme-trail", personal=False)
    trails.create_trail(Name="secure", S3BucketName="acme-trail", IsMultiRegionTrail=True, KmsKeyId=rotated,
                        CloudWatchLogsLogGroupArn=group, CloudWatchLogsRoleArn=role, EnableLogFileValidation=True)
    trails.start_logging(Name="secure")

    made = {"rotated": rotated, "log_group": group}
    if faults:
        _console_user(iam, "bob", mfa=True)  # administrator directly
        iam.attach_user_policy(UserName="bob", PolicyArn=ADMIN)
        _console_user(iam, "cy", mfa=False)  # administrator through the group, without MFA
        iam.add_user_to_group(GroupName="admins", UserName="cy")
        iam.create_user(UserName="svc-two")  # two active keys
        iam.create_access_key(UserName="svc-two")
        iam.create_access_key(UserName="svc-two")
        iam.create_policy(PolicyName="everything", PolicyDocument=json.dumps(FULL_DOC))  # unattached *:*
        conditioned = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "*:*", "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}
        iam.put_role_policy(RoleName="deployer", PolicyName="break-glass", PolicyDocument=json.dumps(conditioned))
        made["stale"] = kms.create_key(Description="stale")["KeyMetadata"]["Arn"]  # never rotated
        bucket("acme-open-acl", personal=True, block=False)
        s3.put_bucket_acl(Bucket="acme-open-acl", ACL="public-read")
        bucket("acme-open-policy", personal=False, block=False)
        s3.put_bucket_policy(Bucket="acme-open-policy", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "PublicList", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["s3:ListBucket"],
             "Resource": "arn:aws:s3:::acme-open-policy"}]}))
        bucket("acme-unversioned", personal=False, versioned=False)
        table("no-pitr", pitr=False)
        database("fragile", protected=False, days=1)
        trails.create_trail(Name="plain", S3BucketName="acme-trail")
        trails.start_logging(Name="plain")
    return made


#: What the seeded faults must make each control report (resource ids); the clean account: nothing.
def expected(keys: dict[str, str]) -> dict[str, set[str]]:
    trail = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/plain"
    account = f"arn:aws:iam::{ACCOUNT}:account"
    return {
        "SEC-009": {user_arn("bob")},
        "SEC-010": {f"arn:aws:iam::{ACCOUNT}:policy/everything",
                    f"arn:aws:iam::{ACCOUNT}:role/deployer#inline:break-glass"},
        "SEC-011": {user_arn("cy")},
        "SEC-012": {keys["stale"]},
        "SEC-013": {account, "arn:aws:s3:::acme-open-acl", "arn:aws:s3:::acme-open-policy"},
        "SEC-014": {"arn:aws:s3:::acme-open-acl", "arn:aws:s3:::acme-open-policy"},
        "SEC-015": {"arn:aws:s3:::acme-unversioned", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/no-pitr",
                    f"arn:aws:rds:{REGION}:{ACCOUNT}:db:fragile"},
        "SEC-016": {account},
        "SEC-017": {user_arn("svc-two")},
        "SEC-018": {trail},
        "PRIV-006": {"arn:aws:s3:::acme-open-acl"},
    }
