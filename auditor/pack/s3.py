"""Upload a pack to S3 under Object Lock retention (WORM), so it cannot be deleted or overwritten.

The bucket must have Object Lock enabled; Auditor checks that first and refuses
to upload without it (fail closed: an unlocked copy is not an evidence locker).

Each copy records the chain head it makes: the pack's sha256, as the object's
``pack-sha256`` metadata (fixed for the locked version). :func:`chain_heads` reads
them back, and ``auditor locker verify --s3`` requires every one of them to be a run
in the locker's chain, so deleting the newest runs from the git locker (and
rewriting its history) is detected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from auditor.errors import AuditorError, ExitCode, InputError
from auditor.files import sha256_file


class StorageError(AuditorError):
    """The pack could not be stored (upload or push failed). Exit code 3."""

    exit_code = ExitCode.INTERNAL

MODES = ("GOVERNANCE", "COMPLIANCE")
CHAIN_HEAD_METADATA = "pack-sha256"


@dataclass(frozen=True)
class S3Target:
    bucket: str
    prefix: str

    @classmethod
    def parse(cls, url: str) -> S3Target:
        parsed = urlparse(url)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise InputError(f"--s3: found {url!r}, expected s3://bucket/prefix")
        return cls(parsed.netloc, parsed.path.strip("/"))

    def key(self, *parts: str) -> str:
        return "/".join(p for p in (self.prefix, *parts) if p)


@dataclass(frozen=True)
class Upload:
    bucket: str
    key: str
    mode: str
    retain_until: datetime
    version_id: str | None


def upload_pack(
    pack: Path,
    url: str,
    run_dir: str,
    *,
    mode: str = "COMPLIANCE",
    days: int = 365,
    client: Any = None,
    now: datetime | None = None,
    pack_sha256: str | None = None,
) -> Upload:
    """Upload ``pack`` to ``<prefix>/<run_dir>/pack.zip`` with Object Lock ``mode`` for ``days``.

    The object's ``pack-sha256`` metadata records the chain head this run makes (``pack_sha256``,
    computed from the file when not given).
    """
    from botocore.exceptions import BotoCoreError, ClientError

    mode = mode.upper()
    if mode not in MODES:
        raise InputError(f"--s3-retention-mode: found {mode!r}, expected one of {', '.join(MODES)}")
    if days < 1:
        raise InputError(f"--s3-retention-days: found {days}, expected at least 1")
    target = S3Target.parse(url)
    if client is None:
        import boto3

        client = boto3.client("s3")
    try:
        config = client.get_object_lock_configuration(Bucket=target.bucket)
        enabled = config.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled") == "Enabled"
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code != "ObjectLockConfigurationNotFoundError":
            raise StorageError(f"s3://{target.bucket}: cannot read the Object Lock configuration: {code}") from None
        enabled = False
    if not enabled:
        raise InputError(f"s3://{target.bucket}: Object Lock is not enabled on the bucket; refusing to upload "
                         "a pack that could be deleted")
    retain_until = (now or datetime.now(UTC)) + timedelta(days=days)
    key = target.key(run_dir, "pack.zip")
    try:
        client.upload_file(
            str(pack), target.bucket, key,
            ExtraArgs={
                "ObjectLockMode": mode,
                "ObjectLockRetainUntilDate": retain_until,
                "ChecksumAlgorithm": "SHA256",
                "ContentType": "application/zip",
                "Metadata": {CHAIN_HEAD_METADATA: pack_sha256 or sha256_file(pack)},
            },
        )
        head = client.head_object(Bucket=target.bucket, Key=key)
    except (ClientError, BotoCoreError) as exc:
        raise StorageError(f"s3://{target.bucket}/{key}: upload failed: {exc}") from None
    return Upload(target.bucket, key, mode, retain_until, head.get("VersionId"))


def chain_heads(url: str, *, client: Any = None) -> dict[str, str]:
    """Every pack digest recorded in the Object Lock copies under ``url``: {sha256: s3 address of that version}."""
    from botocore.exceptions import BotoCoreError, ClientError

    target = S3Target.parse(url)
    if client is None:
        import boto3

        client = boto3.client("s3")
    heads: dict[str, str] = {}
    try:
        paginator = client.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=target.bucket, Prefix=target.key("runs")):
            for version in page.get("Versions", []):
                key, version_id = version["Key"], version.get("VersionId")
                if not key.endswith("/pack.zip"):
                    continue
                extra = {"VersionId": version_id} if version_id and version_id != "null" else {}
                head = client.head_object(Bucket=target.bucket, Key=key, **extra)
                digest = (head.get("Metadata") or {}).get(CHAIN_HEAD_METADATA)
                where = f"s3://{target.bucket}/{key}" + (f"?versionId={version_id}" if extra else "")
                if not digest:
                    raise InputError(f"{where}: no {CHAIN_HEAD_METADATA} metadata: not a pack Auditor uploaded")
                heads[digest] = where
    except (ClientError, BotoCoreError) as exc:
        raise StorageError(f"s3://{target.bucket}/{target.key('runs')}: cannot list the locked copies: {exc}") from None
    return heads
