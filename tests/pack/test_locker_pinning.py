"""Deleting the newest run is detectable once an auditor pins what they saw (--since, the S3 Object Lock copy)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import boto3
import git
import pytest
from moto import mock_aws

from auditor.errors import InputError
from auditor.pack.locker import pinned_digest, verify_locker
from auditor.pack.s3 import chain_heads, upload_pack
from tests.conftest import CliResult
from tests.pack.test_locker import _record


@pytest.fixture
def three(tmp_path: Path) -> tuple[Path, list[dict[str, str]]]:
    locker = tmp_path / "locker"
    return locker, [_record(locker, tmp_path, f"r{i}", f"2026-11-2{i}T10:00:00Z") for i in range(1, 4)]


def _drop_newest_and_rewrite(locker: Path) -> None:
    """What an insider would do: remove the last run as if it never happened (history rewritten)."""
    repo = git.Repo(locker)
    repo.git.reset("-q", "--hard", "HEAD~1")
    repo.git.reflog("expire", "--expire=now", "--all")
    repo.git.gc("-q", "--prune=now")


def test_since_pins_the_head_an_auditor_saw(three: tuple[Path, list[dict[str, str]]], tmp_path: Path,
                                            cli: Callable[..., CliResult]) -> None:
    locker, runs = three
    seen = tmp_path / "seen.zip"
    shutil.copyfile(locker / runs[2]["dir"] / "pack.zip", seen)
    assert cli("locker", "verify", locker, "--since", seen, "--since", runs[1]["sha256"]).code == 0
    _drop_newest_and_rewrite(locker)
    assert verify_locker(locker).valid  # the chain alone cannot tell: r1, r2 is a valid shorter chain
    result = cli("locker", "verify", locker, "--since", seen)
    assert result.code == 1
    assert (f"problem: --since {seen}: the pinned run (pack sha256 {runs[2]['sha256'][:12]}...) is no longer in "
            "the locker's chain: runs were deleted or the history rewritten") in result.out
    assert cli("locker", "verify", locker, "--since", runs[1]["sha256"].upper()).code == 0  # r2 is still there


def test_since_value_must_be_a_pack_or_digest(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    with pytest.raises(InputError, match="--since: found 'abc', expected a pack file or a pack's sha256"):
        pinned_digest("abc")
    (tmp_path / "locker").mkdir()
    assert cli("locker", "verify", tmp_path / "locker", "--since", "nope").code == 2


@mock_aws
def test_s3_copies_record_the_chain_head(three: tuple[Path, list[dict[str, str]]]) -> None:
    locker, runs = three
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket="audit", ObjectLockEnabledForBucket=True)
    for run in runs:
        upload_pack(locker / run["dir"] / "pack.zip", "s3://audit/acme", run["dir"], client=client,
                    pack_sha256=run["sha256"])
    heads = chain_heads("s3://audit/acme", client=client)
    assert sorted(heads) == sorted(r["sha256"] for r in runs)
    assert heads[runs[2]["sha256"]].startswith(f"s3://audit/acme/{runs[2]['dir']}/pack.zip?versionId=")
    assert verify_locker(locker, since=list(heads), pinned_sources=heads).valid
    _drop_newest_and_rewrite(locker)
    problems = verify_locker(locker, since=list(heads), pinned_sources=heads).problems
    assert problems == [f"{heads[runs[2]['sha256']]}: the pinned run (pack sha256 {runs[2]['sha256'][:12]}...) is "
                        "no longer in the locker's chain: runs were deleted or the history rewritten"]


@mock_aws
def test_s3_object_without_the_record_is_refused(tmp_path: Path) -> None:
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket="audit", ObjectLockEnabledForBucket=True)
    client.put_object(Bucket="audit", Key="acme/runs/2026-11-21/x/pack.zip", Body=b"PK")
    with pytest.raises(InputError, match="no pack-sha256 metadata"):
        chain_heads("s3://audit/acme", client=client)
