"""AwsContext.map: per-resource calls run concurrently, yet results and recorded errors come back in
item order, so a concurrent collection writes the same documents as a one-at-a-time one."""

from __future__ import annotations

import threading
import time

from auditor.collect.aws.context import AwsContext


def _task(ctx: AwsContext, seen: set[str]) -> object:
    def run(n: int) -> int:
        seen.add(threading.current_thread().name)
        time.sleep(0.002 * (10 - n))  # the later items finish first
        if n % 3 == 0:
            ctx.record(("data_stores", "encryption_keys"), f"s3:bucket-{n}:GetBucketAcl", "AccessDenied", "no")
        return n * n
    return run


def test_map_keeps_item_order_for_results_and_errors() -> None:
    runs = {}
    for workers in (1, 8):
        ctx = AwsContext(session=None, regions=["eu-west-2"], workers=workers)
        ctx.record("data_stores", "s3:ListBuckets", "Throttling", "before the pool")
        seen: set[str] = set()
        results = list(ctx.map(_task(ctx, seen), range(10)))
        assert results == [n * n for n in range(10)]
        runs[workers] = ({k: [e.scope for e in v] for k, v in ctx.errors.items()}, seen)
    (serial, one), (concurrent, many) = runs[1], runs[8]
    assert concurrent == serial == {
        "data_stores": ["s3:ListBuckets"] + [f"s3:bucket-{n}:GetBucketAcl" for n in (0, 3, 6, 9)],
        "encryption_keys": [f"s3:bucket-{n}:GetBucketAcl" for n in (0, 3, 6, 9)],
    }
    assert one == {"MainThread"} and len(many) > 1 and "MainThread" not in many  # it did run concurrently


def test_an_error_recorded_after_the_pool_goes_to_the_context_again() -> None:
    ctx = AwsContext(session=None, regions=["eu-west-2"])
    list(ctx.map(lambda n: n, range(3)))
    ctx.record("identities", "iam:GetAccountSummary", "AccessDenied", "no")
    assert [e.scope for e in ctx.errors["identities"]] == ["iam:GetAccountSummary"]

