"""S3 buckets, RDS instances and DynamoDB tables as ``data_stores``; KMS rotation beside them.

What AWS cannot know (classification, owner, personal data, lawful basis, the retention
the schedule allows) is read from the resource's tags. When a tag is absent the field
is null; ``contains_personal_data`` (a required boolean) is then assumed true, fail
closed, and the field is listed in ``attributes.unknown``.
"""

from __future__ import annotations

from typing import Any

from auditor.collect.aws.context import MISSING, AwsContext, iso, tag_map

KIND = "data_stores"
KEYS = "encryption_keys"
ACCOUNTS = "cloud_accounts"
PUBLIC_GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
}
#: ACL permissions that let anyone read or list: READ on a bucket lists it; FULL_CONTROL includes it.
PUBLIC_ACL_PERMISSIONS = ("READ", "FULL_CONTROL", "READ_ACP")
#: Policy actions that read or list a bucket (matched case-insensitively; wildcards included).
READ_ACTIONS = ("*", "s3:*", "s3:get*", "s3:getobject", "s3:list*", "s3:listbucket", "s3:getobjectversion")
#: Condition keys that confine a statement to known networks, accounts or organisations (as AWS's own
#: public-access evaluation does); any other condition still counts as public, fail closed.
RESTRICTING_CONDITIONS = frozenset({
    "aws:sourceip", "aws:sourcevpc", "aws:sourcevpce", "aws:principalorgid", "aws:principalaccount",
    "aws:sourceaccount", "aws:sourcearn", "aws:principalarn", "aws:sourceowner", "aws:principalorgpaths",
})
BLOCK_KEYS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
CLASSIFICATIONS = ("public", "internal", "confidential", "restricted")
LAWFUL_BASES = ("consent", "contract", "legal_obligation", "vital_interests", "public_task", "legitimate_interests")

#: Tag names read for each field (first one present wins; matched case-insensitively).
TAGS = {
    "classification": ("data-classification", "dataclassification", "classification"),
    "owner": ("data-owner", "owner"),
    "contains_personal_data": ("contains-personal-data", "personal-data", "pii"),
    "personal_data_categories": ("personal-data-categories",),
    "lawful_basis": ("lawful-basis",),
    "retention_policy_days": ("retention-policy-days", "retention-schedule-days"),
    "retention_schedule_ref": ("retention-schedule-ref", "retention-schedule"),
}
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}


def _tag(tags: dict[str, str], field: str) -> str | None:
    lowered = {k.lower(): v for k, v in tags.items()}
    for name in TAGS[field]:
        value = lowered.get(name)
        if value is not None and value.strip():
            return value.strip()
    return None


def tagged_fields(tags: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Governance fields from tags, and the names of those left unknown."""
    unknown = []
    classification = (_tag(tags, "classification") or "").lower() or None
    if classification not in CLASSIFICATIONS:
        classification = None
    personal = (_tag(tags, "contains_personal_data") or "").lower()
    if personal in _TRUE:
        contains = True
    elif personal in _FALSE:
        contains = False
    else:
        contains = True  # fail closed: unknown is treated as personal data
        unknown.append("contains_personal_data")
    basis = (_tag(tags, "lawful_basis") or "").lower().replace("-", "_") or None
    if basis not in LAWFUL_BASES:
        basis = None
    policy_days_text = _tag(tags, "retention_policy_days")
    policy_days = int(policy_days_text) if policy_days_text and policy_days_text.isdigit() else None
    categories = sorted({c.strip() for c in (_tag(tags, "personal_data_categories") or "").split(",") if c.strip()})
    fields = {
        "classification": classification,
        "owner": _tag(tags, "owner"),
        "contains_personal_data": contains,
        "personal_data_categories": categories,
        "lawful_basis": basis,
        "retention_policy_days": policy_days,
        "retention_schedule_ref": _tag(tags, "retention_schedule_ref"),
    }
    unknown += [k for k in ("classification", "owner", "lawful_basis", "retention_policy_days") if fields[k] is None]
    return fields, sorted(unknown)


def store(
    ident: str, name: str, type_: str, region: str | None, ctx: AwsContext, tags: dict[str, str],
    **values: Any,
) -> dict[str, Any]:
    fields, unknown = tagged_fields(tags)
    attributes = values.pop("attributes", {})
    attributes["unknown"] = unknown
    item = {
        "id": ident, "name": name, "type": type_, "platform": "aws", "account": ctx.account, "region": region,
        **fields, "tags": tags, "attributes": attributes,
    }
    item.update(values)
    return item


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def public_acl_grants(acl: dict[str, Any]) -> list[str]:
    """``AllUsers:READ``-style names of the ACL grants that open the bucket to everyone."""
    found = set()
    for grant in acl.get("Grants", []):
        group = PUBLIC_GROUPS.get(str(grant.get("Grantee", {}).get("URI", "")))
        if group and grant.get("Permission") in PUBLIC_ACL_PERMISSIONS:
            found.add(f"{group}:{grant['Permission']}")
    return sorted(found)


def _public_principal(principal: Any) -> bool:
    if principal == "*":
        return True
    return isinstance(principal, dict) and "*" in [str(p) for p in _as_list(principal.get("AWS"))]


def public_policy_statements(text: Any) -> list[str]:
    """Statements of a bucket policy that let anyone (Principal ``*``) read or list, unless a
    condition confines them (see RESTRICTING_CONDITIONS); named by Sid or position."""
    import json

    try:
        document = json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        return ["unparseable policy"]  # fail closed: a policy we cannot read may be public
    found = []
    for n, statement in enumerate(_as_list(document.get("Statement")) if isinstance(document, dict) else []):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        if not _public_principal(statement.get("Principal")):
            continue
        actions = {str(a).lower() for a in _as_list(statement.get("Action"))}
        if not actions & set(READ_ACTIONS):
            continue
        keys = {str(k).lower() for op in (statement.get("Condition") or {}).values() if isinstance(op, dict)
                for k in op}
        if keys & RESTRICTING_CONDITIONS:
            continue
        found.append(str(statement.get("Sid") or f"statement {n + 1}"))
    return found


def block_settings(answer: Any) -> dict[str, bool] | None:
    block = (answer or {}).get("PublicAccessBlockConfiguration", {})
    return None if not answer else {key: bool(block.get(key, False)) for key in BLOCK_KEYS}


def account_public_access_block(ctx: AwsContext) -> dict[str, bool] | None:
    """The account-level S3 public access block; None when none is configured (or, recorded, unreadable)."""
    client = ctx.client("s3control", ctx.regions[0])
    answer = ctx.call(ACCOUNTS, "s3control:GetPublicAccessBlock", client.get_public_access_block,
                      AccountId=ctx.account or "", missing=("NoSuchPublicAccessBlockConfiguration",))
    return block_settings(answer)


# -- S3 -------------------------------------------------------------------------------


def s3_buckets(ctx: AwsContext, kms: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    client = ctx.client("s3", ctx.regions[0])
    # pages of up to 10,000 (MaxBuckets): AWS then also names each bucket's region (BucketRegion)
    listed = ctx.paginate(KIND, "s3:ListBuckets", client, "list_buckets", "Buckets", progress="S3 buckets",
                          PaginationConfig={"PageSize": 10000})
    if listed is None:
        return []
    items = []
    with ctx.progress.task("S3 bucket settings", len(listed)) as advance:
        for item in ctx.map(lambda bucket: s3_bucket(ctx, client, bucket, kms), listed):
            items.append(item)
            advance(1)
    return items


def s3_bucket(ctx: AwsContext, client: Any, bucket: dict[str, Any], kms: dict[str, dict[str, Any]]) -> dict[str, Any]:
    name = bucket["Name"]
    scope = f"s3:{name}"
    region = bucket.get("BucketRegion") or None
    if region is None:  # an endpoint that does not name it in the list: one call more
        location = ctx.call(KIND, f"{scope}:GetBucketLocation", client.get_bucket_location, Bucket=name)
        region = (location or {}).get("LocationConstraint") or ("us-east-1" if location else None)
    tagging = ctx.call(KIND, f"{scope}:GetBucketTagging", client.get_bucket_tagging, Bucket=name,
                       missing=("NoSuchTagSet", "NoSuchTagSetError"))
    tags = tag_map((tagging or {}).get("TagSet"))
    lifecycle = ctx.call(KIND, f"{scope}:GetBucketLifecycleConfiguration", client.get_bucket_lifecycle_configuration,
                         Bucket=name, missing=("NoSuchLifecycleConfiguration",))
    expiry = [
        rule["Expiration"]["Days"]
        for rule in (lifecycle or {}).get("Rules", [])
        if rule.get("Status") == "Enabled" and isinstance(rule.get("Expiration", {}).get("Days"), int)
    ]
    encryption = ctx.call(KIND, f"{scope}:GetBucketEncryption", client.get_bucket_encryption, Bucket=name,
                          missing=("ServerSideEncryptionConfigurationNotFoundError",))
    sse_rules = (encryption or {}).get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    sse = sse_rules[0].get("ApplyServerSideEncryptionByDefault", {}) if sse_rules else {}
    kms_key = sse.get("KMSMasterKeyID") or None
    public = ctx.call(KIND, f"{scope}:GetPublicAccessBlock", client.get_public_access_block, Bucket=name,
                      missing=("NoSuchPublicAccessBlockConfiguration",))
    block = (public or {}).get("PublicAccessBlockConfiguration", {})
    lock = ctx.call(KIND, f"{scope}:GetObjectLockConfiguration", client.get_object_lock_configuration, Bucket=name,
                    missing=("ObjectLockConfigurationNotFoundError",))
    lock_conf = (lock or {}).get("ObjectLockConfiguration", {})
    default = lock_conf.get("Rule", {}).get("DefaultRetention", {})
    lock_days = default.get("Days") or (default["Years"] * 365 if default.get("Years") else None)
    versioning = ctx.call(KIND, f"{scope}:GetBucketVersioning", client.get_bucket_versioning, Bucket=name)
    acl = ctx.call(KIND, f"{scope}:GetBucketAcl", client.get_bucket_acl, Bucket=name)
    policy = ctx.call(KIND, f"{scope}:GetBucketPolicy", client.get_bucket_policy, Bucket=name,
                      missing=("NoSuchBucketPolicy",))
    attributes: dict[str, Any] = {
        # null: the call failed (recorded); "Disabled": versioning was never turned on
        "versioning": None if versioning is None else versioning.get("Status") or "Disabled",
        "public_acl_grants": None if acl is None else public_acl_grants(acl),
        "public_policy_statements": None if policy is None else public_policy_statements(
            (policy or {}).get("Policy")),
        "encryption_algorithm": sse.get("SSEAlgorithm") if encryption is not None else None,
        "lifecycle_expiration_days": min(expiry) if expiry else None,
        "public_access_block": None if public is None else {
            key: bool(block.get(key, False)) for key in BLOCK_KEYS
        },
        "object_lock": None if lock is None else {
            "enabled": lock_conf.get("ObjectLockEnabled") == "Enabled",
            "mode": default.get("Mode"),
            "retention_days": lock_days,
        },
    }
    if kms_key:
        attributes["kms_key_rotation"] = kms_rotation(kms, kms_key)
    return store(
        f"arn:aws:s3:::{name}", name, "s3", region, ctx, tags,
        retention_days=min(expiry) if expiry else None,
        deletion_mechanism="lifecycle_rule" if expiry else None,
        encrypted_at_rest=bool(sse.get("SSEAlgorithm")),
        kms_key=kms_key,
        created_at=iso(bucket.get("CreationDate")),
        attributes=attributes,
    )


# -- RDS and DynamoDB -----------------------------------------------------------------


def rds_instances(ctx: AwsContext, region: str, kms: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    client = ctx.client("rds", region)
    found = ctx.paginate(KIND, f"rds:{region}:DescribeDBInstances", client, "describe_db_instances", "DBInstances",
                         progress=f"RDS {region}")
    items = []
    for db in found or []:
        kms_key = db.get("KmsKeyId") or None
        attributes: dict[str, Any] = {
            "engine": db.get("Engine"),
            "backup_retention_days": db.get("BackupRetentionPeriod"),
            "deletion_protection": db.get("DeletionProtection"),
            "publicly_accessible": db.get("PubliclyAccessible"),
        }
        if kms_key:
            attributes["kms_key_rotation"] = kms_rotation(kms, kms_key)
        items.append(store(
            db["DBInstanceArn"], db["DBInstanceIdentifier"], "rds", region, ctx, tag_map(db.get("TagList")),
            retention_days=None, deletion_mechanism=None,
            encrypted_at_rest=bool(db.get("StorageEncrypted")), kms_key=kms_key,
            created_at=iso(db.get("InstanceCreateTime")), attributes=attributes,
        ))
    return items


def dynamodb_tables(ctx: AwsContext, region: str, kms: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    client = ctx.client("dynamodb", region)
    names = ctx.paginate(KIND, f"dynamodb:{region}:ListTables", client, "list_tables", "TableNames",
                         progress=f"DynamoDB {region}")
    items = []
    for name in names or []:
        scope = f"dynamodb:{region}:{name}"
        described = ctx.call(KIND, f"{scope}:DescribeTable", client.describe_table, TableName=name)
        if described is None:
            continue
        table = described["Table"]
        arn = table["TableArn"]
        ttl = ctx.call(KIND, f"{scope}:DescribeTimeToLive", client.describe_time_to_live, TableName=name)
        ttl_desc = (ttl or {}).get("TimeToLiveDescription", {})
        ttl_on = ttl_desc.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
        backups = ctx.call(KIND, f"{scope}:DescribeContinuousBackups", client.describe_continuous_backups,
                           TableName=name)
        pitr = (backups or {}).get("ContinuousBackupsDescription", {}).get("PointInTimeRecoveryDescription", {})
        tags = ctx.call(KIND, f"{scope}:ListTagsOfResource", client.list_tags_of_resource, ResourceArn=arn)
        sse = table.get("SSEDescription") or {}
        kms_key = sse.get("KMSMasterKeyArn") or None
        attributes: dict[str, Any] = {
            "ttl": None if ttl is None else {"enabled": ttl_on, "attribute": ttl_desc.get("AttributeName")},
            # DynamoDB encrypts every table at rest; without SSEDescription the key is AWS-owned.
            "encryption": sse.get("SSEType") or "AWS_OWNED",
            "point_in_time_recovery": None if backups is None else pitr.get("PointInTimeRecoveryStatus") == "ENABLED",
        }
        if kms_key:
            attributes["kms_key_rotation"] = kms_rotation(kms, kms_key)
        items.append(store(
            arn, name, "dynamodb", region, ctx, tag_map((tags or {}).get("Tags")),
            retention_days=None, deletion_mechanism="ttl" if ttl_on else None,
            encrypted_at_rest=True, kms_key=kms_key, created_at=iso(table.get("CreationDateTime")),
            attributes=attributes,
        ))
    return items


# -- KMS ------------------------------------------------------------------------------


def kms_keys(ctx: AwsContext, region: str) -> dict[str, dict[str, Any]]:
    """Customer-managed keys by ARN and id, with rotation status."""
    client = ctx.client("kms", region)
    keys = ctx.paginate((KIND, KEYS), f"kms:{region}:ListKeys", client, "list_keys", "Keys",
                        progress=f"KMS {region}")
    found: dict[str, dict[str, Any]] = {}
    for key in keys or []:
        key_id = key["KeyId"]
        scope = f"kms:{region}:{key_id}"
        meta = ctx.call((KIND, KEYS), f"{scope}:DescribeKey", client.describe_key, KeyId=key_id)
        if meta is None:
            continue
        info = meta["KeyMetadata"]
        if info.get("KeyManager") != "CUSTOMER" or info.get("KeyState") == "PendingDeletion":
            continue
        spec = info.get("KeySpec") or info.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
        usage = info.get("KeyUsage") or "ENCRYPT_DECRYPT"
        origin = info.get("Origin") or "AWS_KMS"
        # only symmetric encryption keys with AWS-made material rotate; AWS refuses to say for others
        rotatable = spec == "SYMMETRIC_DEFAULT" and usage == "ENCRYPT_DECRYPT" and origin == "AWS_KMS"
        rotation = None
        if rotatable:
            rotation = ctx.call((KIND, KEYS), f"{scope}:GetKeyRotationStatus", client.get_key_rotation_status,
                                KeyId=key_id)
        entry = {
            "arn": info["Arn"],
            "rotation_enabled": None if rotation is None else bool(rotation.get("KeyRotationEnabled")),
            "key_spec": spec, "region": region, "usage": usage, "origin": origin, "rotatable": rotatable,
        }
        found[info["Arn"]] = entry
        found[key_id] = entry
    return found


def encryption_keys(ctx: AwsContext, kms: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The customer-managed keys as ``encryption_keys`` items. Only symmetric encryption keys with
    AWS-generated material rotate automatically (``rotatable``)."""
    items = {}
    for entry in kms.values():
        items[entry["arn"]] = {
            "id": entry["arn"], "system": "aws-kms", "account": ctx.account, "region": entry["region"],
            "rotation_enabled": entry["rotation_enabled"], "rotatable": entry["rotatable"],
            "key_spec": entry["key_spec"],
            "attributes": {"usage": entry["usage"], "origin": entry["origin"]},
        }
    return [items[k] for k in sorted(items)]


def kms_rotation(kms: dict[str, dict[str, Any]], key: str) -> bool | None:
    """Rotation of the key a store uses; None when it is not a customer key we could read."""
    entry = kms.get(key) or kms.get(key.rsplit("/", 1)[-1])
    return entry["rotation_enabled"] if entry else None


__all__ = [
    "MISSING", "account_public_access_block", "dynamodb_tables", "encryption_keys", "kms_keys", "rds_instances",
    "s3_buckets",
]
