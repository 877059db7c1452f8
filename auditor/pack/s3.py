"""Upload a pack to S3 under Object Lock retention (WORM), so it cannot be deleted or overwritten.

The bucket must have Object Lock enabled; Auditor checks that first and refuses
to upload without it (fail closed: an unlocked copy is not an evidence locker).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from auditor.errors import AuditorError, ExitCode, InputError


class StorageError(AuditorError):
    """The pack could not be stored (upload or push failed). Exit code 3."""

    exit_code = ExitCode.INTERNAL

MODES = ("GOVERNANCE", "COMPLIANCE")


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
) -> Upload:
    """Upload ``pack`` to ``<prefix>/<run_dir>/pack.zip`` with Object Lock ``mode`` for ``days``."""
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
            },
        )
        head = client.head_object(Bucket=target.bucket, Key=key)
    except (ClientError, BotoCoreError) as exc:
        raise StorageError(f"s3://{target.bucket}/{key}: upload failed: {exc}") from None
    return Upload(target.bucket, key, mode, retain_until, head.get("VersionId"))
