"""The AWS collector: IAM, data stores, CloudTrail and KMS, with every failure recorded."""

from __future__ import annotations

from typing import Any, ClassVar

from auditor.collect.aws.context import WORKERS, AwsContext
from auditor.collect.base import COLLECTORS, Clock, Collector, Document, Option, Progress

DEFAULT_REGION = "us-east-1"


@COLLECTORS.register("aws")
class AwsCollector(Collector):
    """An AWS account's identities (with admin detection), data stores and audit trails.

    IAM users, groups and roles with their attached and inline policies also feed
    ``access_grants`` (IAM records neither when nor by whom a policy was attached: those
    fields are null and listed in ``attributes.unknown``) and ``access_policies``
    (customer-managed and inline policies, full ``*:*`` access detected); customer-managed
    KMS keys feed ``encryption_keys``; the password policy and the account public access
    block feed ``cloud_accounts``.

    IAM users (console access, MFA, access keys masked to their last four characters,
    groups; attached, group and inline policies with admin detection in
    ``attributes.admin``), roles, the root account and the credential report feed
    ``identities``; S3 buckets, RDS instances and DynamoDB tables (with KMS key rotation)
    feed ``data_stores``;
    CloudTrail trails feed ``audit_trails``. Every call pages, retries throttling with
    botocore's standard mode, and records AccessDenied or a disabled region as a
    collection error in the document it would have fed: incomplete evidence never passes.
    IAM comes from one paginated GetAccountAuthorizationDetails; the per-user and
    per-bucket calls run ``workers`` at a time (8), their results and errors kept in
    order, so the documents are the same as a one-at-a-time collection's.

    Credentials, profile, region and endpoint are found the standard way
    (``AWS_PROFILE``, ``AWS_REGION``, ``AWS_ENDPOINT_URL``, ``~/.aws/config``).

    Example::

        auditor collect aws --profile audit --region eu-west-2 --region us-east-1 --out evidence/
    """

    version: ClassVar[str] = "0.1.0"
    kinds: ClassVar[tuple[str, ...]] = (
        "identities", "access_grants", "access_policies", "data_stores", "encryption_keys", "audit_trails",
        "cloud_accounts",
    )
    permissions: ClassVar[tuple[str, ...]] = (
        "arn:aws:iam::aws:policy/SecurityAudit (read-only), which covers every call made:",
        "sts:GetCallerIdentity; iam:GetAccountAuthorizationDetails, GetLoginProfile, ListMFADevices, "
        "ListAccessKeys, GetAccessKeyLastUsed, GetAccountSummary, GenerateCredentialReport, GetCredentialReport, "
        "GetAccountPasswordPolicy",
        "s3:ListAllMyBuckets, GetBucketLocation, GetBucketTagging, GetLifecycleConfiguration, "
        "GetEncryptionConfiguration, GetBucketPublicAccessBlock, GetBucketObjectLockConfiguration, "
        "GetBucketVersioning, GetBucketAcl, GetBucketPolicy; s3:GetAccountPublicAccessBlock",
        "rds:DescribeDBInstances; dynamodb:ListTables, DescribeTable, DescribeTimeToLive, ListTagsOfResource, "
        "DescribeContinuousBackups",
        "cloudtrail:DescribeTrails, GetTrailStatus; kms:ListKeys, DescribeKey, GetKeyRotationStatus",
    )
    help: ClassVar[str] = "IAM identities and admin grants, S3/RDS/DynamoDB data stores, CloudTrail trails."
    options: ClassVar[tuple[Option, ...]] = (
        Option("profile", "AWS profile (default: the standard chain: AWS_PROFILE, env, instance role)."),
        Option("regions", "Region(s) to read (repeatable; default: the profile's).", flag="--region", multiple=True),
    )

    def __init__(
        self,
        profile: str | None = None,
        regions: tuple[str, ...] | list[str] = (),
        session: Any = None,
        clock: Clock | None = None,
        progress: Progress | None = None,
        workers: int = WORKERS,
    ) -> None:
        super().__init__(clock, progress)
        self.workers = workers
        self.profile = profile
        self.requested_regions = list(dict.fromkeys(regions))
        self._session = session

    def session(self) -> Any:
        if self._session is None:
            import boto3
            from botocore.exceptions import ProfileNotFound

            from auditor.collect.base import CollectorError

            region = self.requested_regions[0] if self.requested_regions else None
            try:
                self._session = boto3.Session(profile_name=self.profile, region_name=region)
            except ProfileNotFound:
                raise CollectorError(f"--profile: found {self.profile!r}, expected a profile in the AWS config") \
                    from None
        return self._session

    def collect(self) -> list[Document]:
        from auditor.collect.aws import iam, storage, trails

        session = self.session()
        regions = self.requested_regions or [session.region_name or DEFAULT_REGION]
        ctx = AwsContext(session=session, regions=regions, progress=self.progress, workers=self.workers)
        identity = ctx.call("identities", "sts:GetCallerIdentity", ctx.client("sts", regions[0]).get_caller_identity)
        ctx.account = (identity or {}).get("Account")
        for kind in self.kinds:
            if identity is None:
                ctx.record(kind, "sts:GetCallerIdentity", "NoAccount", "the account could not be identified")

        reader = iam.IamCollection(ctx)
        reader.read()
        identities = reader.identities()
        grants = reader.access_grants(identities)
        policies = reader.access_policies()
        password_policy = reader.password_policy()
        account_block = storage.account_public_access_block(ctx)
        # a call that failed (recorded) leaves null, as "not configured" does: say which it was
        block_unread = any(e.scope == "s3control:GetPublicAccessBlock" for e in ctx.errors.get("cloud_accounts", []))
        unread = [name for name, failed in (("password_policy", reader.password_policy_unread),
                                             ("public_access_block", block_unread)) if failed]
        account_item: dict[str, Any] = {
            "id": f"arn:aws:iam::{ctx.account or 'unknown'}:account", "system": "aws",
            "account": ctx.account or "unknown", "password_policy": password_policy,
            "public_access_block": account_block, "attributes": {"unknown": unread},
        }

        kms: dict[str, dict[str, Any]] = {}
        for region in regions:
            kms.update(storage.kms_keys(ctx, region))
        stores = storage.s3_buckets(ctx, kms)
        for region in regions:
            stores += storage.rds_instances(ctx, region, kms)
            stores += storage.dynamodb_tables(ctx, region, kms)
        retention = {s["name"]: s["retention_days"] for s in stores if s["type"] == "s3"}
        keys = storage.encryption_keys(ctx, kms)
        trail_items = [t for region in regions for t in trails.trails(ctx, region, retention)]

        source = f"aws:{ctx.account or 'unknown'}"
        produced = {"identities": identities, "access_grants": grants, "access_policies": policies,
                    "data_stores": stores, "encryption_keys": keys, "audit_trails": trail_items,
                    "cloud_accounts": [account_item] if identity is not None else []}
        return [
            Document(kind, source, produced[kind], list(ctx.errors.get(kind, [])), name=f"aws-{kind}")
            for kind in self.kinds
        ]
