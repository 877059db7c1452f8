from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from auditor.errors import InputError
from auditor.pack.s3 import S3Target, upload_pack


@mock_aws
def test_upload_with_object_lock_retention(tmp_path: Path) -> None:
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket="audit", ObjectLockEnabledForBucket=True)
    pack = tmp_path / "pack.zip"
    pack.write_bytes(b"PK pack bytes")
    now = datetime(2026, 11, 20, tzinfo=UTC)
    upload = upload_pack(pack, "s3://audit/acme/packs", "runs/2026-11-20/r1", mode="governance", days=30,
                         client=client, now=now)
    assert upload.key == "acme/packs/runs/2026-11-20/r1/pack.zip"
    head = client.head_object(Bucket="audit", Key=upload.key)  # moto 5.2's get_object_retention fails with 500
    assert head["ObjectLockMode"] == "GOVERNANCE"
    assert head["ObjectLockRetainUntilDate"].date().isoformat() == "2026-12-20"
    assert client.get_object(Bucket="audit", Key=upload.key)["Body"].read() == b"PK pack bytes"


@mock_aws
def test_bucket_without_object_lock_is_refused(tmp_path: Path) -> None:
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket="plain")
    (tmp_path / "p.zip").write_bytes(b"x")
    with pytest.raises(InputError, match="Object Lock is not enabled"):
        upload_pack(tmp_path / "p.zip", "s3://plain/x", "runs/d/r", client=client)
    assert client.list_objects_v2(Bucket="plain").get("KeyCount", 0) == 0


def test_bad_urls_and_options(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="expected s3://bucket/prefix"):
        S3Target.parse("https://example/x")
    with pytest.raises(InputError, match="expected one of GOVERNANCE, COMPLIANCE"):
        upload_pack(tmp_path / "p.zip", "s3://b/p", "runs/d/r", mode="forever", client=object())
