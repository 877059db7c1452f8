"""Benchmark: collect and evaluate a 1,000-user, 500-bucket AWS account (moto on loopback).

Seeds the issue-18 account (tests/collect/aws_parity_account.py: every condition beside a clean
counterpart) plus --users console users with MFA and a scoped policy and --buckets buckets, behind a
moto server on 127.0.0.1 (real HTTP, as Prowler was run), then times, once each:

* seeding (not Auditor's cost, printed for scale);
* ``AwsCollector.write()`` against the server (every call over HTTP);
* evaluating the whole bundled library on the collected evidence (regorus, --jobs default).

Usage: python bench/aws_account.py [--users 1000] [--buckets 500] [--workers 8]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def loopback_session(region: str) -> object:
    """A session whose s3control calls reach the loopback server: botocore's endpoint rules put the
    account id in front of the host (123456789012.127.0.0.1), which does not resolve, and the call
    would spend its ten retries failing (the bench once spent 22 s so and lost the account block)."""
    import boto3

    session = boto3.Session(region_name=region)

    def unprefixed(request: object, **_kwargs: object) -> None:
        url = request.url  # type: ignore[attr-defined]
        scheme, rest = url.split("://", 1)
        host, path = rest.split("/", 1) if "/" in rest else (rest, "")
        account, _, loopback = host.partition(".")
        if account.isdigit() and loopback.startswith("127.0.0.1"):
            request.url = f"{scheme}://{loopback}/{path}"  # type: ignore[attr-defined]
            request.headers["Host"] = loopback  # type: ignore[attr-defined]

    session.events.register("before-send.s3-control", unprefixed)
    return session


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--buckets", type=int, default=500)
    parser.add_argument("--workers", type=int, default=8, help="per-user and per-bucket calls at a time")
    args = parser.parse_args()
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "eu-west-2", "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"})
    os.environ.pop("AWS_PROFILE", None)

    import logging

    from moto.server import ThreadedMotoServer

    from auditor.collect.aws import AwsCollector
    from auditor.collect.base import Clock, parse_instant
    from auditor.controls import load_library
    from auditor.engine import create
    from auditor.evaluate import evaluate
    from auditor.evidence import load_evidence
    from auditor.policies import load_policies
    from tests.collect import aws_parity_account as seeded

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        os.environ["AWS_ENDPOINT_URL"] = f"http://{host}:{port}"
        started = time.perf_counter()
        seeded.build(faults=True, users=args.users, buckets=args.buckets)
        seeding = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            started = time.perf_counter()
            clock = Clock(parse_instant("2026-11-20T09:00:00Z"))
            paths = AwsCollector(regions=(seeded.REGION,), clock=clock, session=loopback_session(seeded.REGION),
                                 workers=args.workers).write(out)
            collecting = time.perf_counter() - started
            started = time.perf_counter()
            run = evaluate(load_library(ROOT / "controls"), load_policies(ROOT / "policies"), load_evidence(out),
                           create("regorus"))
            evaluating = time.perf_counter() - started
            items = sum(1 for _ in paths)
            import orjson

            errors = {d["kind"]: len(d["errors"]) for d in (orjson.loads(p.read_bytes()) for p in paths)
                      if d["errors"]}
    finally:
        server.stop()
    counts = run.counts()
    print(f"account: {args.users} extra users, {args.buckets} extra buckets; {items} evidence documents")
    print(f"seed (moto, not Auditor): {seeding:.1f} s")
    print(f"collection errors: {errors or 'none'}")
    print(f"collect: {collecting:.2f} s")
    print(f"evaluate (whole library, {len(run.results)} controls): {evaluating:.2f} s  {counts}")
    print(f"collect + evaluate: {collecting + evaluating:.2f} s")


if __name__ == "__main__":
    main()
